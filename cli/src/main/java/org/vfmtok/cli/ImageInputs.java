package org.vfmtok.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.vfmtok.image.ImageFiles;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The image files a command reads (tokenize, reconstruct, features), and how strictly they are decoded. */
final class ImageInputs {
    @Option(names = "--allow-truncated", description = "Decode damaged or truncated images as far as they go (with a warning) instead of refusing them.")
    boolean allowTruncated;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files.")
    List<Path> images;

    /** The given files centre-cropped to {@code size}: a batch (B, 3, size, size) in [-1, 1]. */
    Tensor load(List<Path> files, int size) throws IOException {
        return ImageFiles.loadBatch(files, size, allowTruncated);
    }
}
