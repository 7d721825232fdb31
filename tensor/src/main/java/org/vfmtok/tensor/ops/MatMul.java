package org.vfmtok.tensor.ops;

import java.util.Arrays;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Shapes;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;

/** Matrix products with NumPy semantics (1-D operands, broadcast batch dims) and autograd. */
public final class MatMul {
    private MatMul() {}

    /** torch.matmul. */
    public static Tensor matmul(Tensor a, Tensor b) {
        Pointwise.checkOperands("matmul", a, b);
        if (a.dim() == 0 || b.dim() == 0) throw new IllegalArgumentException("matmul of a 0-d tensor");
        if (a.dim() == 1 && b.dim() == 1) return matmul(a.unsqueeze(0), b.unsqueeze(1)).squeeze(-1).squeeze(-1);
        if (a.dim() == 1) return matmul(a.unsqueeze(0), b).squeeze(-2);
        if (b.dim() == 1) return matmul(a, b.unsqueeze(1)).squeeze(-1);
        int m = a.size(-2), k = a.size(-1), n = b.size(-1);
        if (b.size(-2) != k) {
            throw new IllegalArgumentException("matmul: " + Arrays.toString(a.shape()) + " x " + Arrays.toString(b.shape()) + " (inner dims " + k + " and " + b.size(-2) + ")");
        }
        int[] batch = Shapes.broadcast(Arrays.copyOf(a.shape(), a.dim() - 2), Arrays.copyOf(b.shape(), b.dim() - 2));
        int[] cs = Arrays.copyOf(batch, batch.length + 2);
        cs[batch.length] = m;
        cs[batch.length + 1] = n;
        Tensor ae = a.detach().expand(withLast2(batch, m, k));
        Tensor be = b.detach().expand(withLast2(batch, k, n));
        Tensor out = Tensor.empty(a.dtype(), a.device(), cs);
        a.backend().gemm().gemm(ae, be, out, 1f, 0f);
        int[] as = a.shape(), bs = b.shape();
        return Grad.track(out, "MatMul", new Tensor[] {a, b}, g -> new Tensor[] {
            a.requiresGrad() ? Reductions.sumTo(matmul(g, b.detach().mT()), as) : null,
            b.requiresGrad() ? Reductions.sumTo(matmul(a.detach().mT(), g), bs) : null,
        });
    }

    /**
     * y = x·wᵀ + bias (nn.Linear): x (..., in), w (out, in), bias (out) or null. An F32 x may meet a BF16 w (a model
     * with {@code BF16} weight storage, for inference): the GEMM widens w exactly and accumulates in F32, so the
     * result equals the product with w's F32 widening; such a call must need no gradient ({@link #checkStoredWeight}).
     */
    public static Tensor linear(Tensor x, Tensor w, Tensor bias) {
        if (x.size(-1) != w.size(1)) {
            throw new IllegalArgumentException("linear: input features " + x.size(-1) + " but weight " + Arrays.toString(w.shape()));
        }
        Tensor flat = x.dim() == 2 ? x : x.reshape(-1, x.size(-1));
        Tensor y;
        if (checkStoredWeight("linear", x, w, bias)) {
            Pointwise.checkDevices("linear", flat, w, bias);
            y = Tensor.empty(flat.dtype(), flat.device(), flat.size(0), w.size(0));
            if (bias == null) x.backend().gemm().gemm(flat.detach(), w.detach().mT(), y, 1f, 0f);
            else x.backend().gemm().gemmBias(flat.detach(), w.detach().mT(), y, bias.detach());
        } else if (bias != null && bias.dim() == 1 && bias.size(0) == w.size(0) && !Grad.needed(x, w, bias)) {
            // no autograd: the bias add rides on the GEMM's output pass (GemmKernels.gemmBias)
            Pointwise.checkOperands("linear", flat, w);
            Pointwise.checkOperands("linear", flat, bias);
            y = Tensor.empty(flat.dtype(), flat.device(), flat.size(0), w.size(0));
            x.backend().gemm().gemmBias(flat.detach(), w.detach().mT(), y, bias.detach());
        } else {
            y = matmul(flat, w.mT());
            if (bias != null) y = Pointwise.add(y, bias);
        }
        if (x.dim() == 2) return y;
        int[] shape = x.shape();
        shape[shape.length - 1] = w.size(0);
        return y.view(shape);
    }

    /**
     * Whether {@code w} is a stored BF16 weight read by F32 activations {@code x} (bias, if any, F32): true for that
     * inference-only pairing, which fails with a one-line error when a gradient is needed (training a BF16 model);
     * false for operands of one dtype (the ordinary path, which checks them itself).
     */
    static boolean checkStoredWeight(String op, Tensor x, Tensor w, Tensor bias) {
        if (w.dtype() != DType.BF16 || x.dtype() != DType.F32) return false;
        if (bias != null && bias.dtype() != DType.F32) {
            throw new IllegalArgumentException(op + ": a BF16 weight takes an F32 bias, got " + bias.dtype());
        }
        if (Grad.needed(x, w, bias)) {
            throw new IllegalStateException(op + ": BF16 weight " + Arrays.toString(w.shape()) + " with F32 input needs no gradient: "
                    + "BF16 weight storage is for inference (build or load the model with F32 weights to train it)");
        }
        return true;
    }

    private static int[] withLast2(int[] batch, int r, int c) {
        int[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = r;
        s[batch.length + 1] = c;
        return s;
    }
}
