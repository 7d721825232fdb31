package org.vfmtok.vfmtok.model;

import org.vfmtok.nn.Module;
import org.vfmtok.nn.layers.Linear;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.ops.DeformableAttention;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.tensor.ops.Reductions;

/**
 * Deformable-DETR's {@code MSDeformAttn} (spec §3): per query, each head samples {@code points} locations
 * on each of the {@code levels} value maps around the query's reference point, and sums them with softmax
 * weights. Keys: sampling_offsets, attention_weights, value_proj, output_proj.
 */
public final class MSDeformAttn extends Module {
    final Linear samplingOffsets;
    final Linear attentionWeights;
    final Linear valueProj;
    final Linear outputProj;
    final int heads;
    final int levels;
    final int points;

    public MSDeformAttn(int dim, int levels, int heads, int points, Rng rng) {
        this.heads = heads;
        this.levels = levels;
        this.points = points;
        samplingOffsets = register("sampling_offsets", new Linear(dim, heads * levels * points * 2, true, rng));
        attentionWeights = register("attention_weights", new Linear(dim, heads * levels * points, true, rng));
        valueProj = register("value_proj", new Linear(dim, dim, true, rng));
        outputProj = register("output_proj", new Linear(dim, dim, true, rng));
        resetParameters(rng);
    }

    /** §3.4: zero offset weights, a ring of (p+1)·g_m offsets per head as bias, uniform attention, xavier projections. */
    private void resetParameters(Rng rng) {
        try (Grad.Mode ng = Grad.noGrad()) {
            samplingOffsets.weight.fill(0);
            float[] bias = new float[heads * levels * points * 2];
            for (int m = 0; m < heads; m++) {
                float theta = (float) (m * (2.0 * Math.PI / heads));
                float c = (float) Math.cos(theta), s = (float) Math.sin(theta);
                float norm = Math.max(Math.abs(c), Math.abs(s));
                for (int l = 0; l < levels; l++) {
                    for (int p = 0; p < points; p++) {
                        int i = ((m * levels + l) * points + p) * 2;
                        bias[i] = c / norm * (p + 1);
                        bias[i + 1] = s / norm * (p + 1);
                    }
                }
            }
            samplingOffsets.bias.copyFrom(Tensor.of(bias, bias.length));
            attentionWeights.weight.fill(0);
            attentionWeights.bias.fill(0);
            org.vfmtok.nn.init.Initializers.xavierUniform(valueProj.weight, rng, 1.0);
            valueProj.bias.fill(0);
            org.vfmtok.nn.init.Initializers.xavierUniform(outputProj.weight, rng, 1.0);
            outputProj.bias.fill(0);
        }
    }

    /**
     * Multi-level value maps flattened into one sequence (spec §3.2's X with its spatial shapes).
     *
     * @param input  (B, S, C), S = Σ H_l·W_l, level after level, raster order within a level
     * @param shapes (H_l, W_l) per level
     */
    public record ValueMaps(Tensor input, int[][] shapes) {}

    /**
     * @param query     (B, Lq, C) queries (with position embedding added)
     * @param reference (Lq, 2) reference points (x, y) in [0, 1], the same for every level and batch
     * @param maps      the value maps the queries sample
     */
    public Tensor forward(Tensor query, Tensor reference, ValueMaps maps) {
        Tensor input = maps.input();
        int[][] shapes = maps.shapes();
        int b = query.size(0), lq = query.size(1), c = query.size(2), s = input.size(1), hd = c / heads;
        Tensor value = valueProj.forward(input).view(b, s, heads, hd);
        Tensor offsets = samplingOffsets.forward(query).view(b, lq, heads, levels, points, 2);
        Tensor weights = Reductions.softmax(attentionWeights.forward(query).view(b, lq, heads, levels * points), -1)
                .view(b, lq, heads, levels, points);
        // loc = ref + offset / (W_l, H_l)
        float[] wh = new float[levels * 2];
        for (int l = 0; l < levels; l++) {
            wh[2 * l] = shapes[l][1];
            wh[2 * l + 1] = shapes[l][0];
        }
        Tensor normalizer = Tensor.of(wh, 1, 1, 1, levels, 1, 2).to(query.dtype());
        Tensor ref = reference.view(1, lq, 1, 1, 1, 2);
        Tensor loc = Pointwise.add(ref, Pointwise.div(offsets, normalizer));
        Tensor out = DeformableAttention.msDeformAttn(value, shapes, loc, weights);
        return outputProj.forward(out);
    }

    /** Reference points of an n×n query grid: query 16i + j at ((j + 0.5)/n, (i + 0.5)/n). */
    public static Tensor gridReferencePoints(int n) {
        float[] r = new float[n * n * 2];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                r[(i * n + j) * 2] = (j + 0.5f) / n;
                r[(i * n + j) * 2 + 1] = (i + 0.5f) / n;
            }
        }
        return Tensor.of(r, n * n, 2);
    }
}
