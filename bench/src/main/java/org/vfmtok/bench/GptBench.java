package org.vfmtok.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.vfmtok.llama.GPT;
import org.vfmtok.llama.GPTConfig;
import org.vfmtok.llama.GenerationOptions;
import org.vfmtok.llama.Generator;
import org.vfmtok.llama.KVCacheDType;
import org.vfmtok.llama.SamplingOptions;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.HeapMeter;
import org.vfmtok.tensor.cpu.Parallel;
import org.vfmtok.tensor.io.Json;

/**
 * Class-conditional generation speed: this project's KV-cache sampler against the PyTorch reference
 * ({@code tools/reference/llamagen_bench.py}, eager fp32 with OpenBLAS/OpenMP) run as a subprocess, alternating
 * per case so that both see the same machine load. Random weights (N(0, 0.02), output too), multinomial
 * sampling at temperature 1, a 264-slot cache whatever the step count.
 *
 * <pre>java --add-modules jdk.incubator.vector -cp ... org.vfmtok.bench.GptBench
 *      [--models GPT-B,GPT-L] [--batches 1,8] [--cfgs 1.0,1.5] [--steps 256] [--threads N] [--kv-cache f32|bf16] [--no-torch]
 *      [--warmup-s 5]</pre>
 *
 * Prints per case: seconds, image tokens/s (= batch·steps/s; with CFG each token costs two rows), s/image
 * extrapolated to 256 tokens, the ratio torch seconds / ours (only for a quiet case with torch on OpenBLAS: else "noisy" or
 * "refused", see {@link RunConditions}), the KV-cache bytes of our side (F32 by default,
 * BF16 with {@code --kv-cache bf16}; the dtype is in the header line; the reference always caches in fp32), and the
 * Java heap bytes of our timed generation with the part per token (0: decoding allocates nothing; what remains
 * is per call: the sampler's scratch and the code arrays).
 */
public final class GptBench {
    private GptBench() {}

    /** One run; heap bytes and per-token heap bytes are measured on our side only (NaN for the reference), the BLAS on the reference's. */
    record Result(double seconds, double tokensPerS, double sPerImage, long heapBytes, double heapPerToken, RunConditions.Blas blas) {
        Result(double seconds, double tokensPerS, double sPerImage, RunConditions.Blas blas) { this(seconds, tokensPerS, sPerImage, -1, Double.NaN, blas); }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = parse(args);
        List<String> models = List.of(a.getOrDefault("models", "GPT-B,GPT-L").split(","));
        int[] batches = ints(a.getOrDefault("batches", "1,8"));
        double[] cfgs = doubles(a.getOrDefault("cfgs", "1.0,1.5"));
        int steps = Integer.parseInt(a.getOrDefault("steps", "256"));
        int threads = Integer.parseInt(a.getOrDefault("threads", Integer.toString(Parallel.maxThreads())));
        boolean torch = !a.containsKey("no-torch");
        Path script = Path.of("tools/reference/llamagen_bench.py");
        double warmupS = Double.parseDouble(a.getOrDefault("warmup-s", "5"));
        String kvArg = a.getOrDefault("kv-cache", "f32");
        KVCacheDType kvCache;
        try {
            kvCache = KVCacheDType.parse(kvArg);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--kv-cache must be f32 or bf16, got '" + kvArg + "'");
        }
        Parallel.setThreads(threads);
        if (torch && !Files.exists(RunConditions.root().resolve(script))) throw new IllegalArgumentException(script + " not found (run from the repository root, or --no-torch)");
        System.out.printf(Locale.ROOT, "GptBench: threads %d, steps %d, KV cache %s, java %s, load %s%n", threads, steps, kvCache.label(),
                Runtime.version(), loadAverage());
        List<String> rows = new ArrayList<>();
        for (String name : models) {
            GPTConfig cfg = GPTConfig.preset(name);
            try (Scope s = Scope.open("bench " + name)) {
                long t0 = System.nanoTime();
                GPT g = new GPT(cfg);
                g.initialize(0, true);
                g.eval();
                System.out.printf(Locale.ROOT, "%s: %,d parameters (%.0f MB F32), random init in %.1f s%n", cfg.name(), g.parameterCount(),
                        g.parameterCount() * 4 / 1e6, (System.nanoTime() - t0) / 1e9);
                try (Generator gen = new Generator(g)) {
                    for (int b : batches) {
                        for (double c : cfgs) {
                            RunConditions.Window window = RunConditions.start();
                            Result ours = java(gen, b, c, steps, warmupS, kvCache);
                            long kv = gen.decoder().cacheBytes();
                            Result ref = torch ? torch(name, b, c, steps, threads) : null;
                            RunConditions.Noise noise = window.stop();
                            String row = String.format(Locale.ROOT, "%-7s %5d %4.1f %5d | %8.2f %9.2f %8.2f | %s | %6s | %,14d | %,10d %8.1f | %s",
                                    name, b, c, steps, ours.seconds, ours.tokensPerS, ours.sPerImage,
                                    ref == null ? "       -         -        -" : String.format(Locale.ROOT, "%8.2f %9.2f %8.2f", ref.seconds, ref.tokensPerS, ref.sPerImage),
                                    ref == null ? "-" : RunConditions.ratio(ref.seconds, ours.seconds, noise, ref.blas), kv, ours.heapBytes, ours.heapPerToken,
                                    noise.describe());
                            rows.add(row);
                            System.out.println(row);
                        }
                    }
                }
            }
        }
        System.out.println();
        System.out.println("model   batch  cfg steps |  java s  tok/s  s/img(256) |  torch s  tok/s  s/img(256) | torch/java | KV-cache bytes ("
                + kvCache.name() + ") | java heap bytes, per token | conditions");
        rows.forEach(System.out::println);
    }

    /**
     * Warm-up with whole generations, for at least {@code warmupS} (C2 must compile the Vector API loops, and from a
     * profile of full-length sequences: with short warm-up runs it compiled the attention's vector loops as cold,
     * out-of-line calls), then one timed generation. The heap bytes (all threads that decode, {@link HeapMeter}) of
     * half-length runs and of the timed run give the allocation per token: their difference, less the longer code
     * rows, over the extra tokens.
     */
    static Result java(Generator gen, int batch, double cfg, int steps, double warmupS, KVCacheDType kvCache) {
        int[] classes = new int[batch];
        for (int i = 0; i < batch; i++) classes[i] = i % gen.gpt().config.numClasses();
        GenerationOptions o = new GenerationOptions(cfg, SamplingOptions.defaults(), 0).withKvCache(kvCache);
        long until = System.nanoTime() + (long) (warmupS * 1e9);
        do {
            gen.generate(classes, o, (s, r) -> 0.5, null, steps);
        } while (System.nanoTime() < until);
        int half = steps / 2;
        long halfHeap = Long.MAX_VALUE;
        HeapMeter m;
        for (int i = 0; i < 2; i++) {     // the less of two: a JIT recompilation during one makes it allocate more
            m = HeapMeter.start();
            gen.generate(classes, o, (s, r) -> 0.5, null, half);
            halfHeap = Math.min(halfHeap, m.stop());
        }
        GenerationOptions timed = new GenerationOptions(cfg, SamplingOptions.defaults(), 1).withKvCache(kvCache);
        Rng rng = new Rng(1);
        Generator.Uniforms uniforms = (s, r) -> 1.0 - rng.nextDouble();
        m = HeapMeter.start();
        long t0 = System.nanoTime();
        gen.generate(classes, timed, uniforms, null, steps);
        double sec = (System.nanoTime() - t0) / 1e9;
        long heap = m.stop();
        double perToken = steps == half ? Double.NaN : (heap - halfHeap - 4.0 * batch * (steps - half)) / ((double) batch * (steps - half));
        return new Result(sec, batch * steps / sec, sec / steps * 256 / batch, heap, perToken, null);
    }

    static Result torch(String model, int batch, double cfg, int steps, int threads) throws IOException, InterruptedException {
        Path json = Files.createTempFile("llamagen-bench", ".json");
        try {
            RunConditions.Reference r = RunConditions.launchReference(threads, "llamagen_bench.py", List.of("--models", model, "--batches", Integer.toString(batch),
                    "--cfgs", Double.toString(cfg), "--steps", Integer.toString(steps), "--threads", Integer.toString(threads), "--json", json.toString()));
            Map<?, ?> root = (Map<?, ?>) Json.parse(Files.readString(json));
            Map<?, ?> res = (Map<?, ?>) ((List<?>) root.get("results")).get(0);
            return new Result(num(res, "seconds"), num(res, "tokens_per_s"), num(res, "s_per_image"), r.blas());
        } catch (Json.JsonException e) {
            throw new IOException(e);
        } finally {
            Files.deleteIfExists(json);
        }
    }

    private static double num(Map<?, ?> m, String k) { return ((Number) m.get(k)).doubleValue(); }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) throw new IllegalArgumentException("unexpected argument " + args[i]);
            String k = args[i].substring(2);
            if (k.equals("no-torch")) m.put(k, "");
            else if (i + 1 < args.length) m.put(k, args[++i]);
            else throw new IllegalArgumentException("--" + k + " needs a value");
        }
        return m;
    }

    private static int[] ints(String s) { return java.util.Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray(); }

    private static double[] doubles(String s) { return java.util.Arrays.stream(s.split(",")).mapToDouble(Double::parseDouble).toArray(); }
}
