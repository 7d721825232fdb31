package org.vfmtok.tensor.cuda;

import java.util.List;

/**
 * One CUDA kernel as Java launches it: the module (the .cu file, loaded from
 * {@code /cuda/<module>.ptx}), the extern "C" entry name and the parameter list. {@link Kernels} holds
 * them all; {@code KernelSourceTest} checks every spec against the entry's parameters in the committed
 * PTX, so a kernel signature change that is not mirrored here fails on any machine, GPU or not.
 */
public record KernelSpec(String module, String name, List<Param> params) {
    /** Kernel parameter kinds with their size in bytes and the PTX parameter types they may compile to. */
    public enum Param {
        PTR(8, "u64", "s64", "b64"),
        I32(4, "u32", "s32", "b32"),
        I64(8, "u64", "s64", "b64"),
        F32(4, "f32"),
        F64(8, "f64"),
        /** common.cuh's Shape: int rank, int pad, long long size[8]. */
        SHAPE(72, "b8"),
        /** common.cuh's Strided: long long offset, long long stride[8]. */
        STRIDED(72, "b8"),
        /** deformable.cu's Levels: int count, int h[16], int w[16], int start[16]. */
        LEVELS(196, "b8");

        public final int bytes;
        private final List<String> ptxTypes;

        Param(int bytes, String... ptxTypes) {
            this.bytes = bytes;
            this.ptxTypes = List.of(ptxTypes);
        }

        public boolean matchesPtx(String type, long bytes) {
            return ptxTypes.contains(type) && (!type.equals("b8") || bytes == this.bytes);
        }
    }

    static KernelSpec of(String module, String name, Param... params) { return new KernelSpec(module, name, List.of(params)); }
}
