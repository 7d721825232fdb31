package org.vfmtok.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.tensor.io.Json;

/**
 * {@code eval-tok} and {@code eval-recon} end to end on the small tokenizer (112×112, 64 codes): the tokenizer's
 * metrics equal eval-recon's on the crops and reconstructions it saved; mismatched folders are refused by name.
 */
class EvalCommandsTest {
    private static final Path TOK = Path.of("../vfmtok/src/test/resources/fixtures/small");

    private static CliRun run(String... args) { return CliRun.of(args); }

    /** An ImageFolder: two classes of two noisy colour fields each, 130×120 (the centre crop resizes them). */
    static Path imageFolder(Path root, int classes, int perClass, int side) throws Exception {
        SplittableRandom rng = new SplittableRandom(3);
        for (int c = 0; c < classes; c++) {
            Path d = Files.createDirectories(root.resolve("class" + c));
            for (int k = 0; k < perClass; k++) {
                BufferedImage img = new BufferedImage(side + 10, side, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < side; y++) {
                    for (int x = 0; x < side + 10; x++) {
                        int r = (c * 120 + x + rng.nextInt(30)) & 255, g = (y * 2 + rng.nextInt(20)) & 255, b = (c * 200 + k * 30 + rng.nextInt(40)) & 255;
                        img.setRGB(x, y, (r << 16) | (g << 8) | b);
                    }
                }
                ImageIO.write(img, "png", d.resolve("img" + k + ".png").toFile());
            }
        }
        return root;
    }

    private static Map<?, ?> json(Path p) throws Exception {
        return (Map<?, ?>) Json.parse(Files.readString(p));
    }

    @Test
    void evalTokMatchesEvalReconOnItsSavedImagesAndBadFoldersAreRefused(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.exists(TOK.resolve("tokenizer.pt")), "small tokenizer fixture not found");
        Path data = imageFolder(dir.resolve("val"), 2, 2, 120);
        CliRun r = run("eval-tok", "--tokenizer", TOK.resolve("tokenizer.pt").toString(), "--config", TOK.resolve("config.json").toString(),
                "--vfm", TOK.resolve("dinov2.pth").toString(), "--data", data.toString(), "--batch", "3", "--save", dir.resolve("saved").toString(),
                "--json", dir.resolve("tok.json").toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        Map<?, ?> tok = json(dir.resolve("tok.json"));
        assertEquals(4L, ((Number) tok.get("count")).longValue());
        assertEquals(112L, ((Number) tok.get("image_size")).longValue());
        long used = ((Number) tok.get("codebook_used")).longValue();
        assertTrue(used >= 1 && used <= 4 * 16, "codes used: " + used);
        double psnr = ((Number) tok.get("psnr")).doubleValue(), ssim = ((Number) tok.get("ssim")).doubleValue();
        assertTrue(psnr > 3 && psnr < 60 && ssim > -1 && ssim < 1, psnr + " " + ssim);
        assertTrue(r.out().contains("codebook usage"), r.out());

        r = run("eval-recon", "--json", dir.resolve("recon.json").toString(), dir.resolve("saved/ref").toString(), dir.resolve("saved/recon").toString());
        assertEquals(0, r.code(), r.err());
        Map<?, ?> rec = json(dir.resolve("recon.json"));
        assertEquals(4L, ((Number) rec.get("count")).longValue());
        assertEquals(psnr, ((Number) rec.get("psnr")).doubleValue(), 1e-9, "the PNGs hold exactly the bytes eval-tok measured");
        assertEquals(ssim, ((Number) rec.get("ssim")).doubleValue(), 1e-9);

        // a reconstruction of another size, then a missing one, then an extra one
        Path recon = dir.resolve("saved/recon");
        ImageIO.write(new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB), "png", recon.resolve("000001.png").toFile());
        r = run("eval-recon", dir.resolve("saved/ref").toString(), recon.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("000001.png is 20x20, its reference") && r.err().contains("is 112x112"), r.err());
        Files.delete(recon.resolve("000001.png"));
        r = run("eval-recon", dir.resolve("saved/ref").toString(), recon.toString());
        assertTrue(r.code() == 2 && r.err().contains("1 of 4 references have no reconstruction") && r.err().contains("000001.png"), r.err());
        Files.copy(dir.resolve("saved/ref/000000.png"), recon.resolve("000001.png"));
        Files.copy(dir.resolve("saved/ref/000000.png"), recon.resolve("extra.png"));
        r = run("eval-recon", dir.resolve("saved/ref").toString(), recon.toString());
        assertTrue(r.code() == 2 && r.err().contains("have no reference") && r.err().contains("extra.png"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());

        // rFID options are checked before any image is read
        Files.delete(recon.resolve("extra.png"));
        r = run("eval-recon", "--inception", dir.resolve("none.pth").toString(), dir.resolve("saved/ref").toString(), recon.toString());
        assertTrue(r.code() == 2 && r.err().contains("none.pth"), r.err());
        r = run("eval-recon", "--inception", dir.resolve("tok.json").toString(), "--resize", "area", dir.resolve("saved/ref").toString(), recon.toString());
        assertTrue(r.code() == 2 && r.err().contains("--resize must be tf1 or torch, got 'area'"), r.err());
    }
}
