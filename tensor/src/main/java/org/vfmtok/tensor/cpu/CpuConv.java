package org.vfmtok.tensor.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.ConvKernels;
import org.vfmtok.tensor.backend.GemmKernels;
import org.vfmtok.tensor.cpu.gemm.Operand;
import org.vfmtok.tensor.cpu.gemm.PackedGemm;

/**
 * F32 convolutions as GEMMs over im2col matrices ({@link ConvPacking}).
 * <ul>
 *   <li>Forward is an implicit GEMM per group over a run of images side by side ({@link ConvColumns}):
 *       the packed GEMM ({@link PackedGemm}) fills its B panels straight from the images (a zero-padded
 *       heap copy for a padded or strided conv), so the weights are packed once per run rather than per image, and the
 *       bias is added in the micro-kernel's epilogue. One image is written to its output plane in place;
 *       several go through a (Cout/g × images·P) tile, copied to the NCHW planes afterwards. The run is
 *       as long as keeps the padded copy and the tiles within {@code tileFloats}.
 *   <li>The backward passes materialise column tiles that fit {@code tileFloats} and go through the
 *       backend's GEMM; stride 1 packs with bulk copies and vector adds, other strides element by element.
 * </ul>
 * Work is split into jobs, one per group in the forward and per (image, group) in the backward input pass. Many small jobs (depthwise, grouped) run in parallel
 * with a serial GEMM each; large jobs run one after another with packing and GEMM parallel inside.
 * Other dtypes and non-contiguous operands go to the reference, except that the forward also reads a BF16 weight
 * (F32 activations; an inference model's storage), widened exactly while the GEMM packs it.
 *
 * <p>Forward: out[n,g] (Cout/g × P) = W_g (Cout/g × K) · col (K × P). Backward input: col = W_gᵀ·gradOut[n,g],
 * scattered back with col2im. Backward weight: gW_g = Σ_n gradOut[n,g] · colᵀ.
 */
public final class CpuConv implements ConvKernels {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Default column-tile budget: 4 M floats (16 MB) for the whole call. */
    static final long DEFAULT_TILE_FLOATS = Long.getLong("vfmtok.conv.tileFloats", 4L << 20);
    /** Jobs with fewer multiply-adds than this are run in parallel with each other. */
    static final long DEFAULT_SMALL_JOB_MACS = 1L << 24;

    private final ConvKernels reference;
    private final long tileFloats;
    private final long smallJobMacs;

    public CpuConv(ConvKernels reference) {
        this(reference, DEFAULT_TILE_FLOATS, DEFAULT_SMALL_JOB_MACS);
    }

    /** For tests: a small {@code tileFloats} forces tiling; {@code smallJobMacs} 0 / MAX forces serial / parallel jobs. */
    CpuConv(ConvKernels reference, long tileFloats, long smallJobMacs) {
        this.reference = reference;
        this.tileFloats = Math.max(1, tileFloats);
        this.smallJobMacs = smallJobMacs;
    }

    // ------------------------------------------------------------------ plan

    /** How one call is cut: tile width, job count, scratch slots. */
    private record Plan(Geometry g, boolean direct1x1, int tile, int jobs, boolean parallelJobs, int slots) {
        int tiles() { return (g.outPlane() + tile - 1) / tile; }
    }

    private Plan plan(Geometry g, int jobs) {
        return plan(g, jobs, 1);
    }

    /** {@code images}: how many images one job's GEMM covers (the forward puts several side by side). */
    private Plan plan(Geometry g, int jobs, int images) {
        boolean direct = g.kh() == 1 && g.kw() == 1 && g.sh() == 1 && g.sw() == 1 && g.ph() == 0 && g.pw() == 0;
        long macs = (long) g.coutG() * g.kdim() * g.outPlane() * images;
        int threads = Parallel.threads();
        boolean par = jobs > 1 && threads > 1 && jobs >= threads && macs < smallJobMacs;
        int slots = par ? Math.min(threads, jobs) : 1;
        int p = g.outPlane();
        long perSlot = Math.max(1, tileFloats / slots / g.kdim());
        int tile = direct || perSlot >= p ? p : (int) (perSlot >= g.ow() ? perSlot / g.ow() * g.ow() : perSlot);
        return new Plan(g, direct, tile, jobs, par, slots);
    }

    @FunctionalInterface
    private interface Job {
        void run(int job, int slot);
    }

    /** Runs jobs [0, jobs): serially, or in {@code slots} parallel chunks, each chunk owning one slot's scratch. */
    private static void forJobs(Plan plan, Job body) {
        if (!plan.parallelJobs()) {
            for (int j = 0; j < plan.jobs(); j++) body.run(j, 0);
            return;
        }
        int slots = plan.slots(), jobs = plan.jobs();
        Parallel.forRange(slots, 1, (s, e) -> {
            for (int c = s; c < e; c++) {
                for (int j = (int) ((long) jobs * c / slots), je = (int) ((long) jobs * (c + 1) / slots); j < je; j++) body.run(j, c);
            }
        });
    }

    private static boolean fast(Tensor... ts) {
        return FastPath.denseF32(ts);
    }

    /** A BF16 weight (an inference model's storage) in CPU memory, contiguous: the forward packs it widened. */
    private static boolean storedBf16(Tensor w) {
        return w.dtype() == DType.BF16 && w.device().isCpu() && w.isContiguous();
    }

    /** A 2-d view (rows × cols, given strides) on a tensor's storage at an element offset. */
    private static Tensor mat(Tensor base, long offset, int rows, int cols, long rowStride, long colStride) {
        return new Tensor(base.storage(), DType.F32, new int[] {rows, cols}, new long[] {rowStride, colStride}, offset);
    }

    // ------------------------------------------------------------------ forward

    @Override
    public void conv(Tensor x, Tensor w, Tensor bias, ConvSpec spec, Tensor out) {
        if (!fast(x, bias, out) || !(fast(w) || storedBf16(w))) {
            reference.conv(x, w, bias, spec, out);
            return;
        }
        Geometry g = Geometry.of(x.shape(), w.shape(), spec);
        if (out.numel() == 0) return;
        if (g.kdim() == 0) { // no input channels: the output is the bias
            fillBias(out, bias, g);
            return;
        }
        if (ConvColumns.floatsPerImage(g) >= Integer.MAX_VALUE) { // column offsets are ints (2³¹ floats per image)
            reference.conv(x, w, bias, spec, out);
            return;
        }
        int p = g.outPlane(), coutG = g.coutG(), kdim = g.kdim();
        MemorySegment bs = bias == null ? null : bias.segment();
        long bOff = bias == null ? 0 : bias.offset();
        // the weight's storage type is the packing's parameter: BF16 is widened exactly while A is packed
        Operand wAll = new Operand(w.segment(), w.dtype(), 0, kdim, 1);
        int chunk = imagesPerGemm(g);
        for (int n0 = 0; n0 < g.n(); n0 += chunk) {
            try (Scope scratch = Scope.open("conv-scratch")) { // the padded copy and tiles of one run of images
                int count = Math.min(chunk, g.n() - n0), first = n0;
                ConvColumns cols = ConvColumns.of(g, x, n0, count);
                int width = cols.columns();
                Plan plan = plan(g, g.groups(), count);
                // one image: the GEMM writes the output plane in place; several: a (coutG × images·P) tile per slot
                Tensor tile = count == 1 ? null : Tensor.empty(DType.F32, plan.slots(), coutG, width);
                forJobs(plan, (grp, slot) -> {
                    long oBase = out.offset() + ((long) first * g.cout() + (long) grp * coutG) * p;
                    MemorySegment c = tile == null ? out.segment() : tile.segment();
                    long cBase = tile == null ? oBase : tile.offset() + (long) slot * coutG * width;
                    PackedGemm.run(wAll, new long[] {w.offset() + (long) grp * coutG * kdim},
                            (t, r0, kc, j0, nc, dst) -> cols.pack(grp, r0, kc, j0, nc, dst), c, new long[] {cBase}, width,
                            coutG, width, kdim, 1f, 0f, bs, bOff + (long) grp * coutG, false);
                    if (tile != null) scatterImages(c, cBase, out.segment(), oBase, g, count, plan.parallelJobs());
                });
            }
        }
    }

    /**
     * Images per GEMM: as many as keep the padded copy and the output tiles within {@code tileFloats}
     * (at least one), and the GEMM's column count within an int.
     */
    private int imagesPerGemm(Geometry g) {
        int slots = g.groups() > 1 ? Math.min(Parallel.threads(), g.groups()) : 1;
        long copy = ConvColumns.copies(g) ? ConvColumns.floatsPerImage(g) : 0;
        long perImage = copy + (long) slots * g.coutG() * g.outPlane();
        long byBudget = tileFloats / Math.max(1, perImage);
        long byIndex = Math.min(Integer.MAX_VALUE / Math.max(1, g.outPlane()), Integer.MAX_VALUE / ConvColumns.floatsPerImage(g));
        return (int) Math.max(1, Math.min(g.n(), Math.min(byBudget, byIndex)));
    }

    /** The tile's rows (output channel co of the group: images side by side) into the NCHW output planes. */
    private static void scatterImages(MemorySegment tile, long tBase, MemorySegment out, long oBase, Geometry g, int count, boolean serial) {
        int p = g.outPlane(), rows = g.coutG();
        long width = (long) count * p;
        Parallel.RangeBody body = (c0, c1) -> {
            for (int co = c0; co < c1; co++) {
                for (int i = 0; i < count; i++) {
                    MemorySegment.copy(tile, 4 * (tBase + co * width + (long) i * p), out, 4 * (oBase + ((long) i * g.cout() + co) * p), 4L * p);
                }
            }
        };
        if (serial) body.run(0, rows);
        else Parallel.forRange(rows, Math.max(1, (int) (16384 / Math.max(1, width))), body);
    }

    /** Parallel over column rows (each row is written by one thread). */
    private static void pack(boolean scatter, Geometry g, MemorySegment x, long xBase, MemorySegment col, long colBase, int p0, int t) {
        if (!scatter) {
            Parallel.forRange(g.kdim(), Math.max(1, 4096 / Math.max(1, t)),
                    (r0, r1) -> ConvPacking.transfer(false, g, x, xBase, col, colBase, p0, t, r0, r1));
        } else {
            int kk = g.kh() * g.kw();
            Parallel.forRange(g.cinG(), Math.max(1, 4096 / Math.max(1, t * kk)),
                    (c0, c1) -> ConvPacking.transfer(true, g, x, xBase, col, colBase, p0, t, c0 * kk, c1 * kk));
        }
    }

    private static void fillBias(Tensor out, Tensor bias, Geometry g) {
        int p = g.outPlane();
        for (int n = 0; n < g.n(); n++) {
            for (int co = 0; co < g.cout(); co++) {
                float v = bias == null ? 0f : bias.segment().get(F, (bias.offset() + co) * 4);
                long at = out.offset() + ((long) n * g.cout() + co) * p;
                for (int i = 0; i < p; i++) out.segment().set(F, (at + i) * 4, v);
            }
        }
    }

    // ------------------------------------------------------------------ backward

    @Override
    public void convBackwardInput(Tensor gradOut, Tensor w, ConvSpec spec, Tensor gradIn) {
        if (!fast(gradOut, w, gradIn)) {
            reference.convBackwardInput(gradOut, w, spec, gradIn);
            return;
        }
        Geometry g = Geometry.of(gradIn.shape(), w.shape(), spec);
        if (gradIn.numel() == 0) return;
        Plan plan = plan(g, g.n() * g.groups());
        GemmKernels gemm = gradOut.backend().gemm();
        int p = g.outPlane(), coutG = g.coutG(), kdim = g.kdim();
        if (!plan.direct1x1() || g.cout() == 0) gradIn.fill(0.0);
        if (g.cout() == 0) return;
        try (Scope scratch = Scope.open("conv-scratch")) {
            Tensor col = plan.direct1x1() ? null : Tensor.empty(DType.F32, plan.slots(), kdim * plan.tile());
            forJobs(plan, (job, slot) -> {
                int n = job / g.groups(), grp = job % g.groups();
                long xBase = gradIn.offset() + ((long) n * g.cin() + (long) grp * g.cinG()) * g.inPlane();
                long oBase = gradOut.offset() + ((long) n * g.cout() + (long) grp * coutG) * p;
                Tensor wgT = mat(w, w.offset() + (long) grp * coutG * kdim, kdim, coutG, 1, kdim);
                for (int p0 = 0; p0 < p; p0 += plan.tile()) {
                    int t = Math.min(plan.tile(), p - p0);
                    Tensor go = mat(gradOut, oBase + p0, coutG, t, p, 1);
                    if (plan.direct1x1()) {
                        gemm.gemm(wgT, go, mat(gradIn, xBase, kdim, p, p, 1), 1f, 0f);
                    } else {
                        long colBase = (long) slot * kdim * plan.tile();
                        gemm.gemm(wgT, go, mat(col, colBase, kdim, t, t, 1), 1f, 0f);
                        pack(true, g, gradIn.segment(), xBase, col.segment(), colBase, p0, t);
                    }
                }
            });
        }
    }

    @Override
    public void convBackwardWeight(Tensor gradOut, Tensor x, ConvSpec spec, Tensor gw, Tensor gb) {
        if (!fast(gradOut, x, gw, gb)) {
            reference.convBackwardWeight(gradOut, x, spec, gw, gb);
            return;
        }
        Geometry g = Geometry.of(x.shape(), gw.shape(), spec);
        int p = g.outPlane(), coutG = g.coutG(), kdim = g.kdim();
        if (gb != null) biasGrad(gradOut, g, gb);
        if (gw.numel() == 0) return;
        if (g.n() == 0) {
            gw.fill(0.0);
            return;
        }
        if (imageParallel(g)) {
            weightGradByImages(gradOut, x, g, gw);
            return;
        }
        // one job per group: the images of a group accumulate into the same weight rows
        Plan plan = plan(g, g.groups());
        GemmKernels gemm = x.backend().gemm();
        try (Scope scratch = Scope.open("conv-scratch")) {
            Tensor col = plan.direct1x1() ? null : Tensor.empty(DType.F32, plan.slots(), kdim * plan.tile());
            forJobs(plan, (grp, slot) -> {
                Tensor gwg = mat(gw, gw.offset() + (long) grp * coutG * kdim, coutG, kdim, kdim, 1);
                boolean first = true;
                for (int n = 0; n < g.n(); n++) {
                    long xBase = x.offset() + ((long) n * g.cin() + (long) grp * g.cinG()) * g.inPlane();
                    long oBase = gradOut.offset() + ((long) n * g.cout() + (long) grp * coutG) * p;
                    for (int p0 = 0; p0 < p; p0 += plan.tile()) {
                        int t = Math.min(plan.tile(), p - p0);
                        Tensor go = mat(gradOut, oBase + p0, coutG, t, p, 1);
                        Tensor colT;
                        if (plan.direct1x1()) {
                            colT = mat(x, xBase + p0, t, kdim, 1, p);
                        } else {
                            long colBase = (long) slot * kdim * plan.tile();
                            pack(false, g, x.segment(), xBase, col.segment(), colBase, p0, t);
                            colT = mat(col, colBase, t, kdim, 1, t);
                        }
                        gemm.gemm(go, colT, gwg, 1f, first ? 0f : 1f);
                        first = false;
                    }
                }
            });
        }
    }

    /**
     * Whether the weight gradient should split the images across threads rather than the groups: fewer
     * groups than threads, at least two images, and images small enough that each one's GEMM and packing
     * would otherwise run on one thread anyway (a training step's small convolutions: at 24 px the
     * per-image products are too small for {@link Parallel}'s thresholds, so the whole pass was serial).
     */
    private boolean imageParallel(Geometry g) {
        int threads = Parallel.threads();
        long macsPerImage = (long) g.cout() * g.kdim() * g.outPlane();
        return threads > 1 && g.groups() < threads && g.n() >= 2 && macsPerImage < smallJobMacs;
    }

    /**
     * gW = Σ_n gradOut[n] · col[n]ᵀ with the images split into one contiguous run per thread: the first run
     * accumulates straight into {@code gw}, each other run into a partial of its own, and the partials are
     * added to {@code gw} in run order afterwards (deterministic for a given thread count).
     */
    private void weightGradByImages(Tensor gradOut, Tensor x, Geometry g, Tensor gw) {
        int p = g.outPlane(), coutG = g.coutG(), kdim = g.kdim();
        int slots = Math.min(Parallel.threads(), g.n());
        Plan base = plan(g, g.n());
        long perSlot = Math.max(1, tileFloats / slots / kdim);
        int tile = base.direct1x1() || perSlot >= p ? p : (int) (perSlot >= g.ow() ? perSlot / g.ow() * g.ow() : perSlot);
        Plan plan = new Plan(g, base.direct1x1(), tile, g.n(), true, slots);
        GemmKernels gemm = x.backend().gemm();
        long gwSize = gw.numel();
        try (Scope scratch = Scope.open("conv-scratch")) {
            Tensor col = plan.direct1x1() ? null : Tensor.empty(DType.F32, slots, kdim * tile);
            Tensor partials = Tensor.empty(DType.F32, slots - 1, Math.toIntExact(gwSize));
            boolean[] written = new boolean[slots];
            forJobs(plan, (n, slot) -> {
                Tensor dst = slot == 0 ? gw : partials;
                long dstBase = slot == 0 ? gw.offset() : partials.offset() + (slot - 1) * gwSize;
                for (int grp = 0; grp < g.groups(); grp++) {
                    Tensor gwg = mat(dst, dstBase + (long) grp * coutG * kdim, coutG, kdim, kdim, 1);
                    long xBase = x.offset() + ((long) n * g.cin() + (long) grp * g.cinG()) * g.inPlane();
                    long oBase = gradOut.offset() + ((long) n * g.cout() + (long) grp * coutG) * p;
                    for (int p0 = 0; p0 < p; p0 += tile) {
                        int t = Math.min(tile, p - p0);
                        Tensor go = mat(gradOut, oBase + p0, coutG, t, p, 1);
                        Tensor colT;
                        if (plan.direct1x1()) {
                            colT = mat(x, xBase + p0, t, kdim, 1, p);
                        } else {
                            long colBase = (long) slot * kdim * tile;
                            ConvPacking.transfer(false, g, x.segment(), xBase, col.segment(), colBase, p0, t, 0, kdim);
                            colT = mat(col, colBase, t, kdim, 1, t);
                        }
                        gemm.gemm(go, colT, gwg, 1f, written[slot] || p0 > 0 ? 1f : 0f);
                    }
                }
                written[slot] = true;
            });
            Tensor sum = mat(gw, gw.offset(), 1, Math.toIntExact(gwSize), gwSize, 1);
            for (int s = 1; s < slots; s++) {
                Tensor part = mat(partials, partials.offset() + (s - 1) * gwSize, 1, Math.toIntExact(gwSize), gwSize, 1);
                gw.backend().pointwise().binary(org.vfmtok.tensor.backend.PointwiseKernels.BinaryOp.ADD, sum, part, sum);
            }
        }
    }

    /** gb[co] = Σ_n Σ_p gradOut[n, co, p], parallel over channels. */
    private static void biasGrad(Tensor gradOut, Geometry g, Tensor gb) {
        int p = g.outPlane();
        MemorySegment gs = gradOut.segment();
        Parallel.forRange(g.cout(), Math.max(1, 16384 / Math.max(1, p * Math.max(1, g.n()))), (c0, c1) -> {
            for (int co = c0; co < c1; co++) {
                double s = 0;
                for (int n = 0; n < g.n(); n++) s += ConvPacking.sum(gs, gradOut.offset() + ((long) n * g.cout() + co) * p, p);
                gb.segment().set(F, (gb.offset() + co) * 4, (float) s);
            }
        });
    }
}
