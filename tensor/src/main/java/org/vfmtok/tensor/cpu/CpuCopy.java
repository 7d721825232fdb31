package org.vfmtok.tensor.cpu;

import java.lang.foreign.MemorySegment;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.Backend;

/** Copies and fills; the contiguous same-dtype cases are bulk memory operations. */
final class CpuCopy {
    private final Backend reference;

    CpuCopy(Backend reference) {
        this.reference = reference;
    }

    void copy(Tensor src, Tensor dst) {
        if (src.dtype() == dst.dtype() && src.isContiguous() && dst.isContiguous()
                && java.util.Arrays.equals(src.shape(), dst.shape())) {
            long bytes = src.numel() * src.dtype().byteSize();
            MemorySegment.copy(src.segment(), src.byteOffset(), dst.segment(), dst.byteOffset(), bytes);
            return;
        }
        reference.copy(src, dst);
    }

    void fill(Tensor dst, double value) {
        if (value == 0.0 && dst.isContiguous()) {
            dst.segment().asSlice(dst.byteOffset(), dst.numel() * dst.dtype().byteSize()).fill((byte) 0);
            return;
        }
        reference.fill(dst, value);
    }
}
