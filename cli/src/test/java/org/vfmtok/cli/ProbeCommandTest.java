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
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.tensor.io.Json;

/**
 * {@code ./vfm probe} on colour classes (red, green, blue dominant noisy images) with the small random tokenizer:
 * the probe beats chance clearly, and a second run reads the cached features and gives the same accuracy.
 */
class ProbeCommandTest {
    private static final Path TOK = Path.of("../vfmtok/src/test/resources/fixtures/small");

    private record Run(int code, String out, String err) {}

    private static synchronized Run run(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream(), errStream = new ByteArrayOutputStream();
        PrintStream savedOut = System.out, savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(errStream, true, StandardCharsets.UTF_8));
        try {
            int code = Main.commandLine().setErr(new PrintWriter(err)).execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err + errStream.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    private static void colourClasses(Path root, int perClass, long seed) throws Exception {
        SplittableRandom rng = new SplittableRandom(seed);
        String[] names = {"blue", "green", "red"};
        for (int c = 0; c < 3; c++) {
            Path d = Files.createDirectories(root.resolve(names[c]));
            for (int k = 0; k < perClass; k++) {
                BufferedImage img = new BufferedImage(118, 112, BufferedImage.TYPE_INT_RGB);
                int base = 140 + rng.nextInt(80);
                for (int y = 0; y < 112; y++) {
                    for (int x = 0; x < 118; x++) {
                        int[] ch = {rng.nextInt(90), rng.nextInt(90), rng.nextInt(90)};
                        ch[2 - c] = Math.min(255, base + rng.nextInt(40)); // blue = index 2 of RGB, red = 0
                        img.setRGB(x, y, (ch[0] << 16) | (ch[1] << 8) | ch[2]);
                    }
                }
                ImageIO.write(img, "png", d.resolve("img" + k + ".png").toFile());
            }
        }
    }

    @Test
    void colourClassesAreProbedWellAboveChanceAndFeaturesAreCached(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.exists(TOK.resolve("tokenizer.pt")), "small tokenizer fixture not found");
        colourClasses(dir.resolve("train"), 5, 1);
        colourClasses(dir.resolve("val"), 3, 2);
        String[] args = {"probe", "--tokenizer", TOK.resolve("tokenizer.pt").toString(), "--config", TOK.resolve("config.json").toString(),
                "--vfm", TOK.resolve("dinov2.pth").toString(), "--data", dir.resolve("train").toString(), "--val", dir.resolve("val").toString(),
                "--views", "2", "--batch", "6", "--cache", dir.resolve("cache").toString(), "--json", dir.resolve("probe.json").toString(), "--no-progress"};
        Run r = run(args);
        assertEquals(0, r.code, r.err);
        Map<?, ?> first = (Map<?, ?>) Json.parse(Files.readString(dir.resolve("probe.json")));
        double top1 = ((Number) first.get("top1")).doubleValue();
        assertTrue(top1 >= 0.75, "3 colour classes, chance 1/3: " + r.out);
        assertEquals(9L, ((Number) first.get("total")).longValue());
        assertEquals(32L, ((Number) first.get("dim")).longValue(), "the small tokenizer's slot dim");
        try (var s = Files.list(dir.resolve("cache"))) {
            assertEquals(2, s.count(), "train and val feature files");
        }
        r = run(args);
        assertEquals(0, r.code, r.err);
        assertTrue(r.err.contains("train features from the cache") && r.err.contains("val features from the cache"), r.err);
        Map<?, ?> second = (Map<?, ?>) Json.parse(Files.readString(dir.resolve("probe.json")));
        assertEquals(first.get("top1"), second.get("top1"), "same features, same seed, same accuracy");
    }
}
