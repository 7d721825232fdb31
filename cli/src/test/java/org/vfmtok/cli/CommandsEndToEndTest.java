package org.vfmtok.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Npy;
import org.vfmtok.tensor.io.Safetensors;
import org.vfmtok.vfmtok.image.Metrics;

/**
 * {@code inspect}, {@code tokenize}, {@code detokenize}, {@code reconstruct} and {@code features} end to end on the
 * small tokenizer (random weights made by the PyTorch reference, 112×112 images, 16 codes of 64) and on images and
 * files the test writes itself; each output is checked for its values, not only its existence.
 */
class CommandsEndToEndTest {
    private static final Path TOK = Path.of("../vfmtok/src/test/resources/fixtures/small");

    private static CliRun run(String... args) { return CliRun.of(args); }

    private static List<String> tokenizerArgs(String command, String... more) {
        List<String> a = new ArrayList<>(List.of(command, "--tokenizer", TOK.resolve("tokenizer.pt").toString(), "--config", TOK.resolve("config.json").toString()));
        a.addAll(List.of(more));
        return a;
    }

    /** Smooth colour fields with noise, at the model's size (the centre crop and resize are then the identity). */
    private static List<Path> images(Path dir, int n) throws Exception {
        List<Path> out = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(5);
        for (int k = 0; k < n; k++) {
            BufferedImage img = new BufferedImage(112, 112, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 112; y++) {
                for (int x = 0; x < 112; x++) {
                    int r = (x * 2 + k * 40 + rng.nextInt(8)) & 255, g = (y * 2 + rng.nextInt(8)) & 255, b = ((x + y) + k * 70) & 255;
                    img.setRGB(x, y, (r << 16) | (g << 8) | b);
                }
            }
            Path p = dir.resolve("img" + k + ".png");
            ImageIO.write(img, "png", p.toFile());
            out.add(p);
        }
        return out;
    }

    private static int[] pixels(Path png) throws Exception {
        BufferedImage img = ImageIO.read(png.toFile());
        int[] out = new int[img.getWidth() * img.getHeight() * 3];
        for (int y = 0, i = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                out[i++] = (rgb >> 16) & 255;
                out[i++] = (rgb >> 8) & 255;
                out[i++] = rgb & 255;
            }
        }
        return out;
    }

    @Test
    void inspectListsKeysDtypesShapesAndStatistics(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t.safetensors");
        try (Scope s = Scope.open()) {
            Map<String, Tensor> m = new LinkedHashMap<>();
            m.put("model.a", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
            m.put("model.b", Tensor.ofLongs(new long[] {-5, 7}, 2));
            m.put("other.c", Tensor.of(new float[] {0.5f}, 1));
            Safetensors.save(f, m);
        }
        CliRun r = run("inspect", f.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("model.a F32 [2,2] 10.0000 5.47723"), r.out()); // sum 10, L2 sqrt(30)
        assertTrue(r.out().contains("model.b I64 [2] 2.00000 8.60233"), r.out());  // sum 2, L2 sqrt(74)
        assertEquals(3, r.out().strip().lines().count(), r.out());
        r = run("inspect", f.toString(), "--prefix", "model");
        assertEquals(2, r.out().strip().lines().count(), r.out());
        assertFalse(r.out().contains("other.c"), r.out());
        r = run("inspect", f.toString(), "--prefix", "nothing");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no entries under prefix 'nothing'"), r.err());
        // the released tokenizer checkpoint format
        Assumptions.assumeTrue(Files.exists(TOK.resolve("tokenizer.pt")), "small tokenizer fixture missing");
        r = run("inspect", TOK.resolve("tokenizer.pt").toString(), "--prefix", "ema");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().allMatch(l -> l.startsWith("ema.")) && r.out().lines().count() > 10, r.out());
    }

    @Test
    void tokenizeDetokenizeAndReconstructAgree(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.exists(TOK.resolve("tokenizer.pt")), "small tokenizer fixture missing");
        List<Path> imgs = images(dir, 3);
        Path codes = dir.resolve("codes.npy");
        List<String> a = tokenizerArgs("tokenize", "--vfm", TOK.resolve("dinov2.pth").toString(), "--out", codes.toString(), "--batch", "2");
        imgs.forEach(p -> a.add(p.toString()));
        CliRun r = run(a.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        Tensor c = Npy.read(codes);
        assertEquals(DType.I64, c.dtype());
        assertArrayEquals(new int[] {3, 16}, c.shape());
        long[] flat = c.toLongArray();
        for (long v : flat) assertTrue(v >= 0 && v < 64, "code " + v);
        // batch size does not change the codes
        Path codes1 = dir.resolve("codes1.npy");
        a.set(a.indexOf("--out") + 1, codes1.toString());
        a.set(a.indexOf("--batch") + 1, "1");
        assertEquals(0, run(a.toArray(String[]::new)).code());
        assertArrayEquals(flat, Npy.read(codes1).toLongArray(), "codes with --batch 2 and --batch 1");

        Path decoded = dir.resolve("decoded");
        r = run(tokenizerArgs("detokenize", "--codes", codes.toString(), "--out", decoded.toString()).toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        Path recon = dir.resolve("recon");
        List<String> b = tokenizerArgs("reconstruct", "--vfm", TOK.resolve("dinov2.pth").toString(), "--out", recon.toString());
        imgs.forEach(p -> b.add(p.toString()));
        r = run(b.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().strip().lines().toList();
        assertEquals("image psnr_db ssim", lines.get(0));
        for (int k = 0; k < 3; k++) {
            // reconstruct = decode(encode(x)): the same pixels as detokenize of the tokenized codes
            int[] viaCodes = pixels(decoded.resolve(String.format("%06d.png", k)));
            int[] direct = pixels(recon.resolve("img" + k + ".png"));
            int worst = 0;
            for (int i = 0; i < direct.length; i++) worst = Math.max(worst, Math.abs(direct[i] - viaCodes[i]));
            assertTrue(worst <= 1, "image " + k + ": reconstruct and detokenize differ by up to " + worst + " levels");
            // the printed PSNR and SSIM are those of the written input and reconstruction
            int[] input = pixels(recon.resolve("img" + k + ".input.png"));
            int[] original = pixels(imgs.get(k));
            for (int i = 0; i < input.length; i++) {
                if (Math.abs(original[i] - input[i]) > 1) fail("image " + k + ": at the model size the input is not resampled, but value " + i + " is " + input[i] + " for " + original[i]);
            }
            String expected = String.format(Locale.ROOT, "%s %.3f %.4f", imgs.get(k), Metrics.psnr(input, direct), Metrics.ssim(input, direct, 112, 112));
            assertEquals(expected, lines.get(1 + k));
        }
        // --size resamples the decoded image
        r = run(tokenizerArgs("detokenize", "--codes", codes.toString(), "--out", dir.resolve("big").toString(), "--size", "150").toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertEquals(150, ImageIO.read(dir.resolve("big/000000.png").toFile()).getWidth());
    }

    @Test
    void featuresOfAClipTowerNamedByTheConfig(@TempDir Path dir) throws Exception {
        Path weights = Path.of("../vfmtok/src/test/resources/fixtures/vfms/clip.safetensors");
        Assumptions.assumeTrue(Files.exists(weights), "CLIP fixture missing");
        Path cfg = Files.writeString(dir.resolve("clip.json"), "{\"image_size\": 16, \"patch_size\": 4, \"vfm\": {\"family\": \"clip\", "
                + "\"embed_dim\": 32, \"depth\": 3, \"num_heads\": 2, \"mlp_hidden\": 64, \"patch_size\": 4, \"img_size_pretrain\": 16, "
                + "\"levels\": [0, 2], \"norm_last\": false}}");
        Path out = dir.resolve("f.safetensors");
        CliRun r = run("features", "--vfm", weights.toString(), "--config", cfg.toString(), "--out", out.toString(), images(dir, 1).get(0).toString());
        assertEquals(0, r.code(), r.err());
        try (Scope s = Scope.open()) {
            Map<String, Tensor> f = Safetensors.load(out);
            assertEquals(java.util.Set.of("level0", "level1"), f.keySet());
            assertArrayEquals(new int[] {1, 16, 32}, f.get("level1").shape(), "a 4×4 grid of the tower's 32-wide patch tokens, no class token");
        }
        // the same weights do not fit a SigLIP config: the family is checked
        Path sig = Files.writeString(dir.resolve("siglip.json"), Files.readString(cfg).replace("\"clip\"", "\"siglip\""));
        r = run("features", "--vfm", weights.toString(), "--config", sig.toString(), "--out", dir.resolve("g.safetensors").toString(), images(dir, 1).get(0).toString());
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("not a SIGLIP vision tower"), r.err());
    }

    @Test
    void featuresWritesEveryLevelForEveryImage(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.exists(TOK.resolve("dinov2.pth")), "small VFM fixture missing");
        List<Path> imgs = images(dir, 2);
        Path out = dir.resolve("f.safetensors"), one = dir.resolve("one.safetensors");
        CliRun r = run("features", "--vfm", TOK.resolve("dinov2.pth").toString(), "--config", TOK.resolve("config.json").toString(),
                "--out", out.toString(), imgs.get(0).toString(), imgs.get(1).toString());
        assertEquals(0, r.code(), r.err());
        r = run("features", "--vfm", TOK.resolve("dinov2.pth").toString(), "--config", TOK.resolve("config.json").toString(),
                "--out", one.toString(), imgs.get(1).toString());
        assertEquals(0, r.code(), r.err());
        try (Scope s = Scope.open()) {
            Map<String, Tensor> both = Safetensors.load(out), single = Safetensors.load(one);
            assertFalse(both.isEmpty());
            assertEquals(both.keySet(), single.keySet());
            for (var e : both.entrySet()) {
                Tensor t = e.getValue();
                assertEquals(2, t.shape()[0], e.getKey());
                double[] all = t.toDoubleArray(), alone = single.get(e.getKey()).toDoubleArray();
                int per = all.length / 2;
                double worst = 0, norm = 0;
                for (int i = 0; i < per; i++) {
                    assertTrue(Double.isFinite(all[per + i]), e.getKey());
                    worst = Math.max(worst, Math.abs(all[per + i] - alone[i]));
                    norm = Math.max(norm, Math.abs(alone[i]));
                }
                // the second image's features do not depend on the first image in the batch
                assertTrue(worst <= 1e-4 * Math.max(1, norm), e.getKey() + ": batch of 2 vs alone differ by " + worst);
                assertTrue(norm > 0, e.getKey() + " is all zeros");
            }
        }
    }
}
