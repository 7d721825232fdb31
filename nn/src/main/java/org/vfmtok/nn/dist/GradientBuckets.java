package org.vfmtok.nn.dist;

import java.util.ArrayList;
import java.util.List;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;

/**
 * Groups gradients into buckets for all-reduce, as DDP does: one collective per bucket of up to
 * {@code bucketBytes} instead of one per parameter (many small all-reduces are latency-bound). Tensors
 * keep their order; a bucket holds one dtype; a tensor larger than the limit gets a bucket of its own.
 */
public final class GradientBuckets {
    private GradientBuckets() {}

    /** A bucket: the indices of its tensors in the input list, their element offsets in it, its element count. */
    public record Bucket(DType dtype, List<Integer> tensors, List<Long> offsets, long numel) {}

    public static List<Bucket> plan(List<Tensor> tensors, long bucketBytes) {
        List<Bucket> out = new ArrayList<>();
        List<Integer> idx = new ArrayList<>();
        List<Long> offs = new ArrayList<>();
        DType dtype = null;
        long numel = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            long n = t.numel();
            boolean full = dtype != null && (t.dtype() != dtype || (numel + n) * dtype.byteSize() > bucketBytes);
            if (full) {
                out.add(new Bucket(dtype, List.copyOf(idx), List.copyOf(offs), numel));
                idx.clear();
                offs.clear();
                numel = 0;
            }
            dtype = t.dtype();
            idx.add(i);
            offs.add(numel);
            numel += n;
        }
        if (!idx.isEmpty()) out.add(new Bucket(dtype, List.copyOf(idx), List.copyOf(offs), numel));
        return out;
    }
}
