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
 *
 * <p>Nothing goes wrong silently. A step whose loss or gradient norm is NaN or infinite is skipped (its
 * gradients dropped, the weights untouched) and counted; past {@link Config#maxNonFinite} such steps the
 * run stops with a {@link NonFiniteException}. A checkpoint is written only when every tensor in it is
 * finite, so the newest checkpoints always hold finite weights. In {@code metrics.jsonl} every line is
 * valid JSON: a non-finite number is written as {@code null}, and a skipped step as a line of its own,
 * {@code {"skipped_step":N,"reason":"...","skipped_total":k}}, without a {@code "step"} key. At resume the
 * temporary files of interrupted writes are removed, an unreadable newest checkpoint is set aside
 * ({@code .unreadable}) in favour of the newest readable one (saying so), and metrics lines after the
 * resumed step are dropped so that no step appears twice.
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

    /** Default of {@link Config#maxNonFinite}: how many steps may be skipped for a non-finite loss or gradient. */
    public static final int DEFAULT_MAX_NON_FINITE = 10;

    /**
     * @param maxNonFinite how many steps with a non-finite loss or gradient norm are skipped before the run stops
     *                     (0: stop at the first)
     */
    public record Config(long totalSteps, int gradAccum, double clipNorm, long checkpointEvery, int keepLast,
                         long logEvery, boolean progressBar, int maxNonFinite) {
        public Config {
            if (totalSteps < 0) throw new IllegalArgumentException("totalSteps must be >= 0");
            if (gradAccum < 1) throw new IllegalArgumentException("gradAccum must be >= 1, got " + gradAccum);
            if (keepLast < 1) throw new IllegalArgumentException("keepLast must be >= 1, got " + keepLast);
            if (maxNonFinite < 0) throw new IllegalArgumentException("maxNonFinite must be >= 0, got " + maxNonFinite);
        }

        /** With {@link #DEFAULT_MAX_NON_FINITE}. */
        public Config(long totalSteps, int gradAccum, double clipNorm, long checkpointEvery, int keepLast, long logEvery, boolean progressBar) {
            this(totalSteps, gradAccum, clipNorm, checkpointEvery, keepLast, logEvery, progressBar, DEFAULT_MAX_NON_FINITE);
        }

        public static Config of(long totalSteps) { return new Config(totalSteps, 1, 0, 0, 3, 1, true); }
    }

    /** The run stopped: too many non-finite steps, or a checkpoint would have held a non-finite value. */
    public static final class NonFiniteException extends IllegalStateException {
        public NonFiniteException(String message) { super(message); }
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
    private long nonFinite;
    private java.util.function.Consumer<String> notices = System.err::println;
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

    /** How many steps this run skipped for a non-finite loss or gradient. */
    public long nonFiniteSteps() { return nonFinite; }

    /** Where the trainer reports what it repaired or skipped (removed temporary files, a checkpoint set aside); stderr by default. */
    public Trainer notices(java.util.function.Consumer<String> sink) {
        notices = java.util.Objects.requireNonNull(sink);
        return this;
    }

    /** Restores from the newest checkpoint in the run folder, if any; returns whether it did. */
    public <B> boolean resume(DataStream<B> data) throws IOException {
        removeTemporary();
        List<Path> all = Checkpoints.all(runDir);
        if (all.isEmpty()) return false;
        try (Scope s = Scope.open("resume")) {
            Checkpoints.Contents c = null;
            Path from = null;
            for (int i = all.size() - 1; i >= 0 && c == null; i--) {
                try {
                    c = Checkpoints.load(all.get(i));
                    from = all.get(i);
                } catch (IOException | RuntimeException e) {
                    Path aside = Checkpoints.setAside(all.get(i));
                    notices.accept("checkpoint " + all.get(i) + " is unreadable (" + e.getMessage() + "): set aside as " + aside.getFileName()
                            + (i > 0 ? ", resuming from " + all.get(i - 1).getFileName() + " instead" : ", and no other checkpoint is left"));
                }
            }
            if (c == null) throw new IOException("no readable checkpoint in " + runDir + " (the unreadable ones are set aside as *" + Checkpoints.UNREADABLE_SUFFIX + ")");
            Optional<Path> latest = Optional.of(from);
            model.load(c.section("model"), true);
            optimizer.loadStateDict(c.section("optimizer"));
            if (ema != null) ema.load(c.section("ema"));
            for (var e : extraState.entrySet()) e.getValue().load().accept(c.section(e.getKey()));
            Map<String, String> m = c.metadata();
            step = Long.parseLong(require(m, "step", latest.get()));
            rng.setState(Long.parseLong(require(m, "rng", latest.get())));
            data.seek(Long.parseLong(require(m, "data_position", latest.get())));
        }
        truncateMetrics(step);
        return true;
    }

    private void removeTemporary() throws IOException {
        for (Path p : Checkpoints.removeTemporary(runDir)) notices.accept("removed " + p + " (left by an interrupted write)");
    }

    /**
     * Drops metrics lines of steps after {@code resumed} (written after the checkpoint the run resumes from) and a
     * partial last line, so that the resumed run does not repeat steps; rewritten through a temporary file and a rename.
     */
    private void truncateMetrics(long resumed) throws IOException {
        Path file = runDir.resolve("metrics.jsonl");
        if (!Files.isRegularFile(file)) return;
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> kept = new ArrayList<>();
        for (String line : lines) {
            java.util.regex.Matcher m = METRICS_STEP.matcher(line);
            if (!line.endsWith("}")) continue; // cut short by a kill
            if (m.find() && Long.parseLong(m.group(2)) > resumed) continue;
            kept.add(line);
        }
        if (kept.size() == lines.size()) return;
        Path tmp = runDir.resolve(".metrics.jsonl." + Long.toHexString(System.nanoTime()) + ".tmp");
        try {
            Files.write(tmp, kept, StandardCharsets.UTF_8);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e instanceof java.nio.file.FileSystemException ? e : new IOException("rewriting " + file + ": " + e.getMessage(), e);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        notices.accept("metrics.jsonl: dropped " + (lines.size() - kept.size()) + " line(s) after step " + resumed + " (the run resumes there)");
    }

    /**
     * The metrics writer, its I/O errors naming the file: a full disk shows up as a bare "No space left on device"
     * from the stream, which does not say where.
     */
    private static Writer namingErrors(Path file, Writer w) {
        return new java.io.FilterWriter(w) {
            private IOException named(IOException e) {
                return new IOException("writing " + file + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
            }

            @Override public void write(int c) throws IOException {
                try { super.write(c); } catch (IOException e) { throw named(e); }
            }

            @Override public void write(char[] buf, int off, int len) throws IOException {
                try { super.write(buf, off, len); } catch (IOException e) { throw named(e); }
            }

            @Override public void write(String str, int off, int len) throws IOException {
                try { super.write(str, off, len); } catch (IOException e) { throw named(e); }
            }

            @Override public void flush() throws IOException {
                try { super.flush(); } catch (IOException e) { throw named(e); }
            }

            @Override public void close() throws IOException {
                try { super.close(); } catch (IOException e) { throw named(e); }
            }
        };
    }

    private static final java.util.regex.Pattern METRICS_STEP = java.util.regex.Pattern.compile("^\\{\"(step|skipped_step)\":(\\d+)");

    /** A metrics number: non-finite values are written as {@code null} (JSON has no NaN). */
    private static String number(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null";
    }

    private static String require(Map<String, String> m, String key, Path file) {
        String v = m.get(key);
        if (v == null) throw new IllegalArgumentException(file + ": checkpoint metadata lacks '" + key + "'");
        return v;
    }

    /** Trains from the current step to {@code totalSteps}; returns the last step's loss. */
    public <B> double run(DataStream<B> data, LossFn<B> lossFn) throws IOException {
        Files.createDirectories(runDir);
        removeTemporary();
        boolean leader = comm.rank() == 0;
        double lastLoss = Double.NaN;
        Path metricsFile = runDir.resolve("metrics.jsonl");
        try (Writer metrics = leader ? namingErrors(metricsFile, Files.newBufferedWriter(metricsFile, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND)) : Writer.nullWriter();
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
                        // also when the loss is not finite (the step is skipped below): every rank reduces the same gradients
                        l.mul(1.0 / config.gradAccum()).backward();
                    }
                }
                List<Tensor> grads = new ArrayList<>();
                for (Tensor p : model.parameters()) if (p.grad() != null) grads.add(p.grad());
                try (Scope s = Scope.open("reduce")) {
                    Tensor lossBad = null;
                    if (comm.worldSize() > 1 && !grads.isEmpty()) {
                        // ranks skip a step together: a non-finite loss on any rank marks it for all
                        lossBad = Tensor.scalar(Double.isFinite(loss) ? 0 : 1).to(grads.get(0).device());
                        grads.add(lossBad);
                    }
                    comm.allReduceMean(grads); // one call: NCCL reduces the gradients in buckets
                    if (lossBad != null && lossBad.item() > 0 && Double.isFinite(loss)) loss = Double.NaN;
                }
                // after the reduction, so that every rank sees the same norm and skips the same steps
                double norm = Double.isFinite(loss) ? GradClip.globalNorm(model.parameters()) : Double.NaN;
                if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
                    skipNonFinite(leader ? metrics : Writer.nullWriter(), Double.isFinite(loss) ? "non-finite gradient norm " + norm : "non-finite loss " + loss);
                    continue;
                }
                if (config.clipNorm() > 0) GradClip.clipTo(model.parameters(), config.clipNorm(), norm);
                else norm = Double.NaN; // reported only when clipping, as before
                optimizer.step();
                if (ema != null) ema.update();
                optimizer.zeroGrad();
                step++;
                lastLoss = loss;
                if (leader && config.logEvery() > 0 && step % config.logEvery() == 0) {
                    double secs = (System.nanoTime() - start) / 1e9;
                    StringBuilder extra = new StringBuilder();
                    stepScalars.forEach((k, v) -> extra.append(",\"").append(k).append("\":").append(number(v[0] / Math.max(1, v[1]))));
                    metrics.write(String.format(Locale.ROOT, "{\"step\":%d,\"loss\":%s,\"lr\":%s,\"grad_norm\":%s,\"elapsed_s\":%.3f%s}%n",
                            step, number(loss), number(lr), number(norm), secs, extra));
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

    /** Drops the step's gradients and scalars, records it in the metrics, and stops past the limit. */
    private void skipNonFinite(Writer metrics, String why) throws IOException {
        optimizer.zeroGrad();
        stepScalars.clear();
        nonFinite++;
        metrics.write(String.format(Locale.ROOT, "{\"skipped_step\":%d,\"reason\":\"%s\",\"skipped_total\":%d}%n", step + 1, why, nonFinite));
        metrics.flush();
        notices.accept("step " + (step + 1) + " skipped: " + why + " (" + nonFinite + " of at most " + config.maxNonFinite() + ")");
        if (nonFinite > config.maxNonFinite()) {
            Optional<Path> last = Checkpoints.latest(runDir);
            throw new NonFiniteException("stopped at step " + (step + 1) + ": " + nonFinite + " steps had a non-finite loss or gradient (limit "
                    + config.maxNonFinite() + ", --max-nonfinite), the last a " + why + "; "
                    + (last.isPresent() ? "the newest checkpoint " + last.get() + " holds finite weights" : "no checkpoint was written")
                    + ": lower the learning rate or check the data, then resume");
        }
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
            String bad = Checkpoints.firstNonFinite(sections);
            if (bad != null) {
                // neither written nor pruned: the checkpoints already there keep the last finite weights
                throw new NonFiniteException("not writing the checkpoint of step " + step + " in " + runDir + ": " + bad
                        + " is not finite; the newest checkpoints are kept as they are");
            }
            Checkpoints.save(Checkpoints.pathFor(runDir, step), new Checkpoints.Contents(sections, meta));
            Checkpoints.prune(runDir, config.keepLast());
        } catch (IOException e) {
            throw new UncheckedIOException("writing checkpoint at step " + step + " in " + runDir, e);
        }
    }
}
