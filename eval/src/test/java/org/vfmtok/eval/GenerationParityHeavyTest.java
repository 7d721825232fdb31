package org.vfmtok.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.eval.gen.GenerationEvaluator;
import org.vfmtok.eval.gen.GenerationMetrics;
import org.vfmtok.eval.gen.Npz;
import org.vfmtok.eval.gen.NpzWriter;
import org.vfmtok.eval.inception.FidInceptionV3;
import org.vfmtok.eval.inception.ImageBatch;
import org.vfmtok.eval.inception.ResizeMode;

/**
 * All five metrics end to end (npz batches → Inception → statistics → metrics, through the sidecar cache) on
 * every image of {@code fid_ref.npz}'s two synthetic sets (as many as {@code tools/reference/fid_ref.py
 * --images N} wrote: the committed fixture has 80 + 80), in both resize modes, against fid_ref.py: FID and
 * sFID within 1%, IS within 0.5%, precision and recall within 0.005. Opt-in ({@code heavy}): one full-size
 * Inception pass per image and mode. Run:
 * {@code mvn -o -pl eval -am test -Dvfm.excludedGroups=gpu -Dtest=GenerationParityHeavyTest -Dsurefire.failIfNoSpecifiedTests=false}
 */
@Tag("heavy")
class GenerationParityHeavyTest {
    @TempDir Path dir;

    @Test
    void allFiveMetricsMatchTheReference() throws IOException {
        int n, size;
        double[][] expected = new double[2][];
        // -Deval.fixture=FILE and -Deval.modes=tf1 (or torch) run a subset, e.g. on a busy machine.
        Path fixturePath = Path.of(System.getProperty("eval.fixture", InceptionParityTest.FIXTURE.toString()));
        java.util.List<ResizeMode> modes = java.util.Arrays.stream(System.getProperty("eval.modes", "tf1,torch").split(","))
                .map(m -> ResizeMode.valueOf(m.trim().toUpperCase(java.util.Locale.ROOT))).toList();
        try (Npz fixture = Npz.open(fixturePath)) {
            n = (int) fixture.readDoubles("images")[0];
            size = (int) fixture.readDoubles("size")[0];
            for (ResizeMode mode : modes) {
                String m = mode.cliName() + "_";
                expected[mode.ordinal()] = new double[] {fixture.readDoubles(m + "fid")[0], fixture.readDoubles(m + "sfid")[0],
                        fixture.readDoubles(m + "inception_score")[0], fixture.readDoubles(m + "precision")[0], fixture.readDoubles(m + "recall")[0]};
            }
        }
        Path ref = write("ref.npz", Synthetic.images(0, 0, n, size));
        Path sam = write("samples.npz", Synthetic.images(1, 0, n, size));
        FidInceptionV3 net = Synthetic.network();
        try (net) {
            for (ResizeMode mode : modes) {
                // An odd distance block exercises the blocked precision/recall; the split size makes 10 IS splits.
                GenerationEvaluator ev = new GenerationEvaluator(net, "synthetic", new GenerationEvaluator.Options(mode, 16, n / 10, 37), null);
                GenerationMetrics got = ev.evaluate(ref, sam);
                double[] e = expected[mode.ordinal()];
                String what = mode + ": " + got.toJson();
                System.out.println("java " + what + "; reference fid, sfid, is, precision, recall = " + java.util.Arrays.toString(e));
                assertEquals(e[0], got.fid(), 0.01 * e[0], "FID, " + what);
                assertEquals(e[1], got.sfid(), 0.01 * e[1], "sFID, " + what);
                assertEquals(e[2], got.inceptionScore(), 0.005 * e[2], "IS, " + what);
                assertEquals(e[3], got.precision(), 0.005, "precision, " + what);
                assertEquals(e[4], got.recall(), 0.005, "recall, " + what);
                Path cache = dir.resolve("ref.npz.fid-synthetic-" + mode.cliName() + ".npz");
                assertTrue(Files.isRegularFile(cache), "statistics cached next to the batch: " + cache);
                assertEquals(got, ev.evaluate(ref, sam), "the second evaluation (from the caches) gives the same numbers");
            }
        }
    }

    private Path write(String name, ImageBatch b) throws IOException {
        Path f = dir.resolve(name);
        NpzWriter.write(f, w -> w.add("arr_0", b.pixels(), b.n(), b.height(), b.width(), 3));
        return f;
    }
}
