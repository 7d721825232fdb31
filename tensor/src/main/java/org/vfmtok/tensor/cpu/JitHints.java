package org.vfmtok.tensor.cpu;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import javax.management.ObjectName;

/**
 * A HotSpot compiler directive that makes C2 inline the vector helpers of the decode-step kernels
 * ({@link VectorMath#exp} and the sigmoid built on it, {@link Lanes}' lane sum, the BF16 widening) into those
 * kernels. Nothing installs it by itself: a host opts in, once, before the first decode, with
 * {@code Backends.installCompilerHints()}, or starts the JVM with the same directive from a file
 * ({@code -XX:+UnlockDiagnosticVMOptions -XX:CompilerDirectivesFile=tools/jit/decode-directives.json}, which the
 * {@code vfm} launcher passes). Results are the same either way; the hint only steers inlining.
 *
 * <p>Why: a vector lives in registers only while every method it passes through is inlined. The JDK's own vector
 * methods are force-inlined; ours are ordinary methods that C2 inlines by heuristics, and those fail in ways that
 * depend on warm-up. C1 cannot inline the 221-byte exp, so during warm-up exp runs hot on its own and C2 compiles
 * it alone; from then on C2 may decline to inline it into its callers ("already compiled into a medium method",
 * seen with -XX:+PrintInlining) and every vector crossing the call is allocated on the heap.
 *
 * <p>Why only the decode kernels: the same directive for every vector helper in every compilation (tried first)
 * made training steps slower (see bench/reports): C1 gave up on the biggest kernels and C2's units grew. The first
 * block matches the compilation roots of the decode kernels; the second keeps the row-kernel entries that a caller
 * runs on its own thread (SiLU·mul, the norm rows) out of their callers, so that they are compiled as roots of
 * their own, where the first block applies, whichever code calls them.
 *
 * <p>It is HotSpot's {@code jcmd <pid> Compiler.directives_add}, reached through the DiagnosticCommand MBean.
 * Where that MBean is absent (another JVM, a runtime without {@code jdk.management}) nothing is installed and
 * the heuristics apply.
 */
public final class JitHints {
    /** The compilation roots the directive applies to (class with '/', then '.', then method or *). */
    static final List<String> ROOTS = List.of("org/vfmtok/tensor/cpu/CachedAttention.*", "org/vfmtok/tensor/cpu/gemm/RowGemm.*",
            "org/vfmtok/tensor/cpu/VectorMath.expShift", "org/vfmtok/tensor/cpu/CpuPointwise.siluMul", "org/vfmtok/tensor/cpu/CpuNorm.normRows",
            "org/vfmtok/tensor/cpu/CpuNorm.sumSqDev");
    /** The helpers inlined into them. */
    static final List<String> INLINE = List.of("org/vfmtok/tensor/cpu/VectorMath.exp", "org/vfmtok/tensor/cpu/VectorMath.sigmoid",
            "org/vfmtok/tensor/cpu/Lanes.sum", "org/vfmtok/tensor/cpu/VectorSupport.widenBf16");
    /** The caller-thread kernel entries kept out of every caller, so that they are compiled as {@link #ROOTS}. */
    static final List<String> OWN_ROOTS = List.of("org/vfmtok/tensor/cpu/CpuPointwise.siluMul", "org/vfmtok/tensor/cpu/CpuNorm.normRows");

    private static volatile String status = "not installed";

    private JitHints() {}

    /** What happened: "not installed" (nobody asked), "installed", or why the request failed. */
    public static String status() { return status; }

    /** Installs the directive once (later calls return the first call's outcome); returns {@link #status}. */
    public static synchronized String install() {
        if (!status.equals("not installed")) return status;
        Path file = null;
        try {
            file = Files.createTempFile("vfmtok-jit", ".json");
            Files.writeString(file, directive());
            Object reply = ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "compilerDirectivesAdd", new Object[] {new String[] {file.toString()}}, new String[] {String[].class.getName()});
            status = String.valueOf(reply).contains("compiler directives added") ? "installed" : "not installed: " + String.valueOf(reply).strip();
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
        return status;
    }

    /**
     * The directive: for compilations of {@link #ROOTS}, force-inline {@link #INLINE}; for every other compilation,
     * do not inline {@link #OWN_ROOTS}. The same text as {@code tools/jit/decode-directives.json}.
     */
    public static String directive() {
        return "[{ match: [" + quoted(ROOTS, "") + "], inline: [" + quoted(INLINE, "+") + "] },\n { match: [\"*.*\"], inline: ["
                + quoted(OWN_ROOTS, "-") + "] }]\n";
    }

    private static String quoted(List<String> patterns, String prefix) {
        return patterns.stream().map(p -> "\"" + prefix + p + "\"").collect(Collectors.joining(", "));
    }
}
