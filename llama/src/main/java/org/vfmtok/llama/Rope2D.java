package org.vfmtok.llama;

import java.util.Arrays;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.ops.Indexing;
import org.vfmtok.tensor.ops.Pointwise;

/**
 * LlamaGen's 2D rotary embedding ({@code precompute_freqs_cis_2d} and {@code apply_rotary_emb}), computed in
 * float32 in the same order as the reference.
 *
 * <p>For head dim hd there are hd/4 frequencies f_k = 1 / base^(2k / (hd/2)). Grid cell (i, j) rotates pair m
 * (channels 2m, 2m+1) by i·f_m for m &lt; hd/4 (the row) and by j·f_{m−hd/4} after (the column). The table has
 * one zero row in front for the class token, so sequence position p ≥ 1 uses cell p − 1 in raster order and
 * position 0 multiplies q and k of the class token by zero.
 */
public final class Rope2D {
    private final int grid;
    private final int headDim;
    /** (1 + grid², hd/2, 2) cos, sin; row 0 zeros. */
    private final float[] table;
    /** The same table as a tensor, for the backend's rotary kernel. */
    private final Tensor rotations;
    private final int positions;

    public Rope2D(int grid, int headDim, double base) {
        if (headDim % 4 != 0) throw new IllegalArgumentException("2D RoPE needs a head dim divisible by 4, got " + headDim);
        this.grid = grid;
        this.headDim = headDim;
        this.positions = 1 + grid * grid;
        int half = headDim / 2, quarter = half / 2;
        float[] freqs = new float[quarter];
        for (int k = 0; k < quarter; k++) {
            // torch: 1.0 / (base ** (arange(0, half, 2).float() / half)), all float32
            float e = (float) (2 * k) / (float) half;
            freqs[k] = 1.0f / (float) Math.pow(base, e);
        }
        table = new float[positions * half * 2];
        for (int i = 0; i < grid; i++) {
            for (int j = 0; j < grid; j++) {
                int row = 1 + i * grid + j;
                for (int m = 0; m < half; m++) {
                    float angle = m < quarter ? (float) i * freqs[m] : (float) j * freqs[m - quarter];
                    table[(row * half + m) * 2] = (float) Math.cos(angle);
                    table[(row * half + m) * 2 + 1] = (float) Math.sin(angle);
                }
            }
        }
        rotations = Tensor.of(table, positions, half, 2);
    }

    public int positions() { return positions; }

    public int headDim() { return headDim; }

    public int grid() { return grid; }

    /** cos of pair m at sequence position p. */
    public float cos(int p, int m) { return table[(p * (headDim / 2) + m) * 2]; }

    public float sin(int p, int m) { return table[(p * (headDim / 2) + m) * 2 + 1]; }

    /** The angle (radians, not wrapped) of pair m at position p ≥ 1. */
    public double angle(int p, int m) { return Math.atan2(sin(p, m), cos(p, m)); }

    /** The table as a tensor (1 + grid², hd/2, 2), freqs_cis of the reference. */
    public Tensor tensor() { return Tensor.of(table.clone(), positions, headDim / 2, 2); }

    private void checkPosition(int p) {
        if (p < 0 || p >= positions) throw new IndexOutOfBoundsException("RoPE position " + p + " outside [0, " + positions + ")");
    }

    /**
     * Rotates x (B, L, H, hd) at positions 0..L−1 (full-sequence forward, differentiable). F32 runs one fused
     * pass whose backward is the inverse rotation; other dtypes (the F64 gradient checks) run
     * {@link #applyComposed}, the same arithmetic as differentiable ops, which the fused pass matches bit for
     * bit in the forward. Why fused: the composition works on stride-2 views (the even and odd channels), which
     * every elementwise kernel has to gather and scatter, pass after pass, where one pass over contiguous
     * memory does the whole rotation.
     */
    public Tensor apply(Tensor x) {
        int[] s = x.shape();
        if (s.length != 4 || s[3] != headDim) throw new IllegalArgumentException("RoPE input must be (B, L, H, " + headDim + "), got " + Arrays.toString(s));
        checkPosition(s[1] - 1);
        if (x.dtype() != DType.F32 || !x.device().isCpu()) return applyComposed(x);
        Tensor out = rotateAll(x.detach().contiguous(), false);
        return Grad.track(out, "Rope2D", x, g -> new Tensor[] {rotateAll(g.contiguous(), true)});
    }

    /** x rotated by the table's angles, or their negatives when {@code inverse} (the transpose, for gradients). */
    private Tensor rotateAll(Tensor x, boolean inverse) {
        Tensor out = Tensor.empty(DType.F32, x.shape());
        x.backend().attention().rotary(x, rotations, 0, inverse, out);
        return out;
    }

    /** {@link #apply} as differentiable ops: the reference formulation, any dtype. */
    Tensor applyComposed(Tensor x) {
        int[] s = x.shape();
        int len = s[1], half = headDim / 2;
        Tensor t = Tensor.of(Arrays.copyOf(table, len * half * 2), len, 1, half, 2).to(x.dtype());
        Tensor cos = t.select(-1, 0), sin = t.select(-1, 1);     // (L, 1, hd/2)
        Tensor xs = x.reshape(s[0], len, s[2], half, 2);
        Tensor x0 = xs.select(-1, 0), x1 = xs.select(-1, 1);      // (B, L, H, hd/2)
        Tensor o0 = Pointwise.sub(Pointwise.mul(x0, cos), Pointwise.mul(x1, sin));
        Tensor o1 = Pointwise.add(Pointwise.mul(x1, cos), Pointwise.mul(x0, sin));
        return Indexing.stack(-1, o0, o1).reshape(s);
    }

    /**
     * For a decode step: rotates {@code src} (rows, H, hd) at sequence position {@code p} into {@code dst} (same
     * shape; may be {@code src} itself). F32, last dim contiguous, any other strides. Makes two views; a caller
     * that must allocate nothing keeps (rows, 1, H, hd) views and calls {@link #rotateAt}.
     */
    public void rotate(Tensor src, Tensor dst, int p) {
        checkPosition(p);
        if (src.dim() != 3 || dst.dim() != 3 || src.size(2) != headDim) {
            throw new IllegalArgumentException("RoPE rotate: src " + Arrays.toString(src.shape()) + ", dst " + Arrays.toString(dst.shape())
                    + " (need equal (rows, H, " + headDim + "))");
        }
        rotateAt(src.unsqueeze(1), dst.unsqueeze(1), p);
    }

    /**
     * Rotates x (B, L, H, hd) as positions p, p+1, ... into out (same shape, may be x), through the backend's
     * rotary kernel: allocates nothing (a decode step passes L = 1 views it made once).
     */
    public void rotateAt(Tensor x, Tensor out, int p) {
        checkPosition(p);
        x.backend().attention().rotary(x, rotations, p, false, out);
    }
}
