package org.vfmtok.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vfmtok.nn.dist.Communicator;
import org.vfmtok.nn.io.AnyCheckpoint;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.io.Safetensors;
import org.vfmtok.vfmtok.data.ImageSource;
import org.vfmtok.vfmtok.model.TokenizerConfig;
import org.vfmtok.vfmtok.train.DinoDiscriminator;
import org.vfmtok.vfmtok.train.Lpips;
import org.vfmtok.vfmtok.train.RandomVfm;
import org.vfmtok.vfmtok.train.RunInputs;
import org.vfmtok.vfmtok.train.TokenizerConfigs;
import org.vfmtok.vfmtok.train.TokenizerLoss;
import org.vfmtok.vfmtok.train.TokenizerTraining;
import org.vfmtok.vfmtok.train.VqTraining;
import org.vfmtok.vfmtok.vfm.Dinov2;
import org.vfmtok.vfmtok.vfm.VisionFoundationModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./vfm train-tokenizer}: trains a VFMTok tokenizer (vq_train.py) into a run folder. */
@Command(name = "train-tokenizer", mixinStandardHelpOptions = true,
        description = {"Train a VFMTok tokenizer: 2×MSE + LPIPS + VQ (β 0.25) + semantic cosine loss against the frozen VFM, optional DINO",
                "discriminator; Adam (0.9, 0.95), warm-up, EMA, clipping. The run folder gets tokenizer.json, inputs.json, args.json, metrics.jsonl,",
                "checkpoints (model, ema, optimizer, discriminator, optimizer_disc), recon-<step>.png and loss.png; --resume continues it."})
final class TrainTokenizerCommand implements Callable<Integer> {
    @Mixin TrainData data;

    @Mixin DeviceOption device;

    @Mixin DistOptions dist;

    @Spec CommandSpec spec;

    @Option(names = "--no-augment", description = {"Switch off the random augmentations: horizontal flips of the training images and the discriminator's",
            "random crops (data-parallel equivalence checks; flips follow the sample position, so they do not depend on the rank anyway)."})
    boolean noAugment;

    @Option(names = "--out", required = true, description = "Run folder.")
    Path out;

    @Option(names = "--config", paramLabel = "JSON", description = "Architecture: the JSON form (tools/reference/*_config.json) or the official OmegaConf YAML (.yaml/.yml); default: --preset.")
    Path config;

    @Option(names = "--preset", defaultValue = "demo", description = "demo (32 px, CPU-sized), official (336 px, DINOv2-L) or pilot (Table 1's VQGAN (VFM): DINOv2-L's last level, no sampler, 576 tokens) (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--vfm", paramLabel = "W", description = "Weights of the frozen VFM the config names (DINOv2, CLIP or SigLIP); without them a random frozen ViT is used (saved as vfm.safetensors).")
    Path vfm;

    @Option(names = "--lpips-vgg", paramLabel = "W", description = "torchvision VGG16 weights for LPIPS (vgg16-397923af.pth).")
    Path lpipsVgg;

    @Option(names = "--lpips-lin", paramLabel = "W", description = "LPIPS lin weights (taming/lpips vgg.pth). Without both files LPIPS is off.")
    Path lpipsLin;

    @Option(names = "--disc", description = "Train with the DINO discriminator (hinge D, softplus G).")
    boolean disc;

    @Option(names = "--disc-vit", paramLabel = "W", description = "DINO ViT-S/16 weights (dino_deitsmall16_pretrain.pth); without them the discriminator's ViT is random.")
    Path discVit;

    @Option(names = "--disc-preset", defaultValue = "official", description = "official (ViT-S/16 at 224 px) or demo (a random 2-block ViT at 32 px, CPU-sized; not with --disc-vit) (default: ${DEFAULT-VALUE}).")
    String discPreset;

    @Option(names = "--disc-start", defaultValue = "20000", description = "Step from which the GAN terms count (default: ${DEFAULT-VALUE}).")
    long discStart;

    @Option(names = "--disc-weight", defaultValue = "0.5", description = "GAN weight (default: ${DEFAULT-VALUE}).")
    double discWeight;

    @Option(names = "--batch", defaultValue = "16", description = "Images per optimizer step and rank: a data-parallel job's global batch is this × the number of ranks (default: ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--steps", defaultValue = "1000", description = "Optimizer steps to train to; a resumed run continues up to this total (default: ${DEFAULT-VALUE}).") long steps;
    @Option(names = "--lr", defaultValue = "1e-4", description = "Adam learning rate, reached after --warmup and then constant (default: ${DEFAULT-VALUE}).") double lr;
    @Option(names = "--warmup", defaultValue = "100", description = "Linear warm-up steps from 1e-7 (default: ${DEFAULT-VALUE}).") long warmup;
    @Option(names = "--ema", defaultValue = "0.9999", description = "Decay of the EMA weights saved beside the model (default: ${DEFAULT-VALUE}).") double ema;
    @Option(names = "--clip", defaultValue = "1.0", description = "Global gradient-norm clipping threshold, 0 = off (default: ${DEFAULT-VALUE}).") double clip;
    @Option(names = "--ckpt-every", defaultValue = "5000", description = "A checkpoint every N steps, and one at the end; the last 2 are kept (default: ${DEFAULT-VALUE}).") long ckptEvery;
    @Option(names = "--image-every", defaultValue = "500", description = "Reconstruction grid every N steps (default: ${DEFAULT-VALUE}).") long imageEvery;
    @Option(names = "--restart-codes", defaultValue = "0", description = "Re-seed unused codes every N steps (0: off, as officially; small runs need it; default: ${DEFAULT-VALUE}).") int restartCodes;
    @Option(names = "--perceptual-weight", defaultValue = "1.0", description = "Weight of the LPIPS loss (only with --lpips-vgg and --lpips-lin) (default: ${DEFAULT-VALUE}).") double perceptualWeight;
    @Option(names = "--semantic-weight", defaultValue = "1.0", description = "Weight of the semantic cosine loss against the frozen VFM (default: ${DEFAULT-VALUE}).") double semanticWeight;
    @Option(names = "--threads", defaultValue = "2", description = "Image decoding threads (default: ${DEFAULT-VALUE}).") int threads;
    @Option(names = "--log-every", defaultValue = "10", description = "A metrics.jsonl line every N steps (default: ${DEFAULT-VALUE}).") long logEvery;
    @Option(names = "--seed", defaultValue = "0", description = "Seed of initialisation, data order, augmentation and random VFM/ViT weights (default: ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--max-nonfinite", defaultValue = "10", paramLabel = "N", description = "Steps with a NaN or infinite loss or gradient that are skipped (weights untouched, "
            + "a {\"skipped_step\":...} line in metrics.jsonl) before the run stops; no checkpoint with a non-finite value is ever written (default: ${DEFAULT-VALUE}).") int maxNonFinite;
    @Option(names = "--resume", description = {"Continue from the newest checkpoint in --out. The architecture, data source and frozen VFM (by the",
            "SHA-256 of its weights, recorded in inputs.json) must be the run's own; any difference is named and nothing is changed."}) boolean resume;

    @Override
    public Integer call() throws Exception {
        OptionChecks.atLeast("--batch", 1, batch);
        OptionChecks.atLeast("--steps", 1, steps);
        OptionChecks.atLeast("--warmup", 0, warmup);
        OptionChecks.atLeast("--ckpt-every", 0, ckptEvery);
        OptionChecks.atLeast("--image-every", 0, imageEvery);
        OptionChecks.atLeast("--log-every", 0, logEvery);
        OptionChecks.atLeast("--restart-codes", 0, restartCodes);
        OptionChecks.atLeast("--threads", 1, threads);
        OptionChecks.atLeast("--max-nonfinite", 0, maxNonFinite);
        OptionChecks.atLeast("--disc-start", 0, discStart);
        var dev = device.resolve();
        try (Communicator comm = dist.join("train-tokenizer", spec.commandLine().getParseResult().originalArgs(), dev)) {
            return train(comm);
        }
    }

    private Integer train(Communicator comm) throws Exception {
        boolean leader = comm.rank() == 0;
        ImageSource src = data.source(true);
        TokenizerConfig cfg = config != null ? TokenizerConfig.load(config)
                : switch (preset.toLowerCase(Locale.ROOT)) {
                    case "demo" -> TokenizerConfigs.demo();
                    case "official" -> TokenizerConfig.official();
                    case "pilot" -> TokenizerConfig.pilotVqganVfm(TokenizerConfig.official().vfm());
                    default -> throw new IllegalArgumentException("unknown --preset " + preset + " (demo, official or pilot)");
                };
        TokenizerLoss.Weights w = new TokenizerLoss.Weights(1.0, perceptualWeight, semanticWeight, 1.0, 0.25, discWeight, discStart, restartCodes);
        TokenizerTraining.Options o = new TokenizerTraining.Options(out, cfg, batch, steps, lr, warmup, ema, clip, ckptEvery, imageEvery, logEvery,
                true, seed, w, threads, !noAugment, maxNonFinite);
        // Validate the run folder before writing anything into it (vfm.safetensors included): a refused command
        // must leave a run as it was. The frozen VFM is identified by the SHA-256 of its weight file.
        Path saved = out.resolve("vfm.safetensors");
        String vfmHash = !leader && vfm == null ? null // only rank 0 saves and hashes the random VFM
                : vfm != null ? RunInputs.sha256(vfm)
                : resume && Files.exists(saved) ? RunInputs.sha256(saved)
                : resume ? "none (" + saved + " is missing)" : null;
        TokenizerTraining.runInputs(o, src, vfmHash).check(out, resume);
        VisionFoundationModel frozen;
        if (vfm != null) {
            frozen = Scope.global().run(() -> cfg.vfm().create(new Rng(0)));
            try (AnyCheckpoint c = AnyCheckpoint.open(vfm)) {
                frozen.loadPublished(c.tensors(""));
            }
        } else {
            if (leader) System.err.println("warning: no --vfm weights: the frozen VFM is a random ViT (saved to " + saved + ")");
            frozen = Scope.global().run(() -> RandomVfm.create(cfg.vfm(), seed + 7));
            if (resume && Files.exists(saved)) {
                try (AnyCheckpoint c = AnyCheckpoint.open(saved)) {
                    frozen.loadPublished(c.tensors(""));
                }
            } else if (leader) {
                Files.createDirectories(out);
                Safetensors.save(saved, frozen.stateDict());
                vfmHash = RunInputs.sha256(saved);
            }
        }
        Lpips lpips = null;
        if (lpipsVgg != null || lpipsLin != null) lpips = Lpips.load(lpipsVgg, lpipsLin);
        else if (perceptualWeight > 0) System.err.println("warning: LPIPS is off: give --lpips-vgg and --lpips-lin (weights cannot be downloaded here)");
        DinoDiscriminator d = null;
        if (disc) {
            DinoDiscriminator.Config dc = switch (discPreset.toLowerCase(Locale.ROOT)) {
                case "official" -> DinoDiscriminator.Config.official();
                case "demo" -> TokenizerConfigs.demoDiscriminator();
                default -> throw new IllegalArgumentException("unknown --disc-preset " + discPreset + " (official or demo)");
            };
            if (discVit != null && !discPreset.equalsIgnoreCase("official")) throw new IllegalArgumentException("--disc-vit loads DINO ViT-S/16 weights: only with --disc-preset official");
            Dinov2 vit;
            if (discVit != null) vit = DinoDiscriminator.loadDino(discVit, dc.vit());
            else {
                if (leader) System.err.println("warning: no --disc-vit weights: the discriminator's frozen ViT is random");
                vit = RandomVfm.create(dc.vit(), seed + 13);
            }
            d = new DinoDiscriminator(dc, vit, new Rng(seed + 17));
        }
        if (lpips == null) {
            w = new TokenizerLoss.Weights(1.0, 0, semanticWeight, 1.0, 0.25, discWeight, discStart, restartCodes);
            o = new TokenizerTraining.Options(out, cfg, batch, steps, lr, warmup, ema, clip, ckptEvery, imageEvery, logEvery, true, seed, w, threads, !noAugment, maxNonFinite);
        }
        TokenizerTraining.Result r = TokenizerTraining.train(src, frozen, vfmHash, lpips, d, o, resume, comm);
        if (!leader) return 0;
        System.out.printf(Locale.ROOT, "trained %d steps in %.0f s (%.1f images/s); last loss %.4f; codebook usage %.1f%%; skipped images %d%n",
                r.steps(), r.seconds(), r.steps() * batch * comm.worldSize() / Math.max(1e-9, r.seconds()), r.lastLoss(), 100 * VqTraining.usage(r.model().slotQuantize), r.skippedImages());
        System.out.println("run folder: " + out.toAbsolutePath());
        return 0;
    }

}
