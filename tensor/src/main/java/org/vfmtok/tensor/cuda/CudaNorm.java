package org.vfmtok.tensor.cuda;

import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.NormKernels;

/**
 * Layer, RMS and group norm (norm.cu), with ScalarNorm's block formulation: layer/RMS norm normalise
 * rows (groups = 0), group norm normalises (sample, group) blocks whose channel picks the weight.
 */
final class CudaNorm implements NormKernels {
    private static final int THREADS = 256;
    private final CudaBackend be;

    CudaNorm(CudaBackend be) { this.be = be; }

    /** blocks × m elements; groups = 0 for rows, else channels = C and spatial = elements per channel. */
    private record Geometry(long blocks, long m, int groups, long spatial, long channels) {
        static Geometry rows(Tensor x, Tensor stats) {
            long rows = stats.numel();
            long cols = rows == 0 ? 0 : x.numel() / rows;
            return new Geometry(rows, cols, 0, 1, cols);
        }

        static Geometry groups(Tensor x, int groups) {
            long n = x.size(0), c = x.size(1);
            long spatial = n == 0 || c == 0 ? 0 : x.numel() / (n * c);
            if (groups <= 0 || c % groups != 0) throw new IllegalArgumentException("group norm: " + c + " channels not divisible by " + groups + " groups");
            return new Geometry(n * groups, c / groups * spatial, groups, Math.max(spatial, 1), c);
        }
    }

    @Override
    public void layerNorm(Tensor x, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd) {
        forward("layer norm", Geometry.rows(x, rstd), true, x, w, b, eps, out, mean, rstd);
    }

    @Override
    public void layerNormBackward(Tensor gradOut, Tensor x, Tensor w, Tensor mean, Tensor rstd, Tensor gx, Tensor gw, Tensor gb) {
        backward("layer norm", Geometry.rows(x, rstd), true, gradOut, x, w, mean, rstd, gx, gw, gb);
    }

    @Override
    public void rmsNorm(Tensor x, Tensor w, double eps, Tensor out, Tensor rstd) {
        forward("RMS norm", Geometry.rows(x, rstd), false, x, w, null, eps, out, null, rstd);
    }

    @Override
    public void rmsNormBackward(Tensor gradOut, Tensor x, Tensor w, Tensor rstd, Tensor gx, Tensor gw) {
        backward("RMS norm", Geometry.rows(x, rstd), false, gradOut, x, w, null, rstd, gx, gw, null);
    }

    @Override
    public void groupNorm(Tensor x, int groups, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd) {
        forward("group norm", Geometry.groups(x, groups), true, x, w, b, eps, out, mean, rstd);
    }

    @Override
    public void groupNormBackward(Tensor gradOut, Tensor x, int groups, Tensor w, Tensor mean, Tensor rstd, Tensor gx, Tensor gw, Tensor gb) {
        backward("group norm", Geometry.groups(x, groups), true, gradOut, x, w, mean, rstd, gx, gw, gb);
    }

    private static long ptr(Tensor t) { return t == null ? 0 : CudaBackend.addr(t); }

    private void forward(String what, Geometry g, boolean centred, Tensor x, Tensor w, Tensor b, double eps, Tensor out, Tensor mean, Tensor rstd) {
        be.check(what, x, w, b, out, mean, rstd);
        CudaBackend.requireContiguous(what, x, w, b, out, mean, rstd);
        if (g.blocks() == 0 || g.m() == 0) return;
        boolean d = CudaBackend.doublePath(x);
        try (Launch l = be.dev.launch(d ? Kernels.NORM_FORWARD_D : Kernels.NORM_FORWARD_F)) {
            l.ptr(ptr(x)).ptr(ptr(w)).ptr(ptr(b)).ptr(ptr(out)).ptr(ptr(mean)).ptr(ptr(rstd)).i32(x.dtype().ordinal())
                    .i32(rstd.dtype().ordinal()).i64(g.blocks()).i64(g.m()).i32(g.groups()).i64(g.spatial()).f64(eps).i32(centred ? 1 : 0)
                    .launch(be.dev.blocksForRows(g.blocks()), THREADS, 0);
        }
    }

    private void backward(String what, Geometry g, boolean centred, Tensor gradOut, Tensor x, Tensor w, Tensor mean, Tensor rstd,
                          Tensor gx, Tensor gw, Tensor gb) {
        be.check(what + " backward", gradOut, x, w, mean, rstd, gx, gw, gb);
        CudaBackend.requireContiguous(what + " backward", gradOut, x, w, mean, rstd, gx, gw, gb);
        if (g.blocks() == 0 || g.m() == 0) {
            if (gw != null) be.fill(gw, 0);
            if (gb != null) be.fill(gb, 0);
            return;
        }
        boolean d = CudaBackend.doublePath(x);
        if (gx != null) {
            try (Launch l = be.dev.launch(d ? Kernels.NORM_BACKWARD_X_D : Kernels.NORM_BACKWARD_X_F)) {
                l.ptr(ptr(gradOut)).ptr(ptr(x)).ptr(ptr(w)).ptr(ptr(mean)).ptr(ptr(rstd)).ptr(ptr(gx)).i32(x.dtype().ordinal())
                        .i32(rstd.dtype().ordinal()).i64(g.blocks()).i64(g.m()).i32(g.groups()).i64(g.spatial()).i32(centred ? 1 : 0)
                        .launch(be.dev.blocksForRows(g.blocks()), THREADS, 0);
            }
        }
        if (gw != null || gb != null) {
            try (Launch l = be.dev.launch(Kernels.NORM_BACKWARD_WB)) {
                l.ptr(ptr(gradOut)).ptr(ptr(x)).ptr(ptr(mean)).ptr(ptr(rstd)).ptr(ptr(gw)).ptr(ptr(gb)).i32(x.dtype().ordinal())
                        .i32(rstd.dtype().ordinal()).i64(g.blocks()).i64(g.m()).i32(g.groups()).i64(g.spatial()).i64(g.channels())
                        .i32(centred ? 1 : 0).launch(be.dev.gridFor(g.channels()), CudaDevice.THREADS, 0);
            }
        }
    }
}
