package org.vfmtok.nn.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.vfmtok.nn.Module;
import org.vfmtok.nn.dist.Communicator;
import org.vfmtok.nn.optim.Ema;
import org.vfmtok.nn.optim.GradClip;
import org.vfmtok.nn.optim.LrSchedule;
import org.vfmtok.nn.optim.Optimizer;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;

/**
 * A reusable training loop: gradient accumulation, learning-rate schedule, global-norm clipping,
 * gradient averaging over a {@link Communicator}, EMA, periodic atomic checkpoints (keep the last N),
 * exact resume (model, optimizer, EMA, step, data position and RNG state), JSON-lines metrics and a
 * {@link TrainingProgress} report. Every micro-step runs in its own {@link Scope}.
 *
 * <p>Resuming is exact: training N steps equals training k, stopping, and training N − k from the
 * checkpoint, bit for bit, provided the loss function draws randomness only from {@link #rng()} and the
 * data only from the {@link DataStream}.
 */
public final class Trainer {
    /** A deterministic, seekable source of batches (its position is saved in checkpoints). */
    public interface DataStream<B> {
        B next();

        long position();

        void seek(long position);
    }

    /** The model's loss on one micro-batch (a scalar tensor with grad). */
    @FunctionalInterface
    public interface LossFn<B> {
        Tensor loss(B batch, Rng rng);
    }

    public record Config(long totalSteps, int gradAccum, double clipNorm, long checkpointEvery, int keepLast,
                         long logEvery, boolean progressBar) {
        public Config {
            if (totalSteps < 0) throw new IllegalArgumentException("totalSteps must be >= 0");
            if (gradAccum < 1) throw new IllegalArgumentException("gradAccum must be >= 1, got " + gradAccum);
            if (keepLast < 1) throw new IllegalArgumentException("keepLast must be >= 1, got " + keepLast);
        }

        public static Config of(long totalSteps) { return new Config(totalSteps, 1, 0, 0, 3, 1, true); }
    }

    private final Config config;
    private final Module model;
    private final Optimizer optimizer;
    private final Ema ema;
    private final LrSchedule schedule;
    private final Rng rng;
    private final Communicator comm;
    private final Path runDir;
    private long step;
    private final Map<String, StateSection> extraState = new LinkedHashMap<>();
    private final Map<String, String> extraMetadata = new LinkedHashMap<>();
    private final Map<String, double[]> stepScalars = new LinkedHashMap<>();
    private final java.util.List<java.util.function.LongConsumer> afterStep = new java.util.ArrayList<>();

    /** Extra state saved in and restored from checkpoints under its own section (a discriminator and its optimizer). */
    public record StateSection(java.util.function.Supplier<Map<String, Tensor>> save, java.util.function.Consumer<Map<String, Tensor>> load) {}

    public Trainer(Config config, Module model, Optimizer optimizer, Ema ema, LrSchedule schedule, Rng rng,
                   Communicator comm, Path runDir) {
        this.config = config;
        this.model = model;
        this.optimizer = optimizer;
        this.ema = ema;
        this.schedule = schedule;
        this.rng = rng;
        this.comm = comm == null ? Communicator.single() : comm;
        this.runDir = runDir;
    }

    public Rng rng() { return rng; }

    /** Adds a checkpoint section beside model/optimizer/ema; restored by {@link #resume}. */
    public Trainer addState(String section, StateSection state) {
        if (section.contains(".") || Set.of("model", "optimizer", "ema").contains(section)) throw new IllegalArgumentException("bad section name '" + section + "'");
        extraState.put(section, state);
        return this;
    }

    /** A string saved in every checkpoint's metadata (the run's arguments). */
    public Trainer addMetadata(String key, String value) {
        extraMetadata.put(key, value);
        return this;
    }

    /** Runs after every optimizer step with the new step number (periodic images, evaluation). */
    public Trainer afterStep(java.util.function.LongConsumer hook) {
        afterStep.add(hook);
        return this;
    }

    /**
     * Records a named scalar for the current step (a loss component, codebook usage); micro-steps are
     * averaged and the values join the step's line in metrics.jsonl.
     */
    public void log(String name, double value) {
        double[] acc = stepScalars.computeIfAbsent(name, k -> new double[2]);
        acc[0] += value;
        acc[1]++;
    }

    public long step() { return step; }

    /** Restores from the newest checkpoint in the run folder, if any; returns whether it did. */
    public <B> boolean resume(DataStream<B> data) throws IOException {
        Optional<Path> latest = Checkpoints.latest(runDir);
        if (latest.isEmpty()) return false;
        try (Scope s = Scope.open("resume")) {
            Checkpoints.Contents c = Checkpoints.load(latest.get());
            model.load(c.section("model"), true);
            optimizer.loadStateDict(c.section("optimizer"));
            if (ema != null) ema.load(c.section("ema"));
            for (var e : extraState.entrySet()) e.getValue().load().accept(c.section(e.getKey()));
            Map<String, String> m = c.metadata();
            step = Long.parseLong(require(m, "step", latest.get()));
            rng.setState(Long.parseLong(require(m, "rng", latest.get())));
            data.seek(Long.parseLong(require(m, "data_position", latest.get())));
        }
        return true;
    }

    private static String require(Map<String, String> m, String key, Path file) {
        String v = m.get(key);
        if (v == null) throw new IllegalArgumentException(file + ": checkpoint metadata lacks '" + key + "'");
        return v;
    }

    /** Trains from the current step to {@code totalSteps}; returns the last step's loss. */
    public <B> double run(DataStream<B> data, LossFn<B> lossFn) throws IOException {
        Files.createDirectories(runDir);
        boolean leader = comm.rank() == 0;
        double lastLoss = Double.NaN;
        try (Writer metrics = leader ? Files.newBufferedWriter(runDir.resolve("metrics.jsonl"), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND) : Writer.nullWriter();
             TrainingProgress progress = config.progressBar() && leader ? TrainingProgress.open("train", step, config.totalSteps()) : null) {
            long start = System.nanoTime();
            while (step < config.totalSteps()) {
                double lr = schedule.lr(step);
                optimizer.setLr(lr);
                double loss = 0;
                for (int micro = 0; micro < config.gradAccum(); micro++) {
                    try (Scope s = Scope.open("micro-step")) {
                        Tensor l = lossFn.loss(data.next(), rng);
                        loss += l.item() / config.gradAccum();
                        l.mul(1.0 / config.gradAccum()).backward();
                    }
                }
                List<Tensor> grads = new ArrayList<>();
                for (Tensor p : model.parameters()) if (p.grad() != null) grads.add(p.grad());
                comm.allReduceMean(grads); // one call: NCCL reduces the gradients in buckets
                double norm = config.clipNorm() > 0 ? GradClip.clipGlobalNorm(model.parameters(), config.clipNorm()) : Double.NaN;
                optimizer.step();
                if (ema != null) ema.update();
                optimizer.zeroGrad();
                step++;
                lastLoss = loss;
                if (leader && config.logEvery() > 0 && step % config.logEvery() == 0) {
                    double secs = (System.nanoTime() - start) / 1e9;
                    StringBuilder extra = new StringBuilder();
                    stepScalars.forEach((k, v) -> extra.append(String.format(Locale.ROOT, ",\"%s\":%.6g", k, v[0] / Math.max(1, v[1]))));
                    metrics.write(String.format(Locale.ROOT, "{\"step\":%d,\"loss\":%.6g,\"lr\":%.6g,\"grad_norm\":%s,\"elapsed_s\":%.3f%s}%n",
                            step, loss, lr, Double.isNaN(norm) ? "null" : String.format(Locale.ROOT, "%.6g", norm), secs, extra));
                    metrics.flush();
                }
                stepScalars.clear();
                for (var hook : afterStep) hook.accept(step);
                if (progress != null) progress.update(step, loss);
                boolean periodic = config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0;
                if (leader && (periodic || step == config.totalSteps())) checkpoint(data);
            }
        }
        return lastLoss;
    }

    /**
     * The EMA model's state dict as PyTorch saves a deep-copied EMA module: the averaged parameters and the
     * live model's buffers (never averaged), in the model's key order — so that "ema" loads strictly into a
     * model, as the official checkpoints do.
     */
    private Map<String, Tensor> emaStateDict() {
        Map<String, Tensor> averaged = ema.stateDict();
        Map<String, Tensor> out = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> out.put(k, averaged.getOrDefault(k, v)));
        return out;
    }

    /** Writes a checkpoint of the current state now (leader only). */
    public <B> void checkpoint(DataStream<B> data) {
        try (Scope s = Scope.open("checkpoint")) {
            Map<String, Map<String, Tensor>> sections = new LinkedHashMap<>();
            sections.put("model", model.stateDict());
            sections.put("optimizer", optimizer.stateDict());
            if (ema != null) sections.put("ema", emaStateDict());
            extraState.forEach((k, v) -> sections.put(k, v.save().get()));
            Map<String, String> meta = new LinkedHashMap<>(extraMetadata);
            meta.put("step", Long.toString(step));
            meta.put("rng", Long.toString(rng.state()));
            meta.put("data_position", Long.toString(data.position()));
            Checkpoints.save(Checkpoints.pathFor(runDir, step), new Checkpoints.Contents(sections, meta));
            Checkpoints.prune(runDir, config.keepLast());
        } catch (IOException e) {
            throw new UncheckedIOException("writing checkpoint at step " + step + " in " + runDir, e);
        }
    }
}
