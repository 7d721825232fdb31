package org.vfmtok.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.nn.train.Checkpoints;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Safetensors;
import org.vfmtok.vfmtok.train.TokenizerConfigs;

/**
 * A refused train-tokenizer or train-ar leaves its run folder exactly as it was (bytes and modification
 * times), and a resume with another architecture, VFM or data source says what differs.
 */
class RefusedTrainingChangesNothingTest {
    record Outcome(int code, String err) {}

    static Outcome run(String... args) {
        StringWriter err = new StringWriter();
        picocli.CommandLine cl = new picocli.CommandLine(new Main()).setErr(new PrintWriter(err, true))
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    err.append(String.valueOf(ex.getMessage()));
                    return 2;
                });
        return new Outcome(cl.execute(args), err.toString());
    }

    static Map<String, Object> snapshot(Path dir) throws IOException {
        Map<String, Object> m = new TreeMap<>();
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) {
                m.put(p.getFileName() + ".bytes", HexFormat.of().formatHex(Files.readAllBytes(p)));
                m.put(p.getFileName() + ".mtime", Files.getLastModifiedTime(p));
            }
        }
        return m;
    }

    static void ageFiles(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            for (Path p : s.toList()) Files.setLastModifiedTime(p, FileTime.fromMillis(1_000_000_000_000L));
        }
    }

    static Outcome refused(Path runDir, String... args) throws IOException {
        Map<String, Object> before = snapshot(runDir);
        Outcome o = run(args);
        assertEquals(2, o.code(), o.err());
        assertEquals(before, snapshot(runDir), "a refused command changed the run folder: " + o.err());
        return o;
    }

    @Test
    void refusedTokenizerAndArRunsChangeNothing(@TempDir Path dir) throws Exception {
        Path tok = dir.resolve("tok");
        String[] common = {"--procedural", "8", "--preset", "demo", "--batch", "2", "--warmup", "1", "--ckpt-every", "1", "--image-every", "0",
                "--threads", "1", "--steps", "1", "--out", tok.toString()};
        assertEquals(0, run(TrainingCommandsTest.concat(new String[] {"train-tokenizer"}, common)).code());
        ageFiles(tok);

        // a fresh start into the run (another seed: another random VFM) must not replace its frozen vfm.safetensors
        Outcome o = refused(tok, TrainingCommandsTest.concat(new String[] {"train-tokenizer", "--seed", "5"}, common));
        assertTrue(o.err().contains("already holds a run"), o.err());

        // a resume with other VFM weights
        Path otherVfm = dir.resolve("other-vfm.safetensors");
        Map<String, Tensor> vfm = new java.util.LinkedHashMap<>(Safetensors.load(tok.resolve("vfm.safetensors")));
        String first = vfm.keySet().iterator().next();
        vfm.put(first, vfm.get(first).add(1.0));
        Safetensors.save(otherVfm, vfm);
        o = refused(tok, TrainingCommandsTest.concat(new String[] {"train-tokenizer", "--resume", "--vfm", otherVfm.toString()}, common));
        assertTrue(o.err().contains("vfm_sha256: recorded"), o.err());

        // a resume with another architecture and another data source
        Path cfg = Files.writeString(dir.resolve("other.json"), TokenizerConfigs.toJson(TokenizerConfigs.demo()).replace("\"codebook_size\": 128", "\"codebook_size\": 64"));
        String[] other = common.clone();
        other[1] = "10";
        o = refused(tok, TrainingCommandsTest.concat(new String[] {"train-tokenizer", "--resume", "--config", cfg.toString()}, other));
        assertTrue(o.err().contains("architecture codebook_size: recorded 128, now 64") && o.err().contains("data: recorded"), o.err());

        // the saved VFM changed behind the run's back
        Path savedVfm = tok.resolve("vfm.safetensors");
        byte[] original = Files.readAllBytes(savedVfm);
        Files.copy(otherVfm, savedVfm, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ageFiles(tok);
        o = refused(tok, TrainingCommandsTest.concat(new String[] {"train-tokenizer", "--resume"}, common));
        assertTrue(o.err().contains("vfm_sha256"), o.err());
        Files.write(savedVfm, original);

        // train-ar: a resume with another GPT architecture leaves gpt.json and args.json alone
        Path codes = dir.resolve("codes"), ar = dir.resolve("ar");
        Path ckpt = Checkpoints.latest(tok).orElseThrow();
        assertEquals(0, run("extract-codes", "--procedural", "6", "--tokenizer", ckpt.toString(), "--config", tok.resolve("tokenizer.json").toString(),
                "--vfm", savedVfm.toString(), "--batch", "6", "--out", codes.toString()).code());
        String[] arArgs = {"train-ar", "--codes", codes.toString(), "--batch", "2", "--steps", "1", "--sample-every", "0", "--ckpt-every", "1", "--out", ar.toString()};
        assertEquals(0, run(arArgs).code());
        ageFiles(ar);
        Path gpt = Files.writeString(dir.resolve("gpt.json"), "{\"dim\": 32, \"n_layer\": 1, \"n_head\": 2, \"vocab_size\": 128, \"num_classes\": 4, \"grid\": 4}");
        o = refused(ar, TrainingCommandsTest.concat(arArgs, new String[] {"--resume", "--gpt", gpt.toString()}));
        assertTrue(o.err().contains("architecture dim: recorded 64, now 32"), o.err());
        o = refused(ar, arArgs);
        assertTrue(o.err().contains("already holds a run"), o.err());
        String[] more = arArgs.clone();
        more[6] = "2";
        assertEquals("--steps", more[5]);
        Outcome resumed = run(TrainingCommandsTest.concat(more, new String[] {"--resume"}));
        assertEquals(0, resumed.code(), "the run's own inputs resume: " + resumed.err());
        assertEquals(2, Integer.parseInt(Checkpoints.latest(ar).orElseThrow().getFileName().toString().replaceAll("\\D", "")));
    }
}
