package org.vfmtok.tensor;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.ops.MatMul;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.tensor.ops.Reductions;
import org.vfmtok.tensor.testing.GradCheck;

class TensorCoreTest {
    @Test
    void viewsShareStorageAndIndexCorrectly() {
        Tensor t = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3);
        Tensor tt = t.transpose(0, 1);
        assertArrayEquals(new int[] {3, 2}, tt.shape());
        assertEquals(5f, tt.getFloat(2, 1));
        assertFalse(tt.isContiguous());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, tt.contiguous().toFloatArray());
        assertArrayEquals(new float[] {1, 2, 4, 5}, t.narrow(1, 1, 2).toFloatArray());
        assertArrayEquals(new float[] {0, 2, 3, 5}, t.slice(1, 0, 3, 2).toFloatArray());
        assertArrayEquals(new float[] {3, 4, 5}, t.select(0, 1).toFloatArray());
        Tensor e = Tensor.of(new float[] {1, 2}, 2, 1).expand(2, 3);
        assertArrayEquals(new float[] {1, 1, 1, 2, 2, 2}, e.toFloatArray());
        assertArrayEquals(new int[] {1, 2, 1, 3}, t.unsqueeze(0).unsqueeze(2).shape());
        assertThrows(IllegalStateException.class, () -> tt.view(6));
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, tt.reshape(6).toFloatArray());
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals(1.0f, DType.bf16ToFloat(DType.floatToBf16(1.0f)));
        // 1 + 2^-8 is halfway between two bf16 values: ties go to even (1.0)
        assertEquals(1.0f, DType.bf16ToFloat(DType.floatToBf16(1.0f + 1.0f / 256)));
        assertEquals(1.0078125f, DType.bf16ToFloat(DType.floatToBf16(1.0f + 3.0f / 512)));
    }

    @Test
    void scopesFreeMemory() {
        long before = NativeMemory.liveBytes();
        Tensor escaped;
        try (Scope s = Scope.open()) {
            Tensor.zeros(1024, 1024);
            escaped = Tensor.zeros(4);
        }
        assertEquals(before, NativeMemory.liveBytes());
        IllegalStateException ex = assertThrows(IllegalStateException.class, escaped::toFloatArray);
        assertTrue(ex.getMessage().contains("scope closed"));
    }

    @Test
    void autogradThroughViewsAndBroadcast() {
        var rng = new SplittableRandom(1);
        Tensor a = GradCheck.leaf(rng, 3, 4);
        Tensor b = GradCheck.leaf(rng, 4);
        GradCheck.check("mul-broadcast", in -> Pointwise.mul(in[0], in[1]).transpose(0, 1).narrow(0, 1, 2), a, b);
        GradCheck.check("matmul", in -> MatMul.matmul(in[0], in[1].unsqueeze(1)), a, b);
        GradCheck.check("sum-dim", in -> Reductions.sum(in[0].expand(2, 3, 4), new int[] {0, 2}, false), a);
    }
}
