package org.vfmtok.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.eval.gen.NpzWriter;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Safetensors;
import picocli.CommandLine;

/** {@code ./vfm eval-gen}: each kind of bad input is refused with exit code 2 and one line naming the problem. */
class EvalGenCommandTest {
    @TempDir Path dir;

    private record Run(int code, String err) {}

    private static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, err.toString().trim());
    }

    private Path npz(String name, NpzWriter.Body body) throws IOException {
        Path f = dir.resolve(name);
        NpzWriter.write(f, body);
        return f;
    }

    private void assertRefused(String expected, String... args) {
        Run r = run(args);
        assertEquals(2, r.code, r.err);
        assertTrue(r.err.contains(expected), "expected '" + expected + "' in: " + r.err);
        assertFalse(r.err.contains("\n"), "one line: " + r.err);
    }

    @Test
    void badInputsAreRefusedWithOneLine() throws IOException {
        Path good = npz("good.npz", w -> w.add("arr_0", new byte[12 * 8 * 8 * 3], 12, 8, 8, 3));
        Path empty = npz("empty.npz", w -> w.add("labels", new double[] {1}, 1));
        Path floats = npz("floats.npz", w -> w.add("arr_0", new float[12 * 8 * 8 * 3], 12, 8, 8, 3));
        Path gray = npz("gray.npz", w -> w.add("arr_0", new byte[12 * 8 * 8], 12, 8, 8, 1));
        Path weights = dir.resolve("not-inception.safetensors");
        Safetensors.save(weights, Map.of("Conv2d_1a_3x3.conv.weight", Tensor.zeros(32, 3, 5, 5)), Map.of());
        String w = weights.toString();
        assertRefused("empty.npz: neither images (arr_0, uint8 NHWC) nor statistics (mu, sigma, mu_s, sigma_s)",
                "eval-gen", "--inception", w, empty.toString(), good.toString());
        assertRefused("floats.npz:arr_0: images must be uint8 (N, H, W, 3) as ADM stores them, got dtype f32 [12, 8, 8, 3]",
                "eval-gen", "--inception", w, good.toString(), floats.toString());
        assertRefused("images must be (N, H, W, 3) NHWC RGB, got shape [12, 8, 8, 1] (1 channels)",
                "eval-gen", "--inception", w, gray.toString(), good.toString());
        assertRefused("12 samples are fewer than one Inception Score split of 5000",
                "eval-gen", "--inception", w, good.toString(), good.toString());
        assertRefused("not the FID Inception-v3 weights (pt_inception-2015-12-05): shape mismatch Conv2d_1a_3x3.conv.weight: "
                        + "file has [32, 3, 5, 5], FID Inception-v3 expects [32, 3, 3, 3]",
                "eval-gen", "--inception", w, "--is-split-size", "6", good.toString(), good.toString());
        assertRefused("--resize must be tf1 or torch, got 'bicubic'",
                "eval-gen", "--inception", w, "--resize", "bicubic", good.toString(), good.toString());
    }
}
