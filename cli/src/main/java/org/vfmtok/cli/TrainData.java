package org.vfmtok.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.vfmtok.vfmtok.data.ImageFolder;
import org.vfmtok.vfmtok.data.ImageSource;
import org.vfmtok.vfmtok.data.ProceduralShapes;
import picocli.CommandLine.Option;

/** Where training images come from: an image folder (one subfolder per class) or the built-in procedural shapes. */
final class TrainData {
    @Option(names = "--data", paramLabel = "DIR", description = "Image folder: one subfolder per class (ImageNet layout).")
    Path data;

    @Option(names = "--procedural", paramLabel = "N", description = "Use N images of the built-in procedural dataset (ten classes of shapes) instead of --data.")
    Integer procedural;

    @Option(names = "--data-seed", defaultValue = "0", description = "Seed of the procedural dataset (default: ${DEFAULT-VALUE}).")
    long dataSeed;

    /** The source; {@code train} chooses ADM random crops (else centre crops) for an image folder. */
    ImageSource source(boolean train) throws IOException {
        if ((data == null) == (procedural == null)) throw new IllegalArgumentException("give exactly one of --data DIR or --procedural N");
        if (procedural != null) {
            OptionChecks.atLeast("--procedural", 1, procedural);
            return new ProceduralShapes(procedural, dataSeed);
        }
        return new ImageFolder(data, train ? ImageFolder.Crop.RANDOM : ImageFolder.Crop.CENTER);
    }
}
