package org.vfmtok.tensor.cpu;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import javax.management.ObjectName;

/**
 * Compiler directives that make HotSpot inline this project's vector helpers (the methods that take or return
 * Vector API vectors: {@link VectorMath}'s functions, {@link Lanes}, a few kernel helpers) into the kernels that
 * call them. Installed once, when the CPU backend's {@link VectorSupport} loads.
 *
 * <p>Why: a vector lives in registers only while every method it passes through is inlined. The JDK's own vector
 * methods are force-inlined; ours are ordinary methods that C2 inlines by heuristics, and those fail in ways that
 * depend on warm-up. C1 cannot inline a 200-byte helper, so during warm-up the helper runs hot on its own and C2
 * compiles it alone; from then on C2 declines to inline it into its callers ("already compiled into a big
 * method") and every vector crossing the call is allocated on the heap. Measured: ~200 KB of garbage per decoded
 * token on GPT-B (exp inside the attention's softmax), where with the directive a token allocates nothing.
 *
 * <p>The directive is HotSpot's {@code jcmd <pid> Compiler.directives_add}, reached through the
 * DiagnosticCommand MBean; it applies only to compilations of {@code org.vfmtok} methods. Where that MBean is
 * absent (another JVM, a runtime without {@code jdk.management}) nothing is installed and the heuristics apply:
 * results are the same, only slower and with garbage. {@code -Dvfmtok.jitHints=false} turns it off.
 */
public final class JitHints {
    /** Helpers to inline everywhere, as directive method patterns (class with '/', then '.', then method or *). */
    static final List<String> INLINE = List.of(
            "org/vfmtok/tensor/cpu/VectorMath.exp", "org/vfmtok/tensor/cpu/VectorMath.log", "org/vfmtok/tensor/cpu/VectorMath.tanh",
            "org/vfmtok/tensor/cpu/VectorMath.sigmoid", "org/vfmtok/tensor/cpu/VectorMath.erf", "org/vfmtok/tensor/cpu/VectorMath.erfcNonNegative",
            "org/vfmtok/tensor/cpu/VectorMath.normalCdf", "org/vfmtok/tensor/cpu/VectorMath.normalPdf",
            "org/vfmtok/tensor/cpu/VectorMath.log1pNonNegative", "org/vfmtok/tensor/cpu/VectorMath.madd",
            "org/vfmtok/tensor/cpu/Lanes.*", "org/vfmtok/tensor/cpu/LineLoop$Line.*",
            "org/vfmtok/tensor/cpu/CpuPointwise.geluTanh", "org/vfmtok/tensor/cpu/CpuNorm.scaleShift", "org/vfmtok/tensor/cpu/CpuSoftmax.load",
            "org/vfmtok/tensor/cpu/gemm/MicroKernel.storeVector", "org/vfmtok/tensor/cpu/gemm/MicroKernel.scaled");

    private static volatile String status = "not installed";

    private JitHints() {}

    /** What happened: "installed", "off (-Dvfmtok.jitHints=false)" or why not. */
    public static String status() { return status; }

    static synchronized void install() {
        if (!status.equals("not installed")) return;
        if (!Boolean.parseBoolean(System.getProperty("vfmtok.jitHints", "true"))) {
            status = "off (-Dvfmtok.jitHints=false)";
            return;
        }
        Path file = null;
        try {
            file = Files.createTempFile("vfmtok-jit", ".json");
            Files.writeString(file, directive());
            Object reply = ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "compilerDirectivesAdd", new Object[] {new String[] {file.toString()}}, new String[] {String[].class.getName()});
            status = String.valueOf(reply).contains("1 compiler directives added") ? "installed" : "not installed: " + String.valueOf(reply).strip();
        } catch (Exception | LinkageError e) {
            status = "not installed: " + e;
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (Exception ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    /** The directive: for compilations of org.vfmtok methods, force-inline {@link #INLINE}. */
    static String directive() {
        return "[{ match: [\"org/vfmtok/*.*\"], inline: [" + INLINE.stream().map(p -> "\"+" + p + "\"").collect(Collectors.joining(", ")) + "] }]";
    }
}
