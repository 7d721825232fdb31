package org.vfmtok.tensor.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vfmtok.cuda.CudaCheck;
import org.vfmtok.cuda.Cudnn;

/** The cuDNN handle of a device, bound to its stream; created on the first convolution. */
final class CudnnContext {
    final MemorySegment handle;

    CudnnContext(CudaDevice dev) {
        dev.activate();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(ValueLayout.ADDRESS);
            CudaCheck.cudnn(Cudnn.cudnnCreate(h), "cudnnCreate on " + dev.device);
            this.handle = h.get(ValueLayout.ADDRESS, 0);
        }
        CudaCheck.cudnn(Cudnn.cudnnSetStream(handle, MemorySegment.ofAddress(dev.stream)), "cudnnSetStream");
    }
}
