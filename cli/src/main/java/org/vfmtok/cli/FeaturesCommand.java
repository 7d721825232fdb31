package org.vfmtok.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vfmtok.nn.io.AnyCheckpoint;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.io.Safetensors;
import org.vfmtok.vfmtok.image.ImageFiles;
import org.vfmtok.vfmtok.model.TokenizerConfig;
import org.vfmtok.vfmtok.vfm.VisionFoundationModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./vfm features}: the VFM's multi-level features of images, as safetensors. */
@Command(name = "features", mixinStandardHelpOptions = true,
        description = "Multi-level VFM features (level0..levelN, each (N, grid², channels)) of images, written as safetensors.")
final class FeaturesCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--vfm", required = true, paramLabel = "V", description = "The VFM's weights, of the family the config names (DINOv2 .pth or safetensors, CLIP from Hugging Face or open_clip, SigLIP from Hugging Face).")
    Path vfm;

    @Option(names = "--config", paramLabel = "C", description = "Architecture: JSON or the official OmegaConf YAML; it names the VFM and its levels (default: the official VFMTok, DINOv2-L/14-reg4 at 336).")
    Path config;

    @Option(names = "--out", required = true, description = "Output .safetensors.")
    Path out;

    @Mixin ImageInputs in;

    @Override
    public Integer call() throws Exception {
        TokenizerConfig cfg = config == null ? TokenizerConfig.official() : TokenizerConfig.load(config);
        VisionFoundationModel model = cfg.vfm().create(new Rng(0));
        try (AnyCheckpoint c = AnyCheckpoint.open(vfm)) {
            model.loadPublished(c.tensors(""));
        }
        try (Scope s = Scope.open(); Grad.Mode ng = Grad.noGrad()) {
            Tensor x = in.load(in.images, cfg.imageSize());
            List<Tensor> levels = model.features(model.normalize(x));
            Map<String, Tensor> outMap = new LinkedHashMap<>();
            for (int l = 0; l < levels.size(); l++) outMap.put("level" + l, levels.get(l));
            Safetensors.save(out, outMap, Map.of("vfm", cfg.vfm().name(), "levels", java.util.Arrays.toString(cfg.vfm().levels())));
        }
        System.err.println("wrote " + out);
        return 0;
    }
}
