// Rotary position embedding as LlamaGen applies it (apply_rotary_emb): x (B, L, H, D) contiguous,
// pairs (x[2j], x[2j+1]) rotated by the angle whose (cos, sin) is freqs (L, D/2, 2) [F32]:
//   out[2j] = x0·cos − x1·sin,  out[2j+1] = x1·cos + x0·sin.
// inverse = 1 rotates by the negative angle: the gradient of the forward rotation.
#include "common.cuh"

extern "C" __global__ void vfm_rope(const void* x, const float* freqs, void* out, int t, long long seq, long long heads,
                                    long long halfDim, int inverse, long long pairs) {
    VFM_GRID_LOOP(i, pairs) {
        long long j = i % halfDim;
        long long pos = (i / halfDim / heads) % seq;
        float c = freqs[(pos * halfDim + j) * 2], s = freqs[(pos * halfDim + j) * 2 + 1];
        if (inverse) s = -s;
        float x0 = load<float>(x, t, 2 * i), x1 = load<float>(x, t, 2 * i + 1);
        store<float>(out, t, 2 * i, x0 * c - x1 * s);
        store<float>(out, t, 2 * i + 1, x1 * c + x0 * s);
    }
}
