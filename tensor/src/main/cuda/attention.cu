// Scaled dot-product attention, F32, a straightforward (not flash) version that holds one row of
// scores in shared memory. Semantics are AttentionKernels': q (B,H,Lq,D), k (B,H,Lk,D),
// v (B,H,Lk,Dv), out (B,H,Lq,Dv), gradients of the shapes of q/k/v, all with any strides (Strided over
// 4 dims); mask BOOL (B,H,Lq,Lk) any strides or null; causal = top-left aligned (key j <= query i);
// lse (B,H,Lq) contiguous, natural log; a fully masked row gives out 0, lse −inf, zero gradients.
#include "common.cuh"

__device__ __forceinline__ long long at4(const Strided& t, long long b, long long h, long long i, long long j) {
    return t.offset + b * t.stride[0] + h * t.stride[1] + i * t.stride[2] + j * t.stride[3];
}

__device__ __forceinline__ bool attends(const unsigned char* mask, const Strided& ms, int causal, long long b, long long h,
                                        long long i, long long j) {
    if (causal && j > i) return false;
    return mask == nullptr || mask[at4(ms, b, h, i, j)] != 0;
}

__device__ __forceinline__ float score(const float* q, const Strided& qs, const float* k, const Strided& ks, long long b,
                                       long long h, long long i, long long j, long long d, float scale) {
    float acc = 0.0f;
    for (long long e = 0; e < d; e++) acc += q[at4(qs, b, h, i, e)] * k[at4(ks, b, h, j, e)];
    return acc * scale;
}

// One block per query row; dynamic shared memory: Lk floats.
extern "C" __global__ void vfm_attention_forward(const float* q, const float* k, const float* v, const unsigned char* mask,
                                                 float* out, float* lse, Strided qs, Strided ks, Strided vs, Strided ms,
                                                 Strided os, long long bh, long long heads, long long lq, long long lk,
                                                 long long d, long long dv, int causal, float scale) {
    extern __shared__ float p[];
    for (long long row = blockIdx.x; row < bh * lq; row += gridDim.x) {
        long long i = row % lq, h = (row / lq) % heads, b = row / lq / heads;
        float mx = -INFINITY;
        for (long long j = threadIdx.x; j < lk; j += blockDim.x) {
            float s = attends(mask, ms, causal, b, h, i, j) ? score(q, qs, k, ks, b, h, i, j, d, scale) : -INFINITY;
            p[j] = s;
            mx = MaxOp<float>::combine(mx, s);
        }
        mx = block_reduce<MaxOp<float>>(mx);
        bool empty = mx == -INFINITY;
        float sum = 0.0f;
        for (long long j = threadIdx.x; j < lk; j += blockDim.x) {
            float e = empty || p[j] == -INFINITY ? 0.0f : expf(p[j] - mx);
            p[j] = e;
            sum += e;
        }
        sum = block_reduce<SumOp<float>>(sum);  // also makes every p[j] visible to the block
        float inv = empty ? 0.0f : 1.0f / sum;
        for (long long e = threadIdx.x; e < dv; e += blockDim.x) {
            float acc = 0.0f;
            for (long long j = 0; j < lk; j++) acc += p[j] * v[at4(vs, b, h, j, e)];
            out[at4(os, b, h, i, e)] = acc * inv;
        }
        if (threadIdx.x == 0 && lse != nullptr) lse[row] = empty ? -INFINITY : mx + logf(sum);
        __syncthreads();  // p is reused by the next row
    }
}

// Backward, pass 1, one block per query row: delta_i = gO_i·out_i (saved for pass 2) and
// gq_i = scale · Σ_j p_ij (gO_i·v_j − delta_i) k_j. Dynamic shared memory: Lk floats.
extern "C" __global__ void vfm_attention_backward_q(const float* q, const float* k, const float* v, const unsigned char* mask,
                                                    const float* out, const float* lse, const float* gout, float* gq,
                                                    float* delta, Strided qs, Strided ks, Strided vs, Strided ms, Strided os,
                                                    Strided gos, Strided gqs, long long bh, long long heads, long long lq,
                                                    long long lk, long long d, long long dv, int causal, float scale) {
    extern __shared__ float ds[];
    for (long long row = blockIdx.x; row < bh * lq; row += gridDim.x) {
        long long i = row % lq, h = (row / lq) % heads, b = row / lq / heads;
        float l = lse[row];
        float part = 0.0f;
        for (long long e = threadIdx.x; e < dv; e += blockDim.x) part += gout[at4(gos, b, h, i, e)] * out[at4(os, b, h, i, e)];
        float di = block_reduce<SumOp<float>>(part);
        for (long long j = threadIdx.x; j < lk; j += blockDim.x) {
            float g = 0.0f;
            if (l != -INFINITY && attends(mask, ms, causal, b, h, i, j)) {
                float pij = expf(score(q, qs, k, ks, b, h, i, j, d, scale) - l);
                float dp = 0.0f;
                for (long long e = 0; e < dv; e++) dp += gout[at4(gos, b, h, i, e)] * v[at4(vs, b, h, j, e)];
                g = pij * (dp - di);
            }
            ds[j] = g;
        }
        __syncthreads();
        for (long long e = threadIdx.x; e < d; e += blockDim.x) {
            float acc = 0.0f;
            for (long long j = 0; j < lk; j++) acc += ds[j] * k[at4(ks, b, h, j, e)];
            gq[at4(gqs, b, h, i, e)] = acc * scale;
        }
        if (threadIdx.x == 0) delta[row] = di;
        __syncthreads();
    }
}

// Backward, pass 2, one block per key row j: gk_j = scale · Σ_i dS_ij q_i and gv_j = Σ_i p_ij gO_i,
// with dS_ij = p_ij (gO_i·v_j − delta_i). Deterministic (no atomics). Dynamic shared memory: 2·Lq floats.
extern "C" __global__ void vfm_attention_backward_kv(const float* q, const float* k, const float* v, const unsigned char* mask,
                                                     const float* lse, const float* delta, const float* gout, float* gk,
                                                     float* gv, Strided qs, Strided ks, Strided vs, Strided ms, Strided gos,
                                                     Strided gks, Strided gvs, long long bh, long long heads, long long lq,
                                                     long long lk, long long d, long long dv, int causal, float scale) {
    extern __shared__ float sh[];
    float* pr = sh;
    float* ds = sh + lq;
    for (long long row = blockIdx.x; row < bh * lk; row += gridDim.x) {
        long long j = row % lk, h = (row / lk) % heads, b = row / lk / heads;
        long long rbase = (b * heads + h) * lq;
        for (long long i = threadIdx.x; i < lq; i += blockDim.x) {
            float l = lse[rbase + i], pij = 0.0f, g = 0.0f;
            if (l != -INFINITY && attends(mask, ms, causal, b, h, i, j)) {
                pij = expf(score(q, qs, k, ks, b, h, i, j, d, scale) - l);
                float dp = 0.0f;
                for (long long e = 0; e < dv; e++) dp += gout[at4(gos, b, h, i, e)] * v[at4(vs, b, h, j, e)];
                g = pij * (dp - delta[rbase + i]);
            }
            pr[i] = pij;
            ds[i] = g;
        }
        __syncthreads();
        for (long long e = threadIdx.x; e < d; e += blockDim.x) {
            float acc = 0.0f;
            for (long long i = 0; i < lq; i++) acc += ds[i] * q[at4(qs, b, h, i, e)];
            gk[at4(gks, b, h, j, e)] = acc * scale;
        }
        for (long long e = threadIdx.x; e < dv; e += blockDim.x) {
            float acc = 0.0f;
            for (long long i = 0; i < lq; i++) acc += pr[i] * gout[at4(gos, b, h, i, e)];
            gv[at4(gvs, b, h, j, e)] = acc;
        }
        __syncthreads();
    }
}
