package org.vfmtok.vfmtok.vfm;

import org.vfmtok.tensor.Rng;

/**
 * The architecture of a frozen vision foundation model, whatever its family: DINOv2 ({@link Dinov2Config}) or a
 * CLIP / SigLIP vision tower ({@link VisionTowerConfig}). The tokenizer reads only what is here: the width and
 * patch of the features, the levels it samples, and the input resize that fixes the VFM grid.
 */
public sealed interface VfmConfig permits Dinov2Config, VisionTowerConfig {
    String name();

    /** "dinov2", "clip" or "siglip": the key the JSON form and the weight loader dispatch on. */
    String familyName();

    int embedDim();

    int depth();

    int patchSize();

    /** Block indices whose outputs are the feature levels; the last is the semantic-reconstruction target. */
    int[] levels();

    /** Side the images are resized to before the model, 0 for none. */
    int inputSize();

    /** Side of the image the model sees for an input of {@code imageSize} pixels. */
    default int vitInputSize(int imageSize) { return inputSize() > 0 ? inputSize() : imageSize; }

    /** Side of the model's patch grid for an input of {@code imageSize} pixels (whole patches). */
    default int gridSize(int imageSize) { return vitInputSize(imageSize) / patchSize(); }

    /** The same model with other feature levels (block indices, ascending). */
    VfmConfig withLevels(int[] levels);

    /** A model of this architecture with placeholder weights (load real ones with {@link VisionFoundationModel#loadPublished}). */
    VisionFoundationModel create(Rng rng);
}
