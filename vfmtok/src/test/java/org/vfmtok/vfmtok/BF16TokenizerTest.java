package org.vfmtok.vfmtok;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.vfmtok.nn.Module;
import org.vfmtok.nn.WeightStorage;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Npy;
import org.vfmtok.vfmtok.data.ProceduralShapes;
import org.vfmtok.vfmtok.model.TokenizerConfig;
import org.vfmtok.vfmtok.train.TokenizerConfigs;

/**
 * A tokenizer with BF16 weight storage: which tensors are rounded, that it computes exactly what F32 weights equal to
 * the rounded values compute (the kernels widen BF16 exactly, accumulate in F32), and how far its codes and images
 * move from the F32 tokenizer's ({@link StorageAgreement}) on the small fixture (random weights of the official
 * structure: 112 px, 16 tokens, codebook 64) and on the demo geometry (random weights, procedural shapes).
 *
 * <p>Bounds, from the figures these tests print (run of 2026-12-08): small fixture, 2 images × 16 codes, 32/32 equal,
 * PSNR against F32's images 55.5 dB; demo geometry, 32 images × 16 codes, 512/512 equal, 59.2 dB. The tests ask for at
 * least 90% equal codes and more than 45 dB (BF16 keeps 8 significant bits: about 2⁻⁹ relative error per weight), and
 * for images that differ (below 100 dB), so that a path that silently kept F32 weights would fail.
 */
class BF16TokenizerTest {
    private static Path fixture(String name) throws Exception {
        return Path.of(BF16TokenizerTest.class.getResource("/fixtures/small/" + name).toURI());
    }

    private static VFMTokenizer small(WeightStorage storage) throws Exception {
        return VFMTokenizer.load(fixture("tokenizer.pt"), fixture("dinov2.pth"), TokenizerConfig.load(fixture("config.json")), "ema", storage);
    }

    /** The Linear and convolution weights (".weight" of a 2-d or 4-d matrix that is not an embedding/norm) are BF16. */
    private static void assertStorage(String what, java.util.Map<String, Tensor> params) {
        int bf16 = 0;
        for (var e : params.entrySet()) {
            Tensor t = e.getValue();
            if (t.dtype() == DType.BF16) {
                bf16++;
                assertTrue(e.getKey().endsWith("weight") || e.getKey().endsWith("weight_orig"), what + ": " + e.getKey() + " is BF16");
                assertTrue(t.dim() >= 2, what + ": " + e.getKey());
                assertFalse(t.requiresGrad(), what + ": " + e.getKey() + " of an inference model requires a gradient");
            } else {
                assertEquals(DType.F32, t.dtype(), what + ": " + e.getKey());
            }
        }
        assertTrue(bf16 > 0, what + ": no BF16 weight");
    }

    private static long bytes(java.util.Map<String, Tensor> params) {
        long n = 0;
        for (Tensor t : params.values()) n += t.numel() * t.dtype().byteSize();
        return n;
    }

    @Test
    void loadedBf16StoresTheMatricesAndComputesAsTheirF32Widening() throws Exception {
        try (Scope s = Scope.open(); VFMTokenizer f32 = small(WeightStorage.F32); VFMTokenizer bf16 = small(WeightStorage.BF16);
             VFMTokenizer widened = bf16.withWeights(WeightStorage.F32)) {
            assertEquals(WeightStorage.BF16, bf16.weightStorage());
            assertEquals(WeightStorage.F32, widened.weightStorage());
            assertStorage("VQ model", bf16.model().namedParameters());
            assertStorage("VFM", ((Module) bf16.vfm()).namedParameters());
            // the rounded values: every BF16 tensor is the F32 checkpoint's value rounded to nearest even
            var wide = f32.model().namedParameters();
            for (var e : bf16.model().namedParameters().entrySet()) {
                float[] src = wide.get(e.getKey()).toFloatArray(), got = e.getValue().to(DType.F32).toFloatArray();
                boolean rounded = e.getValue().dtype() == DType.BF16;
                for (int i = 0; i < src.length; i++) {
                    float want = rounded ? DType.bf16ToFloat(DType.floatToBf16(src[i])) : src[i];
                    assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got[i]), e.getKey() + " element " + i);
                }
            }
            long fb = bytes(f32.model().namedParameters()) + bytes(((Module) f32.vfm()).namedParameters());
            long bb = bytes(bf16.model().namedParameters()) + bytes(((Module) bf16.vfm()).namedParameters());
            assertTrue(bb < 0.6 * fb, "BF16 parameters " + bb + " bytes vs F32 " + fb);

            Tensor images = Npy.read(fixture("input_images.npy"));
            Tensor codes = bf16.encode(images);
            assertArrayEquals(widened.encode(images).toLongArray(), codes.toLongArray(), "codes: BF16 weights vs their F32 widening");
            assertArrayEquals(widened.decode(codes).toFloatArray(), bf16.decode(codes).toFloatArray(), 0f, "decoded images: BF16 weights vs their F32 widening");
        }
    }

    @Test
    void smallFixtureAgreesWithF32() throws Exception {
        try (Scope s = Scope.open(); VFMTokenizer f32 = small(WeightStorage.F32); VFMTokenizer bf16 = small(WeightStorage.BF16)) {
            StorageAgreement a = StorageAgreement.measure(f32, bf16, Npy.read(fixture("input_images.npy")));
            report("small fixture (tokenizer.pt + dinov2.pth, 112 px)", a);
            assertBounds(a);
        }
    }

    @Test
    void demoGeometryAgreesWithF32() {
        TokenizerConfig cfg = TokenizerConfigs.demo();
        try (Scope s = Scope.open(); VFMTokenizer f32 = VFMTokenizer.random(cfg, 11); VFMTokenizer bf16 = VFMTokenizer.random(cfg, 11, WeightStorage.BF16)) {
            assertEquals(WeightStorage.BF16, bf16.weightStorage());
            StorageAgreement a = StorageAgreement.measure(f32, bf16, demoImages(cfg.imageSize(), 32, 5));
            report("demo geometry (random weights, 24 px, 32 procedural images)", a);
            assertBounds(a);
        }
    }

    /** n procedural shape images (classes in turn) of this side, in [-1, 1]. */
    static Tensor demoImages(int side, int n, long seed) {
        Rng rng = new Rng(seed);
        float[] all = new float[n * 3 * side * side];
        for (int i = 0; i < n; i++) {
            float[] one = ProceduralShapes.render(i % ProceduralShapes.CLASSES.size(), rng, side);
            System.arraycopy(one, 0, all, i * one.length, one.length);
        }
        return Tensor.of(all, n, 3, side, side);
    }

    private static void assertBounds(StorageAgreement a) {
        assertTrue(a.codeAgreement() >= 0.9, a.toString());
        assertTrue(a.reconstructionPsnrDb() > 45 && a.decoderPsnrDb() > 45, a.toString());
        assertTrue(a.decoderPsnrDb() < 100, "BF16 weights must move the images a little: " + a);
    }

    private static void report(String what, StorageAgreement a) {
        System.out.printf(Locale.ROOT, "BF16 vs F32 tokenizer, %s: codes equal %d/%d (%.1f%%), reconstruction PSNR %.1f dB, decoder on F32's codes %.1f dB%n",
                what, a.equalCodes(), a.codes(), 100 * a.codeAgreement(), a.reconstructionPsnrDb(), a.decoderPsnrDb());
    }
}
