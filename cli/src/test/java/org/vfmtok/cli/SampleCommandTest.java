package org.vfmtok.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.nn.dist.DistEnv;
import picocli.CommandLine;

/**
 * {@code ./vfm sample} on the small fixtures (the g4 GPT, vocab 64, 16 tokens; the small tokenizer, 112×112):
 * an interrupted run resumed gives the same npz as an uninterrupted one, sampling only what was missing; two ranks
 * together give it too, each (class, index) drawn once.
 */
class SampleCommandTest {
    private static final Path G4 = Path.of("../llama/src/test/resources/fixtures/small/g4");
    private static final Path TOK = Path.of("../vfmtok/src/test/resources/fixtures/small");
    private static final int[] CLASSES = {0, 3, 7};
    private static final int PER_CLASS = 2, SIZE = 40;

    private record Run(int code, String err) {}

    private static Run run(DistEnv env, List<String> args) {
        SampleCommand cmd = new SampleCommand();
        cmd.env = env;
        StringWriter err = new StringWriter();
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true));
        try {
            int code = new CommandLine(cmd).setErr(new PrintWriter(err)).execute(args.toArray(String[]::new));
            return new Run(code, err + captured.toString());
        } finally {
            System.setErr(saved);
        }
    }

    private static List<String> args(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("--gpt", G4.resolve("gpt.pt").toString(), "--gpt-config", G4.resolve("manifest.json").toString(),
                "--tokenizer", TOK.resolve("tokenizer.pt").toString(), "--config", TOK.resolve("config.json").toString(),
                "--classes", "0,3,7", "--per-class", Integer.toString(PER_CLASS), "--batch", "3", "--size", Integer.toString(SIZE),
                "--top-k", "8", "--cfg-scale", "1.0", "--seed", "11", "--out", out.toString(), "--no-progress"));
        a.addAll(List.of(more));
        return a;
    }

    private static byte[] entry(Path npz, String name) throws Exception {
        try (ZipFile z = new ZipFile(npz.toFile())) {
            ZipEntry e = z.getEntry(name);
            assertNotNull(e, name + " in " + npz);
            return z.getInputStream(e).readAllBytes();
        }
    }

    @Test
    void resumedAndShardedRunsGiveTheUninterruptedNpz(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.exists(TOK.resolve("tokenizer.pt")), "small tokenizer fixture not found");
        DistEnv single = DistEnv.single();
        Path whole = dir.resolve("whole.npz");
        Run r = run(single, args(whole));
        assertEquals(0, r.code, r.err);
        assertFalse(Files.exists(dir.resolve("whole.npz.parts")), "parts removed once assembled");
        byte[] expected = entry(whole, "arr_0.npy"), expectedLabels = entry(whole, "arr_1.npy");

        // arr_0: (9, 40, 40, 3) uint8; arr_1: the labels, each class PER_CLASS times
        byte[] images = entry(whole, "arr_0.npy"), labels = entry(whole, "arr_1.npy");
        String header = new String(images, 10, 118, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(header.startsWith("{'descr': '|u1', 'fortran_order': False, 'shape': (6, 40, 40, 3), }"), header);
        assertEquals(128 + 6L * SIZE * SIZE * 3, images.length);
        ByteBuffer lb = ByteBuffer.wrap(labels, 128, labels.length - 128).order(ByteOrder.LITTLE_ENDIAN);
        int[] count = new int[8];
        for (int i = 0; i < 6; i++) count[(int) lb.getLong()]++;
        for (int c : CLASSES) assertEquals(PER_CLASS, count[c], "class " + c);
        int distinct = 0;  // the images differ from each other (each sample has its own stream)
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < 6; i++) if (seen.add(java.util.Arrays.toString(java.util.Arrays.copyOfRange(images, 128 + i * SIZE * SIZE * 3, 128 + (i + 1) * SIZE * SIZE * 3)))) distinct++;
        assertTrue(distinct >= 5, distinct + " distinct images of 6");

        // killed after one batch, then resumed: only the missing batch is sampled
        Path resumed = dir.resolve("resumed.npz");
        r = run(single, args(resumed, "--max-batches", "1"));
        assertEquals(0, r.code, r.err);
        assertFalse(Files.exists(resumed));
        assertTrue(Files.exists(dir.resolve("resumed.npz.parts/batch-000000.npy")));
        assertFalse(Files.exists(dir.resolve("resumed.npz.parts/batch-000001.npy")));
        r = run(single, args(resumed));
        assertEquals(0, r.code, r.err);
        assertTrue(r.err.contains("1 batch(es) left of its 2") && r.err.contains("drew 3 image(s) in 1 batch(es)"), "only batch 1 is drawn: " + r.err);
        assertArrayEquals(expected, entry(resumed, "arr_0.npy"), "resumed run = uninterrupted run");
        assertArrayEquals(expectedLabels, entry(resumed, "arr_1.npy"));

        // two ranks: rank 1 draws batch 1, rank 0 draws batch 0 and assembles
        Path sharded = dir.resolve("sharded.npz");
        r = run(new DistEnv(1, 2, 1, "127.0.0.1", 29500), args(sharded));
        assertEquals(0, r.code, r.err);
        assertTrue(r.err.contains("1 batch(es) left of its 1"), r.err);
        List<String> parts;
        try (var s = Files.list(dir.resolve("sharded.npz.parts"))) {
            parts = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertEquals(List.of("batch-000001.npy", "manifest.json"), parts);
        r = run(new DistEnv(0, 2, 0, "127.0.0.1", 29500), args(sharded));
        assertEquals(0, r.code, r.err);
        assertTrue(r.err.contains("1 batch(es) left of its 1"), r.err);
        assertArrayEquals(expected, entry(sharded, "arr_0.npy"), "2 ranks = 1 rank");
        assertArrayEquals(expectedLabels, entry(sharded, "arr_1.npy"));
    }

    @Test
    void otherSettingsOnExistingPartsAreRefused(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.exists(TOK.resolve("tokenizer.pt")), "small tokenizer fixture not found");
        Path out = dir.resolve("s.npz");
        assertEquals(0, run(DistEnv.single(), args(out, "--max-batches", "0")).code); // the manifest only
        List<String> a = args(out);
        a.set(a.indexOf("--seed") + 1, "12");
        Run r = run(DistEnv.single(), a);
        assertNotEquals(0, r.code);
        assertTrue(r.err.contains("seed=11, this run seed=12"), r.err);
        r = run(DistEnv.single(), args(out, "--assemble"));
        assertNotEquals(0, r.code);
        assertTrue(r.err.contains("2 of 2 batches are not sampled yet"), r.err);
    }
}
