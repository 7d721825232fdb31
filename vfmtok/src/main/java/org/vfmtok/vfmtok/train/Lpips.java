package org.vfmtok.vfmtok.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.vfmtok.nn.Module;
import org.vfmtok.nn.io.AnyCheckpoint;
import org.vfmtok.nn.layers.Conv2d;
import org.vfmtok.nn.layers.ModuleList;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.tensor.ops.Reductions;

/**
 * LPIPS with the VGG16 trunk (taming-transformers' {@code LPIPS}, the perceptual loss of VFMTok, spec §1.8):
 * scaling layer, torchvision VGG16 features tapped at relu1_2, relu2_2, relu3_3, relu4_3, relu5_3, each
 * channel-normalised, squared difference, a 1×1 {@code lin} convolution without bias, spatial mean, summed
 * over the taps; the batch mean is returned. Frozen: it only passes gradients to its inputs.
 *
 * <p>Weights cannot be downloaded here: {@link #load} reads the torchvision VGG16 state dict
 * ({@code features.N.weight}, or LPIPS's {@code net.sliceK.N.weight}) and the LPIPS lin weights
 * ({@code lin0.model.1.weight} ... as in taming's {@code vgg.pth} / the lpips package's {@code vgg.pth}).
 * The linear heads' dropout is inactive (eval), as in the official loss.
 */
public final class Lpips extends Module {
    /** torchvision vgg16.features: channel counts, 'M' (-1) for max-pool; indices follow nn.Sequential. */
    private static final int[] VGG = {64, 64, -1, 128, 128, -1, 256, 256, 256, -1, 512, 512, 512, -1, 512, 512, 512};
    /** Sequential indices of the ReLUs whose outputs are tapped (relu1_2 ... relu5_3). */
    private static final int[] TAPS = {3, 8, 15, 22, 29};
    private static final float[] SHIFT = {-0.030f, -0.088f, -0.188f};
    private static final float[] SCALE = {0.458f, 0.448f, 0.450f};

    final Features features;
    final ModuleList<Lin> lins;

    public Lpips(Rng rng) {
        this(VGG, rng);
    }

    /**
     * The same network with other VGG widths ({@code vgg}: VGG16's layout, a channel count per convolution and
     * -1 per max-pool): the parity fixtures use VGG16 with every width divided by 32.
     */
    Lpips(int[] vgg, Rng rng) {
        if (vgg.length != VGG.length) throw new IllegalArgumentException("VGG16 layout needs " + VGG.length + " entries, got " + vgg.length);
        features = register("features", new Features(vgg, rng));
        lins = new ModuleList<>();
        for (int k = 0; k < TAPS.length; k++) lins.add(register("lin" + k, new Lin(features.convs[TAPS[k] - 1].weight.size(0), rng)));
        requiresGrad(false);
        eval();
    }

    /** LPIPS weights from a torchvision VGG16 file and an LPIPS lin file (either may hold both). */
    public static Lpips load(Path vgg, Path lin) throws IOException {
        Lpips l = new Lpips(new Rng(0));
        Map<String, Tensor> sd = new LinkedHashMap<>();
        java.util.List<AnyCheckpoint> open = new java.util.ArrayList<>();
        try {
            for (Path p : new Path[] {vgg, lin}) {
                if (p == null) continue;
                AnyCheckpoint c = AnyCheckpoint.open(p);
                open.add(c);
                Map<String, Tensor> t = c.tensors("state_dict");
                if (t.isEmpty()) t = c.tensors("");
                t.forEach((k, v) -> sd.put(rename(k), v));
            }
            Map<String, Tensor> mine = new LinkedHashMap<>();
            for (String k : l.stateDict().keySet()) {
                Tensor v = sd.get(k);
                if (v == null) throw new IOException("LPIPS weights lack '" + k + "' (read " + vgg + (lin != null ? " and " + lin : "") + ")");
                mine.put(k, v);
            }
            l.load(mine, true);   // copies: the files can close afterwards
        } finally {
            for (AnyCheckpoint c : open) c.close();
        }
        return l;
    }

    /** Maps LPIPS's slice naming (net.sliceK.N) and the lin naming to this module's keys. */
    static String rename(String k) {
        if (k.startsWith("net.slice")) {
            int dot = k.indexOf('.', 9);
            return "features." + k.substring(dot + 1);
        }
        if (k.startsWith("module.")) return rename(k.substring(7));
        return k;
    }

    /** Mean over the batch of the per-image LPIPS distance between two batches in [-1, 1]. */
    public Tensor forward(Tensor x, Tensor y) {
        Tensor[] fx = features.taps(scale(x));
        Tensor[] fy = features.taps(scale(y));
        Tensor total = null;
        for (int k = 0; k < fx.length; k++) {
            Tensor d = Pointwise.square(Pointwise.sub(unitNormalize(fx[k]), unitNormalize(fy[k])));
            Tensor s = Reductions.mean(lins.get(k).conv.forward(d), new int[] {1, 2, 3}, false); // (B)
            total = total == null ? s : Pointwise.add(total, s);
        }
        return Reductions.mean(total, null, false);
    }

    static Tensor scale(Tensor x) {
        Tensor shift = Tensor.of(SHIFT, 1, 3, 1, 1).to(x.dtype()), sc = Tensor.of(SCALE, 1, 3, 1, 1).to(x.dtype());
        return Pointwise.div(Pointwise.sub(x, shift), sc);
    }

    /** x / (‖x‖₂ over channels + 1e-10) (LPIPS normalize_tensor). */
    static Tensor unitNormalize(Tensor x) {
        Tensor n = Pointwise.sqrt(Reductions.sum(Pointwise.square(x), new int[] {1}, true));
        return Pointwise.div(x, n.add(1e-10));
    }

    /** 2×2 max-pooling with stride 2 (odd edges dropped, as nn.MaxPool2d(2, 2)). */
    static Tensor maxPool2(Tensor x) {
        int b = x.size(0), c = x.size(1), h = x.size(2) / 2, w = x.size(3) / 2;
        Tensor t = x.narrow(2, 0, 2 * h).narrow(3, 0, 2 * w).contiguous().view(b, c, h, 2, w, 2);
        return Reductions.max(t, new int[] {3, 5}, false);
    }

    /** torchvision vgg16.features with keys features.{0,2,5,...}.weight/bias. */
    static final class Features extends Module {
        final Conv2d[] convs = new Conv2d[31];

        Features(int[] vgg, Rng rng) {
            int in = 3, idx = 0;
            for (int v : vgg) {
                if (v < 0) {
                    idx++;          // MaxPool2d
                } else {
                    convs[idx] = register(Integer.toString(idx), new Conv2d(in, v, 3, 1, 1, rng));
                    in = v;
                    idx += 2;       // Conv2d, ReLU
                }
            }
        }

        Tensor[] taps(Tensor x) {
            Tensor[] out = new Tensor[TAPS.length];
            int tap = 0;
            for (int idx = 0; idx <= TAPS[TAPS.length - 1]; idx++) {
                if (convs[idx] != null) {
                    x = Pointwise.relu(convs[idx].forward(x));
                    idx++;  // the ReLU that follows
                    if (tap < TAPS.length && idx == TAPS[tap]) out[tap++] = x;
                } else {
                    x = maxPool2(x);
                }
            }
            return out;
        }
    }

    /** NetLinLayer: model = Sequential(Dropout, Conv2d(C, 1, 1, bias=False)) → key model.1.weight. */
    static final class Lin extends Module {
        final Conv2d conv;

        Lin(int c, Rng rng) {
            Holder h = register("model", new Holder(c, rng));
            conv = h.conv;
        }

        static final class Holder extends Module {
            final Conv2d conv;

            Holder(int c, Rng rng) {
                register("0", new Dropout0());
                conv = register("1", new Conv2d(c, 1, 1, 1, 0, 1, 1, false, org.vfmtok.tensor.ops.Conv.PaddingMode.ZEROS, rng));
            }
        }

        static final class Dropout0 extends Module {}
    }
}
