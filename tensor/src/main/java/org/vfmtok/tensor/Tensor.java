package org.vfmtok.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.vfmtok.tensor.autograd.Engine;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.autograd.Node;
import org.vfmtok.tensor.backend.Backend;
import org.vfmtok.tensor.backend.Backends;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.tensor.ops.Reductions;

/**
 * An n-dimensional view onto a {@link Storage}: dtype, shape, strides and offset (in elements).
 * Views ({@link #view}, {@link #permute}, {@link #narrow}, {@link #expand}, ...) share storage and are
 * differentiable. Arithmetic lives in the op classes of {@code org.vfmtok.tensor.ops}; the most common
 * ones are mirrored here as methods.
 *
 * <p>Memory belongs to the {@link Scope} that was current at allocation time.
 */
public final class Tensor {
    private final Storage storage;
    private final DType dtype;
    private final int[] shape;
    private final long[] strides;
    private final long offset;

    private boolean requiresGrad;
    private boolean retainGrad;
    private Tensor grad;
    private Node gradFn;

    public Tensor(Storage storage, DType dtype, int[] shape, long[] strides, long offset) {
        if (shape.length != strides.length) throw new IllegalArgumentException("shape and strides differ in rank");
        this.storage = storage;
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    // ------------------------------------------------------------------ factories

    /** Uninitialised contiguous tensor in the current scope. */
    public static Tensor empty(DType dtype, int... shape) {
        return empty(dtype, Device.CPU, shape);
    }

    public static Tensor empty(DType dtype, Device device, int... shape) {
        for (int s : shape) if (s < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
        long bytes = Shapes.numel(shape) * dtype.byteSize();
        Storage st = Backends.forDevice(device).allocate(bytes, Scope.current());
        return new Tensor(st, dtype, shape.clone(), Shapes.contiguousStrides(shape), 0);
    }

    /** Empty tensor with the same dtype, device and shape as {@code like}. */
    public static Tensor emptyLike(Tensor like) { return empty(like.dtype, like.device(), like.shape); }

    public static Tensor zeros(DType dtype, int... shape) { return full(dtype, 0.0, shape); }

    public static Tensor zeros(int... shape) { return zeros(DType.F32, shape); }

    public static Tensor ones(int... shape) { return full(DType.F32, 1.0, shape); }

    public static Tensor zerosLike(Tensor like) {
        Tensor t = emptyLike(like);
        t.backend().fill(t, 0.0);
        return t;
    }

    public static Tensor full(DType dtype, double value, int... shape) {
        return full(dtype, Device.CPU, value, shape);
    }

    /** A tensor of {@code value} on {@code device}. */
    public static Tensor full(DType dtype, Device device, double value, int... shape) {
        Tensor t = empty(dtype, device, shape);
        t.backend().fill(t, value);
        return t;
    }

    /** A 0-dimensional tensor. */
    public static Tensor scalar(double value) { return full(DType.F32, value); }

    public static Tensor scalar(DType dtype, double value) { return full(dtype, value); }

    /** An F32 tensor holding {@code data}; with no shape, a vector of {@code data.length}. */
    public static Tensor of(float[] data, int... shape) { return of(DType.F32, data, shape); }

    /** An F64 tensor holding {@code data}; with no shape, a vector of {@code data.length}. */
    public static Tensor of(double[] data, int... shape) { return of(DType.F64, data, shape); }

    /** An I32 tensor holding {@code data}; with no shape, a vector of {@code data.length}. */
    public static Tensor ofInts(int[] data, int... shape) { return of(DType.I32, data, shape); }

    /** An I64 tensor holding {@code data}; with no shape, a vector of {@code data.length}. */
    public static Tensor ofLongs(long[] data, int... shape) { return of(DType.I64, data, shape); }

    /**
     * A tensor of {@code dtype} holding {@code data} converted element by element; with no shape, a
     * vector of {@code data.length}. Between floating dtypes values round to nearest even; any other
     * conversion must be exact (1.5 into I32, 300 into U8 or an overflow to infinity are errors).
     */
    public static Tensor of(DType dtype, double[] data, int... shape) {
        return fromArray(dtype, DType.F64, MemorySegment.ofArray(data), data.length, "double[]", shape);
    }

    /** As {@link #of(DType, double[], int...)}, from floats. */
    public static Tensor of(DType dtype, float[] data, int... shape) {
        return fromArray(dtype, DType.F32, MemorySegment.ofArray(data), data.length, "float[]", shape);
    }

    /** As {@link #of(DType, double[], int...)}, from longs (exact: no detour through double). */
    public static Tensor of(DType dtype, long[] data, int... shape) {
        return fromArray(dtype, DType.I64, MemorySegment.ofArray(data), data.length, "long[]", shape);
    }

    /** As {@link #of(DType, double[], int...)}, from ints. */
    public static Tensor of(DType dtype, int[] data, int... shape) {
        return fromArray(dtype, DType.I32, MemorySegment.ofArray(data), data.length, "int[]", shape);
    }

    private static Tensor fromArray(DType dtype, DType arrayType, MemorySegment data, int count, String arrayName, int[] shape) {
        int[] sh = shape.length == 0 && count != 1 ? new int[] {count} : shape;
        checkCount(count, sh);
        Tensor t = empty(dtype, sh);
        ArrayConversion.convert(arrayType, data, 0, dtype, t.storage.segment(), count, "Tensor.of(" + dtype + ", " + arrayName + ")");
        return t;
    }

    /** Wraps memory owned elsewhere (a mapped file) without copying. */
    public static Tensor wrap(MemorySegment segment, DType dtype, int... shape) {
        long need = Shapes.numel(shape) * dtype.byteSize();
        if (segment.byteSize() < need) {
            throw new IllegalArgumentException("segment of " + segment.byteSize() + " bytes is too small for " + dtype + Arrays.toString(shape));
        }
        return new Tensor(Storage.borrow(segment, Device.CPU), dtype, shape.clone(), Shapes.contiguousStrides(shape), 0);
    }

    public static Tensor arange(int n) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = i;
        return of(d, n);
    }

    private static void checkCount(int count, int[] shape) {
        if (Shapes.numel(shape) != count) {
            throw new IllegalArgumentException(count + " values do not fill shape " + Arrays.toString(shape));
        }
    }

    // ------------------------------------------------------------------ metadata

    public Storage storage() { return storage; }

    public DType dtype() { return dtype; }

    public Device device() { return storage.device(); }

    public Backend backend() { return Backends.forDevice(storage.device()); }

    /** A copy of the shape. */
    public int[] shape() { return shape.clone(); }

    /** A copy of the strides (in elements). */
    public long[] strides() { return strides.clone(); }

    public long offset() { return offset; }

    public int dim() { return shape.length; }

    public int size(int d) { return shape[Shapes.dim(d, shape.length)]; }

    public long stride(int d) { return strides[Shapes.dim(d, shape.length)]; }

    public long numel() { return Shapes.numel(shape); }

    public boolean isContiguous() {
        long expect = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expect) return false;
            expect *= shape[d];
        }
        return true;
    }

    /** Byte address of element 0 of this view inside its storage segment (CPU). */
    public MemorySegment segment() { return storage.segment(); }

    /** Byte offset of this view's first element. */
    public long byteOffset() { return offset * dtype.byteSize(); }

    // ------------------------------------------------------------------ element access (slow paths)

    private long elementIndex(int... idx) {
        if (idx.length != shape.length) {
            throw new IllegalArgumentException("index of rank " + idx.length + " for a tensor of rank " + shape.length);
        }
        long e = offset;
        for (int d = 0; d < idx.length; d++) {
            int i = idx[d] < 0 ? idx[d] + shape[d] : idx[d];
            if (i < 0 || i >= shape[d]) throw new IndexOutOfBoundsException("index " + idx[d] + " out of range for dim " + d + " of size " + shape[d]);
            e += i * strides[d];
        }
        return e;
    }

    public double getDouble(int... idx) { return dtype.read(segmentForHost(), elementIndex(idx)); }

    public float getFloat(int... idx) { return (float) getDouble(idx); }

    public void setDouble(double v, int... idx) { dtype.write(segmentForHost(), elementIndex(idx), v); }

    /** The single value of a one-element tensor. */
    public double item() {
        if (numel() != 1) throw new IllegalStateException("item() on a tensor of shape " + Arrays.toString(shape));
        return dtype.read(segmentForHost(), offset);
    }

    private MemorySegment segmentForHost() {
        if (!device().isCpu()) throw new IllegalStateException("element access on a " + device() + " tensor: copy it to the CPU first");
        return storage.segment();
    }

    // Any dtype converts: between floating dtypes by rounding, otherwise exactly or not at all (an
    // F32 tensor holding 1.5 has no int[] form and toIntArray says which element is the problem).

    /** All elements in row-major order, converted to float (rounding from F64, exact from integers). */
    public float[] toFloatArray() {
        float[] out = new float[Math.toIntExact(numel())];
        toArray(DType.F32, MemorySegment.ofArray(out), "float[]");
        return out;
    }

    /**
     * Copies {@code count} elements of this contiguous F32 CPU tensor, from element {@code from} in row-major
     * order, into {@code dst} at {@code dstOffset}: a read that allocates nothing (a row of logits per token).
     */
    public void readFloats(long from, float[] dst, int dstOffset, int count) {
        if (dtype != DType.F32 || !isContiguous()) throw new IllegalArgumentException("readFloats needs a contiguous F32 tensor, got " + dtype + " " + Arrays.toString(shape));
        if (from < 0 || count < 0 || from + count > numel()) {
            throw new IndexOutOfBoundsException("readFloats of " + count + " elements from " + from + " in a tensor of " + numel());
        }
        MemorySegment.copy(segmentForHost(), java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, byteOffset() + 4 * from, dst, dstOffset, count);
    }

    /** All elements in row-major order, converted to double (exact from every dtype but I64 above 2^53). */
    public double[] toDoubleArray() {
        double[] out = new double[Math.toIntExact(numel())];
        toArray(DType.F64, MemorySegment.ofArray(out), "double[]");
        return out;
    }

    /** All elements in row-major order as longs; floating values must be whole numbers. */
    public long[] toLongArray() {
        long[] out = new long[Math.toIntExact(numel())];
        toArray(DType.I64, MemorySegment.ofArray(out), "long[]");
        return out;
    }

    /** All elements in row-major order as ints; values must be whole numbers in int range. */
    public int[] toIntArray() {
        int[] out = new int[Math.toIntExact(numel())];
        toArray(DType.I32, MemorySegment.ofArray(out), "int[]");
        return out;
    }

    private void toArray(DType arrayType, MemorySegment out, String arrayName) {
        try (Scope conversion = Scope.open("to " + arrayName)) {   // a host or contiguous copy dies here, scope or no scope
            Tensor c = host().contiguousAs(dtype);
            ArrayConversion.convert(dtype, c.storage.segment(), c.offset, arrayType, out, out.byteSize() / arrayType.byteSize(),
                    "to " + arrayName + " from " + dtype + Arrays.toString(shape));
        }
    }

    private Tensor host() {
        if (!device().isCpu()) return to(Device.CPU);
        return this;
    }

    private Tensor contiguousAs(DType t) {
        try (Grad.Mode ng = Grad.noGrad()) {
            if (dtype == t && isContiguous()) return this;
            Tensor out = empty(t, shape);
            out.copyFrom(this);
            return out;
        }
    }

    // ------------------------------------------------------------------ autograd state

    public boolean requiresGrad() { return requiresGrad; }

    /** Marks a leaf as requiring grad; returns this. */
    public Tensor requiresGrad(boolean on) {
        if (gradFn != null && !on) throw new IllegalStateException("cannot clear requiresGrad of a non-leaf tensor; use detach()");
        if (on && !dtype.isFloating()) throw new IllegalArgumentException("only floating tensors can require grad, not " + dtype);
        this.requiresGrad = on;
        return this;
    }

    public Tensor grad() { return grad; }

    public void setGrad(Tensor g) { this.grad = g; }

    /** Clears the accumulated gradient (frees nothing; the grad's scope owns it). */
    public void zeroGrad() {
        if (grad != null) grad.backend().fill(grad, 0.0);
    }

    public Node gradFn() { return gradFn; }

    public boolean isLeaf() { return gradFn == null; }

    /** Keep the gradient of this non-leaf tensor in {@link #grad()} after backward. */
    public Tensor retainGrad() { retainGrad = true; return this; }

    public boolean retainsGrad() { return retainGrad && gradFn != null; }

    /** Called by {@link Grad#track}. */
    public void attachGradFn(Node node) {
        this.gradFn = node;
        this.requiresGrad = true;
    }

    public void backward() { Engine.backward(this, null, false); }

    public void backward(Tensor gradient) { Engine.backward(this, gradient, false); }

    public void backward(Tensor gradient, boolean retainGraph) { Engine.backward(this, gradient, retainGraph); }

    /** Same data, cut from the graph. */
    public Tensor detach() { return new Tensor(storage, dtype, shape, strides, offset); }

    // ------------------------------------------------------------------ views

    private Tensor viewOf(int[] newShape, long[] newStrides, long newOffset) {
        return new Tensor(storage, dtype, newShape, newStrides, newOffset);
    }

    /** A view with a new shape (one entry may be -1); fails if the layout does not allow a view. */
    public Tensor view(int... newShape) {
        int[] target = Shapes.inferShape(newShape, numel());
        long[] st = Shapes.viewStrides(shape, strides, target);
        if (st == null) {
            throw new IllegalStateException("view " + Arrays.toString(target) + " of a non-contiguous tensor " + Arrays.toString(shape)
                    + " with strides " + Arrays.toString(strides) + ": use reshape()");
        }
        int[] original = shape;
        Tensor out = viewOf(target, st, offset);
        return Grad.track(out, "View", this, g -> new Tensor[] {g.reshape(original)});
    }

    /** {@link #view} when possible, otherwise a contiguous copy. */
    public Tensor reshape(int... newShape) {
        int[] target = Shapes.inferShape(newShape, numel());
        if (Shapes.viewStrides(shape, strides, target) != null) return view(target);
        return contiguous().view(target);
    }

    public Tensor flatten() { return reshape(-1); }

    /** Flattens dims [start, end] into one. */
    public Tensor flatten(int start, int end) {
        int s = Shapes.dim(start, shape.length), e = Shapes.dim(end, shape.length);
        int[] ns = new int[shape.length - (e - s)];
        int k = 0;
        for (int d = 0; d < s; d++) ns[k++] = shape[d];
        long m = 1;
        for (int d = s; d <= e; d++) m *= shape[d];
        ns[k++] = Math.toIntExact(m);
        for (int d = e + 1; d < shape.length; d++) ns[k++] = shape[d];
        return reshape(ns);
    }

    public Tensor permute(int... dims) {
        if (dims.length != shape.length) throw new IllegalArgumentException("permute of rank " + dims.length + " for rank " + shape.length);
        int[] ns = new int[dims.length];
        long[] nst = new long[dims.length];
        int[] inverse = new int[dims.length];
        boolean[] seen = new boolean[dims.length];
        for (int i = 0; i < dims.length; i++) {
            int d = Shapes.dim(dims[i], shape.length);
            if (seen[d]) throw new IllegalArgumentException("repeated dim in permute " + Arrays.toString(dims));
            seen[d] = true;
            ns[i] = shape[d];
            nst[i] = strides[d];
            inverse[d] = i;
        }
        Tensor out = viewOf(ns, nst, offset);
        return Grad.track(out, "Permute", this, g -> new Tensor[] {g.permute(inverse)});
    }

    public Tensor transpose(int d0, int d1) {
        int a = Shapes.dim(d0, shape.length), b = Shapes.dim(d1, shape.length);
        int[] p = new int[shape.length];
        for (int i = 0; i < p.length; i++) p[i] = i;
        p[a] = b;
        p[b] = a;
        return permute(p);
    }

    /** Transpose of the last two dims. */
    public Tensor mT() { return transpose(-2, -1); }

    /** Elements [start, start+length) along {@code dim}. */
    public Tensor narrow(int dim, int start, int length) {
        int d = Shapes.dim(dim, shape.length);
        if (start < 0) start += shape[d];
        if (start < 0 || length < 0 || start + length > shape[d]) {
            throw new IndexOutOfBoundsException("narrow(" + dim + ", " + start + ", " + length + ") of size " + shape[d]);
        }
        int[] ns = shape.clone();
        ns[d] = length;
        Tensor out = viewOf(ns, strides.clone(), offset + start * strides[d]);
        int[] original = shape;
        int s0 = start;
        return Grad.track(out, "Narrow", this, g -> {
            Tensor full = Tensor.zeros(g.dtype(), original);
            full.narrowNoGrad(d, s0, g.size(d)).copyFrom(g);
            return new Tensor[] {full};
        });
    }

    private Tensor narrowNoGrad(int d, int start, int length) {
        int[] ns = shape.clone();
        ns[d] = length;
        return viewOf(ns, strides.clone(), offset + start * strides[d]);
    }

    /** Python's {@code x[..., start:end:step, ...]} along one dim (step > 0). */
    public Tensor slice(int dim, int start, int end, int step) {
        int d = Shapes.dim(dim, shape.length);
        if (step <= 0) throw new IllegalArgumentException("slice step must be positive, got " + step);
        int n = shape[d];
        int s = Math.max(0, Math.min(n, start < 0 ? start + n : start));
        int e = Math.max(s, Math.min(n, end < 0 ? end + n : end));
        if (step == 1) return narrow(d, s, e - s);
        int len = (e - s + step - 1) / step;
        int[] ns = shape.clone();
        ns[d] = len;
        long[] nst = strides.clone();
        nst[d] = strides[d] * step;
        Tensor out = viewOf(ns, nst, offset + s * strides[d]);
        int[] original = shape;
        return Grad.track(out, "Slice", this, g -> {
            Tensor full = Tensor.zeros(g.dtype(), original);
            Tensor target = full.detach();
            int[] ts = target.shape.clone();
            ts[d] = len;
            long[] tst = target.strides.clone();
            tst[d] = target.strides[d] * step;
            new Tensor(target.storage, target.dtype, ts, tst, s * target.strides[d]).copyFrom(g);
            return new Tensor[] {full};
        });
    }

    /** Index {@code index} of {@code dim}, removing that dim. */
    public Tensor select(int dim, int index) {
        int d = Shapes.dim(dim, shape.length);
        return narrow(d, index < 0 ? index + shape[d] : index, 1).squeeze(d);
    }

    /** Broadcast view; -1 keeps a size. New leading dims are allowed. */
    public Tensor expand(int... newShape) {
        if (newShape.length < shape.length) throw new IllegalArgumentException("expand to fewer dims: " + Arrays.toString(newShape));
        int lead = newShape.length - shape.length;
        int[] ns = new int[newShape.length];
        long[] nst = new long[newShape.length];
        for (int i = 0; i < newShape.length; i++) {
            int want = newShape[i];
            if (i < lead) {
                if (want < 0) throw new IllegalArgumentException("-1 in a new leading dim of expand");
                ns[i] = want;
                nst[i] = 0;
                continue;
            }
            int have = shape[i - lead];
            if (want == -1 || want == have) {
                ns[i] = have;
                nst[i] = strides[i - lead];
            } else if (have == 1) {
                ns[i] = want;
                nst[i] = 0;
            } else {
                throw new IllegalArgumentException("cannot expand " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
            }
        }
        if (Arrays.equals(ns, shape)) return this;
        Tensor out = viewOf(ns, nst, offset);
        int[] original = shape;
        return Grad.track(out, "Expand", this, g -> new Tensor[] {Reductions.sumTo(g, original)});
    }

    public Tensor expandAs(Tensor other) { return expand(other.shape); }

    public Tensor unsqueeze(int dim) {
        int d = dim < 0 ? dim + shape.length + 1 : dim;
        if (d < 0 || d > shape.length) throw new IllegalArgumentException("unsqueeze dim " + dim + " for rank " + shape.length);
        int[] ns = new int[shape.length + 1];
        long[] nst = new long[shape.length + 1];
        for (int i = 0, j = 0; i < ns.length; i++) {
            if (i == d) {
                ns[i] = 1;
                nst[i] = j < shape.length ? strides[j] * shape[j] : 1;
            } else {
                ns[i] = shape[j];
                nst[i] = strides[j];
                j++;
            }
        }
        Tensor out = viewOf(ns, nst, offset);
        return Grad.track(out, "Unsqueeze", this, g -> new Tensor[] {g.squeeze(d)});
    }

    /** Removes dim {@code dim}, which must have size 1. */
    public Tensor squeeze(int dim) {
        int d = Shapes.dim(dim, shape.length);
        if (shape[d] != 1) throw new IllegalArgumentException("squeeze of dim " + dim + " with size " + shape[d]);
        int[] ns = new int[shape.length - 1];
        long[] nst = new long[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i == d) continue;
            ns[j] = shape[i];
            nst[j++] = strides[i];
        }
        Tensor out = viewOf(ns, nst, offset);
        return Grad.track(out, "Squeeze", this, g -> new Tensor[] {g.unsqueeze(d)});
    }

    /** Removes every size-1 dim. */
    public Tensor squeeze() {
        Tensor t = this;
        for (int d = shape.length - 1; d >= 0; d--) if (shape[d] == 1) t = t.squeeze(d);
        return t;
    }

    /** This tensor if contiguous, otherwise a contiguous copy (differentiable). */
    public Tensor contiguous() {
        if (isContiguous()) return this;
        return copy();
    }

    /** A contiguous copy (differentiable). */
    public Tensor copy() {
        Tensor out = empty(dtype, device(), shape);
        out.backend().copy(this, out);
        return Grad.track(out, "Copy", this, g -> new Tensor[] {g});
    }

    /** Converted to {@code t} (differentiable between floating types). */
    public Tensor to(DType t) {
        if (t == dtype) return this;
        Tensor out = empty(t, device(), shape);
        out.backend().copy(this, out);
        if (!t.isFloating()) return out;
        DType from = dtype;
        return Grad.track(out, "Cast", this, g -> new Tensor[] {g.to(from)});
    }

    /** Copied to {@code device}. */
    public Tensor to(Device target) {
        if (target.equals(device())) return this;
        Tensor out = empty(dtype, target, shape);
        Backends.transfer(this, out);
        Device from = device();
        return Grad.track(out, "ToDevice", this, g -> new Tensor[] {g.to(from)});
    }

    /** Copies {@code src} (same shape, any layout or dtype) into this tensor, in place, outside autograd. */
    public Tensor copyFrom(Tensor src) {
        Tensor s = Arrays.equals(src.shape, shape) ? src : src.detach().expand(shape);
        if (src.device().equals(device())) backend().copy(s, this);
        else Backends.transfer(s, this); // across devices; the transfer also takes broadcast (stride-0) sources
        return this;
    }

    /** Overwrites every element with {@code value}, in place. */
    public Tensor fill(double value) {
        backend().fill(this, value);
        return this;
    }

    // ------------------------------------------------------------------ common ops (see org.vfmtok.tensor.ops)

    public Tensor add(Tensor o) { return Pointwise.add(this, o); }

    public Tensor sub(Tensor o) { return Pointwise.sub(this, o); }

    public Tensor mul(Tensor o) { return Pointwise.mul(this, o); }

    public Tensor div(Tensor o) { return Pointwise.div(this, o); }

    public Tensor add(double s) { return Pointwise.affine(this, 1.0, s); }

    public Tensor mul(double s) { return Pointwise.affine(this, s, 0.0); }

    public Tensor neg() { return Pointwise.neg(this); }

    public Tensor sum() { return Reductions.sum(this, null, false); }

    public Tensor mean() { return Reductions.mean(this, null, false); }

    public Tensor sum(int dim, boolean keepDim) { return Reductions.sum(this, new int[] {dim}, keepDim); }

    public Tensor mean(int dim, boolean keepDim) { return Reductions.mean(this, new int[] {dim}, keepDim); }

    public Tensor matmul(Tensor o) { return org.vfmtok.tensor.ops.MatMul.matmul(this, o); }

    // ------------------------------------------------------------------ printing

    @Override
    public String toString() { return TensorFormat.format(this); }
}
