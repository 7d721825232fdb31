package org.vfmtok.vfmtok.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.nn.train.Checkpoints;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Safetensors;
import org.vfmtok.vfmtok.data.ProceduralShapes;
import org.vfmtok.vfmtok.model.Quantizer;
import org.vfmtok.vfmtok.model.TokenizerConfig;
import org.vfmtok.vfmtok.vfm.Dinov2;
import org.vfmtok.vfmtok.vfm.VisionFoundationModel;
import org.vfmtok.vfmtok.vfm.Dinov2Config;

class TokenizerTrainingTest {
    @Test
    void quantizerTrainingPathIsStraightThrough() {
        Quantizer q = new Quantizer(16, 4, 10, new Rng(1));
        Tensor z = Init.normal(Tensor.empty(DType.F32, 2, 3, 4), new Rng(2), 0, 1).requiresGrad(true);
        Quantizer.Quantized r = q.quantize(z);
        // forward value: the normalised codebook rows of the chosen codes
        Tensor rows = q.lookup(r.codes());
        assertArrayEquals(rows.toFloatArray(), r.straightThrough().toFloatArray(), 1e-6f);
        // backward: d(sum(st))/dz is the gradient of normalize(z) (identity through the quantiser)
        r.straightThrough().sum().backward();
        Tensor z2 = z.detach().copy().requiresGrad(true);
        Quantizer.l2Normalize(z2).sum().backward();
        assertArrayEquals(z2.grad().toFloatArray(), z.grad().toFloatArray(), 1e-6f);
        assertTrue(q.embedding.grad() == null || maxAbs(q.embedding.grad()) == 0, "the straight-through output does not train the codebook");
        // vq trains only the codebook, commit only the encoder, with β
        z.zeroGrad();
        r.vqLoss().backward();
        assertTrue(z.grad() == null || maxAbs(z.grad()) == 0);
        assertTrue(maxAbs(q.embedding.grad()) > 0);
        assertEquals(0.25 * r.vqLoss().item(), r.commitLoss(0.25).item(), 1e-7);
        // the usage ring buffer got the 6 codes at its end
        long[] used = q.codebookUsed.toLongArray(), codes = r.codes().toLongArray();
        for (int i = 0; i < 6; i++) assertEquals(codes[i], used[4 + i]);
    }

    @Test
    void deadCodesAreReseededFromTheBatch() {
        Quantizer q = new Quantizer(8, 4, 4, new Rng(1));   // buffer of zeros: only code 0 in use
        Tensor z = Quantizer.l2Normalize(Init.normal(Tensor.empty(DType.F32, 5, 4), new Rng(3), 0, 1));
        assertEquals(7, VqTraining.restartDeadCodes(q, z, new Rng(4)));
        float[] w = q.embedding.toFloatArray(), zv = z.toFloatArray();
        for (int code = 1; code < 8; code++) {
            double best = 0;
            for (int i = 0; i < 5; i++) {
                double d = 0;
                for (int j = 0; j < 4; j++) d += w[code * 4 + j] * zv[i * 4 + j];
                best = Math.max(best, d);
            }
            assertTrue(best > 0.99, "code " + code + " sits on a batch vector (cos " + best + ")");
        }
    }

    static double maxAbs(Tensor t) {
        double m = 0;
        for (float v : t.toFloatArray()) m = Math.max(m, Math.abs(v));
        return m;
    }

    static TokenizerConfig tiny() {
        Dinov2Config v = RandomVfm.tinyConfig(16, 4, 16, 2, 2);
        return new TokenizerConfig(16, 4, 16, 1, 2, 32, 1, 4, 1, 2, 48, 16, 4, 16, 8, new int[] {1, 1, 1}, 1, 4, 64, v);
    }

    static TokenizerTraining.Options options(Path dir, long steps) {
        return new TokenizerTraining.Options(dir, tiny(), 2, steps, 1e-3, 2, 0.9, 1.0, 2, 2, 1, false, 5,
                new TokenizerLoss.Weights(1, 0, 1, 1, 0.25, 0.5, 1, 2), 0, true);
    }

    @Test
    void runFolderCheckpointLayoutAndExactResume(@TempDir Path dir) throws Exception {
        TokenizerConfig cfg = tiny();
        ProceduralShapes data = new ProceduralShapes(20, 1);
        VisionFoundationModel vfm = RandomVfm.create(cfg.vfm(), 3);
        DinoDiscriminator.Config dc = new DinoDiscriminator.Config(RandomVfm.tinyConfig(16, 8, 16, 2, 2), 16, new int[] {0, 1}, 3, 8);
        TokenizerTraining.Result straight = TokenizerTraining.train(data, vfm, null,
                new DinoDiscriminator(dc, RandomVfm.create(dc.vit(), 4), new Rng(6)), options(dir.resolve("a"), 4), false);
        TokenizerTraining.train(data, vfm, null, new DinoDiscriminator(dc, RandomVfm.create(dc.vit(), 4), new Rng(6)), options(dir.resolve("b"), 2), false);
        TokenizerTraining.Result resumed = TokenizerTraining.train(data, vfm, null,
                new DinoDiscriminator(dc, RandomVfm.create(dc.vit(), 4), new Rng(6)), options(dir.resolve("b"), 4), true);
        assertEquals(4, resumed.steps());
        Map<String, Tensor> a = straight.model().stateDict(), b = resumed.model().stateDict();
        // bit for bit (deterministic kernels; see ArTrainingTest)
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k);

        Path run = dir.resolve("a");
        for (String f : new String[] {"tokenizer.json", "args.json", "metrics.jsonl", "loss.png", "recon-00000002.png", "recon-00000004.png"}) {
            assertTrue(Files.size(run.resolve(f)) > 0, f);
        }
        assertEquals(cfg.tokens(), TokenizerConfig.load(run.resolve("tokenizer.json")).tokens());
        Checkpoints.Contents c = Checkpoints.load(Checkpoints.latest(run).orElseThrow());
        assertEquals(java.util.Set.of("model", "ema", "optimizer", "discriminator", "optimizer_disc"), c.sections().keySet());
        assertEquals("4", c.metadata().get("step"));
        assertTrue(c.metadata().get("args").contains("\"disc_weight\""));
        assertNotNull(c.section("discriminator").get("heads.0.0.0.weight_orig"));
        assertNotNull(c.section("discriminator").get("heads.2.1.fn.1.weight"));
        String metrics = Files.readString(run.resolve("metrics.jsonl"));
        for (String k : new String[] {"\"mse\"", "\"semantic\"", "\"vq\"", "\"commit\"", "\"d_loss\"", "\"g_loss\"", "\"codebook_usage\""}) assertTrue(metrics.contains(k), k);
    }

    @Test
    void lpipsIsZeroOnIdenticalImagesAndLoadsTorchvisionNames(@TempDir Path dir) throws Exception {
        Lpips l = new Lpips(new Rng(1));
        Tensor x = Init.uniform(Tensor.empty(DType.F32, 2, 3, 16, 16), new Rng(2), -1, 1);
        Tensor y = Init.uniform(Tensor.empty(DType.F32, 2, 3, 16, 16), new Rng(3), -1, 1).requiresGrad(true);
        assertEquals(0.0, l.forward(x, x).item(), 1e-9);
        Tensor d = l.forward(x, y);
        d.backward();
        assertTrue(maxAbs(y.grad()) > 0, "LPIPS passes gradients to its input");
        assertTrue(l.parameters().stream().allMatch(p -> p.grad() == null), "LPIPS itself is frozen");
        // torchvision + lpips naming round trip: features.N.* in one file, lin{k}.model.1.weight in the other
        Map<String, Tensor> sd = l.stateDict();
        Map<String, Tensor> vgg = new java.util.LinkedHashMap<>(), lin = new java.util.LinkedHashMap<>();
        sd.forEach((k, v) -> (k.startsWith("features.") ? vgg : lin).put(k, v));
        vgg.put("classifier.0.weight", Tensor.zeros(2, 2));
        Safetensors.save(dir.resolve("vgg.safetensors"), vgg);
        Safetensors.save(dir.resolve("lin.safetensors"), lin);
        Lpips loaded = Lpips.load(dir.resolve("vgg.safetensors"), dir.resolve("lin.safetensors"));
        assertEquals(d.item(), loaded.forward(x, y.detach()).item(), 1e-6);
        assertEquals("features.28.bias", Lpips.rename("net.slice5.28.bias"));
    }

    @Test
    void dinoDiscriminatorShapesAndGradient() {
        DinoDiscriminator.Config dc = new DinoDiscriminator.Config(RandomVfm.tinyConfig(16, 4, 16, 3, 2), 16, new int[] {0, 2}, 9, 8);
        DinoDiscriminator d = new DinoDiscriminator(dc, RandomVfm.create(dc.vit(), 1), new Rng(2));
        Tensor x = Init.uniform(Tensor.empty(DType.F32, 3, 3, 32, 32), new Rng(3), -1, 1).requiresGrad(true);
        Tensor logits = d.forward(x);   // 32 px → area resize to 16 px (or a random crop)
        assertArrayEquals(new int[] {3, 3 * 16}, logits.shape());
        logits.sum().backward();
        assertTrue(maxAbs(x.grad()) > 0, "the generator gets a gradient through the frozen ViT");
        assertTrue(maxAbs(d.heads.get(0).first.conv.weightOrig.grad()) > 0);
    }

    @Test
    void dinoV1WeightsLoadWithTheKeyBiasZeroed(@TempDir Path dir) throws Exception {
        Dinov2Config vc = RandomVfm.tinyConfig(16, 8, 16, 2, 2);
        Dinov2 src = RandomVfm.create(vc, 9);
        Map<String, Tensor> sd = new java.util.LinkedHashMap<>(src.stateDict());
        sd.keySet().removeIf(k -> k.equals("mask_token") || k.endsWith(".gamma"));   // DINO v1 has neither
        Init.normal(sd.get("blocks.0.attn.qkv.bias"), new Rng(1), 0, 1);
        sd.put("head.weight", Tensor.zeros(3, 16));
        Safetensors.save(dir.resolve("dino.safetensors"), sd);
        Dinov2 d = DinoDiscriminator.loadDino(dir.resolve("dino.safetensors"), vc);
        float[] want = sd.get("blocks.0.attn.qkv.bias").toFloatArray(), got = d.stateDict().get("blocks.0.attn.qkv.bias").toFloatArray();
        for (int i = 0; i < 48; i++) assertEquals(i >= 16 && i < 32 ? 0f : want[i], got[i], "qkv bias " + i);
        assertArrayEquals(sd.get("blocks.1.mlp.fc1.weight").toFloatArray(), d.stateDict().get("blocks.1.mlp.fc1.weight").toFloatArray());
        assertEquals(1f, d.stateDict().get("blocks.0.ls1.gamma").toFloatArray()[0], "no LayerScale in DINO v1: identity");
        sd.remove("norm.weight");
        Safetensors.save(dir.resolve("bad.safetensors"), sd);
        assertTrue(org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> DinoDiscriminator.loadDino(dir.resolve("bad.safetensors"), vc)).getMessage().contains("norm.weight"));
    }

    @Test
    void batchNormLocalNormalisesEachVirtualBatch() {
        DinoDiscriminator.BatchNormLocal bn = new DinoDiscriminator.BatchNormLocal(2, 2, 1e-6);
        Tensor x = Init.normal(Tensor.empty(DType.F32, 4, 2, 5), new Rng(1), 3, 2);
        float[] y = bn.forward(x).toFloatArray();
        // virtual batch {0,1}, channel 1: mean 0 and variance 1 over its 2·5 values
        double s = 0, q = 0;
        for (int b = 0; b < 2; b++) for (int l = 0; l < 5; l++) {
            double v = y[(b * 2 + 1) * 5 + l];
            s += v;
            q += v * v;
        }
        assertEquals(0, s / 10, 1e-5);
        assertEquals(1, q / 10, 1e-3);
    }
}
