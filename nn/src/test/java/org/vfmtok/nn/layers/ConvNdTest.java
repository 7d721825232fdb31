package org.vfmtok.nn.layers;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vfmtok.nn.UnaryModule;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Conv;
import org.vfmtok.tensor.ops.Pointwise;

/** The shared convolution base: state-dict keys and order, shapes, validation; and Sequential over layers. */
class ConvNdTest {
    private final Rng rng = new Rng(3);

    @Test
    void stateDictKeysAndShapesMatchPyTorch() {
        Conv2d c2 = new Conv2d(4, 6, 3, 1, 1, 1, 2, true, Conv.PaddingMode.ZEROS, rng);
        assertEquals(List.of("weight", "bias"), List.copyOf(c2.stateDict().keySet()));
        assertArrayEquals(new int[] {6, 2, 3, 3}, c2.weight.shape());
        Conv1d c1 = new Conv1d(5, 5, 9, 1, 4, 1, 1, false, Conv.PaddingMode.CIRCULAR, rng);
        assertEquals(List.of("weight"), List.copyOf(c1.stateDict().keySet()));
        assertNull(c1.bias);
        assertArrayEquals(new int[] {5, 5, 9}, c1.weight.shape());
        SNConv1d sn = new SNConv1d(6, 4, 3, 1, Conv.PaddingMode.ZEROS, rng);
        assertEquals(List.of("bias", "weight_orig", "weight_u", "weight_v"), List.copyOf(sn.stateDict().keySet()));
        assertSame(sn.weight, sn.weightOrig);
        assertArrayEquals(new int[] {4, 6, 3}, sn.weightOrig.shape());
    }

    @Test
    void defaultInitialisationIsBoundedByFanIn() {
        Conv2d c = new Conv2d(3, 8, 3, 1, 1, rng);
        double bound = 1 / Math.sqrt(3 * 9); // kaiming_uniform(a=sqrt 5) and the bias share 1/sqrt(fanIn)
        for (float w : c.weight.toFloatArray()) assertTrue(Math.abs(w) <= bound, "weight " + w);
        for (float b : c.bias.toFloatArray()) assertTrue(Math.abs(b) <= bound, "bias " + b);
        assertNotEquals(0f, c.weight.toFloatArray()[0]);
    }

    @Test
    void badGeometryIsRejectedWithTheLayerAndValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Conv2d(4, 6, 3, 1, 1, 1, 4, true, Conv.PaddingMode.ZEROS, rng));
        assertEquals("Conv2d(in=4, out=6, kernel=3): channels 4->6 not divisible by groups 4", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Conv1d(2, 2, 3, 0, 1, 1, 1, true, Conv.PaddingMode.ZEROS, rng));
        assertThrows(IllegalArgumentException.class, () -> new Conv1d(2, 2, 0, 1, 1, 1, 1, true, Conv.PaddingMode.ZEROS, rng));
        assertThrows(IllegalArgumentException.class, () -> new SNConv1d(2, 2, 3, -1, Conv.PaddingMode.ZEROS, rng));
    }

    @Test
    void sequentialRunsLayersAndStepsInOrderWithPyTorchIndices() {
        Linear a = new Linear(3, 4, true, rng);
        Linear b = new Linear(4, 2, false, rng);
        Sequential s = new Sequential().add(a).add(Pointwise::relu).add(b);
        assertEquals(List.of("0.weight", "0.bias", "2.weight"), List.copyOf(s.stateDict().keySet()));
        Tensor x = Tensor.of(new float[] {1, -2, 3, 0.5f, 0, -1}, 2, 3);
        UnaryModule asLayer = s;
        assertArrayEquals(b.forward(Pointwise.relu(a.forward(x))).toFloatArray(), asLayer.forward(x).toFloatArray());
    }
}
