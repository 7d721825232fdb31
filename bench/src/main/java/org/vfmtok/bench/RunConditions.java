package org.vfmtok.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What makes a benchmark ratio worth printing, in one place for every bench command:
 * <ul>
 * <li>{@link #launchReference}: the one way to start a PyTorch reference script. It sets the environment (OpenBLAS
 *     with OpenMP on {@code LD_LIBRARY_PATH}, {@code OMP_NUM_THREADS} / {@code OPENBLAS_NUM_THREADS} /
 *     {@code MKL_NUM_THREADS} = the benchmark's thread count) and runs the script through
 *     {@code tools/reference/blas_report.py}, which prints the BLAS files torch has mapped after a matrix product;
 *     {@link Blas#fromMaps} reads them, and a reference on Debian's reference BLAS ({@code libblas.so.3} of libblas3,
 *     30-80x slower than OpenBLAS) gets no ratio.</li>
 * <li>{@link #start()} / {@link Window#stop()}: the load average and the CPU time other processes took while a
 *     measurement ran ({@code /proc/stat}'s busy ticks less this JVM's own, which include the reference processes it
 *     has waited for); above 5% of a core ({@link #NOISY_CORES}) the ratio prints as "noisy".</li>
 * </ul>
 * Benchmarks print ratios only through {@link #ratio}. Linux only ({@code /proc}); elsewhere every window is noisy.
 */
public final class RunConditions {
    private RunConditions() {}

    public static final Path PYTHON = Path.of("/usr/bin/python3");
    /** Other processes' CPU time, as a fraction of one core over the window, above which a ratio is not printed. */
    public static final double NOISY_CORES = 0.05;
    /** Kernel clock ticks per second of /proc's CPU times (USER_HZ: 100 on every Linux this runs on). */
    static final double TICKS_PER_S = 100;

    // ------------------------------------------------------------------ the reference's environment

    /** Debian's OpenBLAS built with OpenMP ({@code libopenblas0-openmp}), the first {@code /usr/lib/*}/openblas-openmp found; null if none. */
    public static Path openBlasOpenMp() {
        Path usrLib = Path.of("/usr/lib");
        if (Files.isDirectory(usrLib.resolve("x86_64-linux-gnu/openblas-openmp"))) return usrLib.resolve("x86_64-linux-gnu/openblas-openmp");
        try (DirectoryStream<Path> arch = Files.newDirectoryStream(usrLib, "*-linux-gnu*")) {
            for (Path p : arch) if (Files.isDirectory(p.resolve("openblas-openmp"))) return p.resolve("openblas-openmp");
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    /**
     * The reference's environment: {@code base} with {@code openBlasDir} in front of {@code LD_LIBRARY_PATH} (so that
     * torch's libblas.so.3 resolves to OpenBLAS) and every thread-count variable = {@code threads}; a pinned
     * {@code OPENBLAS_CORETYPE} or {@code OPENBLAS_L2_SIZE} is dropped (it would make the reference slower than it is).
     */
    static Map<String, String> referenceEnvironment(Map<String, String> base, int threads, Path openBlasDir) {
        if (threads < 1) throw new IllegalArgumentException("reference threads must be >= 1, got " + threads);
        Map<String, String> env = new LinkedHashMap<>(base);
        String ld = env.get("LD_LIBRARY_PATH");
        env.put("LD_LIBRARY_PATH", openBlasDir + (ld == null || ld.isBlank() ? "" : ":" + ld));
        for (String k : List.of("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")) env.put(k, Integer.toString(threads));
        env.remove("OPENBLAS_CORETYPE");
        env.remove("OPENBLAS_L2_SIZE");
        return env;
    }

    /** The project root (the folder holding tools/reference), searched upwards from the working directory. */
    public static Path root() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("tools/reference"))) p = p.getParent();
        if (p == null) throw new IllegalStateException("tools/reference not found above " + Path.of("").toAbsolutePath() + ": run from the project folder");
        return p;
    }

    /** Whether the reference can run here: /usr/bin/python3 with torch's package and OpenBLAS (OpenMP) installed. */
    public static String missingReference() {
        if (!Files.isExecutable(PYTHON)) return "the PyTorch reference needs " + PYTHON + " with torch: apt-get install python3-torch libopenblas0-openmp";
        if (openBlasOpenMp() == null) {
            return "OpenBLAS (OpenMP) for torch not found in /usr/lib/*/openblas-openmp: apt-get install libopenblas0-openmp"
                    + " (torch otherwise runs on the 30-80x slower reference BLAS)";
        }
        return null;
    }

    /** A finished reference run: its stdout (the BLAS report lines included) and the BLAS torch loaded. */
    public record Reference(String stdout, Blas blas) {
        /** The last line of stdout (the scripts print their JSON result there). */
        public String lastLine() {
            String out = stdout.strip();
            return out.substring(out.lastIndexOf('\n') + 1);
        }
    }

    /**
     * Runs {@code tools/reference/SCRIPT args...} (from the project root) with the reference environment and waits for
     * it; stderr goes to this process's stderr. Fails naming the script and its output when it exits non-zero.
     */
    public static Reference launchReference(int threads, String script, List<String> args) throws IOException, InterruptedException {
        String missing = missingReference();
        if (missing != null) throw new IllegalStateException(missing);
        Path root = root();
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), "tools/reference/blas_report.py", "tools/reference/" + script));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
        Map<String, String> env = referenceEnvironment(pb.environment(), threads, openBlasOpenMp());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.HOURS)) {
            p.destroyForcibly();
            throw new IOException("reference " + script + " ran for over 2 hours");
        }
        if (p.exitValue() != 0) {
            String tail = out.length() > 4000 ? out.substring(out.length() - 4000) : out;
            throw new IOException("reference " + script + " exited with " + p.exitValue() + ": " + tail.strip());
        }
        Blas blas = Blas.fromMaps(out);
        System.out.println("# reference " + script + ": BLAS " + blas.describe() + ", " + threads + " threads");
        return new Reference(out, blas);
    }

    /**
     * The BLAS a reference process had mapped: the files of its {@code # blas-map} lines (lines of
     * {@code /proc/self/maps}). OpenBLAS or MKL is usable; Debian's reference BLAS alone, or nothing seen, is not.
     */
    public record Blas(List<String> files) {
        static final String PREFIX = "# blas-map ";

        public static Blas fromMaps(String output) {
            List<String> files = new ArrayList<>();
            for (String line : output.split("\n")) {
                if (!line.startsWith(PREFIX)) continue;
                String[] f = line.substring(PREFIX.length()).trim().split("\\s+");
                if (f.length >= 6 && !files.contains(f[f.length - 1])) files.add(f[f.length - 1]);
            }
            return new Blas(List.copyOf(files));
        }

        /** The optimised library's file (OpenBLAS or MKL), or null. */
        public String optimised() {
            for (String f : files) {
                String name = f.substring(f.lastIndexOf('/') + 1);
                if (name.startsWith("libopenblas") || name.startsWith("libmkl") || name.startsWith("libblis")) return f;
            }
            return null;
        }

        /** Whether a ratio against this reference may be printed: an optimised BLAS was mapped. */
        public boolean usable() { return optimised() != null; }

        public String describe() {
            if (usable()) return optimised();
            if (files.isEmpty()) return "unknown (no BLAS file mapped)";
            return "reference BLAS " + String.join(", ", files) + " (not OpenBLAS: ratios refused)";
        }
    }

    // ------------------------------------------------------------------ noise

    /**
     * CPU counters at one instant: machine-wide busy ticks (all cores), this process's own ticks (waited children
     * included), and the ticks the hypervisor gave other machines (steal: reported, not counted as other processes).
     */
    public record Counters(long nanos, long busyTicks, long ownTicks, long stealTicks, String loadAverage) {}

    /** Reads the counters now (all -1 where /proc is missing). */
    public static Counters counters() {
        String stat = read("/proc/stat");
        return new Counters(System.nanoTime(), cpuTicks(stat, 1, 2, 3, 6, 7), ownTicks(read("/proc/self/stat")), cpuTicks(stat, 8), read("/proc/loadavg").strip());
    }

    /** Busy ticks of the "cpu" line of /proc/stat: user, nice, system, irq, softirq (idle, iowait and steal are not this machine's processes). */
    static long busyTicks(String procStat) {
        return cpuTicks(procStat, 1, 2, 3, 6, 7);
    }

    /** The sum of these fields of the "cpu" line of /proc/stat (field 1 = user); -1 without that line. */
    static long cpuTicks(String procStat, int... fields) {
        for (String line : procStat.split("\n")) {
            if (!line.startsWith("cpu ")) continue;
            String[] f = line.trim().split("\\s+");
            long sum = 0;
            for (int i : fields) if (i < f.length) sum += Long.parseLong(f[i]);
            return sum;
        }
        return -1;
    }

    /**
     * utime + stime + cutime + cstime of a /proc/PID/stat line: the process's CPU and that of the children it has
     * waited for (the reference processes, once finished). Fields after the command name, which may hold spaces.
     */
    static long ownTicks(String pidStat) {
        int close = pidStat.lastIndexOf(')');
        if (close < 0) return -1;
        String[] f = pidStat.substring(close + 2).trim().split("\\s+");   // f[0] is field 3 (state)
        long t = 0;
        for (int field = 14; field <= 17; field++) t += Long.parseLong(f[field - 3]);
        return t;
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** The measurement window opened now. */
    public static Window start() { return new Window(counters()); }

    /** An open measurement window; {@link #stop} closes it. */
    public static final class Window {
        private final Counters before;

        Window(Counters before) { this.before = before; }

        public Noise stop() { return Noise.between(before, counters()); }
    }

    /**
     * What other processes did during a window: their CPU time as a fraction of one core, and the load averages at
     * both ends. {@code otherCores} is NaN when the counters could not be read (then the window counts as noisy).
     */
    public record Noise(double seconds, double otherCores, double stealCores, String loadBefore, String loadAfter) {
        static Noise between(Counters a, Counters b) {
            double s = (b.nanos() - a.nanos()) / 1e9;
            double other = Double.NaN, steal = Double.NaN;
            if (a.busyTicks() >= 0 && b.busyTicks() >= 0 && a.ownTicks() >= 0 && b.ownTicks() >= 0 && s > 0) {
                other = otherCores(b.busyTicks() - a.busyTicks(), b.ownTicks() - a.ownTicks(), s);
                steal = (b.stealTicks() - a.stealTicks()) / (TICKS_PER_S * s);
            }
            return new Noise(s, other, steal, a.loadAverage(), b.loadAverage());
        }

        /** Ticks all processes were busy less our own, over the window, in cores (never below 0: tick rounding). */
        static double otherCores(long busyTicks, long ownTicks, double seconds) {
            return Math.max(0, busyTicks - ownTicks) / (TICKS_PER_S * seconds);
        }

        /** More than {@link #NOISY_CORES} of a core went to other processes (or it could not be told). */
        public boolean noisy() { return !(otherCores <= NOISY_CORES); }

        public String describe() {
            String load = "load " + first3(loadBefore) + " -> " + first3(loadAfter);
            return String.format(Locale.ROOT, "%.1f s, other processes %s of a core (steal %s), %s%s", seconds,
                    Double.isNaN(otherCores) ? "?" : String.format(Locale.ROOT, "%.1f%%", 100 * otherCores),
                    Double.isNaN(stealCores) ? "?" : String.format(Locale.ROOT, "%.1f%%", 100 * stealCores), load, noisy() ? " (noisy)" : "");
        }

        private static String first3(String load) {
            String[] f = load.trim().split("\\s+");
            return f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : "?";
        }
    }

    /**
     * The one way a benchmark prints a ratio {@code theirs / ours} (above 1: we are faster): the number when the window
     * was quiet and the reference ran on an optimised BLAS ({@code blas} null: no process reference, e.g. OpenBLAS
     * called in-process); else "noisy" or "refused".
     */
    public static String ratio(double theirs, double ours, Noise noise, Blas blas) {
        if (Double.isNaN(theirs) || Double.isNaN(ours)) return "-";   // a side that did not run
        if (blas != null && !blas.usable()) return "refused";
        if (noise.noisy()) return "noisy";
        return String.format(Locale.ROOT, "%.2fx", theirs / ours);
    }
}
