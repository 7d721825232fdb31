package org.vfmtok.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.NativeMemory;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.cpu.Parallel;
import org.vfmtok.tensor.ops.DeformableAttention;
import org.vfmtok.tensor.ops.Reductions;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.model.TokenizerConfig;

/**
 * The tokenizer's stages at the official size (336×336, DINOv2-L/14-reg4, random weights), Java and the
 * PyTorch reference alternated in one run: per case, Java, then PyTorch, then Java and PyTorch again;
 * medians; ratio = PyTorch seconds / Java seconds (above 1: Java is faster), printed only when the case ran quiet
 * and torch ran on OpenBLAS ({@link RunConditions}: else "noisy" or "refused"). Also peak native memory.
 */
public final class TokenizerBench {
    private TokenizerBench() {}

    public static void main(String[] args) throws Exception {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int[] batches = args.length > 1 ? java.util.Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray() : new int[] {1, 8};
        String[] whats = args.length > 2 ? args[2].split(",") : new String[] {"msda", "dinov2", "tokenize", "detokenize", "reconstruct"};
        int threads = Parallel.threads();
        TokenizerConfig cfg = TokenizerConfig.official();
        System.out.println("# building the official-size tokenizer with random weights...");
        VFMTokenizer tok = Scope.global().run(() -> VFMTokenizer.random(cfg, 0));
        List<String> rows = new ArrayList<>();
        rows.add(String.format(Locale.ROOT, "%-12s %5s %7s %10s %10s %7s %12s  %s", "stage", "batch", "threads", "java_s", "torch_s", "ratio", "java_peak_MB", "conditions"));
        for (String what : whats) {
            for (int b : batches) {
                double[] java = new double[2 * reps];
                double[] torch = new double[2 * reps];
                long peak = 0;
                Map<String, Object> ref = null;
                RunConditions.Blas blas = null;
                RunConditions.Window window = RunConditions.start();
                for (int round = 0; round < 2; round++) {
                    double[] t = javaRun(tok, cfg, what, b, reps, round == 0);
                    System.arraycopy(t, 0, java, round * reps, reps);
                    peak = Math.max(peak, NativeMemory.peakBytes());
                    RunConditions.Reference r = RunConditions.launchReference(threads, "vfmtok_bench.py",
                            List.of("--what", what, "--batch", Integer.toString(b), "--reps", Integer.toString(reps), "--threads", Integer.toString(threads)));
                    blas = r.blas();
                    ref = json(r.lastLine());
                    List<?> s = (List<?>) ref.get("seconds");
                    for (int i = 0; i < reps; i++) torch[round * reps + i] = ((Number) s.get(i)).doubleValue();
                }
                RunConditions.Noise noise = window.stop();
                double j = Stats.median(java), p = Stats.median(torch);
                String row = String.format(Locale.ROOT, "%-12s %5d %7d %10.3f %10.3f %7s %12.0f  %s", what, b, threads, j, p,
                        RunConditions.ratio(p, j, noise, blas), peak / 1048576.0, noise.describe());
                System.out.println(row + "   (torch peak RSS " + ref.get("peak_rss_mb") + " MB, BLAS " + blas.describe() + ")");
                rows.add(row);
            }
        }
        System.out.println();
        rows.forEach(System.out::println);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(String line) throws java.io.IOException {
        try {
            return (Map<String, Object>) org.vfmtok.tensor.io.Json.parse(line);
        } catch (org.vfmtok.tensor.io.Json.JsonException e) {
            throw new java.io.IOException("vfmtok_bench.py printed no JSON: " + line, e);
        }
    }

    private static double[] javaRun(VFMTokenizer tok, TokenizerConfig cfg, String what, int b, int reps, boolean warm) {
        try (Scope s = Scope.open(); Grad.Mode ng = Grad.noGrad()) {
            Rng rng = new Rng(1);
            int size = cfg.imageSize();
            Tensor x = Init.uniform(Tensor.empty(DType.F32, b, 3, size, size), rng, -1, 1);
            long[] c = new long[b * cfg.tokens()];
            for (int i = 0; i < c.length; i++) c[i] = Math.floorMod(rng.nextLong(), cfg.codebookSize());
            Tensor codes = Tensor.ofLongs(c, b, cfg.tokens());
            Runnable body = switch (what) {
                case "msda" -> msda(cfg, b, rng);
                case "dinov2" -> () -> scoped(() -> tok.features(x));
                case "tokenize" -> () -> scoped(() -> tok.encode(x));
                case "detokenize" -> () -> scoped(() -> tok.decode(codes));
                case "reconstruct" -> () -> scoped(() -> tok.reconstruct(x));
                default -> throw new IllegalArgumentException("unknown stage " + what);
            };
            if (warm) body.run();
            return Stats.time(reps, body);
        }
    }

    private static Runnable msda(TokenizerConfig cfg, int b, Rng rng) {
        int g = cfg.vfmGrid(), l = cfg.levels(), m = cfg.encHeads(), p = cfg.nPoints(), d = cfg.dim() / m, q = cfg.tokens();
        Tensor value = Init.normal(Tensor.empty(DType.F32, b, l * g * g, m, d), rng, 0, 1);
        Tensor loc = Init.uniform(Tensor.empty(DType.F32, b, q, m, l, p, 2), rng, 0, 1);
        Tensor w = Reductions.softmax(Init.normal(Tensor.empty(DType.F32, b, q, m, l * p), rng, 0, 1), -1).view(b, q, m, l, p);
        int[][] shapes = new int[l][];
        for (int i = 0; i < l; i++) shapes[i] = new int[] {g, g};
        return () -> scoped(() -> DeformableAttention.msDeformAttn(value, shapes, loc, w));
    }

    private static void scoped(java.util.function.Supplier<Object> f) {
        try (Scope s = Scope.open()) {
            f.get();
        }
    }
}
