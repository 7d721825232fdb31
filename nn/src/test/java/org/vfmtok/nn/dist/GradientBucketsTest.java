package org.vfmtok.nn.dist;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;

class GradientBucketsTest {
    @Test
    void bucketsKeepOrderSplitByDtypeAndSize() {
        List<Tensor> ts = List.of(Tensor.zeros(10), Tensor.zeros(20), Tensor.zeros(100), Tensor.zeros(DType.F64, 5), Tensor.zeros(3), Tensor.zeros(4));
        List<GradientBuckets.Bucket> b = GradientBuckets.plan(ts, 30 * 4);
        assertEquals(4, b.size(), b.toString());
        assertEquals(List.of(0, 1), b.get(0).tensors());
        assertEquals(List.of(0L, 10L), b.get(0).offsets());
        assertEquals(30, b.get(0).numel());
        assertEquals(List.of(2), b.get(1).tensors(), "larger than the limit: alone");
        assertEquals(DType.F64, b.get(2).dtype());
        assertEquals(List.of(4, 5), b.get(3).tensors(), "F32 again after the F64 tensor: a new bucket");
        assertEquals(List.of(0L, 3L), b.get(3).offsets());
        int total = b.stream().mapToInt(x -> x.tensors().size()).sum();
        assertEquals(ts.size(), total);
        assertEquals(List.of(), GradientBuckets.plan(List.of(), 100));
    }
}
