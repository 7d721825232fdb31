package org.vfmtok.vfmtok.model;

import org.vfmtok.nn.Module;
import org.vfmtok.nn.UnaryModule;
import org.vfmtok.nn.layers.Conv2d;
import org.vfmtok.nn.layers.GroupNorm;
import org.vfmtok.nn.layers.ModuleList;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Attention;
import org.vfmtok.tensor.ops.Norms;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.tensor.ops.Resample;

/**
 * The VQGAN-style pixel decoder as VFMTok modifies LlamaGen's (spec §1.7): conv_in, mid (res, attn,
 * res), then one conv block per resolution from the coarsest (num_res_blocks + 1 ResnetBlocks, nearest ×2
 * upsample + conv except at the last), GroupNorm(gn_groups = 32, eps 1e-6), swish, conv_out. No attention in the up path.
 */
public final class PixelDecoder extends Module {
    static final double GN_EPS = 1e-6;

    final Conv2d convIn;
    final ModuleList<UnaryModule> mid;
    final ModuleList<ConvBlock> convBlocks;
    final GroupNorm normOut;
    final Conv2d convOut;
    private final int groups;

    public PixelDecoder(TokenizerConfig cfg, Rng rng) {
        int[] mult = cfg.chMult();
        int levels = mult.length;
        int blockIn = cfg.ch() * mult[levels - 1];
        int groups = cfg.gnGroups();
        this.groups = groups;
        convIn = register("conv_in", new Conv2d(cfg.zChannels(), blockIn, 3, 1, 1, rng));
        mid = register("mid", new ModuleList<>());
        mid.add(new ResnetBlock(blockIn, blockIn, groups, rng)).add(new AttnBlock(blockIn, groups, rng)).add(new ResnetBlock(blockIn, blockIn, groups, rng));
        convBlocks = register("conv_blocks", new ModuleList<>());
        for (int level = 0; level < levels; level++) {
            int blockOut = cfg.ch() * mult[levels - level - 1];
            ConvBlock cb = new ConvBlock(blockIn, blockOut, cfg.numResBlocks() + 1, level != levels - 1, groups, rng);
            convBlocks.add(cb);
            blockIn = blockOut;
        }
        normOut = register("norm_out", new GroupNorm(groups, blockIn, GN_EPS, true));
        convOut = register("conv_out", new Conv2d(blockIn, 3, 3, 1, 1, rng));
    }

    /** latent (B, z, g, g) → image (B, 3, g·2^(levels−1), …), roughly in [-1, 1]. */
    public Tensor forward(Tensor z) {
        Tensor h = convIn.forward(z);
        for (UnaryModule m : mid) h = block(m::forward, h);   // resnet, attention, resnet
        for (ConvBlock cb : convBlocks) h = cb.forward(h);
        Tensor last = h;
        return block(x -> convOut.forward(normSwish(normOut, groups, x)), last);
    }

    /**
     * Runs one block; without autograd its temporaries are freed as soon as it returns (only the result
     * is kept), so the next block reuses their memory (NativeMemory's cache) instead of the whole
     * decode's activations piling up: at batch 8 and 336² each is 462 MB.
     */
    static Tensor block(java.util.function.UnaryOperator<Tensor> f, Tensor x) {
        if (org.vfmtok.tensor.autograd.Grad.isEnabled()) return f.apply(x);
        try (org.vfmtok.tensor.Scope s = org.vfmtok.tensor.Scope.open("pixel-decoder-block")) {
            return s.keep(f.apply(x));
        }
    }

    /** swish(norm(x)): one fused pass when no gradient is recorded. */
    static Tensor normSwish(GroupNorm norm, int groups, Tensor x) {
        return Norms.groupNormSilu(x, groups, norm.weight, norm.bias, GN_EPS);
    }

    static final class ConvBlock extends UnaryModule {
        final ModuleList<ResnetBlock> res;
        final Upsample upsample;

        ConvBlock(int in, int out, int blocks, boolean up, int groups, Rng rng) {
            res = register("res", new ModuleList<>());
            for (int i = 0; i < blocks; i++) res.add(new ResnetBlock(i == 0 ? in : out, out, groups, rng));
            register("attn", new ModuleList<>()); // empty in VFMTok: keeps the module layout of the official code
            upsample = up ? register("upsample", new Upsample(out, rng)) : null;
        }

        @Override public Tensor forward(Tensor h) {
            for (ResnetBlock r : res) h = block(r::forward, h);
            return upsample == null ? h : block(upsample::forward, h);
        }
    }

    /** h = conv1(swish(norm1 x)); h = conv2(swish(norm2 h)); out = shortcut(x) + h (1×1 nin_shortcut when channels change). */
    static final class ResnetBlock extends UnaryModule {
        final GroupNorm norm1;
        final Conv2d conv1;
        final GroupNorm norm2;
        final Conv2d conv2;
        final Conv2d ninShortcut;
        private final int groups;

        ResnetBlock(int in, int out, int groups, Rng rng) {
            this.groups = groups;
            norm1 = register("norm1", new GroupNorm(groups, in, GN_EPS, true));
            conv1 = register("conv1", new Conv2d(in, out, 3, 1, 1, rng));
            norm2 = register("norm2", new GroupNorm(groups, out, GN_EPS, true));
            conv2 = register("conv2", new Conv2d(out, out, 3, 1, 1, rng));
            ninShortcut = in != out ? register("nin_shortcut", new Conv2d(in, out, 1, 1, 0, rng)) : null;
        }

        @Override public Tensor forward(Tensor x) {
            Tensor h = conv1.forward(normSwish(norm1, groups, x));
            h = conv2.forward(normSwish(norm2, groups, h));
            return Pointwise.add(ninShortcut == null ? x : ninShortcut.forward(x), h);
        }
    }

    /** Single-head spatial self-attention with 1×1 convolutions q, k, v, proj_out; scale C^-0.5; residual. */
    static final class AttnBlock extends UnaryModule {
        final GroupNorm norm;
        final Conv2d q;
        final Conv2d k;
        final Conv2d v;
        final Conv2d projOut;

        AttnBlock(int c, int groups, Rng rng) {
            norm = register("norm", new GroupNorm(groups, c, GN_EPS, true));
            q = register("q", new Conv2d(c, c, 1, 1, 0, rng));
            k = register("k", new Conv2d(c, c, 1, 1, 0, rng));
            v = register("v", new Conv2d(c, c, 1, 1, 0, rng));
            projOut = register("proj_out", new Conv2d(c, c, 1, 1, 0, rng));
        }

        @Override public Tensor forward(Tensor x) {
            int b = x.size(0), c = x.size(1), hh = x.size(2), ww = x.size(3);
            Tensor h = norm.forward(x);
            // (B, 1, HW, C) per tensor: one head attending over all positions
            Tensor qs = q.forward(h).reshape(b, 1, c, hh * ww).transpose(2, 3);
            Tensor ks = k.forward(h).reshape(b, 1, c, hh * ww).transpose(2, 3);
            Tensor vs = v.forward(h).reshape(b, 1, c, hh * ww).transpose(2, 3);
            Tensor o = Attention.scaledDotProductAttention(qs, ks, vs, null, false); // (B, 1, HW, C)
            Tensor out = o.transpose(2, 3).reshape(b, c, hh, ww);
            return Pointwise.add(x, projOut.forward(out));
        }
    }

    /** Nearest ×2 upsampling, then a 3×3 conv. */
    static final class Upsample extends UnaryModule {
        final Conv2d conv;

        Upsample(int c, Rng rng) { conv = register("conv", new Conv2d(c, c, 3, 1, 1, rng)); }

        @Override public Tensor forward(Tensor x) { return conv.forward(Resample.upsampleNearest(x, 2.0)); }
    }
}
