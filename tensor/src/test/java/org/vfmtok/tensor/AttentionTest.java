package org.vfmtok.tensor;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.backend.Backend;
import org.vfmtok.tensor.backend.Backends;
import org.vfmtok.tensor.ops.Attention;
import org.vfmtok.tensor.testing.Compare;
import org.vfmtok.tensor.testing.GradCheck;

class AttentionTest {
    /** How q, k, v are laid out in memory. */
    enum Layout {
        CONTIGUOUS,
        /** Slices of one fused (B, L, 3, H, D) projection with heads transposed: row stride 3·H·D. */
        FUSED_QKV,
        /** Stored (B, H, D, L) and transposed: last-dim stride L. */
        TRANSPOSED,
        /** k and v of batch 0 broadcast over the batch (stride 0). */
        BROADCAST_KV
    }

    enum MaskKind { NONE, FULL, LQ_LK, BH11, KV_ROWS, TRANSPOSED_VIEW }

    record Case(int b, int h, int lq, int lk, int d, int dv, boolean causal, MaskKind mask, Layout layout) {
        @Override public String toString() {
            return String.format("B%d H%d Lq%d Lk%d D%d Dv%d%s mask=%s %s", b, h, lq, lk, d, dv, causal ? " causal" : "", mask, layout);
        }
    }

    /** Inputs of one case: leaves (what gradients are taken of) and the q/k/v/mask views built from them. */
    record Inputs(Tensor[] leaves, Tensor q, Tensor k, Tensor v, Tensor mask) {}

    static Inputs make(Case c, long seed, DType dt, boolean grad) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor q, k, v;
        Tensor[] leaves;
        switch (c.layout) {
            case FUSED_QKV -> {
                if (c.lq != c.lk || c.d != c.dv) throw new IllegalArgumentException("fused qkv needs Lq = Lk and D = Dv");
                Tensor qkv = leaf(rng, dt, grad, c.b, c.lq, 3, c.h, c.d);
                q = qkv.select(2, 0).permute(0, 2, 1, 3);
                k = qkv.select(2, 1).permute(0, 2, 1, 3);
                v = qkv.select(2, 2).permute(0, 2, 1, 3);
                leaves = new Tensor[] {qkv};
            }
            case TRANSPOSED -> {
                Tensor qt = leaf(rng, dt, grad, c.b, c.h, c.d, c.lq), kt = leaf(rng, dt, grad, c.b, c.h, c.d, c.lk);
                Tensor vt = leaf(rng, dt, grad, c.b, c.h, c.dv, c.lk);
                q = qt.transpose(2, 3);
                k = kt.transpose(2, 3);
                v = vt.transpose(2, 3);
                leaves = new Tensor[] {qt, kt, vt};
            }
            case BROADCAST_KV -> {
                Tensor q0 = leaf(rng, dt, grad, c.b, c.h, c.lq, c.d), k0 = leaf(rng, dt, grad, 1, c.h, c.lk, c.d);
                Tensor v0 = leaf(rng, dt, grad, 1, c.h, c.lk, c.dv);
                q = q0;
                k = k0.expand(c.b, c.h, c.lk, c.d);
                v = v0.expand(c.b, c.h, c.lk, c.dv);
                leaves = new Tensor[] {q0, k0, v0};
            }
            default -> {
                q = leaf(rng, dt, grad, c.b, c.h, c.lq, c.d);
                k = leaf(rng, dt, grad, c.b, c.h, c.lk, c.d);
                v = leaf(rng, dt, grad, c.b, c.h, c.lk, c.dv);
                leaves = new Tensor[] {q, k, v};
            }
        }
        return new Inputs(leaves, q, k, v, mask(c, rng));
    }

    private static Tensor leaf(SplittableRandom rng, DType dt, boolean grad, int... shape) {
        Tensor t = Init.randn(rng, dt, shape);
        return grad ? t.requiresGrad(true) : t;
    }

    /** A random mask of the case's kind; FULL ones include fully masked rows. */
    static Tensor mask(Case c, SplittableRandom rng) {
        return switch (c.mask) {
            case NONE -> null;
            case FULL -> {
                Tensor m = randomBool(rng, 0.6, c.b, c.h, c.lq, c.lk);
                for (int j = 0; j < c.lk; j++) m.setDouble(0, 0, c.h - 1, c.lq - 1, j); // a fully masked row
                yield m;
            }
            case LQ_LK -> randomBool(rng, 0.6, c.lq, c.lk);
            case BH11 -> randomBool(rng, 0.6, 1, 1, c.lq, c.lk);
            case KV_ROWS -> { // KV-cache validity: batch row i sees a prefix of the keys
                Tensor m = Tensor.zeros(DType.BOOL, c.b, 1, 1, c.lk);
                for (int bi = 0; bi < c.b; bi++) {
                    int valid = Math.max(1, c.lk - 3 * bi);
                    for (int j = 0; j < valid; j++) m.setDouble(1, bi, 0, 0, j);
                }
                yield m;
            }
            case TRANSPOSED_VIEW -> randomBool(rng, 0.6, 1, c.lk, c.lq).transpose(1, 2).unsqueeze(0);
        };
    }

    private static Tensor randomBool(SplittableRandom rng, double pTrue, int... shape) {
        Tensor m = Tensor.empty(DType.BOOL, shape);
        StridedIndex it = new StridedIndex(shape, m.strides());
        for (long i = 0; i < m.numel(); i++, it.next()) DType.BOOL.write(m.segment(), it.offset(0), rng.nextDouble() < pTrue ? 1 : 0);
        return m;
    }

    static List<Case> cases() {
        List<Case> cs = new ArrayList<>();
        cs.add(new Case(1, 2, 1, 1, 64, 64, false, MaskKind.NONE, Layout.CONTIGUOUS));
        cs.add(new Case(2, 3, 7, 7, 64, 64, true, MaskKind.NONE, Layout.FUSED_QKV));
        cs.add(new Case(1, 2, 65, 65, 64, 64, true, MaskKind.NONE, Layout.CONTIGUOUS));
        cs.add(new Case(1, 1, 130, 130, 33, 17, false, MaskKind.BH11, Layout.TRANSPOSED));
        cs.add(new Case(2, 2, 1, 257, 64, 64, false, MaskKind.KV_ROWS, Layout.CONTIGUOUS));
        cs.add(new Case(3, 2, 1, 65, 7, 64, false, MaskKind.KV_ROWS, Layout.TRANSPOSED));
        cs.add(new Case(2, 2, 7, 130, 5, 9, true, MaskKind.LQ_LK, Layout.BROADCAST_KV));
        cs.add(new Case(1, 3, 130, 65, 64, 64, true, MaskKind.NONE, Layout.CONTIGUOUS));
        cs.add(new Case(1, 2, 3, 20, 64, 64, false, MaskKind.FULL, Layout.CONTIGUOUS));
        cs.add(new Case(2, 2, 65, 65, 64, 64, true, MaskKind.FULL, Layout.FUSED_QKV));
        cs.add(new Case(1, 2, 5, 130, 1, 1, false, MaskKind.TRANSPOSED_VIEW, Layout.CONTIGUOUS));
        cs.add(new Case(2, 1, 7, 1, 64, 3, false, MaskKind.NONE, Layout.BROADCAST_KV));
        return cs;
    }

    private static <T> T on(Backend be, Supplier<T> body) { return Backends.using(be, body); }

    @Test
    void forwardMatchesScalarOracle() {
        for (Case c : cases()) {
            try (Scope s = Scope.open()) {
                Inputs in = make(c, 11, DType.F32, false);
                Tensor mask = in.mask == null ? null : in.mask.expand(c.b, c.h, c.lq, c.lk);
                Tensor[] ref = runKernel(Backends.scalar(), c, in, mask);
                Tensor[] fast = runKernel(Compare.fast(), c, in, mask);
                Compare.assertClose(c + " out", ref[0], fast[0], 2e-5, 1e-4);
                Compare.assertClose(c + " lse", ref[1], fast[1], 2e-5, 1e-5);
                // through the op: default scale and broadcast mask handling
                Compare.backends(c + " op", () -> Attention.scaledDotProductAttention(in.q, in.k, in.v, in.mask, c.causal), 2e-5, 1e-4);
            }
        }
    }

    private static Tensor[] runKernel(Backend be, Case c, Inputs in, Tensor mask) {
        Tensor out = Tensor.empty(DType.F32, c.b, c.h, c.lq, c.dv);
        Tensor lse = Tensor.empty(DType.F32, c.b, c.h, c.lq);
        be.attention().attention(in.q, in.k, in.v, mask, c.causal, 0.3, out, lse);
        return new Tensor[] {out, lse};
    }

    @Test
    void backwardMatchesScalarOracle() {
        for (Case c : cases()) {
            try (Scope s = Scope.open()) {
                Tensor[] ref = on(Backends.scalar(), () -> grads(c));
                Tensor[] fast = on(Compare.fast(), () -> grads(c));
                for (int i = 0; i < ref.length; i++) Compare.assertClose(c + " grad of leaf " + i, ref[i], fast[i], 1e-4, 1e-3);
            }
        }
    }

    /** Gradients of Σ out·r (r fixed) with respect to the case's leaves, on the current backend. */
    private static Tensor[] grads(Case c) {
        Inputs in = make(c, 23, DType.F32, true);
        Tensor out = Attention.scaledDotProductAttention(in.q, in.k, in.v, in.mask, c.causal);
        out.backward(Init.randn(new SplittableRandom(5), DType.F32, out.shape()));
        Tensor[] g = new Tensor[in.leaves.length];
        for (int i = 0; i < g.length; i++) g[i] = in.leaves[i].grad();
        return g;
    }

    @Test
    void gradCheckInDouble() {
        Case[] cs = {
            new Case(1, 2, 3, 4, 3, 2, false, MaskKind.NONE, Layout.CONTIGUOUS),
            new Case(1, 2, 4, 4, 3, 3, true, MaskKind.NONE, Layout.FUSED_QKV),
            new Case(2, 1, 3, 5, 2, 3, false, MaskKind.FULL, Layout.TRANSPOSED),
            new Case(2, 1, 5, 3, 2, 2, true, MaskKind.KV_ROWS, Layout.BROADCAST_KV),
        };
        for (Case c : cs) {
            Inputs in = make(c, 31, DType.F64, true);
            GradCheck.check(c.toString(), x -> {
                Inputs views = rebuild(c, x, in.mask);
                return Attention.scaledDotProductAttention(views.q, views.k, views.v, views.mask, c.causal, 0.7);
            }, in.leaves);
        }
    }

    /** The case's q/k/v views over the given leaves (GradCheck passes the leaves back in). */
    private static Inputs rebuild(Case c, Tensor[] x, Tensor mask) {
        return switch (c.layout) {
            case FUSED_QKV -> new Inputs(x, x[0].select(2, 0).permute(0, 2, 1, 3), x[0].select(2, 1).permute(0, 2, 1, 3),
                    x[0].select(2, 2).permute(0, 2, 1, 3), mask);
            case TRANSPOSED -> new Inputs(x, x[0].transpose(2, 3), x[1].transpose(2, 3), x[2].transpose(2, 3), mask);
            case BROADCAST_KV -> new Inputs(x, x[0], x[1].expand(c.b, c.h, c.lk, c.d), x[2].expand(c.b, c.h, c.lk, c.dv), mask);
            default -> new Inputs(x, x[0], x[1], x[2], mask);
        };
    }

    @Test
    void causalIsTopLeftAlignedAndMaskedRowsAreZero() {
        for (Backend be : new Backend[] {Backends.scalar(), Compare.fast()}) {
            on(be, () -> {
                // Lq = 2 < Lk = 3: query 0 sees key 0 only, query 1 keys 0..1 (torch's is_causal)
                Tensor q = Tensor.of(new float[] {1, 0, 0, 1}, 1, 1, 2, 2);
                Tensor k = Tensor.of(new float[] {1, 0, 0, 1, 5, 5}, 1, 1, 3, 2);
                Tensor v = Tensor.of(new float[] {10, 1, 20, 2, 30, 3}, 1, 1, 3, 2);
                Tensor o = Attention.scaledDotProductAttention(q, k, v, null, true, 1.0);
                float[] r = o.toFloatArray();
                assertEquals(10f, r[0], 1e-5f, be.name());
                assertEquals(1f, r[1], 1e-5f, be.name());
                double w1 = Math.exp(1) / (1 + Math.exp(1)); // query 1: scores 0 (key 0) and 1 (key 1)
                assertEquals(10 * (1 - w1) + 20 * w1, r[2], 1e-4, be.name());
                // a row with no attended key gives 0 (torch: NaN)
                Tensor mask = Tensor.zeros(DType.BOOL, 2, 3);
                mask.setDouble(1, 0, 2);
                float[] m = Attention.scaledDotProductAttention(q, k, v, mask, false, 1.0).toFloatArray();
                assertArrayEquals(new float[] {30, 3, 0, 0}, m, 1e-5f, be.name());
                return null;
            });
        }
    }

    @Test
    void defaultScaleIsInverseSqrtD() {
        SplittableRandom rng = new SplittableRandom(3);
        Tensor q = Init.randn(rng, 1, 2, 5, 16), k = Init.randn(rng, 1, 2, 6, 16), v = Init.randn(rng, 1, 2, 6, 4);
        Compare.assertClose("default scale", Attention.scaledDotProductAttention(q, k, v, null, false, 0.25),
                Attention.scaledDotProductAttention(q, k, v, null, false), 0, 0);
    }

    @Test
    void badInputsAreRejectedWithClearErrors() {
        Tensor q = Tensor.zeros(1, 2, 3, 4), k = Tensor.zeros(1, 2, 5, 4), v = Tensor.zeros(1, 2, 5, 6);
        var e = assertThrows(IllegalArgumentException.class,
                () -> Attention.scaledDotProductAttention(q, k, v, Tensor.zeros(DType.BOOL, 3, 4), false));
        assertTrue(e.getMessage().contains("[3, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProductAttention(q, k, v, Tensor.zeros(3, 5), false));
        assertTrue(e.getMessage().contains("BOOL"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProductAttention(q, Tensor.zeros(1, 2, 5, 3), v, null, false));
        assertTrue(e.getMessage().contains("[1, 2, 5, 3]"), e.getMessage());
    }
}
