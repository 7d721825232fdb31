package org.vfmtok.cuda;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The binding classes' shape, checked without loading any library: every descriptor has a handle holder
 * and a wrapper whose Java signature is exactly the descriptor's (invokeExact would otherwise fail at the
 * first call, on a GPU machine), every layout names its C type, and a C type has one carrier everywhere.
 * The last test calls into the real CUDA runtime where it is installed (it is on machines without a GPU).
 */
class BindingsTest {
    @Test
    void everyDescriptorHasAnExactWrapperAndAHolder() {
        int count = 0;
        for (Class<?> b : SignatureCheck.BINDINGS) {
            Map<String, Class<?>> holders = new HashMap<>();
            for (Class<?> n : b.getDeclaredClasses()) holders.put(n.getSimpleName(), n);
            for (SignatureCheck.Bound f : SignatureCheck.functions(b)) {
                assertTrue(holders.containsKey(f.symbol() + "$H"), b.getSimpleName() + "." + f.symbol() + " has no handle holder");
                List<Method> ms = java.util.Arrays.stream(b.getDeclaredMethods()).filter(m -> m.getName().equals(f.symbol())).toList();
                assertEquals(1, ms.size(), b.getSimpleName() + "." + f.symbol() + " wrappers");
                Method m = ms.getFirst();
                assertTrue(Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()));
                MethodType want = f.descriptor().toMethodType();
                MethodType have = MethodType.methodType(m.getReturnType(), m.getParameterTypes());
                assertEquals(want, have, b.getSimpleName() + "." + f.symbol());
                count++;
            }
        }
        assertTrue(count > 100, "bound functions: " + count);
    }

    @Test
    void everyLayoutNamesItsCTypeAndEachCTypeHasOneCarrier() {
        Map<String, String> carrier = new HashMap<>();
        for (Class<?> b : SignatureCheck.BINDINGS) {
            for (SignatureCheck.Bound f : SignatureCheck.functions(b)) {
                FunctionDescriptor d = f.descriptor();
                List<MemoryLayout> all = new java.util.ArrayList<>(d.argumentLayouts());
                d.returnLayout().ifPresent(all::add);
                for (MemoryLayout l : all) {
                    String t = SignatureCheck.cType(l, b.getSimpleName() + "." + f.symbol());
                    String c = l instanceof ValueLayout v ? v.carrier().getSimpleName() + "/" + l.byteSize() : "struct/" + l.byteSize();
                    String prev = carrier.putIfAbsent(t, c);
                    assertTrue(prev == null || prev.equals(c), t + " is " + prev + " in one binding and " + c + " in " + b.getSimpleName());
                    if (t.endsWith("*")) assertInstanceOf(AddressLayout.class, l, t);
                }
            }
        }
    }

    @Test
    void constantsAndStructsAreVisibleToTheCheck() {
        assertEquals(1L, SignatureCheck.constants(CudaRuntime.class).get("cudaMemcpyHostToDevice"));
        assertEquals(128, SignatureCheck.structs(Nccl.class).getFirst().byteSize());
        assertEquals(96, CublasLt.cublasLtMatmulHeuristicResult_t$LAYOUT.byteSize());
        assertEquals(48, Cudnn.cudnnConvolutionFwdAlgoPerf_t$LAYOUT.byteSize());
        String c = SignatureCheck.cSource(Nccl.class);
        assertTrue(c.contains("ncclResult_t (*vfm_fn_ncclCommInitRank)(ncclComm_t*, int, ncclUniqueId, int) = &ncclCommInitRank;"), c);
        assertTrue(c.contains("_Static_assert(sizeof(ncclUniqueId) == 128"), c);
        assertTrue(c.contains("ncclResult_t (*vfm_fn_ncclGroupStart)(void) = &ncclGroupStart;"), c);
    }

    @Test
    void theCudaRuntimeAnswersWithoutAGpu() {
        assumeTrue(CudaLibraries.CUDART.isAvailable(), () -> "libcudart not installed: " + CudaLibraries.CUDART.failure());
        assertEquals("no error", CudaCheck.string(CudaRuntime.cudaGetErrorString(CudaRuntime.cudaSuccess)));
        assertEquals("cudaErrorMemoryAllocation", CudaCheck.runtimeErrorName(CudaRuntime.cudaErrorMemoryAllocation));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ValueLayout.JAVA_INT);
            CudaCheck.cuda(CudaRuntime.cudaRuntimeGetVersion(v), "cudaRuntimeGetVersion");
            assertTrue(v.get(ValueLayout.JAVA_INT, 0) >= 12000, "runtime version " + v.get(ValueLayout.JAVA_INT, 0));
            int st = CudaRuntime.cudaGetDeviceCount(v);
            // With a GPU: success. Without one (or without a driver): a clear error, never a crash.
            if (st != CudaRuntime.cudaSuccess) {
                CudaException e = assertThrows(CudaException.class, () -> CudaCheck.cuda(st, "cudaGetDeviceCount"));
                assertTrue(e.getMessage().startsWith("cudaGetDeviceCount failed: cudaError"), e.getMessage());
            }
        }
    }
}
