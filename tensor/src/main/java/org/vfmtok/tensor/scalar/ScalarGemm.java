package org.vfmtok.tensor.scalar;

import java.util.Arrays;
import org.vfmtok.tensor.Shapes;
import org.vfmtok.tensor.StridedIndex;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.GemmKernels;
import org.vfmtok.tensor.backend.Workspace;

/** Reference matrix product: a triple loop in double precision over any strides and batch dims. */
public final class ScalarGemm implements GemmKernels {
    @Override
    public void gemm(Tensor a, Tensor b, Tensor c, float alpha, float beta) {
        int r = c.dim();
        if (a.dim() != r || b.dim() != r || r < 2) {
            throw new IllegalArgumentException("gemm operands of ranks " + a.dim() + ", " + b.dim() + ", " + r);
        }
        int m = c.size(-2), n = c.size(-1), k = a.size(-1);
        if (a.size(-2) != m || b.size(-2) != k || b.size(-1) != n) {
            throw new IllegalArgumentException("gemm shapes " + Arrays.toString(a.shape()) + " x " + Arrays.toString(b.shape()) + " -> " + Arrays.toString(c.shape()));
        }
        int[] batch = Arrays.copyOf(c.shape(), r - 2);
        long[] as = a.strides(), bs = b.strides(), cs = c.strides();
        StridedIndex it = new StridedIndex(batch, Arrays.copyOf(as, r - 2), Arrays.copyOf(bs, r - 2), Arrays.copyOf(cs, r - 2))
                .start(a.offset(), b.offset(), c.offset());
        var aseg = a.segment();
        var bseg = b.segment();
        var cseg = c.segment();
        for (long bi = 0, nb = Shapes.numel(batch); bi < nb; bi++, it.next()) {
            long ao = it.offset(0), bo = it.offset(1), co = it.offset(2);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        s += a.dtype().read(aseg, ao + i * as[r - 2] + p * as[r - 1]) * b.dtype().read(bseg, bo + p * bs[r - 2] + j * bs[r - 1]);
                    }
                    long ci = co + i * cs[r - 2] + j * cs[r - 1];
                    double prev = beta == 0 ? 0 : beta * c.dtype().read(cseg, ci);
                    c.dtype().write(cseg, ci, alpha * s + prev);
                }
            }
        }
    }

    /** No state: the reference loops need none. */
    private static final Workspace NO_WORKSPACE = new Workspace() {};

    @Override
    public Workspace linearWorkspace() { return NO_WORKSPACE; }

    /** out[i][j] (+)= Σ_p x[i][p]·w[j][p] in double precision, any strides and dtypes. */
    @Override
    public void linearRows(Tensor x, Tensor w, Tensor out, boolean accumulate, Workspace workspace) {
        GemmKernels.checkLinearRows(x, w, out);
        int m = x.size(0), n = w.size(0), k = x.size(1);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += x.getDouble(i, p) * w.getDouble(j, p);
                out.setDouble(accumulate ? out.getDouble(i, j) + s : s, i, j);
            }
        }
    }
}
