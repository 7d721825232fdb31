package org.vfmtok.cuda;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles every binding's declarations against the installed headers (see {@link SignatureCheck}).
 * Fast (one gcc -fsyntax-only per library) and skip-safe: a library whose headers are missing, or a
 * machine without a C compiler, is reported as skipped with the reason. Where the CUDA toolkit is
 * installed, the runtime and driver bindings are always checked.
 */
class SignatureCheckTest {
    @TempDir Path work;

    @TestFactory
    Stream<DynamicTest> bindingsMatchTheHeaders() {
        List<Path> dirs = SignatureCheck.includeDirs();
        Optional<Path> cc = SignatureCheck.compiler();
        return SignatureCheck.BINDINGS.stream().map(b -> DynamicTest.dynamicTest(b.getSimpleName(), () -> {
            SignatureCheck.Result r = SignatureCheck.check(b, cc, dirs, work);
            assumeTrue(r.status() != SignatureCheck.Status.SKIPPED, r::toString);
            assertEquals(SignatureCheck.Status.PASSED, r.status(), r::toString);
        }));
    }

    /** The check must be able to fail: a wrong parameter type, a wrong constant and a wrong struct size. */
    @Test
    void aDriftedSignatureFails() {
        List<Path> dirs = SignatureCheck.includeDirs();
        Optional<Path> cc = SignatureCheck.compiler();
        assumeTrue(cc.isPresent() && SignatureCheck.findHeader("cuda_runtime_api.h", dirs).isPresent(), "needs gcc and the CUDA headers");
        String good = SignatureCheck.cSource(CudaRuntime.class);
        assertEquals(SignatureCheck.Status.PASSED, SignatureCheck.compile(CudaRuntime.class, good, cc.get(), dirs, work).status());
        String[][] mutations = {
            {"(*vfm_fn_cudaMalloc)(void**, size_t)", "(*vfm_fn_cudaMalloc)(void**, int)"},
            {"(*vfm_fn_cudaMemcpyAsync)(void*, const void*,", "(*vfm_fn_cudaMemcpyAsync)(void*, void*,"},
            {"(long long)(cudaMemcpyDeviceToHost) == 2LL", "(long long)(cudaMemcpyDeviceToHost) == 3LL"},
            {"sizeof(cudaStream_t) == 8", "sizeof(cudaStream_t) == 4"},
        };
        for (String[] m : mutations) {
            assertTrue(good.contains(m[0]), m[0]);
            SignatureCheck.Result r = SignatureCheck.compile(CudaRuntime.class, good.replace(m[0], m[1]), cc.get(), dirs, work);
            assertEquals(SignatureCheck.Status.FAILED, r.status(), "mutation not caught: " + m[1]);
        }
    }

    /** Stands in for a jextract-generated header class: unnamed layouts, pointers with target layouts. */
    public static final class FakeJextract {
        private static final java.lang.foreign.AddressLayout C_POINTER = java.lang.foreign.ValueLayout.ADDRESS
                .withTargetLayout(java.lang.foreign.MemoryLayout.sequenceLayout(Long.MAX_VALUE, java.lang.foreign.ValueLayout.JAVA_BYTE));

        public static java.lang.foreign.FunctionDescriptor ncclGetVersion$descriptor() {
            return java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT, C_POINTER);
        }

        public static java.lang.foreign.FunctionDescriptor ncclGroupStart$descriptor() {
            return java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_LONG); // deliberately wrong
        }
    }

    @Test
    void comparisonWithJextractIgnoresNamesButNotTypes() {
        List<String> diffs = SignatureCheck.compare(Nccl.class, FakeJextract.class);
        assertTrue(diffs.stream().noneMatch(d -> d.startsWith("ncclGetVersion")), diffs.toString());
        assertTrue(diffs.contains("ncclGroupStart: ours ()i4, jextract ()l8"), diffs.toString());
        assertTrue(diffs.contains("ncclCommInitRank: not in " + FakeJextract.class.getName()), diffs.toString());
    }
}
