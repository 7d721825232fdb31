package org.vfmtok.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Npy;
import picocli.CommandLine;

/**
 * {@code ./vfm generate} end to end on the small fixtures: the g4 GPT of the LlamaGen reference (vocab 64, a 4×4
 * grid) drives the small VFMTok tokenizer (codebook 64, 16 tokens, 112×112 images) — both made by the PyTorch
 * references and read from the other modules' test resources.
 */
class GenerateCommandTest {
    private static final Path G4 = Path.of("../llama/src/test/resources/fixtures/small/g4");
    private static final Path TOK = Path.of("../vfmtok/src/test/resources/fixtures/small");

    private record Run(int code, String err) {}

    private static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, err.toString());
    }

    private static List<String> base(Path dir, String... more) {
        List<String> a = new ArrayList<>(List.of("generate", "--gpt", G4.resolve("gpt.pt").toString(), "--gpt-config", G4.resolve("manifest.json").toString(),
                "--tokenizer", TOK.resolve("tokenizer.pt").toString(), "--config", TOK.resolve("config.json").toString(),
                "--out", dir.resolve("grid.png").toString(), "--no-progress"));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void greedyGridAndCodesMatchTheReference(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.exists(TOK.resolve("tokenizer.pt")), "small tokenizer fixture not found at " + TOK.toAbsolutePath());
        Run r = run(base(dir, "--classes", "0,3,7,9", "--cfg-scale", "1.5", "--top-k", "1", "--codes-out", dir.resolve("codes.npy").toString()).toArray(String[]::new));
        assertEquals(0, r.code, r.err);
        Tensor codes = Npy.read(dir.resolve("codes.npy"));
        assertArrayEquals(new int[] {4, 16}, codes.shape());
        assertArrayEquals(Npy.read(G4.resolve("greedy_cfg1.5_codes.npy")).toLongArray(), codes.toLongArray(), "greedy codes, cfg 1.5");
        BufferedImage img = ImageIO.read(dir.resolve("grid.png").toFile());
        assertEquals(4 * (112 + 2) + 2, img.getWidth());
        assertTrue(img.getHeight() > 112 && img.getHeight() < 112 + 30, "one row plus the label strip: " + img.getHeight());
        boolean dark = false;   // the label strip has drawn digits
        for (int x = 0; x < img.getWidth(); x++) for (int y = 0; y < 12; y++) dark |= (img.getRGB(x, y) & 0xFFFFFF) == 0;
        assertTrue(dark, "class labels drawn above the columns");
    }

    @Test
    void sampledGridWithSeveralRowsIsReproducible(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.exists(TOK.resolve("tokenizer.pt")), "small tokenizer fixture not found");
        String[] args = base(dir, "--classes", "2,5", "--per-class", "3", "--top-p", "0.9", "--temperature", "0.9", "--seed", "7",
                "--codes-out", dir.resolve("a.npy").toString()).toArray(String[]::new);
        assertEquals(0, run(args).code);
        BufferedImage img = ImageIO.read(dir.resolve("grid.png").toFile());
        assertEquals(2 * (112 + 2) + 2, img.getWidth());
        assertTrue(img.getHeight() > 3 * 112);
        args[args.length - 1] = dir.resolve("b.npy").toString();
        assertEquals(0, run(args).code);
        long[] a = Npy.read(dir.resolve("a.npy")).toLongArray(), b = Npy.read(dir.resolve("b.npy")).toLongArray();
        assertArrayEquals(a, b, "same seed, same codes");
        assertEquals(6 * 16, a.length);
    }

    @Test
    void bf16KvCache(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.exists(TOK.resolve("tokenizer.pt")), "small tokenizer fixture not found");
        Run r = run(base(dir, "--classes", "0,3", "--cfg-scale", "1.5", "--top-k", "1", "--kv-cache", "bf16",
                "--codes-out", dir.resolve("codes.npy").toString()).toArray(String[]::new));
        assertEquals(0, r.code, r.err);
        Tensor codes = Npy.read(dir.resolve("codes.npy"));
        assertArrayEquals(new int[] {2, 16}, codes.shape());
        for (long c : codes.toLongArray()) assertTrue(c >= 0 && c < 64, "code " + c);
    }

    @Test
    void unknownKvCacheDtypeIsRefusedByName(@TempDir Path dir) {
        Run r = run(base(dir, "--classes", "3", "--kv-cache", "f16").toArray(String[]::new));
        assertEquals(2, r.code, r.err);
        assertTrue(r.err.contains("--kv-cache must be f32 or bf16, got 'f16'"), r.err);
        assertEquals(1, r.err.strip().lines().count(), "one line: " + r.err);
        assertFalse(Files.exists(dir.resolve("grid.png")), "nothing written");
    }

    @Test
    void badInputIsAOneLineError(@TempDir Path dir) {
        Run r = run(base(dir, "--classes", "3,10").toArray(String[]::new));
        assertEquals(2, r.code);
        assertTrue(r.err.contains("class index 10 is out of range [0, 10)"), r.err);
        r = run(base(dir, "--classes", "3", "--cfg-scale", "0.5").toArray(String[]::new));
        assertTrue(r.code == 2 && r.err.contains("cfg scale must be >= 1"), r.err);
        r = run(base(dir, "--classes", "3", "--top-p", "0").toArray(String[]::new));
        assertTrue(r.code == 2 && r.err.contains("top-p must be in (0, 1]"), r.err);
        r = run(base(dir, "--classes", "3", "--temperature", "-1").toArray(String[]::new));
        assertTrue(r.code == 2 && r.err.contains("temperature must be >= 0"), r.err);
        // the official tokenizer (codebook 16384) with the 64-code GPT
        List<String> a = base(dir, "--classes", "3");
        int i = a.indexOf("--config");
        a.remove(i);
        a.remove(i);
        r = run(a.toArray(String[]::new));
        assertTrue(r.code == 2 && r.err.contains("differs from the tokenizer's codebook size (16384)"), r.err);
        // a GPT-B config for the g4 checkpoint
        a = base(dir, "--classes", "3");
        i = a.indexOf("--gpt-config");
        a.set(i, "--gpt-model");
        a.set(i + 1, "GPT-B");
        a.set(a.indexOf("--config") + 1, dir.resolve("official.json").toString());
        try {
            Files.writeString(dir.resolve("official.json"), "{}");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        r = run(a.toArray(String[]::new));
        assertTrue(r.code == 2 && r.err.contains("does not fit GPT-B") && r.err.contains("checkpoint [64, 64], model [16384, 768]"), r.err);
    }

    @Test
    void batchSizeDoesNotChangeTheSamples(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.exists(TOK.resolve("tokenizer.pt")), "small tokenizer fixture not found");
        long[][] codes = new long[3][];
        String[] batches = {"16", "1", "4"};
        for (int i = 0; i < 3; i++) {
            Path npy = dir.resolve("codes" + i + ".npy");
            Run r = run(base(dir, "--classes", "2,5", "--per-class", "3", "--top-p", "0.9", "--seed", "7", "--batch", batches[i],
                    "--codes-out", npy.toString()).toArray(String[]::new));
            assertEquals(0, r.code, r.err);
            codes[i] = Npy.read(npy).toLongArray();
        }
        assertArrayEquals(codes[0], codes[1], "batch 16 vs batch 1");
        assertArrayEquals(codes[0], codes[2], "batch 16 vs batch 4");
    }

    @Test
    void hugeRequestsAreRefusedBeforeAnythingIsLoaded(@TempDir Path dir) {
        // 2 x 2,000,000,000 wraps to a negative int in 32-bit arithmetic
        Run r = run(base(dir, "--classes", "0,1", "--per-class", "2000000000").toArray(String[]::new));
        assertEquals(2, r.code, r.err);
        assertTrue(r.err.contains("2 classes (--classes) x 2000000000 per class (--per-class) = 4000000000 images"), r.err);
        assertEquals(1, r.err.strip().lines().count(), "one line: " + r.err);
        r = run(base(dir, "--classes", "0", "--per-class", "60000").toArray(String[]::new));
        assertEquals(2, r.code, r.err);
        assertTrue(r.err.contains("60000 images of 112x112: more than one grid can hold (at most 57065)"), r.err);
        r = run(base(dir, "--classes", "0", "--batch", "0").toArray(String[]::new));
        assertTrue(r.code == 2 && r.err.contains("--batch must be >= 1, got 0"), r.err);
        assertFalse(Files.exists(dir.resolve("grid.png")));
    }

    @Test
    void aGptConfigIsCheckedAgainstTheCheckpointBeforeAllocating(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.exists(TOK.resolve("tokenizer.pt")), "small tokenizer fixture not found");
        // 40 layers of dim 65536: about 2 TB of weights if it were allocated before the check
        Path cfg = dir.resolve("huge.json");
        Files.writeString(cfg, "{\"dim\": 65536, \"n_layer\": 40, \"n_head\": 4, \"vocab_size\": 64, \"num_classes\": 10, \"grid\": 4}");
        List<String> a = base(dir, "--classes", "3");
        a.set(a.indexOf("--gpt-config") + 1, cfg.toString());
        long t0 = System.nanoTime();
        Run r = run(a.toArray(String[]::new));
        assertEquals(2, r.code, r.err);
        assertTrue(r.err.contains("checked before allocating it") && r.err.contains("checkpoint [64, 64], model [64, 65536]"), r.err);
        assertTrue((System.nanoTime() - t0) / 1e9 < 20, "refused at once");
    }
}
