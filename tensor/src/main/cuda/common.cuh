// Shared definitions of the project's CUDA kernels (compiled to PTX by tools/build-cuda-kernels.sh and
// loaded with cuModuleLoadData by org.vfmtok.tensor.cuda.CudaModule). Every kernel is extern "C" so
// that its PTX entry name is the name Java launches; org.vfmtok.tensor.cuda.Kernels declares each
// kernel's parameter list and a CPU test checks it against the committed PTX.
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#define VFM_MAX_DIMS 8

// Element types: the ordinals of org.vfmtok.tensor.DType.
enum DTypeCode { T_F32 = 0, T_F64 = 1, T_F16 = 2, T_BF16 = 3, T_I32 = 4, T_I64 = 5, T_U8 = 6, T_BOOL = 7 };

// The iteration space of an elementwise kernel (Java: Layouts.shape). Sizes are 64-bit so that index
// arithmetic never overflows. 8 + 8*8 = 72 bytes.
struct Shape {
    int rank;
    int pad_;
    long long size[VFM_MAX_DIMS];
};

// One operand over a Shape: element offset and per-dim strides in elements (Java: Layouts.operand).
// A broadcast dim has stride 0. 8 + 8*8 = 72 bytes.
struct Strided {
    long long offset;
    long long stride[VFM_MAX_DIMS];
};

// Element offset of linear index i (row-major over s) in operand o.
__device__ __forceinline__ long long offset_of(long long i, const Shape& s, const Strided& o) {
    long long off = o.offset;
#pragma unroll 1
    for (int d = s.rank - 1; d >= 0; --d) {
        long long n = s.size[d];
        long long q = i / n;
        off += (i - q * n) * o.stride[d];
        i = q;
    }
    return off;
}

// Reads element i of a buffer of type t as T (float or double).
template <typename T>
__device__ __forceinline__ T load(const void* p, int t, long long i) {
    switch (t) {
        case T_F32: return (T) ((const float*) p)[i];
        case T_F64: return (T) ((const double*) p)[i];
        case T_F16: return (T) __half2float(((const __half*) p)[i]);
        case T_BF16: return (T) __bfloat162float(((const __nv_bfloat16*) p)[i]);
        case T_I32: return (T) ((const int*) p)[i];
        case T_I64: return (T) ((const long long*) p)[i];
        case T_U8: return (T) ((const unsigned char*) p)[i];
        default: return (T) (((const unsigned char*) p)[i] != 0 ? 1 : 0);
    }
}

// Writes v to element i of a buffer of type t: round to nearest even for floats (through float for the
// half types, as DType.write does), truncation for integers, 0/1 for BOOL.
template <typename T>
__device__ __forceinline__ void store(void* p, int t, long long i, T v) {
    switch (t) {
        case T_F32: ((float*) p)[i] = (float) v; break;
        case T_F64: ((double*) p)[i] = (double) v; break;
        case T_F16: ((__half*) p)[i] = __float2half_rn((float) v); break;
        case T_BF16: ((__nv_bfloat16*) p)[i] = __float2bfloat16_rn((float) v); break;
        case T_I32: ((int*) p)[i] = (int) v; break;
        case T_I64: ((long long*) p)[i] = (long long) v; break;
        case T_U8: ((unsigned char*) p)[i] = (unsigned char) (int) v; break;
        default: ((unsigned char*) p)[i] = v != (T) 0 ? 1 : 0; break;
    }
}

// Grid-stride loop over [0, n).
// No unrolling: these loops are memory-bound, and unrolled copies of the dtype switches would multiply
// the PTX size (the resources are committed).
#define VFM_GRID_LOOP(i, n) \
    _Pragma("unroll 1") for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (long long) gridDim.x * blockDim.x)

// ------------------------------------------------------------------ block reductions
// blockDim.x is a multiple of 32 (the Java launcher uses 128, 256 or 512). Every thread gets the result.

template <typename T> struct SumOp {
    __device__ static T identity() { return (T) 0; }
    __device__ static T combine(T a, T b) { return a + b; }
};
template <typename T> struct ProdOp {
    __device__ static T identity() { return (T) 1; }
    __device__ static T combine(T a, T b) { return a * b; }
};
// max/min that propagate NaN, as the scalar oracle does
template <typename T> struct MaxOp {
    __device__ static T identity() { return (T) -INFINITY; }
    __device__ static T combine(T a, T b) { return a != a ? a : (b != b ? b : (a > b ? a : b)); }
};
template <typename T> struct MinOp {
    __device__ static T identity() { return (T) INFINITY; }
    __device__ static T combine(T a, T b) { return a != a ? a : (b != b ? b : (a < b ? a : b)); }
};

template <typename Op, typename T>
__device__ __forceinline__ T warp_reduce(T v) {
    for (int o = 16; o > 0; o >>= 1) v = Op::combine(v, __shfl_xor_sync(0xffffffffu, v, o));
    return v;
}

template <typename Op, typename T>
__device__ __forceinline__ T block_reduce(T v) {
    __shared__ T partial[32];
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    v = warp_reduce<Op>(v);
    __syncthreads();  // a previous call may still be reading partial
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    T r = lane < warps ? partial[lane] : Op::identity();
    return warp_reduce<Op>(r);
}
