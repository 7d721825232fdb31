package org.vfmtok.bench;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parts of {@link RunConditions} that do not need a quiet machine or torch: environment, BLAS verdict, noise arithmetic. */
class RunConditionsTest {
    private static final Path OPENMP = Path.of("/usr/lib/x86_64-linux-gnu/openblas-openmp");

    @Test
    void environmentPutsOpenBlasFirstAndSetsEveryThreadCount() {
        Map<String, String> env = RunConditions.referenceEnvironment(
                Map.of("LD_LIBRARY_PATH", "/opt/x", "OMP_NUM_THREADS", "7", "OPENBLAS_CORETYPE", "Haswell", "OPENBLAS_L2_SIZE", "1", "HOME", "/root"), 2, OPENMP);
        assertEquals(OPENMP + ":/opt/x", env.get("LD_LIBRARY_PATH"));
        for (String k : List.of("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")) assertEquals("2", env.get(k), k);
        assertFalse(env.containsKey("OPENBLAS_CORETYPE"));
        assertFalse(env.containsKey("OPENBLAS_L2_SIZE"));
        assertEquals("/root", env.get("HOME"), "the rest of the environment is kept");
        assertEquals(OPENMP.toString(), RunConditions.referenceEnvironment(Map.of(), 1, OPENMP).get("LD_LIBRARY_PATH"));
        assertThrows(IllegalArgumentException.class, () -> RunConditions.referenceEnvironment(Map.of(), 0, OPENMP));
    }

    private static String maps(String... files) {
        StringBuilder b = new StringBuilder("# torch 1.13.0a0, 2 threads\n{\"seconds\": [1.0]}\n");
        for (String f : files) b.append("# blas-map 7f4d33718000-7f4d3383d000 r--p 00000000 fe:00 5596001                    ").append(f).append('\n');
        return b.toString();
    }

    @Test
    void refusesTheReferenceBlas() {
        RunConditions.Blas reference = RunConditions.Blas.fromMaps(maps("/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0", "/usr/lib/x86_64-linux-gnu/lapack/liblapack.so.3"));
        assertFalse(reference.usable());
        assertTrue(reference.describe().contains("reference BLAS /usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0"), reference.describe());
        RunConditions.Noise quiet = new RunConditions.Noise(10, 0.0, 0.0, "0.01 0.02 0.03 1/100 5", "0.01 0.02 0.03 1/100 5");
        assertEquals("refused", RunConditions.ratio(2, 1, quiet, reference));
        RunConditions.Blas nothing = RunConditions.Blas.fromMaps(maps());
        assertFalse(nothing.usable(), "no BLAS seen: cannot vouch for the reference");
        assertEquals("refused", RunConditions.ratio(2, 1, quiet, nothing));

        RunConditions.Blas open = RunConditions.Blas.fromMaps(maps("/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblasp-r0.3.21.so",
                "/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3", "/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblasp-r0.3.21.so"));
        assertEquals(2, open.files().size(), "a file mapped several times counts once");
        assertTrue(open.usable());
        assertEquals("/usr/lib/x86_64-linux-gnu/openblas-openmp/libopenblasp-r0.3.21.so", open.describe());
        assertEquals("2.00x", RunConditions.ratio(2, 1, quiet, open));
        assertEquals("0.50x", RunConditions.ratio(1, 2, quiet, null), "no reference process (OpenBLAS in-process): only the noise decides");
    }

    @Test
    void noisyWhenOtherProcessesTookMoreThanFivePercentOfACore() {
        // 10 s at 100 ticks/s: 2 cores could give 2000 busy ticks; we took 1500
        assertEquals(0.04, RunConditions.Noise.otherCores(1540, 1500, 10), 1e-12);
        assertEquals(0.06, RunConditions.Noise.otherCores(1560, 1500, 10), 1e-12);
        assertEquals(0.0, RunConditions.Noise.otherCores(1495, 1500, 10), 0, "tick rounding never goes below 0");
        RunConditions.Counters a = new RunConditions.Counters(0, 10_000, 2_000, 50, "0.10 0.20 0.30 1/200 9");
        RunConditions.Counters quiet = new RunConditions.Counters(10_000_000_000L, 11_540, 3_500, 80, "0.90 0.40 0.35 2/200 9");
        RunConditions.Counters busy = new RunConditions.Counters(10_000_000_000L, 11_560, 3_500, 80, "1.90 0.40 0.35 2/200 9");
        RunConditions.Noise q = RunConditions.Noise.between(a, quiet), n = RunConditions.Noise.between(a, busy);
        assertFalse(q.noisy(), q.describe());
        assertTrue(n.noisy(), n.describe());
        assertEquals("1.50x", RunConditions.ratio(3, 2, q, null));
        assertEquals("noisy", RunConditions.ratio(3, 2, n, null));
        assertEquals("-", RunConditions.ratio(Double.NaN, 2, q, null), "a side that did not run");
        assertTrue(n.describe().contains("6.0% of a core (steal 3.0%)") && n.describe().contains("load 0.10 0.20 0.30 -> 1.90 0.40 0.35"), n.describe());
        RunConditions.Noise unknown = RunConditions.Noise.between(new RunConditions.Counters(0, -1, -1, -1, ""), quiet);
        assertTrue(unknown.noisy(), "counters that could not be read count as noisy");
    }

    @Test
    void parsesProcCounters() {
        assertEquals(1460475 + 0 + 85392 + 0 + 1443,
                RunConditions.busyTicks("cpu  1460475 0 85392 474285 2471 0 1443 19553 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n"));
        assertEquals(19553, RunConditions.cpuTicks("cpu  1460475 0 85392 474285 2471 0 1443 19553 0 0\n", 8), "steal");
        // the command name may hold spaces and parentheses; utime 14, stime 15, cutime 16, cstime 17
        String stat = "4242 (java (main) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 700 30 5 1 20 0 40 0 123 456 789";
        assertEquals(700 + 30 + 5 + 1, RunConditions.ownTicks(stat));
        RunConditions.Counters now = RunConditions.counters();
        assertTrue(now.busyTicks() > 0 && now.ownTicks() >= 0, now.toString());
    }
}
