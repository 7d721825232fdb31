package org.vfmtok.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero, negative and huge numbers in options and in architecture files are refused with a message naming the
 * option or key, never a bare "/ by zero" or "integer overflow" from deep inside (one case per class of input:
 * batch sizes, step counts and intervals, shard sizes, image sizes, thread counts, and the sizes, heads and
 * patch sizes of a tokenizer config).
 */
class OutOfRangeValuesTest {
    private static final Path G4 = Path.of("../llama/src/test/resources/fixtures/small/g4");
    private static final Path TOK = Path.of("../vfmtok/src/test/resources/fixtures/small");
    private static final String IMAGE = "../vfmtok/src/test/resources/fixtures/images/rgb.png";

    private record Run(int code, String err) {}

    private static synchronized Run run(List<String> args) {
        StringWriter err = new StringWriter();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            int code = Main.commandLine().setErr(new PrintWriter(err)).execute(args.toArray(String[]::new));
            return new Run(code, err.toString());
        } finally {
            System.setOut(saved);
        }
    }

    private static void refused(String option, List<String> args) {
        Run r = run(args);
        String what = String.join(" ", args);
        System.err.println("PROBE " + what + "\n  -> " + r.code() + " " + r.err().strip());
        assertNotEquals(0, r.code(), what + " was accepted");
        assertTrue(r.err().contains(option), what + ": the message names " + option + ": " + r.err());
        for (String bare : new String[] {"/ by zero", "integer overflow", "long overflow", "Exception", "\tat "}) {
            assertFalse(r.err().contains(bare), what + ": '" + bare + "' reached the user: " + r.err());
        }
    }

    /** {@code base} with {@code more}'s options set: an option already in {@code base} gets the new value. */
    private static List<String> with(List<String> base, String... more) {
        List<String> a = new ArrayList<>(base);
        for (int i = 0; i < more.length; i++) {
            int at = more[i].startsWith("--") ? a.indexOf(more[i]) : -1;
            if (at >= 0 && i + 1 < more.length) {
                a.set(at + 1, more[++i]);
            } else {
                a.add(more[i]);
            }
        }
        return a;
    }

    @Test
    void trainingCounts(@TempDir Path dir) {
        List<String> tok = List.of("train-tokenizer", "--procedural", "8", "--preset", "demo", "--steps", "2", "--threads", "1", "--out", dir.resolve("t").toString());
        for (String[] c : new String[][] {{"--batch", "0"}, {"--batch", "-3"}, {"--steps", "0"}, {"--procedural", "0"}, {"--ckpt-every", "-1"},
                {"--image-every", "-1"}, {"--log-every", "-1"}, {"--threads", "0"}, {"--restart-codes", "-1"}, {"--max-nonfinite", "-1"},
                {"--warmup", "-1"}, {"--disc-start", "-1"}}) {
            refused(c[0], with(tok, c));
        }
        List<String> ar = List.of("train-ar", "--procedural", "8", "--tokenizer", TOK.resolve("tokenizer.pt").toString(), "--tokenizer-config",
                TOK.resolve("config.json").toString(), "--steps", "2", "--out", dir.resolve("a").toString());
        for (String[] c : new String[][] {{"--batch", "0"}, {"--steps", "0"}, {"--sample-every", "-1"}, {"--log-every", "-1"}, {"--ckpt-every", "-1"}}) {
            refused(c[0], with(ar, c));
        }
        assertFalse(Files.exists(dir.resolve("t")) || Files.exists(dir.resolve("a")), "refused runs write nothing");
    }

    @Test
    void inferenceBatchesAndSizes(@TempDir Path dir) {
        List<String> tokArgs = List.of("--tokenizer", TOK.resolve("tokenizer.pt").toString(), "--config", TOK.resolve("config.json").toString(),
                "--vfm", TOK.resolve("dinov2.pth").toString());
        refused("--batch", with(with(List.of("tokenize"), tokArgs.toArray(String[]::new)), "--batch", "0", "--out", dir.resolve("c.npy").toString(), IMAGE));
        refused("--size", with(List.of("detokenize", "--tokenizer", TOK.resolve("tokenizer.pt").toString(), "--config", TOK.resolve("config.json").toString()),
                "--size", "0", "--out", dir.resolve("d").toString(), "--codes", TOK.resolve("codes.npy").toString()));
        refused("--shard-size", with(with(List.of("extract-codes", "--procedural", "4"), tokArgs.toArray(String[]::new)), "--shard-size", "0",
                "--out", dir.resolve("codes").toString()));
        List<String> gen = List.of("generate", "--gpt", G4.resolve("gpt.pt").toString(), "--gpt-config", G4.resolve("manifest.json").toString(),
                "--tokenizer", TOK.resolve("tokenizer.pt").toString(), "--config", TOK.resolve("config.json").toString(),
                "--out", dir.resolve("grid.png").toString(), "--no-progress", "--classes", "1");
        for (String[] c : new String[][] {{"--batch", "0"}, {"--per-class", "0"}, {"--per-class", "2147483647"}, {"--top-k", "-1"}, {"--cfg-interval", "-2"}}) {
            refused(c[0], with(gen, c));
        }
    }

    @Test
    void tokenizerConfigSizes(@TempDir Path dir) throws Exception {
        String base = Files.readString(TOK.resolve("config.json"));
        for (String[] c : new String[][] {{"\"patch_size\"", "0"}, {"\"heads\"", "0"}, {"\"num_heads\"", "0"}, {"\"gn_groups\"", "0"},
                {"\"image_size\"", "0"}, {"\"image_size\"", "99999999999"}, {"\"n_carrier\"", "0"}, {"\"dim\"", "-8"}}) {
            int at = base.indexOf(c[0] + ":");
            assertTrue(at >= 0, "the fixture config has " + c[0]);
            int start = at + c[0].length() + 1, end = start;
            while (end < base.length() && ",}\n".indexOf(base.charAt(end)) < 0) end++;
            Path cfg = dir.resolve("config.json");
            Files.writeString(cfg, base.substring(0, start) + " " + c[1] + base.substring(end));
            refused(c[0].replace("\"", ""), List.of("tokenize", "--tokenizer", TOK.resolve("tokenizer.pt").toString(), "--config", cfg.toString(),
                    "--vfm", TOK.resolve("dinov2.pth").toString(), "--out", dir.resolve("c.npy").toString(), IMAGE));
        }
    }
}
