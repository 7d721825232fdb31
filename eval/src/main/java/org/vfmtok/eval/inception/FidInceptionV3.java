package org.vfmtok.eval.inception;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.vfmtok.nn.LoadReport;
import org.vfmtok.nn.Module;
import org.vfmtok.nn.StateDictException;
import org.vfmtok.nn.io.AnyCheckpoint;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.ops.Pool;
import org.vfmtok.tensor.ops.Reductions;

/**
 * The Inception-v3 of pytorch-fid ({@code fid_inception_v3()}): torchvision's {@code Inception3} with 1008
 * classes, no auxiliary head, BatchNorm eps 1e-3, and the FID patches of blocks A, C and E (average pools that
 * do not count padding; a max pool in the last E block). Loads {@code pt_inception-2015-12-05-6726825d.pth}
 * (the TF 2015-12-05 graph's weights, ported) by its own key names; {@code num_batches_tracked} may be absent.
 *
 * <p>Inference only. The BatchNorms are folded into the convolutions at load time. {@link #features} may be
 * called from several threads at once (the weights are only read); {@link #close} frees the weights and must
 * come after every call.
 */
public final class FidInceptionV3 implements AutoCloseable {
    public static final int NUM_CLASSES = 1008;

    private final Scope weights;
    private final Net net;

    private FidInceptionV3(Scope weights, Net net) {
        this.weights = weights;
        this.net = net;
    }

    /** Loads the released weights file (or any file of the same keys and shapes, e.g. safetensors). */
    public static FidInceptionV3 load(Path file) throws IOException {
        try (AnyCheckpoint c = AnyCheckpoint.open(file)) {
            Map<String, Tensor> sd = c.tensors("");
            if (sd.isEmpty()) throw new IOException(file + ": no tensors");
            try {
                return fromStateDict(sd);
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Builds the network from a state dict in the released key layout. An entry of another shape, a missing
     * key or an unexpected one fails with one line naming the key and both shapes.
     */
    public static FidInceptionV3 fromStateDict(Map<String, Tensor> state) {
        Scope weights = Scope.owned("FID Inception weights");
        try {
            Net net;
            try (Scope.Entered in = weights.enter()) {
                net = new Net();
            }
            LoadReport report;
            try {
                report = net.load(state, false);
            } catch (StateDictException e) {
                throw new IllegalArgumentException(describe(e.report()), e);
            }
            List<String> missing = new ArrayList<>(report.missing());
            missing.removeIf(k -> k.endsWith(".num_batches_tracked"));
            if (!missing.isEmpty() || !report.unexpected().isEmpty()) {
                throw new IllegalArgumentException(describe(new LoadReport(missing, report.unexpected(), List.of())));
            }
            try (Scope.Entered in = weights.enter()) {
                for (Module m : net.namedModules().values()) if (m instanceof BasicConv2d b) b.fold();
            }
            return new FidInceptionV3(weights, net);
        } catch (RuntimeException | Error e) {
            weights.close();
            throw e;
        }
    }

    /** One line: the first problem in full, then how many more there are. */
    private static String describe(LoadReport r) {
        List<String> all = new ArrayList<>();
        for (String s : r.shapeMismatches()) all.add("shape mismatch " + s.replace(": checkpoint ", ": file has ").replace(", model ", ", FID Inception-v3 expects "));
        for (String s : r.missing()) if (!s.endsWith(".num_batches_tracked")) all.add("missing key " + s);
        for (String s : r.unexpected()) all.add("unexpected key " + s);
        String more = all.size() > 1 ? " (and " + (all.size() - 1) + " more difference" + (all.size() > 2 ? "s" : "") + ")" : "";
        return "not the FID Inception-v3 weights (pt_inception-2015-12-05): " + all.getFirst() + more;
    }

    /** The pool3 and sFID activations of a batch of images (one forward pass; chunk large sets yourself). */
    public InceptionFeatures features(ImageBatch images, ResizeMode mode) {
        if (images.n() == 0) return new InceptionFeatures(0, new float[0], new float[0]);
        try (Scope s = Scope.open("FID Inception forward"); Grad.Mode ng = Grad.noGrad()) {
            Tensor x = InceptionInput.of(images, mode);
            Tensor[] out = net.forward(x);
            return new InceptionFeatures(images.n(), out[0].contiguous().toFloatArray(), out[1].contiguous().toFloatArray());
        }
    }

    /** The final layer's weight (1008 x 2048, row-major), which ADM's Inception Score uses without the bias. */
    public float[] fcWeight() {
        return net.fcWeight.toFloatArray();
    }

    /** Every key of the released state dict with its shape (num_batches_tracked included), in module order. */
    public static Map<String, int[]> expectedShapes() {
        try (Scope s = Scope.open("FID Inception shapes")) {
            Map<String, int[]> out = new java.util.LinkedHashMap<>();
            new Net().stateDict().forEach((k, v) -> out.put(k, v.shape()));
            return out;
        }
    }

    @Override
    public void close() {
        weights.close();
    }

    /** The module tree with torchvision's names (Conv2d_1a_3x3 ... Mixed_7c, fc). */
    private static final class Net extends Module {
        private final BasicConv2d conv1a, conv2a, conv2b, conv3b, conv4a;
        private final InceptionA mixed5b, mixed5c, mixed5d;
        private final InceptionB mixed6a;
        private final InceptionC mixed6b, mixed6c, mixed6d, mixed6e;
        private final InceptionD mixed7a;
        private final InceptionE mixed7b, mixed7c;
        final Tensor fcWeight;

        Net() {
            conv1a = register("Conv2d_1a_3x3", new BasicConv2d(3, 32, 3, 2, 0));
            conv2a = register("Conv2d_2a_3x3", new BasicConv2d(32, 32, 3, 1, 0));
            conv2b = register("Conv2d_2b_3x3", new BasicConv2d(32, 64, 3, 1, 1));
            conv3b = register("Conv2d_3b_1x1", new BasicConv2d(64, 80, 1, 1, 0));
            conv4a = register("Conv2d_4a_3x3", new BasicConv2d(80, 192, 3, 1, 0));
            mixed5b = register("Mixed_5b", new InceptionA(192, 32));
            mixed5c = register("Mixed_5c", new InceptionA(256, 64));
            mixed5d = register("Mixed_5d", new InceptionA(288, 64));
            mixed6a = register("Mixed_6a", new InceptionB(288));
            mixed6b = register("Mixed_6b", new InceptionC(768, 128));
            mixed6c = register("Mixed_6c", new InceptionC(768, 160));
            mixed6d = register("Mixed_6d", new InceptionC(768, 160));
            mixed6e = register("Mixed_6e", new InceptionC(768, 192));
            mixed7a = register("Mixed_7a", new InceptionD(768));
            mixed7b = register("Mixed_7b", new InceptionE(1280, InceptionE.PoolBranch.AVERAGE_WITHOUT_PADDING));
            mixed7c = register("Mixed_7c", new InceptionE(2048, InceptionE.PoolBranch.MAX));
            Fc fc = register("fc", new Fc());
            fcWeight = fc.weight;
        }

        /** x (N, 3, 299, 299) in [-1, 1] → {pool3 (N, 2048), spatial (N, 17·17·7)}. */
        Tensor[] forward(Tensor x) {
            if (x.size(2) != InceptionInput.SIZE || x.size(3) != InceptionInput.SIZE) {
                throw new IllegalArgumentException("FID Inception: input must be 299x299, got " + Arrays.toString(x.shape()));
            }
            x = conv2b.forward(conv2a.forward(conv1a.forward(x)));          // (N, 64, 147, 147)
            x = Pool.maxPool2d(x, 3, 2, 0);                                  // (N, 64, 73, 73)
            x = conv4a.forward(conv3b.forward(x));                           // (N, 192, 71, 71)
            x = Pool.maxPool2d(x, 3, 2, 0);                                  // (N, 192, 35, 35)
            x = mixed5d.forward(mixed5c.forward(mixed5b.forward(x)));        // (N, 288, 35, 35)
            x = mixed6c.forward(mixed6b.forward(mixed6a.forward(x)));        // (N, 768, 17, 17)
            Tensor[] d = mixed6d.forwardWithBranch1x1(x);
            x = mixed7a.forward(mixed6e.forward(d[0]));                      // (N, 1280, 8, 8)
            x = mixed7c.forward(mixed7b.forward(x));                         // (N, 2048, 8, 8)
            Tensor pool3 = Reductions.mean(x, new int[] {2, 3}, false);      // (N, 2048)
            // ADM's sFID input: mixed_6/conv[..., :7] of the NHWC TF graph = Mixed_6d.branch1x1 channels 0..6,
            // flattened as (17, 17, 7).
            Tensor spatial = d[1].narrow(1, 0, InceptionFeatures.SPATIAL_CHANNELS).permute(0, 2, 3, 1).contiguous();
            return new Tensor[] {pool3, spatial.reshape(x.size(0), -1)};
        }
    }

    /** The 1008-way classifier; only its weight enters the metrics (ADM's softmax has no bias). */
    private static final class Fc extends Module {
        final Tensor weight;

        Fc() {
            weight = parameter("weight", Tensor.zeros(NUM_CLASSES, InceptionFeatures.POOL_DIM));
            parameter("bias", Tensor.zeros(NUM_CLASSES));
        }
    }
}
