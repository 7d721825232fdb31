package org.vfmtok.vfmtok.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vfmtok.nn.loss.Loss;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Safetensors;
import org.vfmtok.tensor.testing.Compare;
import org.vfmtok.vfmtok.vfm.Dinov2;
import org.vfmtok.vfmtok.vfm.Dinov2Config;

/**
 * The terms of {@link TokenizerLoss} against PyTorch (tools/reference/make_tokenizer_loss_fixtures.py, small random
 * weights): LPIPS (value and gradients of both inputs), the DINO discriminator's step (logits of real and fake,
 * 0.5·hinge and the gradient of every head parameter, the spectral norms' power-iteration vectors, the parameters
 * after clipping and Adam through {@link DiscriminatorStep}), the generator term softplus(−D(x̂)) against the updated
 * discriminator with its gradient through the frozen ViT to x̂, and the VFM cosine feature loss. The adaptive GAN
 * weight is disabled in VFMTok (factor 1) and is not computed on either side.
 */
class TokenizerLossParityTest {
    /** VGG16's layout with every width divided by 32, as the fixture script builds it. */
    private static final int[] SMALL_VGG = {2, 2, -1, 4, 4, -1, 8, 8, 8, -1, 16, 16, 16, -1, 16, 16, 16};

    private static Scope scope;
    private static Map<String, Tensor> fx;

    @BeforeAll
    static void load() {
        scope = Scope.detached("tokenizer loss fixtures");
        fx = scope.run(() -> {
            try {
                return Safetensors.load(Path.of("src/test/resources/fixtures/loss/tokenizer_loss.safetensors"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @AfterAll
    static void free() { scope.close(); }

    private static Map<String, Tensor> section(String prefix) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        fx.forEach((k, v) -> {
            if (k.startsWith(prefix)) m.put(k.substring(prefix.length()), v);
        });
        assertFalse(m.isEmpty(), "no fixture entries under " + prefix);
        return m;
    }

    private static Tensor leaf(String key) { return fx.get(key).copy().requiresGrad(true); }

    private static double value(String key) { return fx.get(key).item(); }

    @Test
    void lpipsValueAndInputGradients() {
        try (Scope s = Scope.open()) {
            Lpips lpips = new Lpips(SMALL_VGG, new Rng(1));
            lpips.load(section("lpips.param."), true);
            Tensor x = leaf("lpips.x"), y = leaf("lpips.y");
            Tensor v = lpips.forward(x, y);
            assertEquals(value("lpips.value"), v.item(), 1e-6 * Math.abs(value("lpips.value")), "LPIPS");
            v.backward();
            Compare.assertClose("LPIPS grad x", fx.get("lpips.grad.x"), x.grad(), 1e-7, 1e-4);
            Compare.assertClose("LPIPS grad y", fx.get("lpips.grad.y"), y.grad(), 1e-7, 1e-4);
        }
    }

    /** The small DINO discriminator of the fixtures: ViT dim 16, 4 blocks, patch 4 at 16 px, key blocks 1 and 3, virtual batch 2. */
    private static DinoDiscriminator discriminator() {
        Dinov2Config vit = new Dinov2Config("small_dino", 16, 4, 2, 4, 0, false, 64, 16, 1e-6, new int[] {3});
        Dinov2 dino = new Dinov2(vit, new Rng(2));
        dino.load(section("disc.vit."), true);
        DinoDiscriminator d = new DinoDiscriminator(new DinoDiscriminator.Config(vit, 16, new int[] {1, 3}, 9, 2), dino, new Rng(3));
        d.load(section("disc.param."), true);
        d.train(true);
        return d;
    }

    @Test
    void discriminatorHingeGradients() {
        try (Scope s = Scope.open()) {
            DinoDiscriminator d = discriminator();
            Tensor real = d.forward(fx.get("disc.real")), fake = d.forward(fx.get("disc.fake"));
            Compare.assertClose("D(x)", fx.get("disc.logits_real"), real, 1e-6, 1e-5);
            Compare.assertClose("D(x_hat)", fx.get("disc.logits_fake"), fake, 1e-6, 1e-5);
            Tensor loss = Loss.hingeD(real, fake).mul(0.5);
            assertEquals(value("disc.d_loss"), loss.item(), 1e-6, "0.5 * hinge");
            loss.backward();
            d.namedParameters().forEach((k, p) -> Compare.assertClose("hinge grad " + k, fx.get("disc.grad." + k), p.grad(), 1e-7, 1e-4));
            d.namedBuffers().forEach((k, b) -> Compare.assertClose("power iteration " + k + " after two forwards", fx.get("disc.after2." + k), b, 1e-6, 1e-5));
        }
    }

    @Test
    void discriminatorStepThenGeneratorTerm() {
        try (Scope s = Scope.open()) {
            DinoDiscriminator d = discriminator();
            DiscriminatorStep step = new DiscriminatorStep(d, d::forward, 1e-3, 0.05);
            double dLoss = step.step(fx.get("disc.real"), fx.get("disc.fake"), 0.5);
            assertEquals(value("disc.d_loss"), dLoss, 1e-6, "DiscriminatorStep's weighted hinge");
            // Adam's first step moves a parameter by lr·g/(|g| + eps), g the clipped gradient: where |g| is far above
            // eps that is lr·sign(g) exactly enough to compare tightly (it checks the clipping, the betas and which
            // tensors are trained; the gradients themselves are checked above). Where |g| is near eps (the biases
            // before a BatchNormLocal have a gradient that is zero up to rounding) rounding noise picks the step's
            // size, and only its bound lr holds.
            double norm2 = 0;
            for (String k : d.namedParameters().keySet()) {
                for (float g : fx.get("disc.grad." + k).toFloatArray()) norm2 += (double) g * g;
            }
            double clip = Math.min(1.0, 0.05 / (Math.sqrt(norm2) + 1e-6));
            int tight = 0;
            for (var e : d.namedParameters().entrySet()) {
                float[] before = fx.get("disc.param." + e.getKey()).toFloatArray(), want = fx.get("disc.stepped." + e.getKey()).toFloatArray();
                float[] grad = fx.get("disc.grad." + e.getKey()).toFloatArray(), got = e.getValue().toFloatArray();
                for (int i = 0; i < got.length; i++) {
                    String where = "after the D step " + e.getKey() + "[" + i + "]";
                    if (Math.abs(grad[i] * clip) > 1e-6) {
                        assertEquals(want[i], got[i], 1e-6 + 1e-5 * Math.abs(want[i]), where);
                        tight++;
                    } else {
                        assertTrue(Math.abs(got[i] - before[i]) <= 1e-3 * (1 + 1e-4), where + " moved by more than lr: " + (got[i] - before[i]));
                    }
                }
            }
            assertTrue(tight > 1000, "too few parameters with a clear gradient to check the step: " + tight);

            Tensor fake = leaf("disc.fake");
            Tensor logits = step.logits(fake);
            Compare.assertClose("D(x_hat) after the step", fx.get("disc.logits_g"), logits, 1e-6, 1e-5);
            Tensor g = Loss.softplusG(logits);
            assertEquals(value("disc.g_loss"), g.item(), 1e-6, "softplus(-D(x_hat))");
            g.backward();
            Compare.assertClose("generator term grad x_hat (through the frozen ViT)", fx.get("disc.grad.fake"), fake.grad(), 1e-8, 1e-4);
            // the third power iteration runs on the stepped weights, whose near-zero-gradient elements moved by rounding noise (above)
            d.namedBuffers().forEach((k, b) -> Compare.assertClose("power iteration " + k + " after three forwards", fx.get("disc.after3." + k), b, 1e-4, 1e-4));
        }
    }

    @Test
    void vfmCosineFeatureLoss() {
        try (Scope s = Scope.open()) {
            Tensor pred = leaf("cos.pred");
            Tensor v = Loss.cosineDistance(pred, fx.get("cos.target"), 2);
            assertEquals(value("cos.value"), v.item(), 1e-6, "mean(1 - cos) over (B, N)");
            v.backward();
            Compare.assertClose("cosine grad", fx.get("cos.grad"), pred.grad(), 1e-8, 1e-5);
        }
    }
}
