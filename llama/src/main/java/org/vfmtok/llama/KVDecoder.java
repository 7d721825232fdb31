package org.vfmtok.llama;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.cpu.CpuCopy;
import org.vfmtok.tensor.cpu.CpuNorm;
import org.vfmtok.tensor.cpu.CpuPointwise;

/**
 * Incremental (KV-cache) inference of a {@link GPT} for up to {@code maxRows} sequences: one {@link #prefill}
 * with the class tokens at position 0, then one {@link #step} per image token at positions 1, 2, ...
 * ({@code generate.py}'s prefill / decode_one_token).
 *
 * <p>Everything a step touches is allocated once here (in the decoder's own scope, freed by {@link #close}):
 * per-layer caches (rows, H, S, hd) with S = find_multiple(1 + grid², 8), the activations of one token per
 * row, and the views of them for every row count. A step rotates q and k in its own buffer, writes k and v
 * into slot p of the cache, attends over the filled prefix 0..p (no mask needed), and leaves the logits in a
 * fixed buffer. Rows are independent: a step may run fewer rows than the prefill (the first ones), which is how
 * CFG drops the unconditional half after {@code cfg_interval}.
 *
 * <p>A step allocates nothing: no tensor memory and, once the JIT has compiled it, no Java heap on any thread
 * (the parallel work goes to {@link org.vfmtok.tensor.cpu.Parallel}'s workers as bodies made once; see
 * {@code DecoderMemoryTest}, and the per-token heap column of {@code ./vfm bench gpt}).
 *
 * <p>The caches are F32 by default; with {@link KVCacheDType#BF16} they take half the memory: k and v are
 * rounded to BF16 (to nearest even, {@link CpuCopy#toBf16}) as they are written, and {@link DecodeAttention}
 * widens them back to F32 as it reads them.
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
    /** The views of the buffers for m rows at index m, made up front so that a step makes none. */
    private final RowViews[] views;
    private final float scale;
    private final RowLinear linear = new RowLinear();
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
            Tensor.zeros(DType.F32, maxRows, d), Tensor.zeros(DType.F32, maxRows, d), Tensor.zeros(DType.F32, maxRows, d),
            Tensor.zeros(DType.F32, maxRows, 3 * d), Tensor.zeros(DType.F32, maxRows, c.ffnDim()), Tensor.zeros(DType.F32, maxRows, c.ffnDim()),
            Tensor.zeros(DType.F32, maxRows, c.vocabSize())});
        x = b[0];
        xn = b[1];
        att = b[2];
        qkv = b[3];
        h1 = b[4];
        h3 = b[5];
        logits = b[6];
        views = new RowViews[maxRows + 1];
        for (int m = 1; m <= maxRows; m++) views[m] = new RowViews(m);
    }

    /** The first m rows of every step buffer, and of every layer's caches. */
    private final class RowViews {
        final Tensor x, xn, qkv, att, h1, h3, logits;
        final Tensor q, k, v, attHeads;            // (m, H, hd): views into qkv and att
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
            Tensor heads3 = qkv.view(m, 3, heads, hd);
            q = heads3.select(1, 0);
            k = heads3.select(1, 1);
            v = heads3.select(1, 2);
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

    private static void checkRows(int rows, int max) {
        if (rows < 1 || rows > max) throw new IllegalArgumentException("rows must be in [1, " + max + "], got " + rows);
    }

    /**
     * One position for m rows, llm.c style: every buffer and view exists already, the two big products
     * (weights, cache) are spread over the threads and the small per-row work (embedding rows, norms, RoPE,
     * the SwiGLU gate, cache writes: ~1/1000 of the bytes) runs on this thread, where handing it to a worker
     * would cost more than it does. Nothing is allocated.
     */
    private Tensor forward(int[] ids, int m, Tensor table) {
        RowViews r = views[m];
        int p = position;
        Rope2D rope = gpt.rope();
        embed(table, ids, m, r.x);
        for (int l = 0; l < c.nLayer(); l++) {
            Blocks.Block layer = gpt.layers.get(l);
            rmsNorm(r.x, layer.attentionNorm.weight, r.xn, m);
            linear.run(r.xn, layer.attention.wqkv.weight, r.qkv, false);
            rope.rotate(r.q, r.q, p);
            rope.rotate(r.k, r.k, p);
            writeSlot(r.k, r.kc[l], p);                                          // rounded on the way with BF16
            writeSlot(r.v, r.vc[l], p);
            attention.apply(r.q, r.kc[l], r.vc[l], p + 1, r.attHeads, scale);    // keys 0..p
            linear.run(r.att, layer.attention.wo.weight, r.x, true);             // x += wo(att)
            rmsNorm(r.x, layer.ffnNorm.weight, r.xn, m);
            Blocks.FeedForward f = layer.feedForward;
            linear.run(r.xn, f.w1.weight, r.h1, false);
            linear.run(r.xn, f.w3.weight, r.h3, false);
            CpuPointwise.siluMul(r.h1.segment(), r.h1.byteOffset(), r.h3.segment(), r.h3.byteOffset(), m * c.ffnDim());   // h1 = silu(h1)·h3
            linear.run(r.h1, f.w2.weight, r.x, true);                            // x += w2(...)
        }
        rmsNorm(r.x, gpt.norm.weight, r.xn, m);
        linear.run(r.xn, gpt.output.weight, r.logits, false);
        return r.logits;
    }

    /** x[i] = table[ids[i]] for the first m rows (table (N, D) F32 contiguous, as the model keeps its weights). */
    private void embed(Tensor table, int[] ids, int m, Tensor out) {
        long row = 4L * c.dim();
        for (int i = 0; i < m; i++) {
            MemorySegment.copy(table.segment(), table.byteOffset() + ids[i] * row, out.segment(), out.byteOffset() + i * row, row);
        }
    }

    /** out = RMSNorm(x)·w row by row (x and out contiguous (m, D)): the backend's row kernel, called directly. */
    private void rmsNorm(Tensor x, Tensor w, Tensor out, int m) {
        int d = c.dim();
        for (int i = 0; i < m; i++) {
            CpuNorm.rmsNormRow(x.segment(), x.byteOffset() + 4L * i * d, d, c.normEps(), w.segment(), w.byteOffset(), out.segment(), out.byteOffset() + 4L * i * d);
        }
    }

    /** cache[:, :, slot, :] = src (m, H, hd) F32, copied into an F32 cache or rounded to nearest even into a BF16 one. */
    private void writeSlot(Tensor src, Tensor cache, int slot) {
        int rows = src.size(0), heads = src.size(1), hd = src.size(2);
        int es = cache.dtype().byteSize();
        MemorySegment ss = src.segment(), cs = cache.segment();
        for (int i = 0; i < rows; i++) {
            for (int h = 0; h < heads; h++) {
                long from = 4L * (src.offset() + i * src.stride(0) + h * src.stride(1));
                long to = (long) es * (cache.offset() + i * cache.stride(0) + h * cache.stride(1) + slot * cache.stride(2));
                if (es == 4) MemorySegment.copy(ss, from, cs, to, 4L * hd);
                else CpuCopy.toBf16(ss, from, cs, to, hd);
            }
        }
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
