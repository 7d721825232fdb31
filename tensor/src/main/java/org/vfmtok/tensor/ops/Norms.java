package org.vfmtok.tensor.ops;

import java.util.Arrays;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.backend.NormKernels;

/**
 * LayerNorm, RMSNorm and GroupNorm with autograd (input, weight and bias gradients). Inputs of any
 * layout are made contiguous first; statistics are kept in F64 for F64 inputs and F32 otherwise.
 */
public final class Norms {
    private Norms() {}

    /** LayerNorm over the last dim (nn.LayerNorm(x.size(-1))). w, b nullable. */
    public static Tensor layerNorm(Tensor x, Tensor w, Tensor b, double eps) {
        return layerNorm(x, w, b, new int[] {x.size(-1)}, eps);
    }

    /** LayerNorm over the trailing {@code normalizedDims} dims. */
    public static Tensor layerNorm(Tensor x, Tensor w, Tensor b, int normalizedDims, double eps) {
        if (normalizedDims < 1 || normalizedDims > x.dim()) {
            throw new IllegalArgumentException("layerNorm over " + normalizedDims + " trailing dims of a tensor of rank " + x.dim());
        }
        int[] s = x.shape();
        return layerNorm(x, w, b, Arrays.copyOfRange(s, s.length - normalizedDims, s.length), eps);
    }

    /**
     * F.layer_norm(x, normalizedShape, w, b, eps): x's trailing dims must equal {@code normalizedShape};
     * w and b (nullable) have that shape. Biased variance, eps inside the square root.
     */
    public static Tensor layerNorm(Tensor x, Tensor w, Tensor b, int[] normalizedShape, double eps) {
        requireFloating("layerNorm", x);
        int[] s = x.shape();
        int k = normalizedShape.length;
        if (k == 0 || k > s.length || !Arrays.equals(Arrays.copyOfRange(s, s.length - k, s.length), normalizedShape)) {
            throw new IllegalArgumentException("layerNorm: normalized shape " + Arrays.toString(normalizedShape)
                    + " does not match the trailing dims of input " + Arrays.toString(s));
        }
        checkParam("layerNorm weight", x, w, normalizedShape);
        checkParam("layerNorm bias", x, b, normalizedShape);
        int[] statShape = Arrays.copyOf(s, s.length - k);
        Tensor xc = x.contiguous().detach();
        Tensor wc = contiguousOrNull(w), bc = contiguousOrNull(b);
        Tensor out = Tensor.emptyLike(xc);
        Tensor mean = Tensor.empty(statsType(x), x.device(), statShape);
        Tensor rstd = Tensor.empty(statsType(x), x.device(), statShape);
        kernels(x).layerNorm(xc, wc, bc, eps, out, mean, rstd);
        return Grad.track(out, "LayerNorm", new Tensor[] {x, w, b}, g -> {
            Tensor gc = g.contiguous();
            Tensor gx = x.requiresGrad() ? Tensor.emptyLike(xc) : null;
            Tensor gw = w != null && w.requiresGrad() ? Tensor.empty(w.dtype(), w.device(), w.shape()) : null;
            Tensor gb = b != null && b.requiresGrad() ? Tensor.empty(b.dtype(), b.device(), b.shape()) : null;
            kernels(x).layerNormBackward(gc, xc, wc, mean, rstd, gx, gw, gb);
            return new Tensor[] {gx, gw, gb};
        });
    }

    /**
     * RMSNorm over the last dim: x·rsqrt(mean(x²) + eps)·w (w nullable). Half-precision inputs are
     * normalised in F32 and cast back before the weight is applied, as LlamaGen's
     * {@code self._norm(x.float()).type_as(x) * self.weight} does.
     */
    public static Tensor rmsNorm(Tensor x, Tensor w, double eps) {
        requireFloating("rmsNorm", x);
        int[] s = x.shape();
        if (s.length == 0) throw new IllegalArgumentException("rmsNorm of a 0-d tensor");
        if (x.dtype() == DType.F16 || x.dtype() == DType.BF16) {
            Tensor normed = rmsNorm(x.to(DType.F32), null, eps).to(x.dtype());
            return w == null ? normed : Pointwise.mul(normed, w);
        }
        checkParam("rmsNorm weight", x, w, new int[] {s[s.length - 1]});
        Tensor xc = x.contiguous().detach();
        Tensor wc = contiguousOrNull(w);
        Tensor out = Tensor.emptyLike(xc);
        Tensor rstd = Tensor.empty(statsType(x), x.device(), Arrays.copyOf(s, s.length - 1));
        kernels(x).rmsNorm(xc, wc, eps, out, rstd);
        return Grad.track(out, "RMSNorm", new Tensor[] {x, w}, g -> {
            Tensor gx = x.requiresGrad() ? Tensor.emptyLike(xc) : null;
            Tensor gw = w != null && w.requiresGrad() ? Tensor.empty(w.dtype(), w.device(), w.shape()) : null;
            kernels(x).rmsNormBackward(g.contiguous(), xc, wc, rstd, gx, gw);
            return new Tensor[] {gx, gw};
        });
    }

    /** nn.GroupNorm: x (N, C, *), C divisible by groups; w, b (C) nullable. */
    public static Tensor groupNorm(Tensor x, int groups, Tensor w, Tensor b, double eps) {
        requireFloating("groupNorm", x);
        int[] s = x.shape();
        if (s.length < 2) throw new IllegalArgumentException("groupNorm needs (N, C, *), got " + Arrays.toString(s));
        if (groups <= 0 || s[1] % groups != 0) {
            throw new IllegalArgumentException("groupNorm: " + s[1] + " channels cannot be split into " + groups + " groups");
        }
        checkParam("groupNorm weight", x, w, new int[] {s[1]});
        checkParam("groupNorm bias", x, b, new int[] {s[1]});
        Tensor xc = x.contiguous().detach();
        Tensor wc = contiguousOrNull(w), bc = contiguousOrNull(b);
        Tensor out = Tensor.emptyLike(xc);
        Tensor mean = Tensor.empty(statsType(x), x.device(), s[0], groups);
        Tensor rstd = Tensor.empty(statsType(x), x.device(), s[0], groups);
        kernels(x).groupNorm(xc, groups, wc, bc, eps, out, mean, rstd);
        return Grad.track(out, "GroupNorm", new Tensor[] {x, w, b}, g -> {
            Tensor gx = x.requiresGrad() ? Tensor.emptyLike(xc) : null;
            Tensor gw = w != null && w.requiresGrad() ? Tensor.empty(w.dtype(), w.device(), w.shape()) : null;
            Tensor gb = b != null && b.requiresGrad() ? Tensor.empty(b.dtype(), b.device(), b.shape()) : null;
            kernels(x).groupNormBackward(g.contiguous(), xc, groups, wc, mean, rstd, gx, gw, gb);
            return new Tensor[] {gx, gw, gb};
        });
    }

    /**
     * silu(groupNorm(x, groups, w, b, eps)) in one pass over the output when no gradient is recorded
     * (same values as the composition); with autograd it is the composition.
     */
    public static Tensor groupNormSilu(Tensor x, int groups, Tensor w, Tensor b, double eps) {
        if (Grad.needed(x, w, b)) return Pointwise.silu(groupNorm(x, groups, w, b, eps));
        requireFloating("groupNormSilu", x);
        int[] s = x.shape();
        if (s.length < 2) throw new IllegalArgumentException("groupNormSilu needs (N, C, *), got " + Arrays.toString(s));
        if (groups <= 0 || s[1] % groups != 0) {
            throw new IllegalArgumentException("groupNormSilu: " + s[1] + " channels cannot be split into " + groups + " groups");
        }
        checkParam("groupNormSilu weight", x, w, new int[] {s[1]});
        checkParam("groupNormSilu bias", x, b, new int[] {s[1]});
        Tensor xc = x.contiguous().detach();
        Tensor out = Tensor.emptyLike(xc);
        Tensor mean = Tensor.empty(statsType(x), x.device(), s[0], groups);
        Tensor rstd = Tensor.empty(statsType(x), x.device(), s[0], groups);
        kernels(x).groupNormSilu(xc, groups, contiguousOrNull(w), contiguousOrNull(b), eps, out, mean, rstd);
        return out;
    }

    private static DType statsType(Tensor x) { return x.dtype() == DType.F64 ? DType.F64 : DType.F32; }

    private static Tensor contiguousOrNull(Tensor t) { return t == null ? null : t.contiguous().detach(); }

    private static void requireFloating(String op, Tensor x) {
        if (!x.dtype().isFloating()) throw new IllegalArgumentException(op + " needs a floating input, got " + x.dtype());
    }

    private static void checkParam(String what, Tensor x, Tensor p, int[] shape) {
        if (p == null) return;
        if (p.dtype() != x.dtype()) {
            throw new IllegalArgumentException(what + ": dtype " + p.dtype() + " differs from the input's " + x.dtype() + "; convert one with to()");
        }
        if (!p.device().equals(x.device())) throw new IllegalArgumentException(what + " is on " + p.device() + ", input on " + x.device());
        if (!Arrays.equals(p.shape(), shape)) {
            throw new IllegalArgumentException(what + ": shape " + Arrays.toString(p.shape()) + ", expected " + Arrays.toString(shape));
        }
    }

    static NormKernels kernels(Tensor t) { return t.backend().norm(); }
}
