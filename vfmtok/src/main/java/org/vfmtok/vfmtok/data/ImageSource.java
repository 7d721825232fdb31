package org.vfmtok.vfmtok.data;

import java.io.IOException;
import java.util.List;
import org.vfmtok.tensor.Rng;

/**
 * A labelled collection of images that can produce sample {@code i} at a given side length. Sources are
 * stateless and thread-safe: every random choice (crop, texture) comes from the generator passed in, which
 * the caller derives from (seed, epoch, index), so any sample can be reproduced on any thread.
 */
public interface ImageSource {
    /** Number of samples. */
    int size();

    /** Class of sample {@code i}, in [0, {@link #numClasses()}). */
    int label(int i);

    List<String> classNames();

    default int numClasses() { return classNames().size(); }

    /**
     * Sample {@code i} as planar RGB (3·side·side floats, channel-major) in [-1, 1]. Throws IOException when
     * the sample cannot be read (a corrupt file); the stream skips it and counts it.
     */
    float[] load(int i, int side, Rng rng) throws IOException;

    /** A short description for logs and the run's config. */
    String describe();
}
