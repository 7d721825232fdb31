package org.vfmtok.llama;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.backend.Backend;
import org.vfmtok.tensor.backend.PointwiseKernels.BinaryOp;
import org.vfmtok.tensor.backend.PointwiseKernels.UnaryOp;

/**
 * Incremental (KV-cache) inference of a {@link GPT} for up to {@code maxRows} sequences: one {@link #prefill}
 * with the class tokens at position 0, then one {@link #step} per image token at positions 1, 2, ...
 * ({@code generate.py}'s prefill / decode_one_token).
 *
 * <p>Everything a step touches is allocated once here (in the decoder's own scope, freed by {@link #close}):
 * per-layer caches (rows, H, S, hd) with S = find_multiple(1 + grid², 8), and the activations of one token
 * per row. A step writes its k and v into slot p of the cache in place (k rotated on the way), attends over
 * the filled prefix 0..p through a narrowed view (no mask needed), and leaves the logits in a fixed buffer,
 * so decoding allocates no tensor memory. Rows are independent: a step may run fewer rows than the prefill
 * (the first ones), which is how CFG drops the unconditional half after {@code cfg_interval}.
 *
 * <p>The caches are F32 by default; with {@link KVCacheDType#BF16} they take half the memory: k (rotated in
 * the step's own buffer first) and v are rounded to BF16 by the tensor module's F32→BF16 copy (round to
 * nearest even) as they are written, and {@link DecodeAttention} widens them back to F32 as it reads them.
 */
public final class KVDecoder implements AutoCloseable {
    private final GPT gpt;
    private final GPTConfig c;
    private final int maxRows;
    private final int cacheLength;
    private final Scope scope = Scope.detached("kv-decoder");
    private final KVCacheDType cacheDType;
    private final Tensor[] kCache, vCache;       // per layer (maxRows, H, S, hd), F32 or BF16
    private final Tensor idx;                     // (maxRows) I64
    private final Tensor x, xn, att;              // (maxRows, D)
    private final Tensor qkv;                     // (maxRows, 3D)
    private final Tensor h1, h3;                  // (maxRows, F)
    private final Tensor logits;                  // (maxRows, V)
    private final Tensor rstd;                    // (maxRows)
    private final float scale;
    private final DecodeAttention attention;
    private int position = -1;
    private int filledRows;

    /** A decoder with F32 caches. */
    public KVDecoder(GPT gpt, int maxRows) {
        this(gpt, maxRows, KVCacheDType.F32);
    }

    /** A decoder whose k and v caches are stored as {@code cacheDType}. */
    public KVDecoder(GPT gpt, int maxRows, KVCacheDType cacheDType) {
        if (cacheDType == null) throw new IllegalArgumentException("KV-cache dtype is required");
        if (cacheDType == KVCacheDType.BF16 && !DecodeAttention.supportsBf16()) {
            throw new UnsupportedOperationException("a BF16 KV cache needs float vectors of at least 128 bits (see -Dvfmtok.vector.bits)");
        }
        if (maxRows < 1) throw new IllegalArgumentException("decoder needs at least one row, got " + maxRows);
        this.gpt = gpt;
        this.c = gpt.config;
        this.maxRows = maxRows;
        this.cacheDType = cacheDType;
        this.cacheLength = c.cacheLength();
        int d = c.dim(), heads = c.nHead(), hd = c.headDim();
        this.scale = (float) (1.0 / Math.sqrt(hd));
        this.attention = new DecodeAttention(maxRows, heads, cacheLength);
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
            Tensor.zeros(DType.I64, maxRows), Tensor.zeros(DType.F32, maxRows, d), Tensor.zeros(DType.F32, maxRows, d),
            Tensor.zeros(DType.F32, maxRows, d), Tensor.zeros(DType.F32, maxRows, 3 * d), Tensor.zeros(DType.F32, maxRows, c.ffnDim()),
            Tensor.zeros(DType.F32, maxRows, c.ffnDim()), Tensor.zeros(DType.F32, maxRows, c.vocabSize()), Tensor.zeros(DType.F32, maxRows)});
        idx = b[0];
        x = b[1];
        xn = b[2];
        att = b[3];
        qkv = b[4];
        h1 = b[5];
        h3 = b[6];
        logits = b[7];
        rstd = b[8];
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

    private static void checkRows(int rows, int max) {
        if (rows < 1 || rows > max) throw new IllegalArgumentException("rows must be in [1, " + max + "], got " + rows);
    }

    private Tensor forward(int[] ids, int m, Tensor table) {
        Backend be = x.backend();
        int p = position, d = c.dim(), heads = c.nHead(), hd = c.headDim();
        MemorySegment is = idx.segment();
        for (int i = 0; i < m; i++) is.setAtIndex(ValueLayout.JAVA_LONG, i, ids[i]);
        Tensor xm = x.narrow(0, 0, m), xnm = xn.narrow(0, 0, m), rs = rstd.narrow(0, 0, m);
        Tensor qkvm = qkv.narrow(0, 0, m), attm = att.narrow(0, 0, m), h1m = h1.narrow(0, 0, m), h3m = h3.narrow(0, 0, m);
        be.index().indexSelect(table, 0, idx.narrow(0, 0, m), xm);
        Tensor heads3 = qkvm.view(m, 3, heads, hd);
        Tensor q = heads3.select(1, 0), k = heads3.select(1, 1), v = heads3.select(1, 2);   // (m, H, hd)
        Tensor attHeads = attm.view(m, heads, hd);
        for (int l = 0; l < c.nLayer(); l++) {
            Blocks.Block layer = gpt.layers.get(l);
            be.norm().rmsNorm(xm, layer.attentionNorm.weight, c.normEps(), xnm, rs);
            RowLinear.apply(xnm, layer.attention.wqkv.weight, qkvm, false);
            Tensor kc = kCache[l].narrow(0, 0, m), vc = vCache[l].narrow(0, 0, m);
            gpt.rope().rotate(q, q, p);
            if (cacheDType == KVCacheDType.F32) {
                gpt.rope().rotate(k, kc.select(2, p), p);
            } else {
                gpt.rope().rotate(k, k, p);                                                // in the qkv buffer,
                kc.select(2, p).copyFrom(k);                                                // then rounded into the cache
            }
            vc.select(2, p).copyFrom(v);                                                    // rounded too with BF16
            attention.apply(q, kc, vc, p + 1, attHeads, scale);                             // keys 0..p
            RowLinear.apply(attm, layer.attention.wo.weight, xm, true);                   // x += wo(att)
            be.norm().rmsNorm(xm, layer.ffnNorm.weight, c.normEps(), xnm, rs);
            Blocks.FeedForward f = layer.feedForward;
            RowLinear.apply(xnm, f.w1.weight, h1m, false);
            RowLinear.apply(xnm, f.w3.weight, h3m, false);
            be.pointwise().unary(UnaryOp.SILU, h1m, h1m, 0, 0);
            be.pointwise().binary(BinaryOp.MUL, h1m, h3m, h1m);
            RowLinear.apply(h1m, f.w2.weight, xm, true);                                   // x += w2(...)
        }
        be.norm().rmsNorm(xm, gpt.norm.weight, c.normEps(), xnm, rs);
        Tensor lm = logits.narrow(0, 0, m);
        RowLinear.apply(xnm, gpt.output.weight, lm, false);
        return lm;
    }

    /** Copies row {@code r} of the last logits into {@code dst} (length V). */
    public void copyLogits(int r, float[] dst) {
        MemorySegment.copy(logits.segment(), ValueLayout.JAVA_FLOAT, logits.byteOffset() + (long) r * c.vocabSize() * 4, dst, 0, c.vocabSize());
    }

    @Override
    public void close() { scope.close(); }

    @Override
    public String toString() {
        return "KVDecoder(" + maxRows + " rows, " + cacheLength + " slots, " + cacheDType.label() + " cache " + cacheBytes() + " bytes)";
    }
}
