package org.vfmtok.bench;

import java.util.Arrays;
import java.util.Locale;
import org.vfmtok.llama.GPT;
import org.vfmtok.llama.GPTConfig;
import org.vfmtok.llama.KVCacheDType;
import org.vfmtok.llama.KVDecoder;
import org.vfmtok.nn.WeightStorage;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.cpu.Parallel;
import org.vfmtok.vfmtok.StorageAgreement;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.data.ProceduralShapes;
import org.vfmtok.vfmtok.model.TokenizerConfig;
import org.vfmtok.vfmtok.train.TokenizerConfigs;

/**
 * BF16 against F32 weights on one GPT (random N(0, 0.02) weights, output head too, unless a checkpoint is given to the
 * command): how far greedy decoding moves, and how much faster a batch-1 decode step is.
 *
 * <p>Agreement: F32 weights with an F32 cache decode greedily from class 0 for all the image's tokens; BF16 weights with
 * a BF16 cache then (a) decode greedily on their own (codes equal to F32's: how many, and the first step that
 * differs) and (b) are fed F32's codes (teacher forcing), giving the largest logit difference and the argmax agreement
 * per position on the same prefixes.
 *
 * <p>Tokenizer: the same comparison for a tokenizer ({@link StorageAgreement}) on the demo geometry with random weights.
 *
 * <p>Speed: batch-1 greedy decoding of all the tokens, F32 and BF16 alternated for {@code rounds} rounds after a
 * warm-up, medians per step; the speed-up is printed only when the window was quiet ({@link RunConditions}).
 */
public final class WeightsBench {
    private WeightsBench() {}

    /** A greedy decode of {@code steps} tokens from class {@code label}: the codes and, when {@code keep}, every position's logits. */
    record Decode(int[] codes, float[][] logits, double seconds) {}

    /** Greedy decoding; {@code forced} non-null feeds those codes instead of the argmax (teacher forcing). */
    static Decode greedy(KVDecoder d, int vocab, int label, int steps, int[] forced, boolean keep) {
        float[] logits = new float[vocab];
        float[][] kept = keep ? new float[steps][] : null;
        int[] codes = new int[steps], feed = new int[1];
        long t0 = System.nanoTime();
        d.reset();
        d.prefill(new int[] {label});
        for (int t = 0; t < steps; t++) {
            d.copyLogits(0, logits);
            if (keep) kept[t] = logits.clone();
            codes[t] = argmax(logits);
            if (t + 1 < steps) {
                feed[0] = forced != null ? forced[t] : codes[t];
                d.step(feed, 1);
            }
        }
        return new Decode(codes, kept, (System.nanoTime() - t0) / 1e9);
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    public static void main(String[] args) throws Exception {
        String model = "GPT-B";
        int rounds = 3;
        boolean speed = true, agreement = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--model" -> model = args[++i];
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--no-speed" -> speed = false;
                case "--no-agreement" -> agreement = false;
                default -> throw new IllegalArgumentException("unexpected argument " + args[i] + " (--model NAME, --rounds N, --no-speed, --no-agreement)");
            }
        }
        GPTConfig cfg = GPTConfig.preset(model);
        int steps = cfg.tokens();
        System.out.printf(Locale.ROOT, "WeightsBench: %s, %d tokens, batch 1, %d threads, java %s, commit %s%n", cfg.name(), steps, Parallel.threads(),
                Runtime.version(), System.getProperty("vfmtok.commit", "?"));
        try (Scope s = Scope.open("weights bench")) {
            GPT f32 = new GPT(cfg);
            f32.initialize(0, true);
            f32.eval();
            GPT bf16 = f32.withWeights(WeightStorage.BF16);
            System.out.printf(Locale.ROOT, "%,d parameters: F32 %.0f MB, BF16 %.0f MB (embedding tables and norms stay F32)%n", f32.parameterCount(),
                    bytes(f32) / 1e6, bytes(bf16) / 1e6);
            try (KVDecoder a = new KVDecoder(f32, 1, KVCacheDType.F32); KVDecoder b = new KVDecoder(bf16, 1, KVCacheDType.BF16)) {
                if (agreement) agreement(a, b, cfg.vocabSize(), steps);
                if (speed) speed(a, b, cfg.vocabSize(), steps, rounds);
            }
        }
        if (agreement) tokenizerAgreement();
    }

    /**
     * The tokenizer's row: BF16 against F32 weights on the demo geometry (random weights, 32 procedural shape images):
     * equal codes and the PSNR of the reconstructions against F32's (seconds on the CPU).
     */
    private static void tokenizerAgreement() {
        TokenizerConfig cfg = TokenizerConfigs.demo();
        int n = 32, side = cfg.imageSize();
        Rng rng = new Rng(5);
        float[] all = new float[n * 3 * side * side];
        for (int i = 0; i < n; i++) {
            float[] one = ProceduralShapes.render(i % ProceduralShapes.CLASSES.size(), rng, side);
            System.arraycopy(one, 0, all, i * one.length, one.length);
        }
        try (Scope s = Scope.open("tokenizer weights bench"); VFMTokenizer f32 = VFMTokenizer.random(cfg, 11);
             VFMTokenizer bf16 = VFMTokenizer.random(cfg, 11, WeightStorage.BF16)) {
            StorageAgreement a = StorageAgreement.measure(f32, bf16, Tensor.of(all, n, 3, side, side));
            System.out.printf(Locale.ROOT, "tokenizer (demo geometry, random weights, %d procedural images of %d px): BF16 vs F32 weights: codes equal %d/%d (%.1f%%), "
                    + "reconstruction PSNR %.1f dB, decoder alone on F32's codes %.1f dB%n", n, side, a.equalCodes(), a.codes(), 100 * a.codeAgreement(),
                    a.reconstructionPsnrDb(), a.decoderPsnrDb());
        }
    }

    static long bytes(GPT g) {
        long n = 0;
        for (var t : g.parameters()) n += t.numel() * t.dtype().byteSize();
        return n;
    }

    private static void agreement(KVDecoder f32, KVDecoder bf16, int v, int steps) {
        Decode ref = greedy(f32, v, 0, steps, null, true);
        Decode free = greedy(bf16, v, 0, steps, null, false);
        Decode forced = greedy(bf16, v, 0, steps, ref.codes(), true);
        int equal = 0, firstDiff = -1, argmaxAgree = 0;
        double maxDiff = 0, maxAbs = 0;
        for (int t = 0; t < steps; t++) {
            if (free.codes()[t] == ref.codes()[t]) equal++;
            else if (firstDiff < 0) firstDiff = t;
            if (forced.codes()[t] == ref.codes()[t]) argmaxAgree++;
            for (int j = 0; j < ref.logits()[t].length; j++) {
                maxDiff = Math.max(maxDiff, Math.abs(ref.logits()[t][j] - forced.logits()[t][j]));
                maxAbs = Math.max(maxAbs, Math.abs(ref.logits()[t][j]));
            }
        }
        System.out.printf(Locale.ROOT, "agreement over %d greedy steps (BF16 weights + BF16 KV cache vs F32 + F32):%n", steps);
        System.out.printf(Locale.ROOT, "  free-running codes equal: %d/%d (%.1f%%), first difference at step %s%n", equal, steps, 100.0 * equal / steps,
                firstDiff < 0 ? "none" : Integer.toString(firstDiff));
        System.out.printf(Locale.ROOT, "  teacher-forced argmax agreement: %d/%d (%.1f%%); largest |logit difference| %.4g (largest |logit| %.4g, %.2f%%)%n",
                argmaxAgree, steps, 100.0 * argmaxAgree / steps, maxDiff, maxAbs, 100 * maxDiff / maxAbs);
    }

    private static void speed(KVDecoder f32, KVDecoder bf16, int v, int steps, int rounds) {
        long until = System.nanoTime() + 8_000_000_000L;   // C2 compiles the row kernel's BF16 and F32 loops
        do {
            greedy(f32, v, 0, steps, null, false);
            greedy(bf16, v, 0, steps, null, false);
        } while (System.nanoTime() < until);
        double[] a = new double[rounds], b = new double[rounds];
        RunConditions.Window window = RunConditions.start();
        for (int r = 0; r < rounds; r++) {
            a[r] = greedy(f32, v, 0, steps, null, false).seconds() / steps;
            b[r] = greedy(bf16, v, 0, steps, null, false).seconds() / steps;
        }
        RunConditions.Noise noise = window.stop();
        double ma = Stats.median(a), mb = Stats.median(b);
        System.out.printf(Locale.ROOT, "decode, batch 1, ms per step (median of %d, alternated): F32 %.2f %s, BF16 %.2f %s; BF16 speed-up %s; %s%n", rounds,
                1e3 * ma, ms(a), 1e3 * mb, ms(b), RunConditions.ratio(ma, mb, noise, null), noise.describe());
    }

    private static String ms(double[] v) {
        double[] m = new double[v.length];
        for (int i = 0; i < v.length; i++) m[i] = Math.round(v[i] * 1e5) / 100.0;
        return Arrays.toString(m);
    }
}
