// Reductions, variance, arg-max/min and (log-)softmax with its gradient. One thread block per output
// element (or per row); the block's threads stride over the reduced elements and combine with warp
// shuffles (common.cuh). Inputs may have any strides; outputs are contiguous unless an output Strided
// is passed. _f kernels compute in float, _d in double.
#include "common.cuh"

enum ReduceOp { R_SUM, R_MEAN, R_MAX, R_MIN, R_PROD };  // ReduceKernels.ReduceOp order

// outS/xOut: the kept dims (sizes and x's strides, x's offset); redS/xRed: the reduced dims (offset 0).
// out is contiguous with outN elements in row-major order of the kept dims.
template <typename T, typename Op>
__device__ void reduce_with(Shape outS, Strided xOut, Shape redS, Strided xRed, const void* x, void* out, int xt, int ot,
                            T scale, long long outN, long long redN) {
    for (long long o = blockIdx.x; o < outN; o += gridDim.x) {
        long long base = offset_of(o, outS, xOut);
        T acc = Op::identity();
        for (long long r = threadIdx.x; r < redN; r += blockDim.x) acc = Op::combine(acc, load<T>(x, xt, base + offset_of(r, redS, xRed)));
        acc = block_reduce<Op>(acc);
        if (threadIdx.x == 0) store<T>(out, ot, o, acc * scale);
    }
}

template <typename T>
__device__ void reduce_kernel(Shape outS, Strided xOut, Shape redS, Strided xRed, const void* x, void* out, int xt, int ot,
                              int op, long long outN, long long redN) {
    switch (op) {
        case R_SUM: reduce_with<T, SumOp<T>>(outS, xOut, redS, xRed, x, out, xt, ot, (T) 1, outN, redN); break;
        case R_MEAN: reduce_with<T, SumOp<T>>(outS, xOut, redS, xRed, x, out, xt, ot, (T) 1 / (T) redN, outN, redN); break;
        case R_MAX: reduce_with<T, MaxOp<T>>(outS, xOut, redS, xRed, x, out, xt, ot, (T) 1, outN, redN); break;
        case R_MIN: reduce_with<T, MinOp<T>>(outS, xOut, redS, xRed, x, out, xt, ot, (T) 1, outN, redN); break;
        default: reduce_with<T, ProdOp<T>>(outS, xOut, redS, xRed, x, out, xt, ot, (T) 1, outN, redN); break;
    }
}

extern "C" __global__ void vfm_reduce_f(Shape outS, Strided xOut, Shape redS, Strided xRed, const void* x, void* out, int xt,
                                        int ot, int op, long long outN, long long redN) {
    reduce_kernel<float>(outS, xOut, redS, xRed, x, out, xt, ot, op, outN, redN);
}
extern "C" __global__ void vfm_reduce_d(Shape outS, Strided xOut, Shape redS, Strided xRed, const void* x, void* out, int xt,
                                        int ot, int op, long long outN, long long redN) {
    reduce_kernel<double>(outS, xOut, redS, xRed, x, out, xt, ot, op, outN, redN);
}

// Two passes per output: the mean, then the sum of squared deviations / max(0, n - correction).
template <typename T>
__device__ void variance_kernel(Shape outS, Strided xOut, Shape redS, Strided xRed, const void* x, void* out, int xt, int ot,
                                int correction, long long outN, long long redN) {
    for (long long o = blockIdx.x; o < outN; o += gridDim.x) {
        long long base = offset_of(o, outS, xOut);
        T s = 0;
        for (long long r = threadIdx.x; r < redN; r += blockDim.x) s += load<T>(x, xt, base + offset_of(r, redS, xRed));
        T mean = block_reduce<SumOp<T>>(s) / (T) redN;
        T ss = 0;
        for (long long r = threadIdx.x; r < redN; r += blockDim.x) {
            T d = load<T>(x, xt, base + offset_of(r, redS, xRed)) - mean;
            ss += d * d;
        }
        ss = block_reduce<SumOp<T>>(ss);
        long long dof = redN - correction;
        if (threadIdx.x == 0) store<T>(out, ot, o, ss / (T) (dof > 0 ? dof : 0));
    }
}

extern "C" __global__ void vfm_variance_f(Shape outS, Strided xOut, Shape redS, Strided xRed, const void* x, void* out, int xt,
                                          int ot, int correction, long long outN, long long redN) {
    variance_kernel<float>(outS, xOut, redS, xRed, x, out, xt, ot, correction, outN, redN);
}
extern "C" __global__ void vfm_variance_d(Shape outS, Strided xOut, Shape redS, Strided xRed, const void* x, void* out, int xt,
                                          int ot, int correction, long long outN, long long redN) {
    variance_kernel<double>(outS, xOut, redS, xRed, x, out, xt, ot, correction, outN, redN);
}

// Index of the max (or min) along one dim, first on ties, and a NaN wins (the first NaN), as the
// scalar oracle's sequential scan decides. outer/xOuter: x's shape and strides with the dim at size 1;
// out is contiguous I64 in outer's row-major order.
__device__ __forceinline__ bool arg_better(bool isMax, double v, long long j, double bv, long long bj) {
    if (bj < 0) return j >= 0;
    if (j < 0) return false;
    bool vn = v != v, bn = bv != bv;
    if (vn || bn) return vn && (!bn || j < bj);
    if (v == bv) return j < bj;
    return isMax ? v > bv : v < bv;
}

extern "C" __global__ void vfm_argreduce(Shape outer, Strided xOuter, const void* x, long long* out, int xt, int isMax,
                                         long long len, long long step, long long outN) {
    __shared__ double sv[1024];
    __shared__ long long sj[1024];
    for (long long o = blockIdx.x; o < outN; o += gridDim.x) {
        long long base = offset_of(o, outer, xOuter);
        double bv = 0;
        long long bj = -1;
        for (long long j = threadIdx.x; j < len; j += blockDim.x) {
            double v = load<double>(x, xt, base + j * step);
            if (arg_better(isMax != 0, v, j, bv, bj)) { bv = v; bj = j; }
        }
        __syncthreads();
        sv[threadIdx.x] = bv;
        sj[threadIdx.x] = bj;
        __syncthreads();
        for (int w = blockDim.x / 2; w > 0; w >>= 1) {
            if (threadIdx.x < w && arg_better(isMax != 0, sv[threadIdx.x + w], sj[threadIdx.x + w], sv[threadIdx.x], sj[threadIdx.x])) {
                sv[threadIdx.x] = sv[threadIdx.x + w];
                sj[threadIdx.x] = sj[threadIdx.x + w];
            }
            __syncthreads();
        }
        if (threadIdx.x == 0) out[o] = sj[0] < 0 ? 0 : sj[0];
    }
}

// Softmax / log-softmax along one dim. outer: x's shape with the dim at size 1; xs/os: x's and out's
// strides (with offsets); xStep/oStep: their strides along the dim.
template <typename T>
__device__ void softmax_kernel(Shape outer, Strided xs, Strided os, const void* x, void* out, int t, int isLog, long long len,
                               long long xStep, long long oStep, long long rows) {
    for (long long row = blockIdx.x; row < rows; row += gridDim.x) {
        long long xb = offset_of(row, outer, xs), ob = offset_of(row, outer, os);
        T m = MaxOp<T>::identity();
        for (long long j = threadIdx.x; j < len; j += blockDim.x) m = MaxOp<T>::combine(m, load<T>(x, t, xb + j * xStep));
        m = block_reduce<MaxOp<T>>(m);
        T s = 0;
        for (long long j = threadIdx.x; j < len; j += blockDim.x) s += exp(load<T>(x, t, xb + j * xStep) - m);
        s = block_reduce<SumOp<T>>(s);
        T lse = m + log(s);
        for (long long j = threadIdx.x; j < len; j += blockDim.x) {
            T v = load<T>(x, t, xb + j * xStep);
            store<T>(out, t, ob + j * oStep, isLog ? v - lse : exp(v - lse));
        }
    }
}

extern "C" __global__ void vfm_softmax_f(Shape outer, Strided xs, Strided os, const void* x, void* out, int t, int isLog,
                                         long long len, long long xStep, long long oStep, long long rows) {
    softmax_kernel<float>(outer, xs, os, x, out, t, isLog, len, xStep, oStep, rows);
}
extern "C" __global__ void vfm_softmax_d(Shape outer, Strided xs, Strided os, const void* x, void* out, int t, int isLog,
                                         long long len, long long xStep, long long oStep, long long rows) {
    softmax_kernel<double>(outer, xs, os, x, out, t, isLog, len, xStep, oStep, rows);
}

// gradIn = y·(g − Σ g·y) for softmax, g − exp(y)·Σ g for log-softmax.
template <typename T>
__device__ void softmax_backward_kernel(Shape outer, Strided ys, Strided gs, Strided is, const void* y, const void* g, void* gi,
                                        int t, int isLog, long long len, long long yStep, long long gStep, long long iStep,
                                        long long rows) {
    for (long long row = blockIdx.x; row < rows; row += gridDim.x) {
        long long yb = offset_of(row, outer, ys), gb = offset_of(row, outer, gs), ib = offset_of(row, outer, is);
        T dot = 0;
        for (long long j = threadIdx.x; j < len; j += blockDim.x) {
            T gv = load<T>(g, t, gb + j * gStep);
            dot += isLog ? gv : gv * load<T>(y, t, yb + j * yStep);
        }
        dot = block_reduce<SumOp<T>>(dot);
        for (long long j = threadIdx.x; j < len; j += blockDim.x) {
            T yv = load<T>(y, t, yb + j * yStep), gv = load<T>(g, t, gb + j * gStep);
            store<T>(gi, t, ib + j * iStep, isLog ? gv - exp(yv) * dot : yv * (gv - dot));
        }
    }
}

extern "C" __global__ void vfm_softmax_backward_f(Shape outer, Strided ys, Strided gs, Strided is, const void* y, const void* g,
                                                  void* gi, int t, int isLog, long long len, long long yStep, long long gStep,
                                                  long long iStep, long long rows) {
    softmax_backward_kernel<float>(outer, ys, gs, is, y, g, gi, t, isLog, len, yStep, gStep, iStep, rows);
}
extern "C" __global__ void vfm_softmax_backward_d(Shape outer, Strided ys, Strided gs, Strided is, const void* y, const void* g,
                                                  void* gi, int t, int isLog, long long len, long long yStep, long long gStep,
                                                  long long iStep, long long rows) {
    softmax_backward_kernel<double>(outer, ys, gs, is, y, g, gi, t, isLog, len, yStep, gStep, iStep, rows);
}
