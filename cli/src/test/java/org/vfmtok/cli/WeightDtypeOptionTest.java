package org.vfmtok.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.tensor.io.Npy;

/**
 * {@code --weight-dtype f32|bf16} on tokenize, detokenize and reconstruct (the small fixture tokenizer): BF16 weights
 * give (nearly) the F32 codes and images; an unknown value is refused naming the option.
 */
class WeightDtypeOptionTest {
    private static final Path TOK = Path.of("../vfmtok/src/test/resources/fixtures/small");

    private record Run(int code, String out, String err) {}

    private static synchronized Run run(List<String> args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = Main.commandLine().setErr(new PrintWriter(err)).execute(args.toArray(String[]::new));
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(saved);
        }
    }

    private static List<String> args(String command, String dtype, String... more) {
        List<String> a = new ArrayList<>(List.of(command, "--tokenizer", TOK.resolve("tokenizer.pt").toString(), "--config", TOK.resolve("config.json").toString(),
                "--weight-dtype", dtype));
        a.addAll(List.of(more));
        return a;
    }

    private static Path image(Path dir) throws Exception {
        BufferedImage img = new BufferedImage(112, 112, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 112; y++) for (int x = 0; x < 112; x++) img.setRGB(x, y, ((x * 2) << 16) | ((y * 2) << 8) | ((x + y) & 255));
        Path p = dir.resolve("img.png");
        ImageIO.write(img, "png", p.toFile());
        return p;
    }

    private static int[] pixels(Path png) throws Exception {
        BufferedImage img = ImageIO.read(png.toFile());
        int[] out = new int[img.getWidth() * img.getHeight()];
        img.getRGB(0, 0, img.getWidth(), img.getHeight(), out, 0, img.getWidth());
        return out;
    }

    @Test
    void bf16WeightsGiveTheF32CodesAndNearlyTheImages(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.exists(TOK.resolve("tokenizer.pt")), "small tokenizer fixture missing");
        Path img = image(dir), vfm = TOK.resolve("dinov2.pth");
        for (String dtype : List.of("f32", "bf16")) {
            Run r = run(args("tokenize", dtype, "--vfm", vfm.toString(), "--out", dir.resolve(dtype + ".npy").toString(), img.toString()));
            assertEquals(0, r.code, r.err);
            r = run(args("detokenize", dtype, "--codes", dir.resolve(dtype + ".npy").toString(), "--out", dir.resolve("dec-" + dtype).toString()));
            assertEquals(0, r.code, r.err);
            r = run(args("reconstruct", dtype, "--vfm", vfm.toString(), "--out", dir.resolve("rec-" + dtype).toString(), img.toString()));
            assertEquals(0, r.code, r.err);
        }
        long[] a = Npy.read(dir.resolve("f32.npy")).toLongArray(), b = Npy.read(dir.resolve("bf16.npy")).toLongArray();
        int equal = 0;
        for (int i = 0; i < a.length; i++) if (a[i] == b[i]) equal++;
        assertTrue(equal >= 0.9 * a.length, equal + " of " + a.length + " codes equal");   // the library test measured 32/32 on the fixture images
        int[] p = pixels(dir.resolve("dec-f32/000000.png")), q = pixels(dir.resolve("dec-bf16/000000.png"));
        int worst = 0;
        double se = 0;
        for (int i = 0; i < p.length; i++) {
            for (int s = 0; s < 24; s += 8) {
                int d = Math.abs((p[i] >> s & 255) - (q[i] >> s & 255));
                worst = Math.max(worst, d);
                se += d * d;
            }
        }
        double psnr = 10 * Math.log10(255.0 * 255 * 3 * p.length / Math.max(se, 1e-9));
        // measured on this image: up to 3 levels apart, PSNR well above 40 dB (BF16 keeps 8 significant bits)
        System.out.printf(java.util.Locale.ROOT, "detokenize --weight-dtype bf16 vs f32: %d/%d codes equal, decoded PNGs up to %d levels apart, PSNR %.1f dB%n",
                equal, a.length, worst, psnr);
        assertTrue(worst <= 8 && psnr > 40, "decoded with BF16 and F32 weights: up to " + worst + " levels apart, PSNR " + psnr + " dB");
    }

    @Test
    void anUnknownWeightDtypeIsRefusedNamingTheOption(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.exists(TOK.resolve("tokenizer.pt")), "small tokenizer fixture missing");
        Run r = run(args("detokenize", "fp8", "--codes", dir.resolve("none.npy").toString(), "--out", dir.resolve("d").toString()));
        assertNotEquals(0, r.code);
        assertTrue(r.err.contains("--weight-dtype") && r.err.contains("fp8") && r.err.contains("f32 or bf16"), r.err);
    }
}
