package org.vfmtok.tensor.cuda;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;

/** The CUDA backend refuses F32 activations against a BF16 weight (a CPU inference path) with an error saying what to do; no GPU needed. */
class StoredBf16RefusalTest {
    @Test
    void f32ActivationsWithABf16WeightAreRefusedNamingTheFix() {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.zeros(2, 4), w = Tensor.zeros(3, 4).to(DType.BF16);
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> CudaBackend.refuseStoredBf16("matmul", x, w));
            assertTrue(e.getMessage().startsWith("CUDA matmul:") && e.getMessage().contains("use F32 weights"), e.getMessage());
            CudaBackend.refuseStoredBf16("conv", x, x);                       // same dtypes pass
            CudaBackend.refuseStoredBf16("conv", w, w);
        }
    }
}
