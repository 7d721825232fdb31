// Layer, RMS and group norm, forward and backward, mirroring ScalarNorm's "normalise contiguous
// blocks" formulation: blocks × m elements; element e of block k uses weight index
//   c = e                                  (groups == 0: layer/RMS norm, one block per row)
//   c = (k % groups)·(m / spatial) + e / spatial   (group norm, one block per (sample, group)).
// x, w, b, out, g, gx share the dtype t; the statistics (mean, rstd) have dtype st. centred = 1 for
// layer/group norm (subtract the mean), 0 for RMS norm. One thread block per normalised block.
#include "common.cuh"

__device__ __forceinline__ long long channel_of(long long k, long long e, long long m, int groups, long long spatial) {
    return groups == 0 ? e : (k % groups) * (m / spatial) + e / spatial;
}

template <typename T>
__device__ void norm_forward(const void* x, const void* w, const void* b, void* out, void* mean, void* rstd, int t, int st,
                             long long blocks, long long m, int groups, long long spatial, double eps, int centred) {
    for (long long k = blockIdx.x; k < blocks; k += gridDim.x) {
        long long base = k * m;
        T mu = 0;
        if (centred) {
            T s = 0;
            for (long long e = threadIdx.x; e < m; e += blockDim.x) s += load<T>(x, t, base + e);
            mu = block_reduce<SumOp<T>>(s) / (T) m;
        }
        T ss = 0;
        for (long long e = threadIdx.x; e < m; e += blockDim.x) {
            T d = load<T>(x, t, base + e) - mu;
            ss += d * d;
        }
        ss = block_reduce<SumOp<T>>(ss);
        T r = (T) 1 / sqrt(ss / (T) m + (T) eps);
        if (threadIdx.x == 0) {
            if (mean != nullptr) store<T>(mean, st, k, mu);
            store<T>(rstd, st, k, r);
        }
        for (long long e = threadIdx.x; e < m; e += blockDim.x) {
            long long c = channel_of(k, e, m, groups, spatial);
            T y = (load<T>(x, t, base + e) - mu) * r;
            if (w != nullptr) y *= load<T>(w, t, c);
            if (b != nullptr) y += load<T>(b, t, c);
            store<T>(out, t, base + e, y);
        }
    }
}

extern "C" __global__ void vfm_norm_forward_f(const void* x, const void* w, const void* b, void* out, void* mean, void* rstd,
                                              int t, int st, long long blocks, long long m, int groups, long long spatial,
                                              double eps, int centred) {
    norm_forward<float>(x, w, b, out, mean, rstd, t, st, blocks, m, groups, spatial, eps, centred);
}
extern "C" __global__ void vfm_norm_forward_d(const void* x, const void* w, const void* b, void* out, void* mean, void* rstd,
                                              int t, int st, long long blocks, long long m, int groups, long long spatial,
                                              double eps, int centred) {
    norm_forward<double>(x, w, b, out, mean, rstd, t, st, blocks, m, groups, spatial, eps, centred);
}

// gx = rstd·(g' − mean(g') − xhat·mean(g'·xhat)) with g' = g·w (mean(g') dropped for RMS norm).
template <typename T>
__device__ void norm_backward_x(const void* g, const void* x, const void* w, const void* mean, const void* rstd, void* gx, int t,
                                int st, long long blocks, long long m, int groups, long long spatial, int centred) {
    for (long long k = blockIdx.x; k < blocks; k += gridDim.x) {
        long long base = k * m;
        T mu = centred ? load<T>(mean, st, k) : (T) 0, r = load<T>(rstd, st, k);
        T sumG = 0, sumGX = 0;
        for (long long e = threadIdx.x; e < m; e += blockDim.x) {
            T gp = load<T>(g, t, base + e);
            if (w != nullptr) gp *= load<T>(w, t, channel_of(k, e, m, groups, spatial));
            sumG += gp;
            sumGX += gp * (load<T>(x, t, base + e) - mu) * r;
        }
        sumG = block_reduce<SumOp<T>>(sumG);
        sumGX = block_reduce<SumOp<T>>(sumGX);
        T meanG = centred ? sumG / (T) m : (T) 0, meanGX = sumGX / (T) m;
        for (long long e = threadIdx.x; e < m; e += blockDim.x) {
            T gp = load<T>(g, t, base + e);
            if (w != nullptr) gp *= load<T>(w, t, channel_of(k, e, m, groups, spatial));
            T xhat = (load<T>(x, t, base + e) - mu) * r;
            store<T>(gx, t, base + e, r * (gp - meanG - xhat * meanGX));
        }
    }
}

extern "C" __global__ void vfm_norm_backward_x_f(const void* g, const void* x, const void* w, const void* mean, const void* rstd,
                                                 void* gx, int t, int st, long long blocks, long long m, int groups,
                                                 long long spatial, int centred) {
    norm_backward_x<float>(g, x, w, mean, rstd, gx, t, st, blocks, m, groups, spatial, centred);
}
extern "C" __global__ void vfm_norm_backward_x_d(const void* g, const void* x, const void* w, const void* mean, const void* rstd,
                                                 void* gx, int t, int st, long long blocks, long long m, int groups,
                                                 long long spatial, int centred) {
    norm_backward_x<double>(g, x, w, mean, rstd, gx, t, st, blocks, m, groups, spatial, centred);
}

// gw[c] = Σ g·xhat, gb[c] = Σ g over every element that uses weight c; one thread per channel,
// accumulated in double (the sums run over every row). gw or gb may be null.
extern "C" __global__ void vfm_norm_backward_wb(const void* g, const void* x, const void* mean, const void* rstd, void* gw,
                                                void* gb, int t, int st, long long blocks, long long m, int groups,
                                                long long spatial, long long channels, int centred) {
    VFM_GRID_LOOP(c, channels) {
        double sw = 0, sb = 0;
        if (groups == 0) {
            for (long long k = 0; k < blocks; k++) {
                double mu = centred ? load<double>(mean, st, k) : 0.0, r = load<double>(rstd, st, k);
                double gv = load<double>(g, t, k * m + c);
                sw += gv * (load<double>(x, t, k * m + c) - mu) * r;
                sb += gv;
            }
        } else {
            long long cpg = m / spatial, samples = blocks / groups;
            for (long long n = 0; n < samples; n++) {
                long long k = n * groups + c / cpg;
                double mu = centred ? load<double>(mean, st, k) : 0.0, r = load<double>(rstd, st, k);
                long long base = k * m + (c % cpg) * spatial;
                for (long long s = 0; s < spatial; s++) {
                    double gv = load<double>(g, t, base + s);
                    sw += gv * (load<double>(x, t, base + s) - mu) * r;
                    sb += gv;
                }
            }
        }
        if (gw != nullptr) store<double>(gw, t, c, sw);
        if (gb != nullptr) store<double>(gb, t, c, sb);
    }
}
