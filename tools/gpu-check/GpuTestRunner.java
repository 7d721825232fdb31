import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the JUnit tests of the given packages (every tag but "heavy": the GPU tests and the CPU-side CUDA
 * checks) without Maven, for tools/gpu-check.sh on a machine that has only a JDK and the jars. Prints
 * one line per test, then writes "Class passed failed skipped" lines to the summary file (args[0]).
 * Exit status 1 if any test failed. Compiled by tools/gpu-check.sh --prepare.
 */
public final class GpuTestRunner {
    public static void main(String[] args) throws Exception {
        Path summary = Path.of(args[0]);
        LauncherDiscoveryRequestBuilder b = LauncherDiscoveryRequestBuilder.request();
        for (int i = 1; i < args.length; i++) b.selectors(selectPackage(args[i]));
        LauncherDiscoveryRequest request = b.filters(TagFilter.excludeTags("heavy")).build();
        Map<String, int[]> byClass = new TreeMap<>(); // passed, failed, skipped
        List<String> failures = new ArrayList<>();
        PrintStream out = System.out;
        TestExecutionListener listener = new TestExecutionListener() {
            private String name(TestIdentifier id) {
                if (id.getSource().orElse(null) instanceof MethodSource m) {
                    return m.getClassName().substring(m.getClassName().lastIndexOf('.') + 1) + "#" + id.getDisplayName();
                }
                return id.getDisplayName();
            }

            private String cls(TestIdentifier id) {
                if (id.getSource().orElse(null) instanceof MethodSource m) return m.getClassName().substring(m.getClassName().lastIndexOf('.') + 1);
                return id.getLegacyReportingName();
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                if (!id.isTest() && !(id.getSource().orElse(null) instanceof org.junit.platform.engine.support.descriptor.ClassSource)) return;
                byClass.computeIfAbsent(id.isTest() ? cls(id) : id.getDisplayName(), k -> new int[3])[2]++;
                out.println("SKIP " + name(id) + ": " + reason);
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult r) {
                if (!id.isTest()) {
                    if (r.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                        // a class-level failure (e.g. @BeforeAll) or abort (assumption)
                        boolean aborted = r.getStatus() == TestExecutionResult.Status.ABORTED;
                        String why = r.getThrowable().map(Throwable::getMessage).orElse("");
                        if (!aborted) failures.add(id.getDisplayName() + ": " + why);
                        if (id.getSource().orElse(null) instanceof org.junit.platform.engine.support.descriptor.ClassSource) {
                            byClass.computeIfAbsent(id.getDisplayName(), k -> new int[3])[aborted ? 2 : 1]++;
                        }
                        out.println((aborted ? "SKIP " : "FAIL ") + id.getDisplayName() + ": " + why);
                    }
                    return;
                }
                int[] c = byClass.computeIfAbsent(cls(id), k -> new int[3]);
                switch (r.getStatus()) {
                    case SUCCESSFUL -> {
                        c[0]++;
                        out.println("PASS " + name(id));
                    }
                    case ABORTED -> {
                        c[2]++;
                        out.println("SKIP " + name(id) + ": " + r.getThrowable().map(Throwable::getMessage).orElse(""));
                    }
                    case FAILED -> {
                        c[1]++;
                        String why = r.getThrowable().map(t -> t.getClass().getSimpleName() + ": " + t.getMessage()).orElse("");
                        failures.add(name(id) + ": " + why);
                        out.println("FAIL " + name(id) + ": " + why);
                        r.getThrowable().ifPresent(t -> t.printStackTrace(out));
                    }
                }
            }
        };
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, listener);
        StringBuilder sb = new StringBuilder();
        byClass.forEach((k, v) -> sb.append(String.format("%-34s %3d %3d %3d%n", k, v[0], v[1], v[2])));
        Files.writeString(summary, sb.toString());
        if (byClass.isEmpty()) {
            out.println("no tests found in " + java.util.Arrays.asList(args).subList(1, args.length) + " (is the test class path right?)");
            System.exit(1);
        }
        if (!failures.isEmpty()) {
            out.println("\n" + failures.size() + " failure(s):");
            failures.forEach(f -> out.println("  " + f));
            System.exit(1);
        }
    }
}
