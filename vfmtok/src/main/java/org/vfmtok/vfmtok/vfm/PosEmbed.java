package org.vfmtok.vfmtok.vfm;

import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.ResampleKernels;
import org.vfmtok.tensor.ops.Indexing;
import org.vfmtok.tensor.ops.Resample;

/** DINOv2's {@code interpolate_pos_encoding}: the CLS row kept, the grid resized by bicubic with a scale factor. */
public final class PosEmbed {
    private PosEmbed() {}

    /** The register models' resize: antialiased, offset 0. */
    public static Tensor resize(Tensor table, int grid, int gh, int gw) {
        return resize(table, grid, gh, gw, 0.0, true);
    }

    /**
     * @param table     (1, 1 + g², D) with g = {@code grid}
     * @param offset    {@code interpolate_offset}: scale factor (gh + offset)/g (PyTorch maps coordinates with it)
     * @param antialias {@code interpolate_antialias}
     * @return (1, 1 + gh·gw, D); the table itself when the grids already agree (the official early return)
     */
    public static Tensor resize(Tensor table, int grid, int gh, int gw, double offset, boolean antialias) {
        int d = table.size(2);
        if (gh == grid && gw == grid) return table;
        Tensor cls = table.narrow(1, 0, 1);
        Tensor g = table.narrow(1, 1, grid * grid).reshape(1, grid, grid, d).permute(0, 3, 1, 2); // (1, D, g, g)
        double[] scale = {(gh + offset) / grid, (gw + offset) / grid};
        Tensor r = Resample.interpolate(g, scale, ResampleKernels.Mode.BICUBIC, false, antialias);
        if (r.size(2) != gh || r.size(3) != gw) {
            throw new IllegalStateException("pos-embed resize gave " + r.size(2) + "x" + r.size(3) + ", expected " + gh + "x" + gw);
        }
        return Indexing.concat(1, cls, r.permute(0, 2, 3, 1).reshape(1, gh * gw, d));
    }
}
