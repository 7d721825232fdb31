package org.vfmtok.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.llama.GPT;
import org.vfmtok.nn.train.Checkpoints;
import org.vfmtok.serve.ServedModels;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.data.ProceduralShapes;
import org.vfmtok.vfmtok.model.TokenizerConfig;
import org.vfmtok.vfmtok.train.TokenizerConfigs;

/**
 * {@code vfm serve --run DIR}: a folder laid out as {@code ./vfm demo} leaves it (training checkpoints with model and
 * ema sections under tokenizer/ and ar/) is served with the demo's geometry and class names, and the tokenizer
 * can encode (its random frozen VFM is rebuilt) as well as decode. A folder that is not a run is refused by name.
 */
class ServeRunFolderTest {
    @Test
    void aDemoRunFolderIsServedWithItsLatestCheckpoints(@TempDir Path run) throws Exception {
        TokenizerConfig tc = TokenizerConfigs.demo();
        try (Scope s = Scope.open("fake-run");
             GPT gpt = GPT.random(ServedModels.demoGpt(tc, ProceduralShapes.CLASSES.size()), 3);
             VFMTokenizer tok = VFMTokenizer.random(tc, 4)) {
            Checkpoints.save(Checkpoints.pathFor(run.resolve("ar"), 80), new Checkpoints.Contents(
                    Map.of("model", gpt.stateDict(), "ema", gpt.stateDict()), Map.of()));
            Checkpoints.save(Checkpoints.pathFor(run.resolve("tokenizer"), 200), new Checkpoints.Contents(
                    Map.of("model", tok.model().stateDict(), "ema", tok.model().stateDict()), Map.of()));
        }
        ServeModelOptions o = new ServeModelOptions();
        o.run = run;
        try (ServedModels m = o.load(); Scope s = Scope.open("use")) {
            assertEquals(ProceduralShapes.CLASSES, m.classNames());
            assertTrue(m.banner().contains("ckpt-00000080"), m.banner());
            assertNotNull(m.tokenizer().vfm(), "the random frozen VFM is rebuilt for tokenize and reconstruct");
            Tensor codes = m.tokenizer().encode(Tensor.zeros(org.vfmtok.tensor.DType.F32, 1, 3, tc.imageSize(), tc.imageSize()));
            assertEquals(tc.tokens(), codes.size(1));
            int[][] gen = m.images().codes(new int[] {3}, new org.vfmtok.llama.GenerationOptions(1.5, org.vfmtok.llama.SamplingOptions.defaults(), 0), null);
            assertEquals(tc.imageSize(), m.images().images(gen).size(1));
        }
        ServeModelOptions bad = new ServeModelOptions();
        bad.run = Files.createDirectories(run.resolve("empty"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::load);
        assertTrue(e.getMessage().contains("tokenizer is not a folder"), e.getMessage());
    }
}
