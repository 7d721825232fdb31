package org.vfmtok.tensor.cuda;

import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.AttentionKernels;
import org.vfmtok.tensor.backend.Workspace;

/**
 * Scaled dot-product attention (attention.cu), F32, any strides: one thread block per query row with
 * the row's scores in shared memory (so Lk is limited by shared memory: about 57,000 keys on Hopper).
 * Backward in two deterministic passes: per query row (gq, and delta = gO·out), then per key row (gk, gv).
 * Not a flash-attention kernel: it reads K and V once per query row.
 */
final class CudaAttention implements AttentionKernels {
    private static final int THREADS = 128;
    private final CudaBackend be;

    CudaAttention(CudaBackend be) { this.be = be; }

    private static long p(Tensor t) { return t == null ? 0 : CudaBackend.base(t); }

    private static long[] strides4(Tensor t) { return t == null ? new long[4] : t.strides(); }

    private static long offset(Tensor t) { return t == null ? 0 : t.offset(); }

    private int shared(long floats) {
        long bytes = floats * 4;
        long limit = Math.max(48 * 1024, be.dev.maxSharedOptin);
        if (bytes > limit) {
            throw new UnsupportedOperationException("CUDA attention keeps a row of " + floats + " scores in shared memory (" + bytes
                    + " bytes); this GPU allows " + limit + " per block");
        }
        return (int) bytes;
    }

    @Override
    public void attention(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale, Tensor out, Tensor lse) {
        be.check("attention", q, k, v, mask, out, lse);
        CudaBackend.requireDType("attention", DType.F32, q, k, v, out, lse);
        CudaBackend.requireContiguous("attention lse", lse);
        int[] s = AttentionKernels.checkShapes(q, k, v, mask, out, lse);
        long bh = (long) s[0] * s[1], rows = bh * s[2];
        if (rows == 0 || s[5] == 0 && lse == null) return;
        try (Launch l = be.dev.launch(Kernels.ATTENTION_FORWARD)) {
            l.ptr(p(q)).ptr(p(k)).ptr(p(v)).ptr(p(mask)).ptr(p(out)).ptr(lse == null ? 0 : CudaBackend.addr(lse))
                    .strided(q.offset(), q.strides()).strided(k.offset(), k.strides()).strided(v.offset(), v.strides())
                    .strided(offset(mask), strides4(mask)).strided(out.offset(), out.strides())
                    .i64(bh).i64(s[1]).i64(s[2]).i64(s[3]).i64(s[4]).i64(s[5]).i32(causal ? 1 : 0).f32((float) scale)
                    .launch(be.dev.blocksForRows(rows), THREADS, shared(s[3]));
        }
    }

    @Override
    public void attentionBackward(Tensor q, Tensor k, Tensor v, Tensor mask, boolean causal, double scale, Tensor out, Tensor lse,
                                  Tensor gradOut, Tensor gq, Tensor gk, Tensor gv) {
        be.check("attention backward", q, k, v, mask, out, lse, gradOut, gq, gk, gv);
        CudaBackend.requireDType("attention backward", DType.F32, q, k, v, out, lse, gradOut, gq, gk, gv);
        CudaBackend.requireContiguous("attention lse", lse);
        int[] s = AttentionKernels.checkShapes(q, k, v, mask, out, lse);
        long bh = (long) s[0] * s[1];
        if (bh * s[2] == 0 || s[3] == 0) { // no queries or no keys: all gradients are zero
            be.fill(gq, 0);
            be.fill(gk, 0);
            be.fill(gv, 0);
            return;
        }
        try (Scope tmp = Scope.open("cuda-attention")) {
            Tensor delta = Tensor.empty(DType.F32, q.device(), s[0], s[1], s[2]);
            try (Launch l = be.dev.launch(Kernels.ATTENTION_BACKWARD_Q)) {
                l.ptr(p(q)).ptr(p(k)).ptr(p(v)).ptr(p(mask)).ptr(p(out)).ptr(CudaBackend.addr(lse)).ptr(p(gradOut)).ptr(p(gq))
                        .ptr(CudaBackend.addr(delta))
                        .strided(q.offset(), q.strides()).strided(k.offset(), k.strides()).strided(v.offset(), v.strides())
                        .strided(offset(mask), strides4(mask)).strided(out.offset(), out.strides()).strided(gradOut.offset(), gradOut.strides())
                        .strided(gq.offset(), gq.strides())
                        .i64(bh).i64(s[1]).i64(s[2]).i64(s[3]).i64(s[4]).i64(s[5]).i32(causal ? 1 : 0).f32((float) scale)
                        .launch(be.dev.blocksForRows(bh * s[2]), THREADS, shared(s[3]));
            }
            try (Launch l = be.dev.launch(Kernels.ATTENTION_BACKWARD_KV)) {
                l.ptr(p(q)).ptr(p(k)).ptr(p(v)).ptr(p(mask)).ptr(CudaBackend.addr(lse)).ptr(CudaBackend.addr(delta)).ptr(p(gradOut))
                        .ptr(p(gk)).ptr(p(gv))
                        .strided(q.offset(), q.strides()).strided(k.offset(), k.strides()).strided(v.offset(), v.strides())
                        .strided(offset(mask), strides4(mask)).strided(gradOut.offset(), gradOut.strides())
                        .strided(gk.offset(), gk.strides()).strided(gv.offset(), gv.strides())
                        .i64(bh).i64(s[1]).i64(s[2]).i64(s[3]).i64(s[4]).i64(s[5]).i32(causal ? 1 : 0).f32((float) scale)
                        .launch(be.dev.blocksForRows(bh * s[3]), THREADS, shared(2L * s[2]));
            }
        }
    }

    // No CUDA kernels for the row (decode-step) mode yet: each call fails naming itself and the device.
    @Override
    public Workspace cachedWorkspace(int queries, int slots) { throw Unsupported.call("AttentionKernels", "cachedWorkspace", be.dev.device); }

    @Override
    public void attendCached(Tensor q, Tensor kCache, Tensor vCache, int len, double scale, Tensor out, Workspace workspace) {
        throw Unsupported.call("AttentionKernels", "attendCached", be.dev.device);
    }

    @Override
    public void writeCacheSlot(Tensor src, Tensor cache, int slot) { throw Unsupported.call("AttentionKernels", "writeCacheSlot", be.dev.device); }

    @Override
    public void rotary(Tensor x, Tensor table, int firstPosition, boolean inverse, Tensor out) {
        throw Unsupported.call("AttentionKernels", "rotary", be.dev.device);
    }
}
