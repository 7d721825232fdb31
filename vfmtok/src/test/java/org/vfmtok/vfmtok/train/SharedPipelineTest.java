package org.vfmtok.vfmtok.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vfmtok.nn.loss.Loss;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.vfmtok.VFMTokenizer;
import org.vfmtok.vfmtok.model.TokenizerConfig;
import org.vfmtok.vfmtok.model.VQModel;
import org.vfmtok.vfmtok.vfm.Dinov2;
import org.vfmtok.vfmtok.vfm.VisionFoundationModel;

/**
 * The inference API and the training loss run one pipeline ({@link VQModel}'s encode, quantize, decode and
 * predictFeatures): in eval mode the loss's forward gives bit for bit what the tokenizer gives.
 */
class SharedPipelineTest {
    @Test
    void lossForwardInEvalModeIsTheTokenizersPipelineBitForBit() {
        try (Scope s = Scope.open()) {
            TokenizerConfig cfg = TokenizerTrainingTest.tiny();
            VisionFoundationModel vfm = RandomVfm.create(cfg.vfm(), 3);
            VQModel model = new VQModel(cfg, new Rng(7));
            VFMTokenizer tok = new VFMTokenizer(cfg, vfm, model); // puts the model in eval mode
            TokenizerLoss loss = new TokenizerLoss(model, vfm, null, null, new TokenizerLoss.Weights(1, 0, 1, 1, 0.25, 0, Long.MAX_VALUE, 0));
            Tensor images = Init.uniform(Tensor.empty(DType.F32, 3, 3, cfg.imageSize(), cfg.imageSize()), new Rng(11), -1, 1);
            long[] usageBefore = model.slotQuantize.codebookUsed.toLongArray();

            TokenizerLoss.Output eval = loss.forward(images, 0);
            Tensor codes = tok.encode(images);
            assertArrayEquals(codes.toLongArray(), eval.codes(), "codes");
            assertArrayEquals(tok.reconstruct(images).toFloatArray(), eval.reconstruction().toFloatArray(), 0f, "reconstruction");
            assertArrayEquals(usageBefore, model.slotQuantize.codebookUsed.toLongArray(), "eval mode leaves the usage buffer alone");

            // the semantic term is the cosine distance of the decoder's VFM branch on those codes to the last VFM level
            List<Tensor> feats = tok.features(images);
            Tensor pred = model.predictFeatures(model.lookup(codes));
            double semantic = Loss.cosineDistance(pred, feats.get(feats.size() - 1), 2).item();
            assertEquals(semantic, eval.parts().get("semantic"), 0.0, "semantic term");
            assertEquals(Loss.mse(tok.reconstruct(images), images).item(), eval.parts().get("mse"), 0.0, "mse term");
            // commit = β·mean((sg(z_q) − z)²) has vq's value scaled by β
            assertEquals(0.25 * eval.parts().get("vq"), eval.parts().get("commit"), 0.0, "commit term");
            assertTrue(eval.parts().get("vq") > 0);

            // the eval forward of the model itself, without the loss: same reconstruction, no VFM branch unless asked
            VQModel.Output out = model.forward(feats, false);
            assertNull(out.predictedFeatures());
            assertArrayEquals(eval.reconstruction().toFloatArray(), out.reconstruction().toFloatArray(), 0f);
        }
    }

    @Test
    void trainingForwardDecodesTheStraightThroughVectorsOfTheSameCodes() {
        try (Scope s = Scope.open()) {
            TokenizerConfig cfg = TokenizerTrainingTest.tiny();
            VisionFoundationModel vfm = RandomVfm.create(cfg.vfm(), 3);
            VQModel model = new VQModel(cfg, new Rng(7));
            VFMTokenizer tok = new VFMTokenizer(cfg, vfm, model);
            Tensor images = Init.uniform(Tensor.empty(DType.F32, 2, 3, cfg.imageSize(), cfg.imageSize()), new Rng(12), -1, 1);
            Tensor reference = tok.reconstruct(images);
            long[] codes = tok.encode(images).toLongArray();

            model.train(true);
            TokenizerLoss loss = new TokenizerLoss(model, vfm, null, null, new TokenizerLoss.Weights(1, 0, 1, 1, 0.25, 0, Long.MAX_VALUE, 0));
            TokenizerLoss.Output train = loss.forward(images, 0);
            assertArrayEquals(codes, train.codes(), "the same codes in both modes");
            // z + sg(z_q − z) rounds differently from z_q: equal values up to float rounding
            float[] a = reference.toFloatArray(), b = train.reconstruction().toFloatArray();
            for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-4, "pixel " + i);
            long[] used = model.slotQuantize.codebookUsed.toLongArray();
            for (int i = 0; i < codes.length; i++) assertEquals(codes[i], used[used.length - codes.length + i], "usage ring buffer");

            train.loss().backward();
            assertTrue(maxAbs(model.preSlotsQuant.weight.grad()) > 0, "the encoder learns through the straight-through vectors");
            assertTrue(maxAbs(model.slotQuantize.embedding.grad()) > 0, "the codebook learns from the vq term");
            assertTrue(maxAbs(model.namedParameters().get("decode_transformer.proj.weight").grad()) > 0, "the VFM branch learns from the semantic term");
        }
    }

    static double maxAbs(Tensor t) { return TokenizerTrainingTest.maxAbs(t); }
}
