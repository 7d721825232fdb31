package org.vfmtok.tensor.scalar;

import java.lang.foreign.MemorySegment;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.ConvKernels;

/**
 * Reference convolutions: the textbook loops in double precision, any dtype and any strides. A 1-d
 * convolution is a 2-d one of height 1 (see {@link ConvKernels.Geometry}). The backward passes visit
 * every (output position, kernel tap) pair exactly as the forward does and scatter into double
 * accumulators, so all three are visibly the same sum.
 */
public final class ScalarConv implements ConvKernels {
    @Override
    public void conv(Tensor x, Tensor w, Tensor bias, ConvSpec spec, Tensor out) {
        Geometry g = Geometry.of(x.shape(), w.shape(), spec);
        Access xa = new Access(x), wa = new Access(w), oa = new Access(out);
        for (int n = 0; n < g.n(); n++) {
            for (int co = 0; co < g.cout(); co++) {
                int grp = co / g.coutG();
                double b = bias == null ? 0 : bias.dtype().read(bias.segment(), bias.offset() + co * bias.stride(0));
                for (int oy = 0; oy < g.oh(); oy++) {
                    for (int ox = 0; ox < g.ow(); ox++) {
                        double s = b;
                        for (int ci = 0; ci < g.cinG(); ci++) {
                            for (int ky = 0; ky < g.kh(); ky++) {
                                int iy = oy * g.sh() - g.ph() + ky * g.dh();
                                if (iy < 0 || iy >= g.h()) continue;
                                for (int kx = 0; kx < g.kw(); kx++) {
                                    int ix = ox * g.sw() - g.pw() + kx * g.dw();
                                    if (ix < 0 || ix >= g.w()) continue;
                                    s += xa.get(n, grp * g.cinG() + ci, iy, ix) * wa.get(co, ci, ky, kx);
                                }
                            }
                        }
                        oa.set(s, n, co, oy, ox);
                    }
                }
            }
        }
    }

    @Override
    public void convBackwardInput(Tensor gradOut, Tensor w, ConvSpec spec, Tensor gradIn) {
        Geometry g = Geometry.of(gradIn.shape(), w.shape(), spec);
        Access ga = new Access(gradOut), wa = new Access(w), ia = new Access(gradIn);
        double[] acc = new double[g.n() * g.cin() * g.h() * g.w()];
        for (int n = 0; n < g.n(); n++) {
            for (int co = 0; co < g.cout(); co++) {
                int grp = co / g.coutG();
                for (int oy = 0; oy < g.oh(); oy++) {
                    for (int ox = 0; ox < g.ow(); ox++) {
                        double go = ga.get(n, co, oy, ox);
                        for (int ci = 0; ci < g.cinG(); ci++) {
                            int c = grp * g.cinG() + ci;
                            for (int ky = 0; ky < g.kh(); ky++) {
                                int iy = oy * g.sh() - g.ph() + ky * g.dh();
                                if (iy < 0 || iy >= g.h()) continue;
                                for (int kx = 0; kx < g.kw(); kx++) {
                                    int ix = ox * g.sw() - g.pw() + kx * g.dw();
                                    if (ix < 0 || ix >= g.w()) continue;
                                    acc[((n * g.cin() + c) * g.h() + iy) * g.w() + ix] += go * wa.get(co, ci, ky, kx);
                                }
                            }
                        }
                    }
                }
            }
        }
        int i = 0;
        for (int n = 0; n < g.n(); n++)
            for (int c = 0; c < g.cin(); c++)
                for (int iy = 0; iy < g.h(); iy++)
                    for (int ix = 0; ix < g.w(); ix++) ia.set(acc[i++], n, c, iy, ix);
    }

    @Override
    public void convBackwardWeight(Tensor gradOut, Tensor x, ConvSpec spec, Tensor gw, Tensor gb) {
        Geometry g = Geometry.of(x.shape(), gw.shape(), spec);
        Access ga = new Access(gradOut), xa = new Access(x), wa = new Access(gw);
        double[] acc = new double[g.cout() * g.cinG() * g.kh() * g.kw()];
        double[] bacc = new double[g.cout()];
        for (int n = 0; n < g.n(); n++) {
            for (int co = 0; co < g.cout(); co++) {
                int grp = co / g.coutG();
                for (int oy = 0; oy < g.oh(); oy++) {
                    for (int ox = 0; ox < g.ow(); ox++) {
                        double go = ga.get(n, co, oy, ox);
                        bacc[co] += go;
                        for (int ci = 0; ci < g.cinG(); ci++) {
                            for (int ky = 0; ky < g.kh(); ky++) {
                                int iy = oy * g.sh() - g.ph() + ky * g.dh();
                                if (iy < 0 || iy >= g.h()) continue;
                                for (int kx = 0; kx < g.kw(); kx++) {
                                    int ix = ox * g.sw() - g.pw() + kx * g.dw();
                                    if (ix < 0 || ix >= g.w()) continue;
                                    acc[((co * g.cinG() + ci) * g.kh() + ky) * g.kw() + kx] += go * xa.get(n, grp * g.cinG() + ci, iy, ix);
                                }
                            }
                        }
                    }
                }
            }
        }
        int i = 0;
        for (int co = 0; co < g.cout(); co++)
            for (int ci = 0; ci < g.cinG(); ci++)
                for (int ky = 0; ky < g.kh(); ky++)
                    for (int kx = 0; kx < g.kw(); kx++) wa.set(acc[i++], co, ci, ky, kx);
        if (gb != null) {
            for (int co = 0; co < g.cout(); co++) gb.dtype().write(gb.segment(), gb.offset() + co * gb.stride(0), bacc[co]);
        }
    }

    /** Element access to a rank-3 (height 1) or rank-4 tensor through four indices. */
    private static final class Access {
        private final MemorySegment seg;
        private final DType dtype;
        private final long offset, s0, s1, s2, s3;

        Access(Tensor t) {
            seg = t.segment();
            dtype = t.dtype();
            offset = t.offset();
            long[] st = t.strides();
            s0 = st[0];
            s1 = st[1];
            s2 = t.dim() == 4 ? st[2] : 0;
            s3 = st[t.dim() - 1];
        }

        private long index(int a, int b, int c, int d) { return offset + a * s0 + b * s1 + c * s2 + d * s3; }

        double get(int a, int b, int c, int d) { return dtype.read(seg, index(a, b, c, d)); }

        void set(double v, int a, int b, int c, int d) { dtype.write(seg, index(a, b, c, d), v); }
    }
}
