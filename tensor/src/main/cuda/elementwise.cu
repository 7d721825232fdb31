// Elementwise kernels over strided, broadcast operands: unary ops and their gradients, binary ops
// (comparisons write 0/1 in the output's dtype), where, dtype-converting copy and fill. Operands may
// have any strides (stride 0 = broadcast); the Java side merges dims first so the index arithmetic is
// short. Each op comes in two precisions: _f computes in float (F32, F16, BF16 tensors), _d in double
// (F64 and integer tensors).
#include "ops.cuh"

template <typename T>
__device__ void unary_kernel(Shape s, Strided xs, Strided os, const void* x, void* out, int xt, int ot, int op, double a,
                             double b, long long n) {
    VFM_GRID_LOOP(i, n) {
        T v = load<T>(x, xt, offset_of(i, s, xs));
        store<T>(out, ot, offset_of(i, s, os), unary_apply<T>(op, v, (T) a, (T) b));
    }
}

template <typename T>
__device__ void unary_backward_kernel(Shape s, Strided xs, Strided ys, Strided gs, Strided is, const void* x, const void* y,
                                      const void* g, void* gi, int t, int op, double a, double b, long long n) {
    VFM_GRID_LOOP(i, n) {
        T xv = load<T>(x, t, offset_of(i, s, xs));
        T yv = load<T>(y, t, offset_of(i, s, ys));
        T gv = load<T>(g, t, offset_of(i, s, gs));
        // ReLU's backward selects (torch's threshold_backward): a NaN or infinite gradient where the unit is off stays out
        store<T>(gi, t, offset_of(i, s, is), op == RELU ? (xv > (T) 0 ? gv : (T) 0) : gv * unary_derivative<T>(op, xv, yv, (T) a, (T) b));
    }
}

template <typename T>
__device__ void binary_kernel(Shape s, Strided xs, Strided ys, Strided os, const void* x, const void* y, void* out, int xt,
                              int yt, int ot, int op, long long n) {
    VFM_GRID_LOOP(i, n) {
        T xv = load<T>(x, xt, offset_of(i, s, xs));
        T yv = load<T>(y, yt, offset_of(i, s, ys));
        store<T>(out, ot, offset_of(i, s, os), binary_apply<T>(op, xv, yv));
    }
}

template <typename T>
__device__ void where_kernel(Shape s, Strided cs, Strided xs, Strided ys, Strided os, const void* c, const void* x,
                             const void* y, void* out, int ct, int t, long long n) {
    VFM_GRID_LOOP(i, n) {
        bool pick = load<double>(c, ct, offset_of(i, s, cs)) != 0.0;
        T v = pick ? load<T>(x, t, offset_of(i, s, xs)) : load<T>(y, t, offset_of(i, s, ys));
        store<T>(out, t, offset_of(i, s, os), v);
    }
}

extern "C" __global__ void vfm_unary_f(Shape s, Strided xs, Strided os, const void* x, void* out, int xt, int ot, int op,
                                       double a, double b, long long n) {
    unary_kernel<float>(s, xs, os, x, out, xt, ot, op, a, b, n);
}
extern "C" __global__ void vfm_unary_d(Shape s, Strided xs, Strided os, const void* x, void* out, int xt, int ot, int op,
                                       double a, double b, long long n) {
    unary_kernel<double>(s, xs, os, x, out, xt, ot, op, a, b, n);
}

extern "C" __global__ void vfm_unary_backward_f(Shape s, Strided xs, Strided ys, Strided gs, Strided is, const void* x,
                                                const void* y, const void* g, void* gi, int t, int op, double a, double b,
                                                long long n) {
    unary_backward_kernel<float>(s, xs, ys, gs, is, x, y, g, gi, t, op, a, b, n);
}
extern "C" __global__ void vfm_unary_backward_d(Shape s, Strided xs, Strided ys, Strided gs, Strided is, const void* x,
                                                const void* y, const void* g, void* gi, int t, int op, double a, double b,
                                                long long n) {
    unary_backward_kernel<double>(s, xs, ys, gs, is, x, y, g, gi, t, op, a, b, n);
}

extern "C" __global__ void vfm_binary_f(Shape s, Strided xs, Strided ys, Strided os, const void* x, const void* y, void* out,
                                        int xt, int yt, int ot, int op, long long n) {
    binary_kernel<float>(s, xs, ys, os, x, y, out, xt, yt, ot, op, n);
}
extern "C" __global__ void vfm_binary_d(Shape s, Strided xs, Strided ys, Strided os, const void* x, const void* y, void* out,
                                        int xt, int yt, int ot, int op, long long n) {
    binary_kernel<double>(s, xs, ys, os, x, y, out, xt, yt, ot, op, n);
}

extern "C" __global__ void vfm_where_f(Shape s, Strided cs, Strided xs, Strided ys, Strided os, const void* c, const void* x,
                                       const void* y, void* out, int ct, int t, long long n) {
    where_kernel<float>(s, cs, xs, ys, os, c, x, y, out, ct, t, n);
}
extern "C" __global__ void vfm_where_d(Shape s, Strided cs, Strided xs, Strided ys, Strided os, const void* c, const void* x,
                                       const void* y, void* out, int ct, int t, long long n) {
    where_kernel<double>(s, cs, xs, ys, os, c, x, y, out, ct, t, n);
}

// Copy with dtype conversion. Same dtype: the bits move unchanged (exact for I64 and NaN payloads);
// otherwise through double, as the scalar oracle converts.
extern "C" __global__ void vfm_copy(Shape s, Strided src, Strided dst, const void* x, void* y, int st, int dt, int elemBytes,
                                    long long n) {
    VFM_GRID_LOOP(i, n) {
        long long a = offset_of(i, s, src), b = offset_of(i, s, dst);
        if (st == dt) {
            switch (elemBytes) {
                case 8: ((long long*) y)[b] = ((const long long*) x)[a]; break;
                case 4: ((int*) y)[b] = ((const int*) x)[a]; break;
                case 2: ((short*) y)[b] = ((const short*) x)[a]; break;
                default: ((char*) y)[b] = ((const char*) x)[a]; break;
            }
        } else {
            store<double>(y, dt, b, load<double>(x, st, a));
        }
    }
}

extern "C" __global__ void vfm_fill(Shape s, Strided dst, void* y, int dt, double value, long long n) {
    VFM_GRID_LOOP(i, n) { store<double>(y, dt, offset_of(i, s, dst), value); }
}
