package org.vfmtok.tensor.cpu;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import javax.management.ObjectName;

/**
 * A HotSpot compiler directive that makes C2 inline the vector functions of the decode step ({@link VectorMath#exp}
 * and the sigmoid built on it, {@link Lanes}' lane sum) into the methods of that path. Installed once, when the
 * CPU backend's {@link VectorSupport} loads.
 *
 * <p>Why: a vector lives in registers only while every method it passes through is inlined. The JDK's own vector
 * methods are force-inlined; ours are ordinary methods that C2 inlines by heuristics, and those fail in ways that
 * depend on warm-up. C1 cannot inline the 221-byte exp, so during warm-up exp runs hot on its own and C2 compiles
 * it alone; from then on C2 may decline to inline it into its callers ("already compiled into a medium method",
 * seen with -XX:+PrintInlining) and every vector crossing the call is allocated on the heap: ~200 KB of garbage
 * per decoded token on GPT-B in such runs, 0 with the directive.
 *
 * <p>Why only the decode path: the same directive for every vector helper in every compilation of the project
 * (tried first) made training steps 1.5x slower (demo tokenizer 136 vs 89 ms, GPT 38 vs 25 ms, three runs each of
 * {@code ./vfm bench train --no-torch}): C1 gave up on the biggest kernels ("out of virtual registers") and C2's
 * units grew. The directive matches the roots C2 compiles on that path: the llama package (the decoder, its
 * attention bodies) and the row kernels it calls.
 *
 * <p>It is HotSpot's {@code jcmd <pid> Compiler.directives_add}, reached through the DiagnosticCommand MBean.
 * Where that MBean is absent (another JVM, a runtime without {@code jdk.management}) nothing is installed and
 * the heuristics apply: results are the same, with garbage in some runs. {@code -Dvfmtok.jitHints=false} turns it
 * off.
 */
public final class JitHints {
    /** The compilation roots the directive applies to (class with '/', then '.', then method or *). */
    static final List<String> ROOTS = List.of("org/vfmtok/llama/*.*", "org/vfmtok/tensor/cpu/VectorMath.expShift",
            "org/vfmtok/tensor/cpu/CpuPointwise.siluMul", "org/vfmtok/tensor/cpu/CpuNorm.rmsNormRow", "org/vfmtok/tensor/cpu/CpuNorm.sumSqDev");
    /** The helpers inlined into them. */
    static final List<String> INLINE = List.of("org/vfmtok/tensor/cpu/VectorMath.exp", "org/vfmtok/tensor/cpu/VectorMath.sigmoid",
            "org/vfmtok/tensor/cpu/Lanes.sum", "org/vfmtok/tensor/cpu/VectorSupport.widenBf16");

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

    /** The directive: for compilations of {@link #ROOTS}, force-inline {@link #INLINE}. */
    static String directive() {
        return "[{ match: [" + quoted(ROOTS, "") + "], inline: [" + quoted(INLINE, "+") + "] }]";
    }

    private static String quoted(List<String> patterns, String prefix) {
        return patterns.stream().map(p -> "\"" + prefix + p + "\"").collect(Collectors.joining(", "));
    }
}
