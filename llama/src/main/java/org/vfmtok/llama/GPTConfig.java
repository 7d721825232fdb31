package org.vfmtok.llama;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.vfmtok.tensor.io.Json;

/**
 * Size and hyper-parameters of a class-conditional LlamaGen GPT ({@code gpt.py::ModelArgs}, c2i, one class
 * token). {@code ffnDim} is the SwiGLU hidden width, normally {@link #ffnFor}{@code (dim, 256)}.
 *
 * <p>Presets ({@link #preset}) are the official sizes with vocab 16384, a 16×16 grid and 1000 classes:
 * GPT-B, GPT-L, GPT-XL, GPT-XXL, GPT-2B (head dim 60, VFMTok only) and GPT-3B (head dim 100); any other size
 * comes from {@link #fromJson} or the constructor.
 */
public record GPTConfig(String name, int dim, int nLayer, int nHead, int ffnDim, int vocabSize, int numClasses, int grid,
                        double ropeBase, double normEps, double classDropoutProb, double tokenDropoutP, double residDropoutP,
                        double ffnDropoutP, double initStd) {

    /**
     * This config with every dropout probability set to {@code p}: class dropout (to the null class), token,
     * residual and FFN dropout. {@code withDropout(0)} removes the training forward's randomness, which
     * data-parallel equivalence tests need.
     */
    public GPTConfig withDropout(double p) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        return new GPTConfig(name, dim, nLayer, nHead, ffnDim, vocabSize, numClasses, grid, ropeBase, normEps, p, p, p, p, initStd);
    }

    /** Official (n_layer, n_head, dim) by name, c2i section of gpt.py plus VFMTok's GPT-2B. */
    private static final Map<String, int[]> PRESETS = new LinkedHashMap<>();

    static {
        PRESETS.put("GPT-B", new int[] {12, 12, 768});
        PRESETS.put("GPT-L", new int[] {24, 16, 1024});
        PRESETS.put("GPT-XL", new int[] {36, 20, 1280});
        PRESETS.put("GPT-XXL", new int[] {48, 24, 1536});
        PRESETS.put("GPT-2B", new int[] {48, 32, 1920});
        PRESETS.put("GPT-3B", new int[] {24, 32, 3200});
    }

    public GPTConfig {
        if (name == null || name.isBlank()) name = "custom";
        require(dim > 0 && nLayer > 0 && nHead > 0 && ffnDim > 0 && vocabSize > 0 && numClasses > 0 && grid > 0,
                "dims must be positive: dim " + dim + ", n_layer " + nLayer + ", n_head " + nHead + ", ffn " + ffnDim
                        + ", vocab " + vocabSize + ", classes " + numClasses + ", grid " + grid);
        require(dim % nHead == 0, "dim " + dim + " is not divisible by n_head " + nHead);
        require((dim / nHead) % 4 == 0, "head dim " + dim / nHead + " must be a multiple of 4 (2D RoPE rotates hd/4 pairs by the row and hd/4 by the column)");
        require((long) grid * grid <= 1 << 20, "grid " + grid + " is too large");
        require(normEps > 0 && ropeBase > 0 && initStd >= 0, "norm_eps and rope_base must be positive, initializer_range non-negative");
        for (double p : new double[] {classDropoutProb, tokenDropoutP, residDropoutP, ffnDropoutP}) {
            require(p >= 0 && p < 1, "dropout probabilities must be in [0, 1), got " + p);
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException("GPT config: " + message);
    }

    /** A config with the official defaults (eps 1e-5, base 10000, dropouts 0.1, init std 0.02). */
    public static GPTConfig of(String name, int dim, int nLayer, int nHead, int ffnDim, int vocabSize, int numClasses, int grid) {
        return new GPTConfig(name, dim, nLayer, nHead, ffnDim, vocabSize, numClasses, grid, 10000, 1e-5, 0.1, 0.1, 0.1, 0.1, 0.02);
    }

    /** An official size: GPT-B, GPT-L, GPT-XL, GPT-XXL, GPT-2B, GPT-3B (case-insensitive; "B" works too). */
    public static GPTConfig preset(String name) {
        String key = canonical(name);
        int[] p = PRESETS.get(key);
        if (p == null) throw new IllegalArgumentException("unknown GPT model '" + name + "'; known: " + String.join(", ", PRESETS.keySet()));
        return of(key, p[2], p[0], p[1], ffnFor(p[2], 256), 16384, 1000, 16);
    }

    public static Set<String> presetNames() { return PRESETS.keySet(); }

    private static String canonical(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        return n.startsWith("GPT-") ? n : "GPT-" + n;
    }

    /** find_multiple(int(2·4·dim/3), multipleOf): LlamaGen's SwiGLU hidden width. */
    public static int ffnFor(int dim, int multipleOf) {
        return findMultiple((int) (2L * 4 * dim / 3), multipleOf);
    }

    /** The smallest multiple of k that is ≥ n. */
    public static int findMultiple(int n, int k) {
        return n % k == 0 ? n : n + k - n % k;
    }

    public int headDim() { return dim / nHead; }

    /** Image tokens per sample (grid²). */
    public int tokens() { return grid * grid; }

    /** Class tokens in front of the image tokens (always 1 for c2i). */
    public int clsTokenNum() { return 1; }

    /** Rows of the class table: the classes plus, when class dropout is on, the null class {@code numClasses}. */
    public int classRows() { return numClasses + (classDropoutProb > 0 ? 1 : 0); }

    /** True when the table has the unconditional (null) row that CFG needs. */
    public boolean hasNullClass() { return classDropoutProb > 0; }

    /** KV cache slots: 1 + tokens rounded up to a multiple of 8 (264 for 16×16). */
    public int cacheLength() { return findMultiple(clsTokenNum() + tokens(), 8); }

    public GPTConfig withVocab(int v) { return new GPTConfig(name, dim, nLayer, nHead, ffnDim, v, numClasses, grid, ropeBase, normEps, classDropoutProb, tokenDropoutP, residDropoutP, ffnDropoutP, initStd); }

    public GPTConfig withGrid(int g) { return new GPTConfig(name, dim, nLayer, nHead, ffnDim, vocabSize, numClasses, g, ropeBase, normEps, classDropoutProb, tokenDropoutP, residDropoutP, ffnDropoutP, initStd); }

    public GPTConfig withClasses(int c) { return new GPTConfig(name, dim, nLayer, nHead, ffnDim, vocabSize, c, grid, ropeBase, normEps, classDropoutProb, tokenDropoutP, residDropoutP, ffnDropoutP, initStd); }

    /** Parameters of the model (no biases): 2VD + rows·D + D + layers·(4D² + 3DF + 2D). */
    public long parameterCount() {
        long d = dim, f = ffnDim, v = vocabSize;
        return 2 * v * d + (long) classRows() * d + d + nLayer * (4 * d * d + 3 * d * f + 2 * d);
    }

    /** Bytes of an F32 KV cache for {@code batchRows} sequences (both k and v, every layer). */
    public long kvCacheBytes(int batchRows) {
        return kvCacheBytes(batchRows, KVCacheDType.F32);
    }

    /** Bytes of the k and v caches of a {@link KVDecoder} with {@code batchRows} rows stored as {@code dtype}. */
    public long kvCacheBytes(int batchRows, KVCacheDType dtype) {
        return 2L * nLayer * batchRows * nHead * cacheLength() * headDim() * dtype.byteSize();
    }

    // ------------------------------------------------------------------ JSON

    private static final List<String> KEYS = List.of("model", "gpt_model", "name", "dim", "n_layer", "n_head", "n_kv_head", "ffn_dim",
            "hidden_dim", "multiple_of", "ffn_dim_multiplier", "vocab_size", "num_classes", "block_size", "grid", "cls_token_num",
            "rope_base", "norm_eps", "class_dropout_prob", "token_dropout_p", "resid_dropout_p", "ffn_dropout_p",
            "attn_dropout_p", "drop_path_rate", "initializer_range", "model_type", "head_dim");

    /**
     * A config from JSON with the names of the reference's {@code ModelArgs}: an optional base preset
     * ({@code "model": "GPT-B"}), then any of dim, n_layer, n_head, ffn_dim (or hidden_dim; otherwise
     * find_multiple(int(8·dim/3), multiple_of = 256)), vocab_size, num_classes, block_size (a square) or grid,
     * rope_base, norm_eps, class_dropout_prob, token/resid/ffn_dropout_p, initializer_range. A fixture
     * manifest's {@code config} object is accepted as is.
     */
    public static GPTConfig fromJson(Path file) throws IOException {
        return Json.readObject(file, m -> fromMap(m.containsKey("config") && m.get("config") instanceof Map<?, ?> c ? c : m));
    }

    public static GPTConfig fromMap(Map<?, ?> m) {
        org.vfmtok.tensor.io.ConfigValues.requireKnownKeys(m, "GPT config key", "", KEYS);
        Object base = get(m, "model", get(m, "gpt_model", null));
        GPTConfig d = base == null ? preset("GPT-B") : preset(String.valueOf(base));
        String type = (String) get(m, "model_type", "c2i");
        require("c2i".equals(type), "only class-conditional (c2i) models are supported, got model_type " + type);
        int nKv = num(m, "n_kv_head", -1);
        int nHead = num(m, "n_head", d.nHead);
        require(nKv < 0 || nKv == nHead, "n_kv_head " + nKv + " differs from n_head " + nHead + " (grouped-query attention is not supported)");
        require(get(m, "ffn_dim_multiplier", null) == null, "ffn_dim_multiplier is not supported (no c2i config uses it)");
        require(((Number) get(m, "drop_path_rate", 0.0)).doubleValue() == 0, "drop_path_rate must be 0");
        require(num(m, "cls_token_num", 1) == 1, "cls_token_num must be 1 for class-conditional models");
        int dim = num(m, "dim", d.dim);
        boolean dimsChanged = m.containsKey("dim");
        int ffn = num(m, "ffn_dim", num(m, "hidden_dim", dimsChanged || m.containsKey("multiple_of") ? ffnFor(dim, num(m, "multiple_of", 256)) : d.ffnDim));
        int grid = d.grid;
        if (m.containsKey("grid")) grid = num(m, "grid", grid);
        else if (m.containsKey("block_size")) {
            int bs = num(m, "block_size", 256);
            grid = (int) Math.round(Math.sqrt(bs));
            require(grid * grid == bs, "block_size " + bs + " is not a square");
        }
        boolean custom = base == null || dimsChanged || m.containsKey("n_layer") || m.containsKey("n_head") || m.containsKey("ffn_dim");
        String name = (String) get(m, "name", custom ? "custom" : d.name);
        GPTConfig c = new GPTConfig(name, dim, num(m, "n_layer", d.nLayer), nHead, ffn, num(m, "vocab_size", d.vocabSize),
                num(m, "num_classes", d.numClasses), grid, dbl(m, "rope_base", d.ropeBase), dbl(m, "norm_eps", d.normEps),
                dbl(m, "class_dropout_prob", d.classDropoutProb), dbl(m, "token_dropout_p", d.tokenDropoutP),
                dbl(m, "resid_dropout_p", d.residDropoutP), dbl(m, "ffn_dropout_p", d.ffnDropoutP), dbl(m, "initializer_range", d.initStd));
        if (m.containsKey("head_dim")) require(num(m, "head_dim", 0) == c.headDim(), "head_dim " + m.get("head_dim") + " differs from dim / n_head = " + c.headDim());
        return c;
    }

    private static Object get(Map<?, ?> m, String key, Object dflt) {
        Object v = m.get(key);
        return v == null || v == Json.NULL ? dflt : v;
    }

    private static int num(Map<?, ?> m, String key, int dflt) {
        Object v = get(m, key, null);
        if (v == null) return dflt;
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) throw new IllegalArgumentException(key + " must be an integer, got " + v);
        // named here: Math.toIntExact would say only "integer overflow"
        if (n.doubleValue() > Integer.MAX_VALUE || n.doubleValue() < Integer.MIN_VALUE) throw new IllegalArgumentException(key + " is out of range: " + v);
        return n.intValue();
    }

    private static double dbl(Map<?, ?> m, String key, double dflt) {
        Object v = get(m, key, null);
        if (v == null) return dflt;
        if (!(v instanceof Number n)) throw new IllegalArgumentException(key + " must be a number, got " + v);
        return n.doubleValue();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s(dim %d, layers %d, heads %d x %d, ffn %d, vocab %d, classes %d, grid %d)",
                name, dim, nLayer, nHead, headDim(), ffnDim, vocabSize, numClasses, grid);
    }
}
