// Fused optimizer steps. Adam/AdamW in float32 with PyTorch's single-tensor update order, exactly as
// org.vfmtok.nn.optim.Adam computes it on the CPU (each product and sum rounded separately: the
// __f*_rn intrinsics keep nvcc from contracting them into FMAs, so CPU and GPU agree to the bit):
//   AdamW: p ← p·decay (decay = 1 − lr·wd)          Adam: g ← g + wd·p
//   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  p ← p − stepSize · m / (√v / √bc2 + ε)
#include "common.cuh"

extern "C" __global__ void vfm_adam_f32(float* p, const float* g, float* m, float* v, long long n, float wd, float decay,
                                        float b1, float b2, float oneMinusB1, float oneMinusB2, float stepSize, float bc2Sqrt,
                                        float eps, int decoupled) {
    VFM_GRID_LOOP(i, n) {
        float pv = p[i], gv = g[i];
        if (decoupled) {
            if (wd != 0.0f) pv = __fmul_rn(pv, decay);
        } else if (wd != 0.0f) {
            gv = __fadd_rn(gv, __fmul_rn(wd, pv));
        }
        float mv = __fadd_rn(__fmul_rn(m[i], b1), __fmul_rn(oneMinusB1, gv));
        float vv = __fadd_rn(__fmul_rn(v[i], b2), __fmul_rn(__fmul_rn(oneMinusB2, gv), gv));
        m[i] = mv;
        v[i] = vv;
        float denom = __fadd_rn(__fdiv_rn(__fsqrt_rn(vv), bc2Sqrt), eps);
        p[i] = __fsub_rn(pv, __fmul_rn(stepSize, __fdiv_rn(mv, denom)));
    }
}
