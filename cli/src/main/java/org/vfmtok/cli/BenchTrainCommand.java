package org.vfmtok.cli;

import java.util.Locale;
import java.util.concurrent.Callable;
import org.vfmtok.llama.GPT;
import org.vfmtok.llama.GPTConfig;
import org.vfmtok.nn.optim.Adam;
import org.vfmtok.nn.optim.GradClip;
import org.vfmtok.nn.optim.ParamGroup;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.vfmtok.model.TokenizerConfig;
import org.vfmtok.vfmtok.model.VQModel;
import org.vfmtok.vfmtok.train.RandomVfm;
import org.vfmtok.vfmtok.train.TokenizerConfigs;
import org.vfmtok.vfmtok.train.TokenizerLoss;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./vfm bench train}: training throughput at the demo geometry — tokenizer images/s and GPT tokens/s —
 * against the same steps in PyTorch (tools/reference/train_step_bench.py), run one after the other.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Training-step throughput at the demo geometry (tokenizer: 24 px, batch 12; GPT: dim 64, 16 tokens, batch 64):",
                "ours, then PyTorch's (tools/reference/train_step_bench.py with /usr/bin/python3, when available), and the ratios."})
final class BenchTrainCommand implements Callable<Integer> {
    @Option(names = "--steps", defaultValue = "30", description = "Timed training steps per model (default: ${DEFAULT-VALUE}).") int steps;
    @Option(names = "--warmup", defaultValue = "10", description = "Untimed steps before timing (JIT warm-up) (default: ${DEFAULT-VALUE}).") int warmup;
    @Option(names = "--tok-batch", defaultValue = "12", description = "Tokenizer batch (images per step) (default: ${DEFAULT-VALUE}).") int tokBatch;
    @Option(names = "--ar-batch", defaultValue = "64", description = "GPT batch (sequences per step) (default: ${DEFAULT-VALUE}).") int arBatch;
    @Option(names = "--threads", defaultValue = "2", description = "PyTorch threads (ours: -Dvfmtok.threads) (default: ${DEFAULT-VALUE}).") int threads;
    @Option(names = "--no-torch", description = "Skip the PyTorch run.") boolean noTorch;
    @Option(names = "--only", description = "Time only 'tokenizer' or 'gpt' (each alone in the JVM: JIT profiles differ).") String only;

    @Override
    public Integer call() throws Exception {
        double tok = Double.NaN, ar = Double.NaN;
        org.vfmtok.bench.RunConditions.Window window = org.vfmtok.bench.RunConditions.start();   // both sides: the ratios need a quiet machine throughout
        if (only == null || only.equals("tokenizer")) tok = timeTokenizer();
        if (only == null || only.equals("gpt")) ar = timeGpt();
        return torch(tok, ar, window);
    }

    private double timeTokenizer() {
        TokenizerConfig cfg = TokenizerConfigs.demo();
        var vfm = Scope.global().run(() -> RandomVfm.create(cfg.vfm(), 1));
        VQModel m = Scope.global().run(() -> new VQModel(cfg, new Rng(2)));
        TokenizerLoss loss = new TokenizerLoss(m, vfm, null, null, new TokenizerLoss.Weights(1, 0, 1, 1, 0.25, 0, Long.MAX_VALUE, 0));
        Adam adam = Adam.adam(ParamGroup.single(m.parameters(), 1e-4, 0), 0.9, 0.95, 1e-8);
        Tensor x = Scope.global().run(() -> Init.uniform(Tensor.empty(DType.F32, tokBatch, 3, 24, 24), new Rng(3), -1, 1));
        double tok = time(() -> {
            loss.forward(x, 0).loss().backward();
            GradClip.clipGlobalNorm(m.parameters(), 1.0);
            adam.step();
            adam.zeroGrad();
        });
        print("tokenizer-demo", tokBatch, tok, "images_per_s", tokBatch / tok);
        return tok;
    }

    private double timeGpt() {
        GPTConfig gc = new GPTConfig("demo", 64, 2, 4, 176, 128, 10, 4, 10000, 1e-5, 0.1, 0.1, 0.1, 0.1, 0.02);
        GPT gpt = Scope.global().run(() -> {
            GPT g = new GPT(gc, new Rng(4));
            g.initialize(4, false);
            return g;
        });
        gpt.train(true);
        Adam adamW = Adam.adamW(ParamGroup.decayOnMatrices(gpt.namedParameters(), 1e-4, 0.05), 0.9, 0.95, 1e-8);
        Rng r = new Rng(5);
        long[] labels = new long[arBatch], codes = new long[arBatch * 16];
        for (int i = 0; i < arBatch; i++) labels[i] = r.nextInt(10);
        for (int i = 0; i < codes.length; i++) codes[i] = r.nextInt(128);
        double ar = time(() -> {
            gpt.loss(Tensor.ofLongs(labels, arBatch), Tensor.ofLongs(codes, arBatch, 16)).backward();
            GradClip.clipGlobalNorm(gpt.parameters(), 1.0);
            adamW.step();
            adamW.zeroGrad();
        });
        print("gpt-demo", arBatch, ar, "tokens_per_s", arBatch * 16 / ar);
        return ar;
    }

    /** The PyTorch steps through the one reference launcher (OpenBLAS, threads, BLAS check), and the ratios when the run was quiet. */
    private int torch(double tok, double ar, org.vfmtok.bench.RunConditions.Window window) throws Exception {
        if (noTorch) return 0;
        String missing = org.vfmtok.bench.RunConditions.missingReference();
        if (missing != null) {
            System.out.println("PyTorch reference not run: " + missing);
            return 0;
        }
        org.vfmtok.bench.RunConditions.Reference ref;
        try {
            ref = org.vfmtok.bench.RunConditions.launchReference(threads, "train_step_bench.py", java.util.List.of("--threads", Integer.toString(threads),
                    "--steps", Integer.toString(steps), "--tok-batch", Integer.toString(tokBatch), "--ar-batch", Integer.toString(arBatch)));
        } catch (java.io.IOException e) {
            System.out.println("PyTorch reference did not run: " + e.getMessage());
            return 0;
        }
        var noise = window.stop();
        String out = ref.stdout();
        System.out.print(out);
        double torchTok = field(out, "tokenizer-demo"), torchAr = field(out, "gpt-demo");
        System.out.printf(Locale.ROOT, "ratio (PyTorch step time / ours): tokenizer %s, gpt %s (above 1: we are faster); %s%n",
                org.vfmtok.bench.RunConditions.ratio(torchTok, 1000 * tok, noise, ref.blas()),
                org.vfmtok.bench.RunConditions.ratio(torchAr, 1000 * ar, noise, ref.blas()), noise.describe());
        return 0;
    }

    private static double field(String out, String model) {
        for (String line : out.split("\n")) {
            if (line.contains("\"" + model + "\"")) return Double.parseDouble(line.replaceAll(".*\"step_ms\": ([0-9.]+).*", "$1"));
        }
        return Double.NaN;
    }

    private void print(String model, int batch, double secs, String unit, double rate) {
        System.out.printf(Locale.ROOT, "{\"model\": \"%s\", \"framework\": \"ours (%s)\", \"batch\": %d, \"step_ms\": %.2f, \"%s\": %.1f}%n",
                model, org.vfmtok.tensor.cpu.Parallel.threads() + " threads", batch, 1000 * secs, unit, rate);
    }

    /** Seconds per step after warm-up, each step in its own scope. */
    private double time(Runnable step) {
        for (int i = 0; i < warmup; i++) {
            try (Scope s = Scope.open("bench")) { step.run(); }
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            try (Scope s = Scope.open("bench")) { step.run(); }
        }
        return (System.nanoTime() - t0) / 1e9 / steps;
    }
}
