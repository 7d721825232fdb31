package org.vfmtok.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.eval.gen.GenerationEvaluator;
import org.vfmtok.eval.gen.Npz;
import org.vfmtok.eval.gen.NpzWriter;
import org.vfmtok.eval.inception.ImageBatch;
import org.vfmtok.tensor.DType;

/** {@link Npz} / {@link NpzWriter} round trips, and the refusals of bad batches with one clear line each. */
class NpzTest {
    @TempDir Path dir;

    @Test
    void roundTripAndStreamedImages() throws IOException {
        Path f = dir.resolve("a.npz");
        byte[] px = new byte[5 * 4 * 3 * 3];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 7);
        NpzWriter.write(f, w -> {
            w.add("mu", new double[] {1.5, -2}, 2);
            w.add("f", new float[] {0.25f, 3f, -1f, 8f}, 2, 2);
            try (OutputStream s = w.begin("arr_0", DType.U8, 5, 4, 3, 3)) {
                s.write(px, 0, 100);
                s.write(px, 100, px.length - 100);
            }
        });
        try (Npz npz = Npz.open(f)) {
            assertEquals(java.util.Set.of("mu", "f", "arr_0"), npz.names());
            assertArrayEquals(new double[] {1.5, -2}, npz.readDoubles("mu", 2));
            assertArrayEquals(new double[] {0.25, 3, -1, 8}, npz.readDoubles("f"));
            var e = assertThrows(IOException.class, () -> npz.readDoubles("f", 4));
            assertTrue(e.getMessage().contains("shape [2, 2], expected [4]"), e.getMessage());
            try (Npz.ImageStream in = npz.images("arr_0")) {
                assertEquals(5, in.count());
                ImageBatch b1 = in.next(3), b2 = in.next(3), b3 = in.next(3);
                assertEquals(3, b1.n());
                assertEquals(2, b2.n());
                assertEquals(0, b3.n());
                byte[] all = new byte[px.length];
                System.arraycopy(b1.pixels(), 0, all, 0, b1.pixels().length);
                System.arraycopy(b2.pixels(), 0, all, b1.pixels().length, b2.pixels().length);
                assertArrayEquals(px, all);
            }
        }
        // A short array is refused and leaves no file behind.
        Path g = dir.resolve("short.npz");
        var e = assertThrows(IOException.class, () -> NpzWriter.write(g, w -> {
            try (OutputStream s = w.begin("x", DType.F32, 3)) {
                s.write(new byte[8]);
            }
        }));
        assertTrue(e.getMessage().contains("takes 12 bytes, got 8"), e.getMessage());
        assertTrue(Files.notExists(g));
    }

    private Path npz(String name, NpzWriter.Body body) throws IOException {
        Path f = dir.resolve(name);
        NpzWriter.write(f, body);
        return f;
    }

    private static String failure(Path ref, Path sam, int split) {
        return assertThrows(IOException.class, () -> GenerationEvaluator.checkInputs(ref, sam, split)).getMessage();
    }

    @Test
    void badBatchesAreRefusedWithOneLine() throws IOException {
        Path good = npz("good.npz", w -> w.add("arr_0", new byte[12 * 8 * 8 * 3], 12, 8, 8, 3));
        Path empty = npz("nothing.npz", w -> w.add("labels", new double[] {1}, 1));
        Path floats = npz("floats.npz", w -> w.add("arr_0", new float[4 * 8 * 8 * 3], 4, 8, 8, 3));
        Path rgba = npz("rgba.npz", w -> w.add("arr_0", new byte[4 * 8 * 8 * 4], 4, 8, 8, 4));
        Path halfStats = npz("half.npz", w -> w.add("mu", new double[2048], 2048));
        Path statsOnly = npz("stats.npz", w -> {
            w.add("mu", new double[1], 1);
            w.add("sigma", new double[1], 1);
            w.add("mu_s", new double[1], 1);
            w.add("sigma_s", new double[1], 1);
        });
        String m;
        m = failure(empty, good, 4);
        assertTrue(m.contains("nothing.npz: neither images (arr_0, uint8 NHWC) nor statistics"), m);
        m = failure(good, floats, 4);
        assertTrue(m.contains("floats.npz:arr_0: images must be uint8") && m.contains("f32 [4, 8, 8, 3]"), m);
        m = failure(good, rgba, 4);
        assertTrue(m.contains("(N, H, W, 3)") && m.contains("(4 channels)"), m);
        m = failure(halfStats, good, 4);
        assertTrue(m.contains("has 'mu' but no 'sigma'"), m);
        m = failure(good, statsOnly, 4);
        assertTrue(m.contains("stats.npz: no images (arr_0)"), m);
        m = failure(good, good, 5000);
        assertTrue(m.contains("12 samples are fewer than one Inception Score split of 5000"), m);
        Path notZip = dir.resolve("junk.npz");
        Files.writeString(notZip, "hello");
        m = failure(notZip, good, 4);
        assertTrue(m.contains("junk.npz: not an .npz file"), m);
        for (String s : new String[] {m}) assertTrue(!s.contains("\n"), "one line: " + s);
    }
}
