package org.vfmtok.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.vfmtok.nn.WeightStorage;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.model.TokenizerConfig;
import picocli.CommandLine.Option;

/** The options every tokenizer command shares. */
final class TokenizerOptions {
    @Option(names = "--tokenizer", required = true, paramLabel = "T", description = "Tokenizer checkpoint (.pt as released, or .safetensors).")
    Path tokenizer;

    @Option(names = "--config", paramLabel = "C", description = "Architecture: JSON or the official OmegaConf YAML (.yaml/.yml) (default: the official VFMTok).")
    Path config;

    @Option(names = "--weights", defaultValue = "ema", paramLabel = "ema|model", description = "Which weights of the checkpoint (default: ${DEFAULT-VALUE}).")
    String which;

    @Option(names = "--weight-dtype", defaultValue = "f32", paramLabel = "f32|bf16",
            description = "Storage of the tokenizer's weight matrices (VFM, encoder, decoder ViT, pixel-decoder convs): f32, or bf16 "
                    + "(half the memory; rounded to nearest even, products accumulate in F32; inference on the CPU only; default ${DEFAULT-VALUE}).")
    String weightDtype;

    @Option(names = "--batch", defaultValue = "8", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    TokenizerConfig config() throws IOException {
        return config == null ? TokenizerConfig.official() : TokenizerConfig.load(config);
    }

    VFMTokenizer load(Path vfm) throws IOException {
        if (batch < 1) throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        return VFMTokenizer.load(tokenizer, vfm, config(), which, storage());
    }

    /** --weight-dtype, parsed (an unknown value fails naming the option, the value and the choices). */
    WeightStorage storage() {
        try {
            return WeightStorage.parse(weightDtype);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--weight-dtype: " + e.getMessage(), e);
        }
    }
}
