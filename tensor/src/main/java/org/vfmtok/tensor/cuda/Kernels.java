package org.vfmtok.tensor.cuda;

import static org.vfmtok.tensor.cuda.KernelSpec.Param.*;

import java.util.List;

/** Every kernel the CUDA backend launches (see {@link KernelSpec}); parameter lists mirror the .cu files. */
public final class Kernels {
    private Kernels() {}

    // elementwise.cu
    public static final KernelSpec UNARY_F = KernelSpec.of("elementwise", "vfm_unary_f", SHAPE, STRIDED, STRIDED, PTR, PTR, I32, I32, I32, F64, F64, I64);
    public static final KernelSpec UNARY_D = KernelSpec.of("elementwise", "vfm_unary_d", SHAPE, STRIDED, STRIDED, PTR, PTR, I32, I32, I32, F64, F64, I64);
    public static final KernelSpec UNARY_BACKWARD_F = KernelSpec.of("elementwise", "vfm_unary_backward_f", SHAPE, STRIDED, STRIDED, STRIDED,
            STRIDED, PTR, PTR, PTR, PTR, I32, I32, F64, F64, I64);
    public static final KernelSpec UNARY_BACKWARD_D = KernelSpec.of("elementwise", "vfm_unary_backward_d", SHAPE, STRIDED, STRIDED, STRIDED,
            STRIDED, PTR, PTR, PTR, PTR, I32, I32, F64, F64, I64);
    public static final KernelSpec BINARY_F = KernelSpec.of("elementwise", "vfm_binary_f", SHAPE, STRIDED, STRIDED, STRIDED, PTR, PTR, PTR,
            I32, I32, I32, I32, I64);
    public static final KernelSpec BINARY_D = KernelSpec.of("elementwise", "vfm_binary_d", SHAPE, STRIDED, STRIDED, STRIDED, PTR, PTR, PTR,
            I32, I32, I32, I32, I64);
    public static final KernelSpec WHERE_F = KernelSpec.of("elementwise", "vfm_where_f", SHAPE, STRIDED, STRIDED, STRIDED, STRIDED, PTR, PTR,
            PTR, PTR, I32, I32, I64);
    public static final KernelSpec WHERE_D = KernelSpec.of("elementwise", "vfm_where_d", SHAPE, STRIDED, STRIDED, STRIDED, STRIDED, PTR, PTR,
            PTR, PTR, I32, I32, I64);
    public static final KernelSpec COPY = KernelSpec.of("elementwise", "vfm_copy", SHAPE, STRIDED, STRIDED, PTR, PTR, I32, I32, I32, I64);
    public static final KernelSpec FILL = KernelSpec.of("elementwise", "vfm_fill", SHAPE, STRIDED, PTR, I32, F64, I64);

    // reduce.cu
    public static final KernelSpec REDUCE_F = KernelSpec.of("reduce", "vfm_reduce_f", SHAPE, STRIDED, SHAPE, STRIDED, PTR, PTR, I32, I32, I32, I64, I64);
    public static final KernelSpec REDUCE_D = KernelSpec.of("reduce", "vfm_reduce_d", SHAPE, STRIDED, SHAPE, STRIDED, PTR, PTR, I32, I32, I32, I64, I64);
    public static final KernelSpec VARIANCE_F = KernelSpec.of("reduce", "vfm_variance_f", SHAPE, STRIDED, SHAPE, STRIDED, PTR, PTR, I32, I32, I32, I64, I64);
    public static final KernelSpec VARIANCE_D = KernelSpec.of("reduce", "vfm_variance_d", SHAPE, STRIDED, SHAPE, STRIDED, PTR, PTR, I32, I32, I32, I64, I64);
    public static final KernelSpec ARGREDUCE = KernelSpec.of("reduce", "vfm_argreduce", SHAPE, STRIDED, PTR, PTR, I32, I32, I64, I64, I64);
    public static final KernelSpec SOFTMAX_F = KernelSpec.of("reduce", "vfm_softmax_f", SHAPE, STRIDED, STRIDED, PTR, PTR, I32, I32, I64, I64, I64, I64);
    public static final KernelSpec SOFTMAX_D = KernelSpec.of("reduce", "vfm_softmax_d", SHAPE, STRIDED, STRIDED, PTR, PTR, I32, I32, I64, I64, I64, I64);
    public static final KernelSpec SOFTMAX_BACKWARD_F = KernelSpec.of("reduce", "vfm_softmax_backward_f", SHAPE, STRIDED, STRIDED, STRIDED,
            PTR, PTR, PTR, I32, I32, I64, I64, I64, I64, I64);
    public static final KernelSpec SOFTMAX_BACKWARD_D = KernelSpec.of("reduce", "vfm_softmax_backward_d", SHAPE, STRIDED, STRIDED, STRIDED,
            PTR, PTR, PTR, I32, I32, I64, I64, I64, I64, I64);

    // norm.cu
    public static final KernelSpec NORM_FORWARD_F = KernelSpec.of("norm", "vfm_norm_forward_f", PTR, PTR, PTR, PTR, PTR, PTR, I32, I32, I64, I64,
            I32, I64, F64, I32);
    public static final KernelSpec NORM_FORWARD_D = KernelSpec.of("norm", "vfm_norm_forward_d", PTR, PTR, PTR, PTR, PTR, PTR, I32, I32, I64, I64,
            I32, I64, F64, I32);
    public static final KernelSpec NORM_BACKWARD_X_F = KernelSpec.of("norm", "vfm_norm_backward_x_f", PTR, PTR, PTR, PTR, PTR, PTR, I32, I32,
            I64, I64, I32, I64, I32);
    public static final KernelSpec NORM_BACKWARD_X_D = KernelSpec.of("norm", "vfm_norm_backward_x_d", PTR, PTR, PTR, PTR, PTR, PTR, I32, I32,
            I64, I64, I32, I64, I32);
    public static final KernelSpec NORM_BACKWARD_WB = KernelSpec.of("norm", "vfm_norm_backward_wb", PTR, PTR, PTR, PTR, PTR, PTR, I32, I32,
            I64, I64, I32, I64, I64, I32);

    // optim.cu
    public static final KernelSpec ADAM_F32 = KernelSpec.of("optim", "vfm_adam_f32", PTR, PTR, PTR, PTR, I64, F32, F32, F32, F32, F32, F32,
            F32, F32, F32, I32);

    // rope.cu
    public static final KernelSpec ROPE = KernelSpec.of("rope", "vfm_rope", PTR, PTR, PTR, I32, I64, I64, I64, I32, I64);

    // deformable.cu
    public static final KernelSpec MSDA_FORWARD = KernelSpec.of("deformable", "vfm_msda_forward", PTR, LEVELS, PTR, PTR, PTR, I64, I64, I64,
            I64, I32, I64);
    public static final KernelSpec MSDA_BACKWARD = KernelSpec.of("deformable", "vfm_msda_backward", PTR, LEVELS, PTR, PTR, PTR, PTR, PTR, PTR,
            I64, I64, I64, I64, I32, I64);

    // attention.cu
    public static final KernelSpec ATTENTION_FORWARD = KernelSpec.of("attention", "vfm_attention_forward", PTR, PTR, PTR, PTR, PTR, PTR,
            STRIDED, STRIDED, STRIDED, STRIDED, STRIDED, I64, I64, I64, I64, I64, I64, I32, F32);
    public static final KernelSpec ATTENTION_BACKWARD_Q = KernelSpec.of("attention", "vfm_attention_backward_q", PTR, PTR, PTR, PTR, PTR, PTR,
            PTR, PTR, PTR, STRIDED, STRIDED, STRIDED, STRIDED, STRIDED, STRIDED, STRIDED, I64, I64, I64, I64, I64, I64, I32, F32);
    public static final KernelSpec ATTENTION_BACKWARD_KV = KernelSpec.of("attention", "vfm_attention_backward_kv", PTR, PTR, PTR, PTR, PTR, PTR,
            PTR, PTR, PTR, STRIDED, STRIDED, STRIDED, STRIDED, STRIDED, STRIDED, STRIDED, I64, I64, I64, I64, I64, I64, I32, F32);

    public static final List<KernelSpec> ALL = List.of(UNARY_F, UNARY_D, UNARY_BACKWARD_F, UNARY_BACKWARD_D, BINARY_F, BINARY_D, WHERE_F,
            WHERE_D, COPY, FILL, REDUCE_F, REDUCE_D, VARIANCE_F, VARIANCE_D, ARGREDUCE, SOFTMAX_F, SOFTMAX_D, SOFTMAX_BACKWARD_F,
            SOFTMAX_BACKWARD_D, NORM_FORWARD_F, NORM_FORWARD_D, NORM_BACKWARD_X_F, NORM_BACKWARD_X_D, NORM_BACKWARD_WB, ADAM_F32, ROPE,
            MSDA_FORWARD, MSDA_BACKWARD, ATTENTION_FORWARD, ATTENTION_BACKWARD_Q, ATTENTION_BACKWARD_KV);
}
