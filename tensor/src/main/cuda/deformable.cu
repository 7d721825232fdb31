// Multi-scale deformable attention (Deformable-DETR's MSDeformAttn), F32, contiguous tensors, as
// DeformableKernels documents: value (N, S, M, D), loc (N, Lq, M, L, P, 2) as (x, y) in [0, 1],
// weights (N, Lq, M, L, P), out (N, Lq, M·D). Sampling is bilinear with align_corners = False
// (pixel = coord·size − 0.5) and zero padding, exactly ScalarDeformable's arithmetic.
#include "common.cuh"

#define VFM_MAX_LEVELS 16

// Level geometry (Java: CudaDeformable.levels): 4 + 3·16·4 = 196 bytes.
struct Levels {
    int count;
    int h[VFM_MAX_LEVELS];
    int w[VFM_MAX_LEVELS];
    int start[VFM_MAX_LEVELS];
};

__device__ __forceinline__ float msda_sample(const float* value, long long b, long long s, long long m, long long d, long long h,
                                             long long c, int start, int hh, int ww, float x, float y) {
    if (!(x > -1.0f && y > -1.0f && x < (float) ww && y < (float) hh)) return 0.0f;
    int x0 = (int) floorf(x), y0 = (int) floorf(y);
    float lx = x - x0, ly = y - y0, v = 0.0f;
    for (int dy = 0; dy <= 1; dy++) {
        for (int dx = 0; dx <= 1; dx++) {
            int yy = y0 + dy, xx = x0 + dx;
            if (yy < 0 || xx < 0 || yy >= hh || xx >= ww) continue;
            float wgt = (dy == 0 ? 1.0f - ly : ly) * (dx == 0 ? 1.0f - lx : lx);
            v += wgt * value[((b * s + start + (long long) yy * ww + xx) * m + h) * d + c];
        }
    }
    return v;
}

// One thread per output element (b, q, h, c).
extern "C" __global__ void vfm_msda_forward(const float* value, Levels lv, const float* loc, const float* weights, float* out,
                                            long long s, long long m, long long d, long long lq, int points, long long total) {
    VFM_GRID_LOOP(i, total) {
        long long c = i % d, h = (i / d) % m, q = (i / d / m) % lq, b = i / d / m / lq;
        float acc = 0.0f;
        for (int l = 0; l < lv.count; l++) {
            for (int p = 0; p < points; p++) {
                long long wi = (((b * lq + q) * m + h) * lv.count + l) * points + p;
                float x = loc[wi * 2] * lv.w[l] - 0.5f, y = loc[wi * 2 + 1] * lv.h[l] - 0.5f;
                acc += weights[wi] * msda_sample(value, b, s, m, d, h, c, lv.start[l], lv.h[l], lv.w[l], x, y);
            }
        }
        out[i] = acc;
    }
}

// One thread per sample (b, q, h, l, p), looping over channels. gValue must be zeroed first (the
// Java side does): samples that hit the same value element add atomically. gValue, gLoc, gWeights
// may be null.
extern "C" __global__ void vfm_msda_backward(const float* value, Levels lv, const float* loc, const float* weights,
                                             const float* gradOut, float* gValue, float* gLoc, float* gWeights, long long s,
                                             long long m, long long d, long long lq, int points, long long total) {
    VFM_GRID_LOOP(wi, total) {
        long long l = (wi / points) % lv.count, h = (wi / points / lv.count) % m;
        long long q = (wi / points / lv.count / m) % lq, b = wi / points / lv.count / m / lq;
        int hh = lv.h[l], ww = lv.w[l];
        float w = weights[wi];
        float x = loc[wi * 2] * ww - 0.5f, y = loc[wi * 2 + 1] * hh - 0.5f;
        float gw = 0.0f, gx = 0.0f, gy = 0.0f;
        bool inside = x > -1.0f && y > -1.0f && x < (float) ww && y < (float) hh;
        int x0 = (int) floorf(x), y0 = (int) floorf(y);
        float lx = x - x0, ly = y - y0;
        for (long long c = 0; c < d && inside; c++) {
            float go = gradOut[((b * lq + q) * m + h) * d + c];
            for (int dy = 0; dy <= 1; dy++) {
                for (int dx = 0; dx <= 1; dx++) {
                    int yy = y0 + dy, xx = x0 + dx;
                    if (yy < 0 || xx < 0 || yy >= hh || xx >= ww) continue;
                    long long vi = ((b * s + lv.start[l] + (long long) yy * ww + xx) * m + h) * d + c;
                    float v = value[vi];
                    float wy = dy == 0 ? 1.0f - ly : ly, wx = dx == 0 ? 1.0f - lx : lx;
                    gw += go * wy * wx * v;
                    gx += go * w * v * wy * (dx == 0 ? -1.0f : 1.0f);
                    gy += go * w * v * wx * (dy == 0 ? -1.0f : 1.0f);
                    if (gValue != nullptr) atomicAdd(&gValue[vi], go * w * wy * wx);
                }
            }
        }
        if (gWeights != nullptr) gWeights[wi] = gw;
        if (gLoc != nullptr) {
            gLoc[wi * 2] = gx * ww;
            gLoc[wi * 2 + 1] = gy * hh;
        }
    }
}
