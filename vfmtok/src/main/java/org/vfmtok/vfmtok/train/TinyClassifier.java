package org.vfmtok.vfmtok.train;

import java.util.List;
import org.vfmtok.nn.Module;
import org.vfmtok.nn.layers.Conv2d;
import org.vfmtok.nn.layers.Linear;
import org.vfmtok.nn.optim.Adam;
import org.vfmtok.nn.optim.ParamGroup;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.ops.Losses;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.tensor.ops.Reductions;
import org.vfmtok.vfmtok.data.Batch;
import org.vfmtok.vfmtok.data.ImageSource;
import org.vfmtok.vfmtok.data.ImageStream;

/**
 * A small CNN image classifier — three stride-2 3×3 convolutions with ReLU, global average pooling, a linear
 * layer — used as the judge of generated samples: trained on the real images of a dataset, it tells which
 * class a sample looks like, so "class accuracy of the samples" measures whether class-conditional
 * generation works.
 */
public final class TinyClassifier extends Module {
    final Conv2d c1;
    final Conv2d c2;
    final Conv2d c3;
    final Linear fc;

    /** Width of {@link #pooled}. */
    public static final int FEATURES = 64;

    public TinyClassifier(int classes, Rng rng) {
        c1 = register("c1", new Conv2d(3, 16, 3, 2, 1, rng));
        c2 = register("c2", new Conv2d(16, 32, 3, 2, 1, rng));
        c3 = register("c3", new Conv2d(32, FEATURES, 3, 2, 1, rng));
        fc = register("fc", new Linear(FEATURES, classes, true, rng));
    }

    /** Logits (B, classes) for images (B, 3, S, S) in [-1, 1]. */
    public Tensor forward(Tensor x) {
        return fc.forward(pooled(x));
    }

    /** The pooled activations before the last layer (B, 64): the judge's feature space (its FID's "pool3"). */
    public Tensor pooled(Tensor x) {
        Tensor h = Pointwise.relu(c1.forward(x));
        h = Pointwise.relu(c2.forward(h));
        h = Pointwise.relu(c3.forward(h));
        return Reductions.mean(h, new int[] {2, 3}, false);
    }

    /** {@link #pooled} of each image (planar, [-1, 1]), row-major (n × {@link #FEATURES}). */
    public float[] features(List<float[]> images, int side) {
        float[] out = new float[images.size() * FEATURES];
        inChunks(images, side, (start, n, batch) ->
                System.arraycopy(pooled(batch).contiguous().toFloatArray(), 0, out, start * FEATURES, n * FEATURES));
        return out;
    }

    /** What to do with images [start, start + n) as one (n, 3, side, side) batch. */
    private interface ChunkBody {
        void run(int start, int n, Tensor batch);
    }

    /** Runs {@code body} over the images in batches of 64, each in its own scope, without gradients. */
    private static void inChunks(List<float[]> images, int side, ChunkBody body) {
        int chunk = 64, size = 3 * side * side;
        for (int s = 0; s < images.size(); s += chunk) {
            int n = Math.min(chunk, images.size() - s);
            float[] px = new float[n * size];
            for (int i = 0; i < n; i++) System.arraycopy(images.get(s + i), 0, px, i * size, size);
            try (Scope sc = Scope.open("judge-batch"); Grad.Mode ng = Grad.noGrad()) {
                body.run(s, n, Tensor.of(px, n, 3, side, side));
            }
        }
    }

    /** Trains on {@code data} (random flips) with Adam; returns the classifier in eval mode. */
    public static TinyClassifier train(ImageSource data, int side, int steps, int batch, long seed) {
        TinyClassifier m = Scope.global().run(() -> new TinyClassifier(data.numClasses(), new Rng(seed)));
        Adam adam = Adam.adam(ParamGroup.single(m.parameters(), 3e-3, 0.0), 0.9, 0.999, 1e-8);
        try (ImageStream s = new ImageStream(data, batch, side, true, true, seed, 1, 2)) {
            for (int i = 0; i < steps; i++) {
                try (Scope sc = Scope.open("classifier-step")) {
                    Batch b = s.next();
                    Tensor loss = Losses.crossEntropy(m.forward(b.images()), b.labelTensor());
                    loss.backward();
                    adam.step();
                    adam.zeroGrad();
                }
            }
        }
        m.eval();
        return m;
    }

    /** Predicted class of each image (planar, [-1, 1]). */
    public int[] predict(List<float[]> images, int side) {
        int[] out = new int[images.size()];
        inChunks(images, side, (start, n, batch) -> {
            long[] pred = Reductions.argmax(forward(batch), 1, false).toLongArray();
            for (int i = 0; i < n; i++) out[start + i] = (int) pred[i];
        });
        return out;
    }

    /** Fraction of images whose predicted class is the given label. */
    public double accuracy(List<float[]> images, int[] labels, int side) {
        int[] p = predict(images, side);
        int ok = 0;
        for (int i = 0; i < p.length; i++) if (p[i] == labels[i]) ok++;
        return p.length == 0 ? Double.NaN : ok / (double) p.length;
    }
}
