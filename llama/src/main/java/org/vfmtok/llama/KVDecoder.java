package org.vfmtok.llama;

import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.AttentionKernels;
import org.vfmtok.tensor.backend.Backend;
import org.vfmtok.tensor.backend.GemmKernels;
import org.vfmtok.tensor.backend.Workspace;

/**
 * Incremental (KV-cache) inference of a {@link GPT} for up to {@code maxRows} sequences: one {@link #prefill}
 * with the class tokens at position 0, then one {@link #step} per image token at positions 1, 2, ...
 * ({@code generate.py}'s prefill / decode_one_token).
 *
 * <p>Everything a step touches is allocated once here (in the decoder's own scope, freed by {@link #close}):
 * per-layer caches (rows, H, S, hd) with S = find_multiple(1 + grid², 8), the activations of one token per
 * row, the views of them for every row count, and the backend's workspaces for the row product and the cached
 * attention. A step rotates q and k in its own buffer, writes k and v into slot p of the cache, attends over the
 * filled prefix 0..p (no mask needed), and leaves the logits in a fixed buffer. Rows are independent: a step may
 * run fewer rows than the prefill (the first ones), which is how CFG drops the unconditional half after
 * {@code cfg_interval}.
 *
 * <p>Every kernel of a step is an entry of the weights' {@link Backend} that writes into these buffers
 * ({@link GemmKernels#linearRows}, {@link AttentionKernels#attendCached}, {@link AttentionKernels#rotary},
 * {@link AttentionKernels#writeCacheSlot}, the norm, SiLU·mul and row-gather kernels). A step allocates nothing:
 * no tensor memory and, on the CPU backend once the JIT has compiled it, no Java heap on any thread (see
 * {@code DecoderMemoryTest}, and the per-token heap column of {@code ./vfm bench gpt}).
 *
 * <p>The caches are F32 by default; with {@link KVCacheDType#BF16} they take half the memory: k and v are
 * rounded to BF16 (to nearest even) as they are written, and the attention widens them back to F32 as it
 * reads them.
 *
 * <p>Besides the uniform mode (every row at the same position, row i in cache slot i), {@link #stepRows} runs rows
 * that each have their own cache slot and position, so that sequences may join and leave a running batch
 * (continuous batching, {@link BatchGenerator}). Every kernel of a step computes each row with the same
 * arithmetic whatever the other rows are (the row product dots each row on its own, the cached attention
 * works per (row, head), norms and RoPE per row), so a sequence's logits do not depend on its batch: bit for
 * bit, in either mode ({@code BatchGeneratorTest}).
 *
 * <p>A decoder is per-call state: one thread at a time. Any number of decoders may run concurrently on one model.
 */
public final class KVDecoder implements AutoCloseable {
    private final GPT gpt;
    private final GPTConfig c;
    private final int maxRows;
    private final int cacheLength;
    private final Scope scope = Scope.detached("kv-decoder");
    private final KVCacheDType cacheDType;
    private final Tensor[] kCache, vCache;       // per layer (maxRows, H, S, hd), F32 or BF16
    private final Tensor x, xn, att;              // (maxRows, D)
    private final Tensor qkv;                     // (maxRows, 3D)
    private final Tensor h1, h3;                  // (maxRows, F)
    private final Tensor logits;                  // (maxRows, V)
    private final Tensor rstd;                    // (maxRows): the norms' statistics, not used
    /** The views of the buffers for m rows at index m, made up front so that a step makes none. */
    private final RowViews[] views;
    private final float scale;
    private final Backend backend;
    private final Workspace linear;               // the backend's row-product workspace
    private final Workspace attention;            // the backend's cached-attention scratch
    private int position = -1;
    private int filledRows;
    /** Single-row views, made up front for {@link #stepRows}: compact row i, and cache slot s of each layer. */
    private final RowViews allRows;
    private final Tensor[] rowX;                                              // row i of x, for the per-row embedding gather
    /**
     * Views of a run of n consecutive compact rows from row i ({q, k, v, q1, k1, att}) and of n consecutive cache
     * slots from slot s (per layer k, v), at index i·(maxRows + 1) + n; made on first use and kept, so that a step
     * allocates nothing once the layouts it meets have been seen.
     */
    private final Tensor[][] rowRuns, slotRuns;
    private final int[] oneId = new int[1];
    /** The per-row layout of the {@link #stepRows} call in progress (null in the uniform mode). */
    private int[] callSlots, callPositions;

    /** A decoder with F32 caches. */
    public KVDecoder(GPT gpt, int maxRows) {
        this(gpt, maxRows, KVCacheDType.F32);
    }

    /** A decoder whose k and v caches are stored as {@code cacheDType}. */
    public KVDecoder(GPT gpt, int maxRows, KVCacheDType cacheDType) {
        if (cacheDType == null) throw new IllegalArgumentException("KV-cache dtype is required");
        if (maxRows < 1) throw new IllegalArgumentException("decoder needs at least one row, got " + maxRows);
        this.gpt = gpt;
        this.c = gpt.config;
        this.maxRows = maxRows;
        this.cacheDType = cacheDType;
        this.cacheLength = c.cacheLength();
        int d = c.dim(), heads = c.nHead(), hd = c.headDim();
        this.scale = (float) (1.0 / Math.sqrt(hd));
        this.backend = gpt.output.weight.backend();
        this.linear = backend.gemm().linearWorkspace();
        this.attention = backend.attention().cachedWorkspace(maxRows * heads, cacheLength);
        Tensor[][] caches = scope.run(() -> {
            Tensor[] k = new Tensor[c.nLayer()], v = new Tensor[c.nLayer()];
            for (int l = 0; l < k.length; l++) {
                k[l] = Tensor.zeros(cacheDType.dtype(), maxRows, heads, cacheLength, hd);
                v[l] = Tensor.zeros(cacheDType.dtype(), maxRows, heads, cacheLength, hd);
            }
            return new Tensor[][] {k, v};
        });
        kCache = caches[0];
        vCache = caches[1];
        Tensor[] b = scope.run(() -> new Tensor[] {
            Tensor.zeros(DType.F32, maxRows, d), Tensor.zeros(DType.F32, maxRows, d), Tensor.zeros(DType.F32, maxRows, d),
            Tensor.zeros(DType.F32, maxRows, 3 * d), Tensor.zeros(DType.F32, maxRows, c.ffnDim()), Tensor.zeros(DType.F32, maxRows, c.ffnDim()),
            Tensor.zeros(DType.F32, maxRows, c.vocabSize()), Tensor.zeros(DType.F32, maxRows)});
        x = b[0];
        xn = b[1];
        att = b[2];
        qkv = b[3];
        h1 = b[4];
        h3 = b[5];
        logits = b[6];
        rstd = b[7];
        views = new RowViews[maxRows + 1];
        for (int m = 1; m <= maxRows; m++) views[m] = new RowViews(m);
        allRows = views[maxRows];
        rowX = new Tensor[maxRows];
        for (int i = 0; i < maxRows; i++) rowX[i] = allRows.x.narrow(0, i, 1);
        rowRuns = new Tensor[maxRows * (maxRows + 1)][];
        slotRuns = new Tensor[maxRows * (maxRows + 1)][];
    }

    private Tensor[] rowRun(int i, int n) {
        int at = i * (maxRows + 1) + n;
        Tensor[] r = rowRuns[at];
        if (r == null) {
            r = rowRuns[at] = new Tensor[] {allRows.q.narrow(0, i, n), allRows.k.narrow(0, i, n), allRows.v.narrow(0, i, n),
                allRows.q1.narrow(0, i, n), allRows.k1.narrow(0, i, n), allRows.attHeads.narrow(0, i, n)};
        }
        return r;
    }

    private Tensor[] slotRun(int first, int n) {
        int at = first * (maxRows + 1) + n;
        Tensor[] r = slotRuns[at];
        if (r == null) {
            r = new Tensor[2 * kCache.length];
            for (int l = 0; l < kCache.length; l++) {
                r[2 * l] = kCache[l].narrow(0, first, n);
                r[2 * l + 1] = vCache[l].narrow(0, first, n);
            }
            slotRuns[at] = r;
        }
        return r;
    }

    /** The first m rows of every step buffer, and of every layer's caches. */
    private final class RowViews {
        final Tensor x, xn, qkv, att, h1, h3, logits, rstd;
        final Tensor q, k, v, attHeads;            // (m, H, hd): views into qkv and att
        final Tensor q1, k1;                       // (m, 1, H, hd): q and k as one position, for RoPE
        final Tensor[] kc, vc;                     // per layer (m, H, S, hd)

        RowViews(int m) {
            int heads = c.nHead(), hd = c.headDim();
            x = KVDecoder.this.x.narrow(0, 0, m);
            xn = KVDecoder.this.xn.narrow(0, 0, m);
            qkv = KVDecoder.this.qkv.narrow(0, 0, m);
            att = KVDecoder.this.att.narrow(0, 0, m);
            h1 = KVDecoder.this.h1.narrow(0, 0, m);
            h3 = KVDecoder.this.h3.narrow(0, 0, m);
            logits = KVDecoder.this.logits.narrow(0, 0, m);
            rstd = KVDecoder.this.rstd.narrow(0, 0, m);
            Tensor heads3 = qkv.view(m, 3, heads, hd);
            q = heads3.select(1, 0);
            k = heads3.select(1, 1);
            v = heads3.select(1, 2);
            q1 = q.unsqueeze(1);
            k1 = k.unsqueeze(1);
            attHeads = att.view(m, heads, hd);
            kc = new Tensor[kCache.length];
            vc = new Tensor[vCache.length];
            for (int l = 0; l < kc.length; l++) {
                kc[l] = kCache[l].narrow(0, 0, m);
                vc[l] = vCache[l].narrow(0, 0, m);
            }
        }
    }

    public int maxRows() { return maxRows; }

    /** Storage type of the k and v caches. */
    public KVCacheDType cacheDType() { return cacheDType; }

    /** Cache slots per sequence: find_multiple(1 + grid², 8). */
    public int cacheLength() { return cacheLength; }

    /** Position of the last token processed (−1 before the prefill). */
    public int position() { return position; }

    /** Bytes of the k and v caches (2 per element with BF16, 4 with F32). */
    public long cacheBytes() {
        long n = 0;
        for (int l = 0; l < kCache.length; l++) {
            n += kCache[l].numel() * kCache[l].dtype().byteSize() + vCache[l].numel() * vCache[l].dtype().byteSize();
        }
        return n;
    }

    /** The key cache of layer {@code l}, (maxRows, H, S, hd) of {@link #cacheDType} (for inspection). */
    public Tensor keys(int l) { return kCache[l]; }

    /** The value cache of layer {@code l}, (maxRows, H, S, hd). */
    public Tensor values(int l) { return vCache[l]; }

    /** Bytes of everything this decoder allocated (caches and step buffers). */
    public long allocatedBytes() { return scope.liveBytes(); }

    /** Forgets the sequences (the caches need no clearing: a step only reads slots it has written). */
    public void reset() {
        position = -1;
        filledRows = 0;
    }

    /**
     * Position 0: the class tokens of {@code labels.length} rows (the null class allowed). Returns the logits
     * (rows, V), a view of the decoder's buffer valid until the next call.
     */
    public Tensor prefill(int[] labels) {
        int rows = labels.length;
        checkRows(rows, maxRows);
        for (int i = 0; i < rows; i++) {
            if (labels[i] < 0 || labels[i] >= c.classRows()) {
                throw new IllegalArgumentException("class index " + labels[i] + " is out of range [0, " + c.classRows() + ")");
            }
        }
        position = 0;
        filledRows = rows;
        return forward(labels, rows, gpt.clsEmbedding.table.weight);
    }

    /**
     * The next position for the first {@code rows} sequences (≤ the prefill's rows), each fed its token.
     * Returns the logits (rows, V), a view valid until the next call.
     */
    public Tensor step(int[] tokens, int rows) {
        if (position < 0) throw new IllegalStateException("call prefill() before step()");
        checkRows(rows, filledRows);
        if (tokens.length < rows) throw new IllegalArgumentException(tokens.length + " tokens for " + rows + " rows");
        if (position + 1 >= gpt.rope().positions()) {
            throw new IllegalStateException("sequence is full: " + gpt.rope().positions() + " positions (1 + grid²)");
        }
        for (int i = 0; i < rows; i++) {
            if (tokens[i] < 0 || tokens[i] >= c.vocabSize()) {
                throw new IllegalArgumentException("token " + tokens[i] + " (row " + i + ") is out of range [0, " + c.vocabSize() + ")");
            }
        }
        position++;
        filledRows = rows;
        return forward(tokens, rows, gpt.tokEmbeddings.weight);
    }

    /**
     * One position for each of {@code m} rows that may be at different positions: row i uses cache slot
     * {@code slots[i]} (distinct, in [0, maxRows)) at position {@code positions[i]}, fed {@code ids[i]}: at
     * position 0 a class label (the null class allowed: a prefill), else the previous token. The row's slot
     * must hold positions 0 .. positions[i] − 1 of the same sequence (written by earlier calls). Returns the
     * logits (m, V), row i for row i, a view valid until the next call. Leaves the uniform mode
     * ({@link #step} needs a new {@link #prefill}). Allocates nothing.
     */
    public Tensor stepRows(int m, int[] slots, int[] positions, int[] ids) {
        checkRows(m, maxRows);
        if (slots.length < m || positions.length < m || ids.length < m) {
            throw new IllegalArgumentException("stepRows: " + m + " rows need as many slots, positions and ids, got " + slots.length + ", "
                    + positions.length + ", " + ids.length);
        }
        int positionsMax = gpt.rope().positions();
        for (int i = 0; i < m; i++) {
            if (slots[i] < 0 || slots[i] >= maxRows) throw new IllegalArgumentException("stepRows: row " + i + " slot " + slots[i] + " is out of range [0, " + maxRows + ")");
            for (int j = 0; j < i; j++) {
                if (slots[j] == slots[i]) throw new IllegalArgumentException("stepRows: rows " + j + " and " + i + " share cache slot " + slots[i]);
            }
            if (positions[i] < 0 || positions[i] >= positionsMax) {
                throw new IllegalArgumentException("stepRows: row " + i + " position " + positions[i] + " is out of range [0, " + positionsMax + ") (1 + grid²)");
            }
            int limit = positions[i] == 0 ? c.classRows() : c.vocabSize();
            if (ids[i] < 0 || ids[i] >= limit) {
                throw new IllegalArgumentException("stepRows: row " + i + (positions[i] == 0 ? " class " : " token ") + ids[i] + " is out of range [0, " + limit + ")");
            }
        }
        position = -1;
        filledRows = 0;
        callSlots = slots;
        callPositions = positions;
        try {
            return forward(ids, m, null);
        } finally {
            callSlots = callPositions = null;
        }
    }

    private static void checkRows(int rows, int max) {
        if (rows < 1 || rows > max) throw new IllegalArgumentException("rows must be in [1, " + max + "], got " + rows);
    }

    /**
     * One position for m rows, llm.c style: every buffer and view exists already, each kernel writes into one.
     * On the CPU the two big products (weights, cache) are spread over the threads and the small per-row work
     * (embedding rows, norms, RoPE, the SwiGLU gate, cache writes: ~1/1000 of the bytes) runs on this thread,
     * where handing it to a worker would cost more than it does. Nothing is allocated.
     */
    private Tensor forward(int[] ids, int m, Tensor table) {
        RowViews r = views[m];
        int p = position;
        double eps = c.normEps();
        Rope2D rope = gpt.rope();
        var gemm = backend.gemm();
        var attend = backend.attention();
        var norm = backend.norm();
        boolean perRow = callSlots != null;
        if (perRow) gatherEachRow(ids, m);
        else backend.index().gatherRows(table, ids, m, r.x);
        for (int l = 0; l < c.nLayer(); l++) {
            Blocks.Block layer = gpt.layers.get(l);
            norm.rmsNorm(r.x, layer.attentionNorm.weight, eps, r.xn, r.rstd);
            gemm.linearRows(r.xn, layer.attention.wqkv.weight, r.qkv, false, linear);
            if (perRow) {
                attendEachRow(l, m);
            } else {
                rope.rotateAt(r.q1, r.q1, p);
                rope.rotateAt(r.k1, r.k1, p);
                attend.writeCacheSlot(r.k, r.kc[l], p);                                   // rounded on the way with BF16
                attend.writeCacheSlot(r.v, r.vc[l], p);
                attend.attendCached(r.q, r.kc[l], r.vc[l], p + 1, scale, r.attHeads, attention);   // keys 0..p
            }
            gemm.linearRows(r.att, layer.attention.wo.weight, r.x, true, linear);    // x += wo(att)
            norm.rmsNorm(r.x, layer.ffnNorm.weight, eps, r.xn, r.rstd);
            Blocks.FeedForward f = layer.feedForward;
            gemm.linearRows(r.xn, f.w1.weight, r.h1, false, linear);
            gemm.linearRows(r.xn, f.w3.weight, r.h3, false, linear);
            backend.pointwise().siluMul(r.h1, r.h3, r.h1);                           // h1 = silu(h1)·h3
            gemm.linearRows(r.h1, f.w2.weight, r.x, true, linear);                   // x += w2(...)
        }
        norm.rmsNorm(r.x, gpt.norm.weight, eps, r.xn, r.rstd);
        gemm.linearRows(r.xn, gpt.output.weight, r.logits, false, linear);
        return r.logits;
    }

    /** {@link #stepRows}: each row's embedding, from the class table at position 0, else from the token table. */
    private void gatherEachRow(int[] ids, int m) {
        for (int i = 0; i < m; i++) {
            oneId[0] = ids[i];
            Tensor table = callPositions[i] == 0 ? gpt.clsEmbedding.table.weight : gpt.tokEmbeddings.weight;
            backend.index().gatherRows(table, oneId, 1, rowX[i]);
        }
    }

    /**
     * {@link #stepRows}: RoPE, cache writes and attention of layer l, run by run: a run is consecutive rows at the
     * same position in consecutive cache slots (a request's rows, or requests that joined together), handled by
     * one call of each kernel on views of the run (fewer parallel hand-offs than row by row). The kernels compute
     * each row exactly as they do in any other batch, so runs change nothing in the results.
     */
    private void attendEachRow(int l, int m) {
        Rope2D rope = gpt.rope();
        var attend = backend.attention();
        for (int i = 0; i < m; ) {
            int p = callPositions[i], first = callSlots[i], n = 1;
            while (i + n < m && callPositions[i + n] == p && callSlots[i + n] == first + n) n++;
            Tensor[] r = rowRun(i, n), cache = slotRun(first, n);
            rope.rotateAt(r[3], r[3], p);
            rope.rotateAt(r[4], r[4], p);
            attend.writeCacheSlot(r[1], cache[2 * l], p);
            attend.writeCacheSlot(r[2], cache[2 * l + 1], p);
            attend.attendCached(r[0], cache[2 * l], cache[2 * l + 1], p + 1, scale, r[5], attention);
            i += n;
        }
    }

    /** Copies row {@code r} of the last logits into {@code dst} (length V). */
    public void copyLogits(int r, float[] dst) {
        logits.readFloats((long) r * c.vocabSize(), dst, 0, c.vocabSize());
    }

    @Override
    public void close() { scope.close(); }

    @Override
    public String toString() {
        return "KVDecoder(" + maxRows + " rows, " + cacheLength + " slots, " + cacheDType.label() + " cache " + cacheBytes() + " bytes)";
    }
}
