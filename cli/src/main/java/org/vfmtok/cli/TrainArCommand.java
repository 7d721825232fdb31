package org.vfmtok.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vfmtok.llama.GPTConfig;
import org.vfmtok.llama.train.ArTraining;
import org.vfmtok.llama.train.CodeBatch;
import org.vfmtok.llama.train.CodeShards;
import org.vfmtok.llama.train.CodeStream;
import org.vfmtok.nn.dist.Communicator;
import org.vfmtok.nn.train.Trainer;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.data.Batch;
import org.vfmtok.vfmtok.data.ImageSource;
import org.vfmtok.vfmtok.data.ImageStream;
import org.vfmtok.vfmtok.train.RunInputs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./vfm train-ar}: trains a class-conditional GPT on codes (pre-extracted, or tokenised on the fly). */
@Command(name = "train-ar", mixinStandardHelpOptions = true,
        description = {"Train a class-conditional LlamaGen GPT: AdamW (0.9, 0.95, wd 0.05 on ≥2-dim parameters), class dropout 0.1, token/resid/ffn",
                "dropout 0.1, clipping, EMA. Codes come from --codes (./vfm extract-codes) or are made on the fly from --data/--procedural with",
                "--tokenizer and --vfm. With a tokenizer, samples-<step>.png shows one row per class. --resume continues a run."})
final class TrainArCommand implements Callable<Integer> {
    @Option(names = "--codes", paramLabel = "DIR", description = "Folder of code shards from extract-codes.")
    Path codes;

    @Mixin TrainData data;

    @Mixin DeviceOption device;

    @Mixin DistOptions dist;

    @Spec CommandSpec spec;

    @Option(names = "--tokenizer", paramLabel = "T", description = "Tokenizer checkpoint: on-the-fly tokenisation and sample grids.")
    Path tokenizer;

    @Option(names = "--tokenizer-config", paramLabel = "JSON", description = "The tokenizer's architecture (a run's tokenizer.json).")
    Path tokenizerConfig;

    @Option(names = "--vfm", paramLabel = "W", description = "The tokenizer's frozen VFM weights (needed to tokenise on the fly).")
    Path vfm;

    @Option(names = "--gpt", paramLabel = "JSON", description = "GPT config JSON (ModelArgs names); default: a small demo model sized to the codes.")
    Path gpt;

    @Option(names = "--out", required = true, description = "Run folder (checkpoints, metrics.jsonl, sample grids).") Path out;
    @Option(names = "--batch", defaultValue = "64", description = "Code sequences per optimizer step and rank: a data-parallel job's global batch is this × the number of ranks (default: ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--dropout", paramLabel = "P", description = {"Set every dropout of the GPT to P: class dropout (to the null class), token, residual and FFN dropout.",
            "0 makes the training forward deterministic (data-parallel equivalence checks). Default: the config's (0.1 each in the demo model)."}) Double dropout;
    @Option(names = "--steps", defaultValue = "1000", description = "Optimizer steps to train to; a resumed run continues up to this total (default: ${DEFAULT-VALUE}).") long steps;
    @Option(names = "--lr", defaultValue = "1e-4", description = "AdamW learning rate, constant (default: ${DEFAULT-VALUE}).") double lr;
    @Option(names = "--weight-decay", defaultValue = "0.05", description = "AdamW weight decay of the parameters with 2 or more dimensions (default: ${DEFAULT-VALUE}).") double wd;
    @Option(names = "--ema", defaultValue = "0.9999", description = "Decay of the EMA weights saved beside the model (default: ${DEFAULT-VALUE}).") double ema;
    @Option(names = "--clip", defaultValue = "1.0", description = "Global gradient-norm clipping threshold, 0 = off (default: ${DEFAULT-VALUE}).") double clip;
    @Option(names = "--ckpt-every", defaultValue = "10000", description = "A checkpoint every N steps, and one at the end; the last 2 are kept (default: ${DEFAULT-VALUE}).") long ckptEvery;
    @Option(names = "--sample-every", defaultValue = "500", description = "A sample grid every N steps and at the end, with --tokenizer; 0 = never (default: ${DEFAULT-VALUE}).") long sampleEvery;
    @Option(names = "--cfg", defaultValue = "2.0", description = "CFG scale of the sample grids (default: ${DEFAULT-VALUE}).") double cfg;
    @Option(names = "--log-every", defaultValue = "10", description = "A metrics.jsonl line every N steps (default: ${DEFAULT-VALUE}).") long logEvery;
    @Option(names = "--seed", defaultValue = "0", description = "Seed of initialisation, data order, dropout and the sample grids (default: ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--max-nonfinite", defaultValue = "10", paramLabel = "N", description = "Steps with a NaN or infinite loss or gradient that are skipped (weights untouched, "
            + "a {\"skipped_step\":...} line in metrics.jsonl) before the run stops; no checkpoint with a non-finite value is ever written (default: ${DEFAULT-VALUE}).") int maxNonFinite;
    @Option(names = "--resume", description = {"Continue from the newest checkpoint in --out. The GPT architecture and data source (codes folder, or",
            "images with the tokenizer and VFM by SHA-256, recorded in inputs.json) must be the run's own; any difference is named and nothing is changed."}) boolean resume;

    @Override
    public Integer call() throws Exception {
        OptionChecks.atLeast("--batch", 1, batch);
        OptionChecks.atLeast("--steps", 1, steps);
        OptionChecks.atLeast("--ckpt-every", 0, ckptEvery);
        OptionChecks.atLeast("--sample-every", 0, sampleEvery);
        OptionChecks.atLeast("--log-every", 0, logEvery);
        OptionChecks.atLeast("--max-nonfinite", 0, maxNonFinite);
        var dev = device.resolve();
        try (Communicator comm = dist.join("train-ar", spec.commandLine().getParseResult().originalArgs(), dev)) {
            return train(comm);
        }
    }

    private Integer train(Communicator comm) throws Exception {
        VFMTokenizer tok = null;
        if (tokenizer != null) {
            tok = VFMTokenizer.load(tokenizer, vfm, tokenizerConfig == null ? null : org.vfmtok.vfmtok.model.TokenizerConfig.load(tokenizerConfig), "ema");
        }
        Trainer.DataStream<CodeBatch> stream;
        int vocab, classes, grid;
        List<String> names;
        // Recorded in the run folder and checked on --resume (before anything there is written).
        Map<String, String> inputs = new LinkedHashMap<>();
        if (codes != null) {
            inputs.put("data", "code shards " + codes.toAbsolutePath().normalize());
            CodeShards.Data d = CodeShards.read(codes);
            stream = new CodeStream(d, batch, seed);
            vocab = tok != null ? tok.config().codebookSize() : d.maxCode() + 1;
            classes = d.numClasses();
            grid = (int) Math.round(Math.sqrt(d.tokens()));
            names = null;
        } else {
            if (tok == null || tok.vfm() == null) throw new IllegalArgumentException("without --codes, give --tokenizer and --vfm to tokenise on the fly");
            ImageSource src = data.source(true);
            inputs.put("data", src.describe());
            inputs.put("tokenizer_sha256", RunInputs.sha256(tokenizer));
            inputs.put("vfm_sha256", vfm == null ? null : RunInputs.sha256(vfm));
            stream = new OnTheFly(new ImageStream(src, batch, tok.config().imageSize(), true, true, seed, 2, 4), tok);
            vocab = tok.config().codebookSize();
            classes = src.numClasses();
            grid = tok.config().anchorGrid();
            names = src.classNames();
        }
        GPTConfig gc = gpt != null ? GPTConfig.fromJson(gpt)
                : new GPTConfig("demo", 64, 2, 4, 176, vocab, classes, grid, 10000, 1e-5, 0.1, 0.1, 0.1, 0.1, 0.02);
        if (dropout != null) gc = gc.withDropout(dropout);
        if (gc.tokens() != grid * grid) throw new IllegalArgumentException("the GPT grid " + gc.grid() + " does not match the codes' " + grid + "×" + grid + " tokens");
        ArTraining.CodeDecoder decoder = null;
        if (tok != null) {
            VFMTokenizer t = tok;
            int side = t.config().imageSize();
            decoder = new ArTraining.CodeDecoder() {
                @Override public List<float[]> decode(int[][] c) {
                    int n = c.length, tt = c[0].length, len = 3 * side * side;
                    long[] flat = new long[n * tt];
                    for (int i = 0; i < n; i++) for (int k = 0; k < tt; k++) flat[i * tt + k] = c[i][k];
                    float[] px;
                    try (Grad.Mode ng = Grad.noGrad()) {
                        px = t.decode(Tensor.ofLongs(flat, n, tt)).toFloatArray();
                    }
                    List<float[]> out = new ArrayList<>();
                    for (int i = 0; i < n; i++) out.add(java.util.Arrays.copyOfRange(px, i * len, (i + 1) * len));
                    return out;
                }

                @Override public int side() { return side; }
            };
        }
        ArTraining.Options o = new ArTraining.Options(out, gc, batch, steps, lr, wd, ema, clip, ckptEvery, sampleEvery, logEvery, true, seed, cfg, 8, maxNonFinite);
        ArTraining.Result r = ArTraining.train(stream, o, decoder, names, resume, inputs, comm);
        if (comm.rank() != 0) return 0;
        System.out.printf(Locale.ROOT, "trained %d steps in %.0f s (%.0f tokens/s); last loss %.4f%s%n", r.steps(), r.seconds(),
                r.steps() * (double) batch * comm.worldSize() * gc.tokens() / Math.max(1e-9, r.seconds()), r.lastLoss(),
                comm.worldSize() > 1 ? "; " + comm.worldSize() + " ranks × batch " + batch + " = global batch " + batch * comm.worldSize() : "");
        System.out.println("run folder: " + out.toAbsolutePath());
        return 0;
    }

    /** Images → codes with the frozen tokenizer, batch by batch (VFMTok's AR training tokenises on the fly). */
    record OnTheFly(ImageStream images, VFMTokenizer tok) implements Trainer.DataStream<CodeBatch> {
        @Override
        public CodeBatch next() {
            Batch b = images.next();
            int t = tok.config().tokens();
            long[] c;
            try (Scope s = Scope.open("tokenise")) {
                c = tok.encode(b.images()).toLongArray();
            }
            int[][] codes = new int[b.size()][t];
            for (int i = 0; i < b.size(); i++) for (int k = 0; k < t; k++) codes[i][k] = (int) c[i * t + k];
            return new CodeBatch(b.labels(), codes);
        }

        @Override public long position() { return images.position(); }

        @Override public void seek(long p) { images.seek(p); }

        @Override public void shard(int rank, int world) { images.shard(rank, world); }
    }
}
