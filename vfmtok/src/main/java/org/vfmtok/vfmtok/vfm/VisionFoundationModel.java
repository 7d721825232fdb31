package org.vfmtok.vfmtok.vfm;

import java.util.List;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;

/**
 * The seam for frozen vision foundation models (DINOv2, CLIP, SigLIP/SigLIP2): multi-level patch
 * features of normalised images. Closing a model frees its weights; a loaded model is immutable and may
 * be shared by any number of threads.
 */
public interface VisionFoundationModel extends AutoCloseable {
    /** Channels of every feature level. */
    int featureDim();

    /** Side of the patch grid for an input of {@code imageSize} pixels. */
    int gridSize(int imageSize);

    /**
     * Patch-token features of {@code images} (B, 3, H, W), already normalised for this model, at the
     * configured levels: a list of (B, grid², featureDim) tensors, raster order.
     */
    List<Tensor> features(Tensor images);

    /** Maps images in [-1, 1] to this model's input normalisation. */
    Tensor normalize(Tensor imagesMinusOneToOne);

    /** The frozen features of images in [-1, 1] (B, 3, H, W): {@link #normalize}, then {@link #features}, without grad. */
    default List<Tensor> imageFeatures(Tensor imagesMinusOneToOne) {
        try (Grad.Mode ng = Grad.noGrad()) {
            return features(normalize(imagesMinusOneToOne));
        }
    }

    /** The architecture. */
    VfmConfig config();

    /**
     * Loads weights in any published layout of this family (converted to the model's names), strictly: a
     * missing, unexpected or differently shaped tensor fails, naming the key and both shapes.
     */
    void loadPublished(java.util.Map<String, Tensor> weights);

    /** The weights under the model's own names (what {@link #loadPublished} also accepts back). */
    java.util.Map<String, Tensor> stateDict();

    /** Frees the model's weights; idempotent. */
    @Override
    void close();
}
