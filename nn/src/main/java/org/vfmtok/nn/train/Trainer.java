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
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Device;
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
 *
 * <p>Data parallelism: with a {@link Communicator} of several ranks, every rank runs this loop on its own
 * share of the data ({@link DataStream#shard}); at the start rank 0's weights (model, EMA, extra sections)
 * are broadcast; the gradients and the loss are averaged over the ranks before clipping, so every rank makes
 * the same update; each rank draws its own randomness (its generator is re-seeded from the rank at
 * construction); only rank 0 writes metrics, runs the {@link #afterStep} hooks (images, plots) and writes
 * checkpoints, which hold every rank's generator state, followed by a barrier. Resuming on the same world
 * size is exact; on another world size the data continues at the same sample, the global batch changes and
 * the ranks' generators are derived afresh, which rank 0 reports. Scalars passed to {@link #log} are rank
 * 0's own.
 */
public final class Trainer {
    /** A deterministic, seekable source of batches (its position is saved in checkpoints). */
    public interface DataStream<B> {
        B next();

        long position();

        void seek(long position);

        /**
         * Makes this stream rank {@code rank}'s share of a data-parallel job of {@code world} ranks, each
         * taking {@link #next} batches of the same size: the job's samples are the single-process stream's,
         * and step s's global batch is positions [s·world·B, (s+1)·world·B) of which rank r takes
         * [s·world·B + r·B, s·world·B + (r+1)·B). The position then counts the job's samples (the same on
         * every rank), so a checkpoint's position resumes on any world size. Streams that cannot be sharded
         * refuse a world size above 1.
         */
        default void shard(int rank, int world) {
            if (world > 1) throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot be split across " + world + " ranks");
        }
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
        // each rank its own dropout / augmentation stream; rank 0 keeps the single-process one
        if (this.comm.rank() > 0) rng.setState(rankState(rng.state(), this.comm.rank()));
    }

    /** The generator state of rank {@code rank} derived from rank 0's (a SplitMix64 finaliser of both). */
    static long rankState(long rank0, int rank) {
        long z = rank0 + 0x9E3779B97F4A7C15L * (rank + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Where the model lives (collectives of small tensors are made there: NCCL needs device tensors). */
    private Device replicaDevice() {
        for (Tensor p : model.parameters()) return p.device();
        return Device.CPU;
    }

    /** The communicator the gradients are averaged over (the single-process one when none was given). */
    public Communicator communicator() { return comm; }

    /** Whether this process is rank 0, the one that writes files. */
    public boolean isLeader() { return comm.rank() == 0; }

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
        data.shard(comm.rank(), comm.worldSize());
        boolean leader = isLeader();
        // rank 0 repairs the folder (temporary files, unreadable checkpoints) before any other rank reads it
        if (leader) removeTemporary();
        List<Path> all = leader ? Checkpoints.all(runDir) : List.of();
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
            if (leader && c == null && !all.isEmpty()) {
                throw new IOException("no readable checkpoint in " + runDir + " (the unreadable ones are set aside as *" + Checkpoints.UNREADABLE_SUFFIX + ")");
            }
            if (comm.worldSize() > 1) {
                // every rank resumes from the checkpoint rank 0 chose (or none): its step, broadcast, is checked
                Tensor chosen = Tensor.scalar(DType.I64, from == null ? -1 : Checkpoints.step(from)).to(replicaDevice());
                comm.broadcast(chosen, 0);
                long step0 = chosen.toLongArray()[0];
                if (!leader && step0 >= 0) {
                    from = Checkpoints.pathFor(runDir, step0);
                    if (!Files.isRegularFile(from)) throw new IOException("rank " + comm.rank() + " cannot see " + from + ", from which rank 0 resumes (is --out on a shared file system?)");
                    c = Checkpoints.load(from);
                }
            }
            if (c == null) return false;
            Optional<Path> latest = Optional.of(from);
            model.load(c.section("model"), true);
            optimizer.loadStateDict(c.section("optimizer"));
            if (ema != null) ema.load(c.section("ema"));
            for (var e : extraState.entrySet()) e.getValue().load().accept(c.section(e.getKey()));
            Map<String, String> m = c.metadata();
            step = Long.parseLong(require(m, "step", latest.get()));
            restoreRng(m, latest.get());
            data.seek(Long.parseLong(require(m, "data_position", latest.get())));
        }
        if (leader) truncateMetrics(step);
        return true;
    }

    /**
     * This rank's generator from the checkpoint: its own saved state when the world size is the one saved,
     * else derived from rank 0's (and rank 0 says that the run now differs from an uninterrupted one).
     */
    private void restoreRng(Map<String, String> m, Path file) {
        long rank0 = Long.parseLong(require(m, "rng", file));
        int savedWorld = m.containsKey(WORLD_SIZE_KEY) ? Integer.parseInt(m.get(WORLD_SIZE_KEY)) : 1;
        String[] states = m.getOrDefault(RNG_RANKS_KEY, Long.toString(rank0)).split(",");
        if (savedWorld == comm.worldSize() && states.length == comm.worldSize()) {
            rng.setState(Long.parseLong(states[comm.rank()].trim()));
            return;
        }
        rng.setState(comm.rank() == 0 ? rank0 : rankState(rank0, comm.rank()));
        if (isLeader()) {
            notices.accept("resuming " + file.getFileName() + ", saved by " + savedWorld + " rank(s), on " + comm.worldSize()
                    + " rank(s): the data continues at the same sample, the global batch is now " + comm.worldSize()
                    + " × the per-rank batch, and the ranks' random streams are derived afresh (not bit for bit the run it would have been)");
        }
    }

    /** Checkpoint metadata: the world size that wrote it, every rank's generator state (comma-separated, rank order). */
    public static final String WORLD_SIZE_KEY = "world_size", RNG_RANKS_KEY = "rng_ranks";

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
        boolean leader = isLeader();
        data.shard(comm.rank(), comm.worldSize());
        if (leader) {
            Files.createDirectories(runDir);
            removeTemporary();
        }
        broadcastFromLeader();
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
                    Tensor meanLoss = null;
                    if (comm.worldSize() > 1) {
                        // the job's loss is the mean of the ranks' (losses are batch means); a non-finite loss on
                        // any rank makes it non-finite, so the ranks skip a step together
                        meanLoss = Tensor.scalar(DType.F64, loss).to(replicaDevice());
                        grads.add(meanLoss);
                    }
                    comm.allReduceMean(grads); // one call: the communicator reduces the gradients in buckets
                    if (meanLoss != null) loss = meanLoss.item();
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
                if (leader) for (var hook : afterStep) hook.accept(step);
                if (progress != null) progress.update(step, loss);
                boolean periodic = config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0;
                if (periodic || step == config.totalSteps()) {
                    String rngStates = gatherRngStates();
                    if (leader) checkpoint(data, rngStates);
                    comm.barrier(); // the checkpoint is complete before any rank goes on (or exits)
                }
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

    /** Every rank's generator state, rank-ordered and comma-separated (a collective: every rank calls it). */
    private String gatherRngStates() {
        if (comm.worldSize() == 1) return Long.toString(rng.state());
        try (Scope s = Scope.open("gather-rng")) {
            Device dev = replicaDevice();
            Tensor all = Tensor.zeros(DType.I64, comm.worldSize()).to(dev);
            comm.allGather(Tensor.ofLongs(new long[] {rng.state()}, 1).to(dev), all);
            StringBuilder sb = new StringBuilder();
            for (long v : all.toLongArray()) sb.append(sb.isEmpty() ? "" : ",").append(v);
            return sb.toString();
        }
    }

    /**
     * Rank 0's model, EMA and extra sections to every rank (a collective), so that the replicas start equal
     * whatever their initialisation or loaded checkpoint. The optimizer's state is not sent: it is empty at the
     * start and read from the same checkpoint on every rank when resuming.
     */
    private void broadcastFromLeader() {
        if (comm.worldSize() == 1) return;
        try (Scope s = Scope.open("broadcast-weights"); org.vfmtok.tensor.autograd.Grad.Mode ng = org.vfmtok.tensor.autograd.Grad.noGrad()) {
            for (Tensor t : model.stateDict().values()) comm.broadcast(t, 0);
            if (ema != null) for (Tensor t : ema.stateDict().values()) comm.broadcast(t, 0);
            for (StateSection section : extraState.values()) {
                Map<String, Tensor> sd = section.save().get();
                for (Tensor t : sd.values()) comm.broadcast(t, 0);
                section.load().accept(sd);
            }
        }
    }

    /** Writes a checkpoint of the current state now (leader only). */
    public <B> void checkpoint(DataStream<B> data) { checkpoint(data, Long.toString(rng.state())); }

    private <B> void checkpoint(DataStream<B> data, String rngStates) {
        try (Scope s = Scope.open("checkpoint")) {
            Map<String, Map<String, Tensor>> sections = new LinkedHashMap<>();
            sections.put("model", model.stateDict());
            sections.put("optimizer", optimizer.stateDict());
            if (ema != null) sections.put("ema", emaStateDict());
            extraState.forEach((k, v) -> sections.put(k, v.save().get()));
            Map<String, String> meta = new LinkedHashMap<>(extraMetadata);
            meta.put("step", Long.toString(step));
            meta.put("rng", Long.toString(rng.state()));
            meta.put(WORLD_SIZE_KEY, Integer.toString(comm.worldSize()));
            if (comm.worldSize() > 1) meta.put(RNG_RANKS_KEY, rngStates);
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
