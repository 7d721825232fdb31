package org.vfmtok.llama.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vfmtok.llama.GPT;
import org.vfmtok.llama.GPTConfig;
import org.vfmtok.llama.GenerationOptions;
import org.vfmtok.llama.Generator;
import org.vfmtok.llama.SamplingOptions;
import org.vfmtok.nn.dist.Communicator;
import org.vfmtok.nn.optim.Adam;
import org.vfmtok.nn.optim.Ema;
import org.vfmtok.nn.optim.LrSchedule;
import org.vfmtok.nn.optim.ParamGroup;
import org.vfmtok.nn.train.Trainer;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.io.AtomicFiles;
import org.vfmtok.vfmtok.image.ImageFiles;
import org.vfmtok.vfmtok.train.JsonOut;
import org.vfmtok.vfmtok.train.Plots;
import org.vfmtok.vfmtok.train.RunInputs;

/**
 * Trains a class-conditional LlamaGen GPT on token codes ({@code train_c2i.py}): AdamW (0.9, 0.95) with weight
 * decay on parameters of two or more dimensions only, a constant learning rate, gradient clipping, EMA, and
 * the model's own training-mode regularisers (class dropout to the null class, token / residual / FFN
 * dropout, all driven by the trainer's generator so that resuming is exact). The run folder gets
 * {@code gpt.json}, {@code args.json}, {@code metrics.jsonl}, checkpoints (model, ema, optimizer; steps and
 * args in the metadata), {@code samples-<step>.png} (one row per class) and {@code loss.png}.
 */
public final class ArTraining {
    public record Options(Path runDir, GPTConfig config, int batchSize, long steps, double lr, double weightDecay, double emaDecay,
                          double clip, long checkpointEvery, long sampleEvery, long logEvery, boolean progressBar, long seed,
                          double cfgScale, int samplesPerClass, int maxNonFinite) {
        /** With {@link Trainer#DEFAULT_MAX_NON_FINITE} skipped non-finite steps allowed. */
        public Options(Path runDir, GPTConfig config, int batchSize, long steps, double lr, double weightDecay, double emaDecay,
                       double clip, long checkpointEvery, long sampleEvery, long logEvery, boolean progressBar, long seed,
                       double cfgScale, int samplesPerClass) {
            this(runDir, config, batchSize, steps, lr, weightDecay, emaDecay, clip, checkpointEvery, sampleEvery, logEvery, progressBar, seed,
                    cfgScale, samplesPerClass, Trainer.DEFAULT_MAX_NON_FINITE);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("batch_size", batchSize);
            m.put("steps", steps);
            m.put("lr", lr);
            m.put("weight_decay", weightDecay);
            m.put("beta1", 0.9);
            m.put("beta2", 0.95);
            m.put("ema_decay", emaDecay);
            m.put("clip_grad", clip);
            m.put("ckpt_every", checkpointEvery);
            m.put("sample_every", sampleEvery);
            m.put("seed", seed);
            m.put("cfg_scale", cfgScale);
            m.put("gpt", configMap(config));
            return m;
        }
    }

    /** Turns generated codes (B, T) into planar images in [-1, 1] of side {@link #side()} (the tokenizer's decoder). */
    public interface CodeDecoder {
        List<float[]> decode(int[][] codes);

        int side();
    }

    public record Result(GPT model, GPT ema, double lastLoss, double seconds, long steps) {}

    private ArTraining() {}

    /** The GPT config as JSON with {@link GPTConfig#fromMap}'s keys. */
    public static Map<String, Object> configMap(GPTConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        m.put("dim", c.dim());
        m.put("n_layer", c.nLayer());
        m.put("n_head", c.nHead());
        m.put("ffn_dim", c.ffnDim());
        m.put("vocab_size", c.vocabSize());
        m.put("num_classes", c.numClasses());
        m.put("grid", c.grid());
        m.put("rope_base", c.ropeBase());
        m.put("norm_eps", c.normEps());
        m.put("class_dropout_prob", c.classDropoutProb());
        m.put("token_dropout_p", c.tokenDropoutP());
        m.put("resid_dropout_p", c.residDropoutP());
        m.put("ffn_dropout_p", c.ffnDropoutP());
        m.put("initializer_range", c.initStd());
        return m;
    }

    /** {@link #train(Trainer.DataStream, Options, CodeDecoder, List, boolean, Map)} with only the architecture checked on resume. */
    public static Result train(Trainer.DataStream<CodeBatch> data, Options o, CodeDecoder decoder, List<String> classNames, boolean resume) throws IOException {
        return train(data, o, decoder, classNames, resume, Map.of());
    }

    /**
     * Trains into {@code o.runDir()}. The run folder is validated before anything in it is written
     * ({@link RunInputs}): a resume with another architecture or another of the named {@code inputs} (e.g.
     * {@code "data"}, {@code "tokenizer_sha256"}; a null value is not checked) is refused and leaves the
     * folder untouched.
     */
    public static Result train(Trainer.DataStream<CodeBatch> data, Options o, CodeDecoder decoder, List<String> classNames, boolean resume,
                               Map<String, String> inputs) throws IOException {
        return train(data, o, decoder, classNames, resume, inputs, Communicator.single());
    }

    /**
     * As {@link #train(Trainer.DataStream, Options, CodeDecoder, List, boolean, Map)}, data-parallel over
     * {@code comm}: every rank calls this with the same options, {@code o.batchSize()} is the per-rank batch
     * (the global batch is that × the world size; args.json records both) and only rank 0 writes to the run
     * folder (see {@link Trainer}).
     */
    public static Result train(Trainer.DataStream<CodeBatch> data, Options o, CodeDecoder decoder, List<String> classNames, boolean resume,
                               Map<String, String> inputs, Communicator comm) throws IOException {
        boolean leader = comm.rank() == 0;
        RunInputs recorded = new RunInputs("gpt.json", configMap(o.config()));
        inputs.forEach(recorded::with);
        recorded.check(o.runDir(), resume);
        org.vfmtok.vfmtok.train.TokenizerTraining.refuseMixing(o.runDir(), resume, leader);
        comm.barrier(); // every rank has checked the folder before rank 0 writes into it
        Map<String, Object> args = o.toMap();
        args.put("world_size", comm.worldSize());
        args.put("global_batch_size", o.batchSize() * comm.worldSize());
        String argsJson = JsonOut.write(args);
        if (leader) {
            recorded.record(o.runDir());
            AtomicFiles.writeString(o.runDir().resolve("args.json"), argsJson);
        }
        Rng trainRng = new Rng(o.seed() ^ 0xA11CEL);
        GPT gpt = Scope.global().run(() -> {
            GPT g = new GPT(o.config(), trainRng);
            g.initialize(o.seed(), false);
            return g;
        });
        gpt.train(true);
        Adam adamW = Adam.adamW(ParamGroup.decayOnMatrices(gpt.namedParameters(), o.lr(), o.weightDecay()), 0.9, 0.95, 1e-8);
        Ema ema = new Ema(gpt.namedParameters(), o.emaDecay(), Scope.global());
        Trainer.Config tc = new Trainer.Config(o.steps(), 1, o.clip(), o.checkpointEvery(), 2, o.logEvery(), o.progressBar(), o.maxNonFinite());
        Trainer trainer = new Trainer(tc, gpt, adamW, ema, LrSchedule.constant(o.lr()), trainRng, comm, o.runDir());
        trainer.addMetadata("args", argsJson);
        if (resume && trainer.resume(data) && leader) System.err.println("resumed from step " + trainer.step() + " in " + o.runDir());
        trainer.afterStep(step -> {
            if (decoder != null && o.sampleEvery() > 0 && (step % o.sampleEvery() == 0 || step == o.steps())) {
                try {
                    writeSamples(gpt, decoder, classNames, o.samplesPerClass(), o.cfgScale(), o.seed(), o.runDir().resolve(String.format("samples-%08d.png", step)));
                    lossCurve(o.runDir());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        long t0 = System.nanoTime();
        double last = trainer.run(data, (CodeBatch b, Rng rng) -> gpt.loss(b.labelTensor(), b.codeTensor()));
        if (leader) lossCurve(o.runDir());
        GPT emaModel = Scope.global().run(() -> new GPT(o.config()));
        emaModel.load(ema.stateDict(), true);
        emaModel.eval();
        return new Result(gpt, emaModel, last, (System.nanoTime() - t0) / 1e9, trainer.step());
    }

    public static void lossCurve(Path runDir) throws IOException {
        Plots.lossCurve(runDir.resolve("metrics.jsonl"), runDir.resolve("loss.png"), "AR training: cross-entropy (log scale)", List.of("loss"));
    }

    /** Class-conditional codes: {@code perClass} samples for each class, class-major order. */
    public static int[][] sample(GPT gpt, int numClasses, int perClass, double cfgScale, long seed) {
        boolean was = gpt.isTraining();
        gpt.eval();
        int[] classes = new int[numClasses * perClass];
        for (int i = 0; i < classes.length; i++) classes[i] = i / perClass;
        try (Scope s = Scope.open("sample"); Generator g = new Generator(gpt)) {
            return g.generate(classes, new GenerationOptions(cfgScale, SamplingOptions.defaults(), seed), null);
        } finally {
            gpt.train(was);
        }
    }

    /** A grid of decoded samples, one row per class (labelled). */
    public static void writeSamples(GPT gpt, CodeDecoder decoder, List<String> classNames, int perClass, double cfgScale, long seed, Path png) throws IOException {
        int classes = Math.min(gpt.config.numClasses(), classNames == null ? gpt.config.numClasses() : classNames.size());
        int[][] codes = sample(gpt, classes, perClass, cfgScale, seed);
        List<float[]> images;
        try (Scope s = Scope.open("decode-samples")) {
            images = decoder.decode(codes);
        }
        List<String> labels = new ArrayList<>();
        for (int c = 0; c < classes; c++) labels.add(classNames == null ? "class " + c : classNames.get(c));
        ImageFiles.writePng(Plots.grid(images, decoder.side(), classes, perClass, Math.max(1, 64 / decoder.side()), labels), png);
    }

}
