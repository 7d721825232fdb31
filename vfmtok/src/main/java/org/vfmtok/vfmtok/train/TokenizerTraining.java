package org.vfmtok.vfmtok.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vfmtok.nn.dist.Communicator;
import org.vfmtok.nn.optim.Adam;
import org.vfmtok.nn.optim.Ema;
import org.vfmtok.nn.optim.LrSchedule;
import org.vfmtok.nn.optim.ParamGroup;
import org.vfmtok.nn.train.Trainer;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.AtomicFiles;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.data.Batch;
import org.vfmtok.vfmtok.data.ImageSource;
import org.vfmtok.vfmtok.data.ImageStream;
import org.vfmtok.vfmtok.image.ImageFiles;
import org.vfmtok.vfmtok.model.TokenizerConfig;
import org.vfmtok.vfmtok.model.VQModel;
import org.vfmtok.vfmtok.vfm.VisionFoundationModel;

/**
 * Trains a VFMTok tokenizer ({@code vq_train.py}): Adam (0.9, 0.95) without weight decay, linear warm-up then
 * a constant rate, gradient clipping, EMA of the parameters, the {@link TokenizerLoss} objective, and the
 * optional DINO discriminator with its own optimizer. The run folder gets {@code tokenizer.json} (the
 * architecture), {@code args.json}, {@code metrics.jsonl} (loss parts, codebook usage), checkpoints in the
 * official layout (model, ema, optimizer, discriminator, optimizer_disc; steps and args in the metadata),
 * {@code recon-<step>.png} (inputs over reconstructions) and {@code loss.png}.
 */
public final class TokenizerTraining {
    /** Everything a run needs besides the data and the frozen networks. */
    public record Options(Path runDir, TokenizerConfig config, int batchSize, long steps, double lr, long warmupSteps,
                          double emaDecay, double clip, long checkpointEvery, long imageEvery, long logEvery,
                          boolean progressBar, long seed, TokenizerLoss.Weights weights, int threads, boolean flip, int maxNonFinite) {
        /** With {@link Trainer#DEFAULT_MAX_NON_FINITE} skipped non-finite steps allowed. */
        public Options(Path runDir, TokenizerConfig config, int batchSize, long steps, double lr, long warmupSteps,
                       double emaDecay, double clip, long checkpointEvery, long imageEvery, long logEvery,
                       boolean progressBar, long seed, TokenizerLoss.Weights weights, int threads, boolean flip) {
            this(runDir, config, batchSize, steps, lr, warmupSteps, emaDecay, clip, checkpointEvery, imageEvery, logEvery, progressBar, seed,
                    weights, threads, flip, Trainer.DEFAULT_MAX_NON_FINITE);
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("batch_size", batchSize);
            m.put("steps", steps);
            m.put("lr", lr);
            m.put("warmup_steps", warmupSteps);
            m.put("ema_decay", emaDecay);
            m.put("clip_grad", clip);
            m.put("ckpt_every", checkpointEvery);
            m.put("image_every", imageEvery);
            m.put("seed", seed);
            m.put("flip", flip);
            m.put("loss_weights", Map.of("rec_l2x2", weights.reconstruction(), "perceptual", weights.perceptual(), "semantic", weights.semantic(),
                    "codebook", weights.codebook(), "beta", weights.beta(), "disc_weight", weights.gan(), "disc_start", weights.ganStart()));
            return m;
        }
    }

    /** The outcome: the trained weights (raw and EMA), the trainer's last loss and the wall time. */
    public record Result(VQModel model, VQModel ema, double lastLoss, double seconds, long steps, long skippedImages) {}

    private TokenizerTraining() {}

    /** {@link #train(ImageSource, VisionFoundationModel, String, Lpips, DinoDiscriminator, Options, boolean)} without a VFM hash to check. */
    public static Result train(ImageSource data, VisionFoundationModel vfm, Lpips lpips, DinoDiscriminator disc, Options o, boolean resume) throws IOException {
        return train(data, vfm, null, lpips, disc, o, resume);
    }

    /**
     * Trains into {@code o.runDir()}. The run folder is validated before anything in it is written ({@link RunInputs}):
     * a resume with another architecture, data source or VFM ({@code vfmSha256}, the SHA-256 of the frozen VFM's
     * weight file; null: not checked) is refused and leaves the folder untouched.
     */
    public static Result train(ImageSource data, VisionFoundationModel vfm, String vfmSha256, Lpips lpips, DinoDiscriminator disc, Options o, boolean resume) throws IOException {
        return train(data, vfm, vfmSha256, lpips, disc, o, resume, Communicator.single());
    }

    /**
     * As {@link #train(ImageSource, VisionFoundationModel, String, Lpips, DinoDiscriminator, Options, boolean)}, data-parallel
     * over {@code comm}: every rank calls this with the same options and frozen networks; {@code o.batchSize()}
     * is the per-rank batch (args.json records it and the global batch); the tokenizer's and the
     * discriminator's gradients are averaged over the ranks; only rank 0 writes to the run folder.
     */
    public static Result train(ImageSource data, VisionFoundationModel vfm, String vfmSha256, Lpips lpips, DinoDiscriminator disc, Options o, boolean resume,
                               Communicator comm) throws IOException {
        TokenizerConfig cfg = o.config();
        boolean leader = comm.rank() == 0;
        RunInputs inputs = runInputs(o, data, vfmSha256);
        inputs.check(o.runDir(), resume);
        refuseMixing(o.runDir(), resume, leader);
        comm.barrier(); // every rank has checked the folder before rank 0 writes into it
        if (leader) inputs.record(o.runDir());
        Map<String, Object> args = new LinkedHashMap<>(o.toMap());
        args.put("world_size", comm.worldSize());
        args.put("global_batch_size", o.batchSize() * comm.worldSize());
        args.put("data", data.describe());
        args.put("vfm", vfm.config().name());
        args.put("lpips", lpips != null);
        args.put("discriminator", disc != null);
        args.put("tokenizer", TokenizerConfigs.toMap(cfg));
        String argsJson = JsonOut.write(args);
        if (leader) AtomicFiles.writeString(o.runDir().resolve("args.json"), argsJson);

        Rng init = new Rng(o.seed());
        VQModel model = Scope.global().run(() -> new VQModel(cfg, init));
        Adam adam = Adam.adam(ParamGroup.single(model.parameters(), o.lr(), 0.0), 0.9, 0.95, 1e-8);
        Ema ema = new Ema(model.namedParameters(), o.emaDecay(), Scope.global());
        LrSchedule schedule = LrSchedule.warmupConstant(o.lr(), Math.min(1e-7, o.lr()), o.warmupSteps());
        Trainer.Config tc = new Trainer.Config(o.steps(), 1, o.clip(), o.checkpointEvery(), 2, o.logEvery(), o.progressBar(), o.maxNonFinite());
        Trainer trainer = new Trainer(tc, model, adam, ema, schedule, new Rng(o.seed() ^ 0x7A11L), comm, o.runDir());
        trainer.addMetadata("args", argsJson);
        DiscriminatorStep dstep = null;
        if (disc != null) {
            dstep = new DiscriminatorStep(disc, disc::forward, o.lr(), o.clip()).distributed(comm);
            if (!o.flip()) disc.randomCrops(false);
            DiscriminatorStep ds = dstep;
            trainer.addState("discriminator", new Trainer.StateSection(disc::stateDict, sd -> disc.load(sd, true)));
            trainer.addState("optimizer_disc", new Trainer.StateSection(ds::optimizerState, sd -> ds.optimizer().loadStateDict(sd)));
        }
        TokenizerLoss loss = new TokenizerLoss(model, vfm, lpips, dstep, o.weights()).distributed(comm);
        long t0 = System.nanoTime();
        double last;
        try (ImageStream stream = new ImageStream(data, o.batchSize(), cfg.imageSize(), true, o.flip(), o.seed(), o.threads(), 4)) {
            float[] preview = previewImages(data, cfg.imageSize(), 8);
            if (resume && trainer.resume(stream) && leader) System.err.println("resumed from step " + trainer.step() + " in " + o.runDir());
            trainer.afterStep(step -> {
                if (o.imageEvery() > 0 && (step % o.imageEvery() == 0 || step == o.steps())) {
                    try {
                        writeReconstructions(model, vfm, preview, cfg.imageSize(), o.runDir().resolve(String.format("recon-%08d.png", step)));
                        lossCurve(o.runDir());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            });
            last = trainer.run(stream, (Batch b, Rng rng) -> {
                TokenizerLoss.Output out = loss.forward(b.images(), trainer.step());
                out.parts().forEach(trainer::log);
                trainer.log("codebook_usage", VqTraining.usage(model.slotQuantize));
                return out.loss();
            });
            if (leader) lossCurve(o.runDir());
            if (stream.skipped() > 0) System.err.println("skipped " + stream.skipped() + " unreadable images (" + stream.failures().size() + " files)");
            return new Result(model, emaModel(cfg, model, ema), last, (System.nanoTime() - t0) / 1e9, trainer.step(), stream.skipped());
        }
    }

    /** What a tokenizer run records and checks on resume: its architecture, data source and (when known) VFM hash. */
    public static RunInputs runInputs(Options o, ImageSource data, String vfmSha256) {
        return new RunInputs("tokenizer.json", TokenizerConfigs.toMap(o.config())).with("data", data.describe()).with("vfm_sha256", vfmSha256);
    }

    /**
     * A run folder holds one run: starting afresh where checkpoints already are would mix two runs' metrics
     * and checkpoints, so it is refused (resume it, or choose another folder).
     */
    public static void refuseMixing(Path runDir, boolean resume) throws IOException { refuseMixing(runDir, resume, true); }

    /** As {@link #refuseMixing(Path, boolean)}; only the {@code writer} (rank 0) removes an old metrics file. */
    public static void refuseMixing(Path runDir, boolean resume, boolean writer) throws IOException {
        if (!resume && org.vfmtok.nn.train.Checkpoints.latest(runDir).isPresent()) {
            throw new IllegalArgumentException(runDir + " already holds a run (checkpoints found): pass --resume to continue it, or another --out");
        }
        if (!resume && writer) Files.deleteIfExists(runDir.resolve("metrics.jsonl"));
    }

    /** The EMA weights in a model of their own (buffers such as the usage ring copied from the live model). */
    public static VQModel emaModel(TokenizerConfig cfg, VQModel live, Ema ema) {
        VQModel m = Scope.global().run(() -> new VQModel(cfg, new Rng(0)));
        Map<String, Tensor> sd = new LinkedHashMap<>(live.namedBuffers());
        sd.putAll(ema.stateDict());
        m.load(sd, true);
        m.eval();
        return m;
    }

    /** Loss-curve PNG of a tokenizer run. */
    public static void lossCurve(Path runDir) throws IOException {
        Plots.lossCurve(runDir.resolve("metrics.jsonl"), runDir.resolve("loss.png"), "tokenizer training (log scale)",
                List.of("loss", "mse", "lpips", "semantic", "vq", "commit", "g_loss", "d_loss"));
    }

    /** The first {@code n} images of the source (centre content, no flip) for the periodic reconstruction grids. */
    static float[] previewImages(ImageSource data, int side, int n) {
        n = Math.min(n, data.size());
        float[] all = new float[n * 3 * side * side];
        int got = 0;
        for (int i = 0; i < data.size() && got < n; i++) {
            try {
                float[] img = data.load(i, side, new Rng(i));
                System.arraycopy(img, 0, all, got * img.length, img.length);
                got++;
            } catch (IOException e) {
                // unreadable: the preview takes the next one
            }
        }
        return java.util.Arrays.copyOf(all, got * 3 * side * side);
    }

    /** Reconstructs {@code pixels} with the current weights (eval path) and writes inputs over reconstructions. */
    public static void writeReconstructions(VQModel model, VisionFoundationModel vfm, float[] pixels, int side, Path png) throws IOException {
        int n = pixels.length / (3 * side * side);
        if (n == 0) return;
        boolean was = model.isTraining();
        try (Scope s = Scope.open("preview")) {
            VFMTokenizer tok = new VFMTokenizer(model.config, vfm, model);
            Tensor x = Tensor.of(pixels, n, 3, side, side);
            float[] rec = tok.reconstruct(x).toFloatArray();
            List<float[]> cells = new ArrayList<>();
            int len = 3 * side * side;
            for (int i = 0; i < n; i++) cells.add(java.util.Arrays.copyOfRange(pixels, i * len, (i + 1) * len));
            for (int i = 0; i < n; i++) cells.add(java.util.Arrays.copyOfRange(rec, i * len, (i + 1) * len));
            ImageFiles.writePng(Plots.grid(cells, side, 2, n, Math.max(1, 96 / side), null), png);
        } finally {
            model.train(was);
        }
    }
}
