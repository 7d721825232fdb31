package org.vfmtok.tensor.ops;

import static org.junit.jupiter.api.Assertions.*;
import static org.vfmtok.tensor.ops.BackendRuns.compareForwardBackward;
import static org.vfmtok.tensor.ops.BackendRuns.randn;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.testing.Compare;
import org.vfmtok.tensor.testing.GradCheck;

class IndexingTest {
    private static Tensor randomIndices(SplittableRandom rng, int n, int bound, boolean i64) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = rng.nextInt(bound);
        Tensor t = Tensor.ofLongs(v, n);
        return i64 ? t : t.to(DType.I32);
    }

    @Test
    void embeddingPicksRowsAndAccumulatesDuplicateGradients() {
        Tensor table = Tensor.of(new float[] {0, 1, 10, 11, 20, 21}, 3, 2).requiresGrad(true);
        Tensor idx = Tensor.ofInts(new int[] {2, 0, 2, 2}, 2, 2);
        Tensor y = Indexing.embedding(table, idx);
        assertArrayEquals(new int[] {2, 2, 2}, y.shape());
        assertArrayEquals(new float[] {20, 21, 0, 1, 20, 21, 20, 21}, y.toFloatArray());
        y.backward(Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2));
        // row 2 was picked three times: 1+5+7, 2+6+8; row 1 never
        assertArrayEquals(new float[] {3, 4, 0, 0, 13, 16}, table.grad().toFloatArray());
        Tensor y64 = Indexing.embedding(table.detach(), Tensor.ofLongs(new long[] {1}, 1));
        assertArrayEquals(new float[] {10, 11}, y64.toFloatArray());
    }

    @Test
    void outOfRangeIndicesNameTheIndexAndSize() {
        Tensor table = Tensor.zeros(5, 3);
        var e = assertThrows(IndexOutOfBoundsException.class, () -> Indexing.embedding(table, Tensor.ofInts(new int[] {1, 7, 2}, 3)));
        assertTrue(e.getMessage().contains("index 7") && e.getMessage().contains("size 5") && e.getMessage().contains("position 1"), e.getMessage());
        e = assertThrows(IndexOutOfBoundsException.class, () -> Indexing.indexSelect(table, 1, Tensor.ofLongs(new long[] {-1}, 1)));
        assertTrue(e.getMessage().contains("index -1") && e.getMessage().contains("size 3"), e.getMessage());
        var f = assertThrows(IllegalArgumentException.class, () -> Indexing.indexSelect(table, 0, Tensor.zeros(2)));
        assertTrue(f.getMessage().contains("F32"), f.getMessage());
    }

    @Test
    void gathersMatchOracle() {
        var rng = new SplittableRandom(21);
        for (int cols : new int[] {1, 7, 64, 333}) {
            int rows = 2 + rng.nextInt(50), n = 1 + rng.nextInt(60);
            Tensor table = randn(rng, rows, cols);
            Tensor idx = randomIndices(rng, n, rows, cols % 2 == 0);
            compareForwardBackward("embedding " + rows + "x" + cols, in -> Indexing.embedding(in[0], in[1].view(1, -1)), 1e-5, 1e-5, table, idx);
        }
        // every dim of a 4-D source, contiguous and permuted (inner block not contiguous: oracle path on both)
        Tensor src = randn(rng, 4, 5, 6, 3);
        for (int d = 0; d < 4; d++) {
            int dim = d;
            Tensor idx = randomIndices(rng, 9, src.size(d), d % 2 == 1);
            compareForwardBackward("indexSelect dim " + d, in -> Indexing.indexSelect(in[0], dim, in[1]), 1e-5, 1e-5, src, idx);
            Tensor pidx = randomIndices(rng, 4, src.permute(2, 0, 3, 1).size(d), true);
            compareForwardBackward("indexSelect permuted dim " + d, in -> Indexing.indexSelect(in[0].permute(2, 0, 3, 1), dim, in[1]), 1e-5, 1e-5, src, pidx);
        }
        // strided index (every other element) and a row-strided table (narrowed columns)
        Tensor longIdx = randomIndices(rng, 20, 30, true);
        Tensor wide = randn(rng, 30, 40);
        compareForwardBackward("narrowed table, strided index", in -> Indexing.indexSelect(in[0].narrow(1, 3, 17), 0, in[1].slice(0, 0, 20, 2)),
                1e-5, 1e-5, wide, longIdx);
        // indexAdd with duplicate rows, many destination rows (several tasks), odd inner size
        Tensor dst = randn(rng, 301, 37), add = randn(rng, 500, 37);
        Tensor dup = randomIndices(rng, 500, 301, true);
        compareForwardBackward("indexAdd", in -> Indexing.indexAdd(in[0], 0, in[2], in[1]), 1e-5, 1e-5, dst, add, dup);
        Tensor dst3 = randn(rng, 3, 8, 5), add3 = randn(rng, 3, 11, 5);
        compareForwardBackward("indexAdd dim 1", in -> Indexing.indexAdd(in[0], 1, in[2], in[1]), 1e-5, 1e-5, dst3, add3, randomIndices(rng, 11, 8, false));
        // BF16 tables gather by bulk copy
        Tensor bf = randn(rng, 6, 5).to(DType.BF16);
        Tensor bidx = randomIndices(rng, 8, 6, false);
        Compare.backends("bf16 embedding", () -> Indexing.embedding(bf, bidx), 0, 0);
    }

    @Test
    void concatSplitStackValues() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), b = Tensor.of(new float[] {5, 6}, 2, 1);
        Tensor c = Indexing.concat(-1, a, b);
        assertArrayEquals(new float[] {1, 2, 5, 3, 4, 6}, c.toFloatArray());
        Tensor[] parts = Indexing.split(c, 1, 1, 2);
        assertArrayEquals(new float[] {1, 3}, parts[0].toFloatArray());
        assertArrayEquals(new float[] {2, 5, 4, 6}, parts[1].toFloatArray());
        assertSame(c.storage(), parts[1].storage(), "split pieces are views");
        Tensor s = Indexing.stack(1, a, a.mul(10.0));
        assertArrayEquals(new int[] {2, 2, 2}, s.shape());
        assertArrayEquals(new float[] {1, 2, 10, 20, 3, 4, 30, 40}, s.toFloatArray());
        assertArrayEquals(new int[] {2, 2, 2}, Indexing.stack(-1, a, a).shape());
        Tensor[] ch = Indexing.chunk(Tensor.arange(10), 4, 0); // torch.chunk: sizes 3, 3, 3, 1
        assertEquals(4, ch.length);
        assertArrayEquals(new float[] {9}, ch[3].toFloatArray());
        assertEquals(3, Indexing.chunk(Tensor.arange(6), 4, 0).length); // ceil(6/4)=2 → 3 pieces, like torch
        assertEquals(3, Indexing.splitEvery(Tensor.arange(7), 0, 3).length);
        var e = assertThrows(IllegalArgumentException.class, () -> Indexing.concat(0, a, b));
        assertTrue(e.getMessage().contains("[2, 1]") && e.getMessage().contains("[2, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Indexing.split(a, 0, 1, 2));
        assertTrue(e.getMessage().contains("sum to 3"), e.getMessage());
    }

    @Test
    void concatMatchesOracle() {
        var rng = new SplittableRandom(22);
        Tensor x = randn(rng, 3, 4, 5), y = randn(rng, 3, 7, 5), z = randn(rng, 5, 1, 3);
        compareForwardBackward("concat dim 1 with a permuted input", in -> Indexing.concat(1, in[0], in[1], in[2].permute(2, 1, 0)), 0, 0, x, y, z);
        compareForwardBackward("stack", in -> Indexing.stack(2, in[0], in[0].mul(2.0), in[1].narrow(1, 2, 4)), 0, 0, x, y);
    }

    @Test
    void gradientsPassFiniteDifferences() {
        var rng = new SplittableRandom(23);
        Tensor table = GradCheck.leaf(rng, 5, 3);
        Tensor idx = Tensor.ofInts(new int[] {4, 0, 4, 2, 1, 4}, 2, 3);
        GradCheck.check("embedding", in -> Indexing.embedding(in[0], in[1]), table, idx);
        Tensor src = GradCheck.leaf(rng, 3, 4, 2);
        Tensor sel = Tensor.ofLongs(new long[] {3, 3, 1}, 3);
        Tensor into = GradCheck.leaf(rng, 4, 2), add = GradCheck.leaf(rng, 3, 2);
        GradCheck.check("indexAdd", in -> Indexing.indexAdd(in[0], 0, in[2], in[1]), into, add, Tensor.ofInts(new int[] {1, 3, 1}, 3));
        GradCheck.check("indexSelect", in -> Indexing.indexSelect(in[0].transpose(0, 2), 1, in[1]), src, sel);
        Tensor a = GradCheck.leaf(rng, 2, 3), b = GradCheck.leaf(rng, 2, 2);
        GradCheck.check("concat", in -> Indexing.concat(1, in[0], in[1], in[0].transpose(0, 1).narrow(0, 0, 2).transpose(0, 1)), a, b);
        GradCheck.check("split", in -> {
            Tensor[] p = Indexing.split(in[0], 1, 2, 1);
            return Pointwise.mul(p[0], p[1].expand(2, 2)); // both pieces used, different ways
        }, a);
        GradCheck.check("chunk", in -> Indexing.chunk(in[0], 2, 0)[1].mul(3.0), a);
        GradCheck.check("stack", in -> Indexing.stack(0, in[0], in[1].narrow(1, 0, 1).expand(2, 3)), a, b);
    }
}
