package org.vfmtok.tensor.ops;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Padding.Mode;
import org.vfmtok.tensor.testing.Compare;
import org.vfmtok.tensor.testing.GradCheck;

class PaddingTest {
    private static final Tensor ROW = Tensor.of(new float[] {1, 2, 3, 4}, 1, 4);

    @Test
    void modesOnOneDim() {
        // values as torch.nn.functional.pad gives them for [1 2 3 4] padded (2, 1)
        assertArrayEquals(new float[] {0, 0, 1, 2, 3, 4, 0}, Padding.pad(ROW, 2, 1).toFloatArray());
        assertArrayEquals(new float[] {7, 7, 1, 2, 3, 4, 7}, Padding.pad(ROW, new int[] {2, 1}, Mode.CONSTANT, 7).toFloatArray());
        assertArrayEquals(new float[] {3, 4, 1, 2, 3, 4, 1}, Padding.pad(ROW, new int[] {2, 1}, Mode.CIRCULAR).toFloatArray());
        assertArrayEquals(new float[] {3, 2, 1, 2, 3, 4, 3}, Padding.pad(ROW, new int[] {2, 1}, Mode.REFLECT).toFloatArray());
        assertArrayEquals(new float[] {1, 1, 1, 2, 3, 4, 4}, Padding.pad(ROW, new int[] {2, 1}, Mode.REPLICATE).toFloatArray());
        assertArrayEquals(new float[] {1, 2, 3, 4, 1, 2, 3, 4}, Padding.pad(ROW, new int[] {0, 4}, Mode.CIRCULAR).toFloatArray());
    }

    @Test
    void twoDimsIncludingCorners() {
        // [[1 2] [3 4]] circularly padded by 1 on every side: corners wrap in both dims
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        Tensor y = Padding.pad(x, new int[] {1, 1, 1, 1}, Mode.CIRCULAR);
        assertArrayEquals(new int[] {1, 1, 4, 4}, y.shape());
        assertArrayEquals(new float[] {
            4, 3, 4, 3,
            2, 1, 2, 1,
            4, 3, 4, 3,
            2, 1, 2, 1}, y.toFloatArray());
        // padding only the height (last dim 0, 0)
        assertArrayEquals(new float[] {3, 4, 1, 2, 3, 4}, Padding.pad(x, new int[] {0, 0, 1, 0}, Mode.CIRCULAR).toFloatArray());
    }

    @Test
    void cpuMatchesScalarOnAView() {
        for (Mode m : Mode.values()) {
            Compare.backends("pad " + m, () -> {
                Tensor x = Init.randn(new SplittableRandom(5), DType.F32, 2, 3, 5, 4).transpose(2, 3);
                return Padding.pad(x, new int[] {2, 1, 0, 3}, m, 0.5);
            }, 0, 0);
        }
    }

    @Test
    void gradients() {
        SplittableRandom r = new SplittableRandom(9);
        for (Mode m : Mode.values()) {
            GradCheck.check("pad " + m, in -> Padding.pad(in[0], new int[] {2, 1, 1, 2}, m, 0.25), GradCheck.leaf(r, 2, 3, 4));
        }
        GradCheck.check("pad circular wrapping the whole dim", in -> Padding.pad(in[0], new int[] {3, 3}, Mode.CIRCULAR), GradCheck.leaf(r, 2, 3));
    }

    @Test
    void badPadsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Padding.pad(ROW, new int[] {4, 0}, Mode.REFLECT));
        assertTrue(e.getMessage().contains("smaller than its size 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Padding.pad(ROW, new int[] {5, 0}, Mode.CIRCULAR));
        assertTrue(e.getMessage().contains("larger than its size"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Padding.pad(ROW, 1, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> Padding.pad(ROW, 1, 1, 1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Padding.pad(ROW, -1, 0));
    }
}
