package org.vfmtok.tensor.ops;

import java.util.Arrays;
import org.vfmtok.tensor.Shapes;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.backend.IndexKernels;

/**
 * Gathers (embedding, indexSelect, with index-add backward) and the joins and splits of tensors
 * (concat, stack, split, chunk), all with autograd. Splits are views; concat copies each input into a
 * narrow view of the output, so its gradients are narrows of the output gradient.
 */
public final class Indexing {
    private Indexing() {}

    /**
     * nn.Embedding lookup: rows of {@code table} (V, D...) picked by integer {@code indices} of any
     * shape; the result has shape indices.shape + table.shape[1:].
     */
    public static Tensor embedding(Tensor table, Tensor indices) {
        if (table.dim() < 1) throw new IllegalArgumentException("embedding table must have at least one dim, got a 0-d tensor");
        Tensor rows = indexSelect(table, 0, indices.dim() == 1 ? indices : indices.reshape(-1));
        int[] is = indices.shape(), ts = table.shape();
        int[] shape = Arrays.copyOf(is, is.length + ts.length - 1);
        System.arraycopy(ts, 1, shape, is.length, ts.length - 1);
        return rows.view(shape);
    }

    /** torch.index_select: 1-D I32/I64 {@code index} into {@code dim} of src. */
    public static Tensor indexSelect(Tensor src, int dim, Tensor index) {
        int d = Shapes.dim(dim, src.dim());
        if (index.dim() != 1) throw new IllegalArgumentException("indexSelect: index must be 1-D, got shape " + Arrays.toString(index.shape()));
        Pointwise.checkDevices("indexSelect", src, index);
        int[] shape = src.shape();
        shape[d] = index.size(0);
        Tensor out = Tensor.empty(src.dtype(), src.device(), shape);
        kernels(src).indexSelect(src.detach(), d, index, out);
        int[] srcShape = src.shape();
        return Grad.track(out, "IndexSelect", src, g -> {
            Tensor gs = Tensor.full(g.dtype(), g.device(), 0.0, srcShape);
            kernels(src).indexAdd(gs, d, index, g);
            return new Tensor[] {gs};
        });
    }

    /**
     * Out-of-place torch.index_add: a copy of {@code dst} with src's slices along {@code dim} added at
     * the rows named by {@code index} (duplicates accumulate). Differentiable in dst and src.
     */
    public static Tensor indexAdd(Tensor dst, int dim, Tensor index, Tensor src) {
        int d = Shapes.dim(dim, dst.dim());
        if (index.dim() != 1) throw new IllegalArgumentException("indexAdd: index must be 1-D, got shape " + Arrays.toString(index.shape()));
        Pointwise.checkOperands("indexAdd", dst, src);
        Pointwise.checkDevices("indexAdd", dst, index, src);
        Tensor out = Tensor.empty(dst.dtype(), dst.device(), dst.shape());
        out.copyFrom(dst.detach());
        kernels(dst).indexAdd(out, d, index, src.detach());
        return Grad.track(out, "IndexAdd", new Tensor[] {dst, src}, g -> new Tensor[] {
            dst.requiresGrad() ? g : null,
            src.requiresGrad() ? indexSelect(g, d, index) : null,
        });
    }

    /** torch.cat along {@code dim}: every input has the same rank, dtype and sizes except along dim. */
    public static Tensor concat(int dim, Tensor... tensors) {
        if (tensors.length == 0) throw new IllegalArgumentException("concat of no tensors");
        Tensor first = tensors[0];
        int d = Shapes.dim(dim, first.dim());
        int[] shape = first.shape();
        int total = 0;
        for (int i = 0; i < tensors.length; i++) {
            Tensor t = tensors[i];
            int[] s = t.shape();
            boolean ok = s.length == shape.length;
            for (int k = 0; ok && k < s.length; k++) ok = k == d || s[k] == shape[k];
            if (!ok) {
                throw new IllegalArgumentException("concat along dim " + d + ": tensor " + i + " has shape " + Arrays.toString(s)
                        + ", tensor 0 has " + Arrays.toString(shape));
            }
            if (t.dtype() != first.dtype()) throw new IllegalArgumentException("concat: tensor " + i + " is " + t.dtype() + ", tensor 0 is " + first.dtype());
            if (!t.device().equals(first.device())) throw new IllegalArgumentException("concat: tensor " + i + " is on " + t.device() + ", tensor 0 on " + first.device());
            total += s[d];
        }
        shape[d] = total;
        Tensor out = Tensor.empty(first.dtype(), first.device(), shape);
        int[] starts = new int[tensors.length];
        for (int i = 0, off = 0; i < tensors.length; i++) {
            starts[i] = off;
            int len = tensors[i].size(d);
            out.narrow(d, off, len).copyFrom(tensors[i].detach());
            off += len;
        }
        Tensor[] inputs = tensors.clone();
        return Grad.track(out, "Concat", inputs, g -> {
            Tensor[] gs = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                if (inputs[i].requiresGrad()) gs[i] = g.narrow(d, starts[i], inputs[i].size(d));
            }
            return gs;
        });
    }

    /** torch.stack: equal shapes joined along a new dim (in [-(rank+1), rank]). */
    public static Tensor stack(int dim, Tensor... tensors) {
        if (tensors.length == 0) throw new IllegalArgumentException("stack of no tensors");
        int rank = tensors[0].dim();
        int d = dim < 0 ? dim + rank + 1 : dim;
        if (d < 0 || d > rank) throw new IllegalArgumentException("stack dim " + dim + " out of range for tensors of rank " + rank);
        for (int i = 1; i < tensors.length; i++) {
            if (!Arrays.equals(tensors[i].shape(), tensors[0].shape())) {
                throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Arrays.toString(tensors[i].shape())
                        + ", tensor 0 has " + Arrays.toString(tensors[0].shape()));
            }
        }
        Tensor[] u = new Tensor[tensors.length];
        for (int i = 0; i < u.length; i++) u[i] = tensors[i].unsqueeze(d);
        return concat(d, u);
    }

    /** torch.split with explicit section sizes (summing to x.size(dim)); the pieces are views. */
    public static Tensor[] split(Tensor x, int dim, int... sizes) {
        int d = Shapes.dim(dim, x.dim());
        long sum = 0;
        for (int s : sizes) {
            if (s < 0) throw new IllegalArgumentException("split: negative section size in " + Arrays.toString(sizes));
            sum += s;
        }
        if (sum != x.size(d)) {
            throw new IllegalArgumentException("split: sections " + Arrays.toString(sizes) + " sum to " + sum + ", but dim " + d + " has size " + x.size(d));
        }
        Tensor[] out = new Tensor[sizes.length];
        for (int i = 0, off = 0; i < sizes.length; off += sizes[i], i++) out[i] = x.narrow(d, off, sizes[i]);
        return out;
    }

    /** torch.split with an int: pieces of {@code splitSize} along dim, the last one possibly smaller. */
    public static Tensor[] splitEvery(Tensor x, int dim, int splitSize) {
        int d = Shapes.dim(dim, x.dim());
        if (splitSize <= 0) throw new IllegalArgumentException("split size must be positive, got " + splitSize);
        int n = x.size(d);
        int pieces = Math.max(1, (n + splitSize - 1) / splitSize);
        int[] sizes = new int[pieces];
        for (int i = 0; i < pieces; i++) sizes[i] = Math.min(splitSize, n - i * splitSize);
        return split(x, d, sizes);
    }

    /** torch.chunk: at most {@code chunks} pieces of ceil(size/chunks) (so possibly fewer pieces). */
    public static Tensor[] chunk(Tensor x, int chunks, int dim) {
        if (chunks <= 0) throw new IllegalArgumentException("chunk count must be positive, got " + chunks);
        int n = x.size(dim);
        return splitEvery(x, dim, Math.max(1, (n + chunks - 1) / chunks));
    }

    static IndexKernels kernels(Tensor t) { return t.backend().index(); }
}
