package org.vfmtok.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.llama.train.CodeShards;
import org.vfmtok.nn.io.AnyCheckpoint;
import org.vfmtok.nn.train.Checkpoints;
import org.vfmtok.tensor.Tensor;
import picocli.CommandLine;

/** The training commands wired together on a few procedural images: train, resume, extract, train AR, convert. */
class TrainingCommandsTest {
    static int run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new Main()).setErr(new PrintWriter(err))
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    ex.printStackTrace(new PrintWriter(err));
                    return 2;
                });
        int code = cl.execute(args);
        if (code != 0) System.err.println(err);
        return code;
    }

    @Test
    void trainResumeExtractTrainArConvert(@TempDir Path dir) throws Exception {
        Path tok = dir.resolve("tok"), codes = dir.resolve("codes"), ar = dir.resolve("ar");
        String[] common = {"--procedural", "24", "--preset", "demo", "--batch", "2", "--lr", "1e-3", "--warmup", "1", "--ckpt-every", "2",
                "--image-every", "2", "--log-every", "1", "--restart-codes", "2", "--threads", "1", "--out", tok.toString()};
        assertEquals(0, run(concat(new String[] {"train-tokenizer", "--steps", "2"}, common)));
        assertEquals(2, run(concat(new String[] {"train-tokenizer", "--steps", "3"}, common)), "a second run into the same folder is refused");
        assertEquals(0, run(concat(new String[] {"train-tokenizer", "--steps", "3", "--resume"}, common)));
        Path ckpt = Checkpoints.latest(tok).orElseThrow();
        assertEquals("ckpt-00000003.safetensors", ckpt.getFileName().toString());
        for (String f : new String[] {"vfm.safetensors", "tokenizer.json", "args.json", "recon-00000002.png", "loss.png"}) assertTrue(Files.exists(tok.resolve(f)), f);
        assertEquals(3, Files.readAllLines(tok.resolve("metrics.jsonl")).size(), "steps 1, 2 then 3 after the resume");

        assertEquals(0, run("extract-codes", "--procedural", "12", "--tokenizer", ckpt.toString(), "--config", tok.resolve("tokenizer.json").toString(),
                "--vfm", tok.resolve("vfm.safetensors").toString(), "--batch", "5", "--shard-size", "7", "--out", codes.toString()));
        CodeShards.Data d = CodeShards.read(codes);
        assertEquals(12, d.size());
        assertEquals(2, d.augmentations());
        assertEquals(16, d.tokens());

        assertEquals(0, run("train-ar", "--codes", codes.toString(), "--tokenizer", ckpt.toString(), "--tokenizer-config", tok.resolve("tokenizer.json").toString(),
                "--batch", "4", "--steps", "2", "--lr", "1e-3", "--sample-every", "2", "--out", ar.toString()));
        assertTrue(Files.exists(ar.resolve("samples-00000002.png")));
        assertEquals(0, run("train-ar", "--procedural", "12", "--tokenizer", ckpt.toString(), "--tokenizer-config", tok.resolve("tokenizer.json").toString(),
                "--vfm", tok.resolve("vfm.safetensors").toString(), "--batch", "4", "--steps", "2", "--sample-every", "0", "--out", dir.resolve("ar2").toString()));

        Path pt = dir.resolve("tok.pt"), back = dir.resolve("back.safetensors");
        assertEquals(0, run("convert", ckpt.toString(), pt.toString()));
        assertEquals(0, run("convert", pt.toString(), back.toString()));
        Checkpoints.Contents a = Checkpoints.load(ckpt), b = Checkpoints.load(back);
        assertEquals(a.sections().keySet(), b.sections().keySet());
        for (var e : a.sections().entrySet()) {
            for (var t : e.getValue().entrySet()) {
                Tensor u = b.section(e.getKey()).get(t.getKey());
                assertTrue(u != null && java.util.Arrays.equals(t.getValue().shape(), u.shape()), e.getKey() + "." + t.getKey());
                assertEquals(t.getValue().dtype(), u.dtype(), e.getKey() + "." + t.getKey());
                // the values, bit for bit (a converter writing zeros or the wrong tensor must fail here)
                assertArrayEquals(t.getValue().toDoubleArray(), u.toDoubleArray(), e.getKey() + "." + t.getKey() + " values");
            }
        }
        assertEquals("3", b.metadata().get("step"));
        assertEquals(a.metadata().get("data_position"), b.metadata().get("data_position"));
        try (AnyCheckpoint c = AnyCheckpoint.open(pt)) {
            Map<String, Object> entries = c.entries();
            assertEquals(3L, ((Number) entries.get("steps")).longValue());
            assertEquals(2L, ((Number) entries.get("args.batch_size")).longValue());
        }
        Path py = Path.of("/usr/bin/python3");
        if (Files.isExecutable(py)) {
            Process p = new ProcessBuilder(py.toString(), "-c", String.join("\n",
                    "import sys",
                    "try:\n    import torch\nexcept ImportError:\n    print('NO TORCH'); sys.exit(0)",
                    "c = torch.load(sys.argv[1], map_location='cpu')",
                    "print(sorted(c.keys()))",
                    "print(type(c['model']).__name__, c['model']['slot_quantize.embedding.weight'].shape, c['steps'], c['args']['batch_size'])"), pt.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assumeTrue(!out.contains("NO TORCH"), "python has no torch");
            assertEquals(0, p.exitValue(), out);
            assertEquals("['args', 'ema', 'model', 'optimizer', 'steps', 'trainer_state']\nOrderedDict torch.Size([128, 8]) 3 2", out.strip());
        }
    }

    static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
