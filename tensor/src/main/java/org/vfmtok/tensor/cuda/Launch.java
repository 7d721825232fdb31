package org.vfmtok.tensor.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.vfmtok.cuda.CudaCheck;
import org.vfmtok.cuda.CudaDriver;

/**
 * One kernel launch: parameters are appended in order, each checked against the kernel's
 * {@link KernelSpec}, then {@link #launch} calls cuLaunchKernel on the device's stream. Parameter
 * values live in a confined arena until the launch returns (the driver copies them at launch).
 *
 * <pre>{@code
 * try (Launch l = dev.launch(Kernels.FILL)) {
 *     l.shape(sizes).strided(offset, strides).ptr(base).i32(dtype).f64(value).i64(n).launch(dev.gridFor(n), 256, 0);
 * }
 * }</pre>
 */
final class Launch implements AutoCloseable {
    private final CudaDevice dev;
    private final KernelSpec spec;
    private final Arena arena = Arena.ofConfined();
    private final List<MemorySegment> args = new ArrayList<>();

    Launch(CudaDevice dev, KernelSpec spec) {
        this.dev = dev;
        this.spec = spec;
    }

    private Launch add(KernelSpec.Param kind, MemorySegment value) {
        int i = args.size();
        if (i >= spec.params().size()) throw new IllegalStateException(spec.name() + " takes " + spec.params().size() + " parameters; got more");
        KernelSpec.Param want = spec.params().get(i);
        boolean ok = want == kind || (want == KernelSpec.Param.PTR && kind == KernelSpec.Param.I64);
        if (!ok) throw new IllegalStateException(spec.name() + " parameter " + i + " is " + want + ", got " + kind);
        args.add(value);
        return this;
    }

    Launch ptr(long address) {
        MemorySegment s = arena.allocate(ValueLayout.JAVA_LONG);
        s.set(ValueLayout.JAVA_LONG, 0, address);
        return add(KernelSpec.Param.PTR, s);
    }

    Launch i32(int v) { return add(KernelSpec.Param.I32, arena.allocateFrom(ValueLayout.JAVA_INT, v)); }

    Launch i64(long v) { return add(KernelSpec.Param.I64, arena.allocateFrom(ValueLayout.JAVA_LONG, v)); }

    Launch f32(float v) { return add(KernelSpec.Param.F32, arena.allocateFrom(ValueLayout.JAVA_FLOAT, v)); }

    Launch f64(double v) { return add(KernelSpec.Param.F64, arena.allocateFrom(ValueLayout.JAVA_DOUBLE, v)); }

    Launch shape(long[] sizes) { return add(KernelSpec.Param.SHAPE, Layouts.shape(arena, sizes)); }

    Launch strided(long offset, long[] strides) { return add(KernelSpec.Param.STRIDED, Layouts.operand(arena, offset, strides)); }

    /** A struct parameter built by the caller (e.g. deformable's Levels). */
    Launch struct(KernelSpec.Param kind, MemorySegment bytes) {
        if (bytes.byteSize() != kind.bytes) throw new IllegalArgumentException(kind + " is " + kind.bytes + " bytes, got " + bytes.byteSize());
        MemorySegment copy = arena.allocate(bytes.byteSize(), 8);
        copy.copyFrom(bytes);
        return add(kind, copy);
    }

    Arena arena() { return arena; }

    /** Launches {@code blocks} × {@code threads} with {@code sharedBytes} of dynamic shared memory. */
    void launch(long blocks, int threads, int sharedBytes) {
        if (args.size() != spec.params().size()) {
            throw new IllegalStateException(spec.name() + " takes " + spec.params().size() + " parameters, got " + args.size());
        }
        if (blocks <= 0) return;
        CudaModule m = dev.module(spec.module());
        String bad = PtxEntries.mismatch(spec, m.entries);
        if (bad != null) throw new IllegalStateException("kernel signature drift: " + bad);
        dev.activate();
        m.ensureShared(spec.name(), sharedBytes);
        MemorySegment params = arena.allocate(ValueLayout.ADDRESS, args.size());
        for (int i = 0; i < args.size(); i++) params.setAtIndex(ValueLayout.ADDRESS, i, args.get(i));
        int grid = (int) Math.min(blocks, Integer.MAX_VALUE);
        CudaCheck.cu(CudaDriver.cuLaunchKernel(m.function(spec.name()), grid, 1, 1, threads, 1, 1, sharedBytes,
                MemorySegment.ofAddress(dev.stream), params, MemorySegment.NULL), "launching " + spec.name() + " on " + dev.device);
        if (CudaBackend.SYNC_DEBUG) dev.synchronize(); // -Dvfmtok.cuda.sync=true: errors surface at the launch that caused them
    }

    @Override
    public void close() { arena.close(); }
}
