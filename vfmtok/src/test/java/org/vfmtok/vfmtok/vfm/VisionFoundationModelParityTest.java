package org.vfmtok.vfmtok.vfm;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vfmtok.nn.io.AnyCheckpoint;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.vfmtok.vfm.VisionTowerConfig.Family;

/**
 * Every VFM family against its PyTorch reference (tools/reference/make_vfm_fixtures.py, written from the
 * Hugging Face modeling files and the vendored DINOv2): small random towers in the released key layouts,
 * features at the chosen levels to 1e-4 relative, preprocessing (input resize, clamp, mean/std) included.
 */
class VisionFoundationModelParityTest {
    private static Path dir;
    private static Scope scope;
    private static Map<String, Tensor> expected;

    @BeforeAll
    static void load() throws Exception {
        dir = Path.of(VisionFoundationModelParityTest.class.getResource("/fixtures/vfms/expected.safetensors").toURI()).getParent();
        scope = Scope.detached("vfm parity");
        expected = scope.run(() -> read("expected"));
    }

    @AfterAll
    static void free() { scope.close(); }

    /** The tensors of a fixture file, copied out of the mapping (it closes with the file). */
    static Map<String, Tensor> read(String name) {
        try (AnyCheckpoint c = AnyCheckpoint.open(dir.resolve(name + ".safetensors"))) {
            Map<String, Tensor> out = new java.util.LinkedHashMap<>();
            c.tensors("").forEach((k, v) -> out.put(k, v.copy()));
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static VisionTowerConfig clip(int[] levels, boolean normLast, int input) {
        return new VisionTowerConfig(Family.CLIP, "tiny-clip", 32, 3, 2, 64, 4, 16, 1e-5, levels, normLast, input);
    }

    static VisionTowerConfig siglip() {
        return new VisionTowerConfig(Family.SIGLIP, "tiny-siglip", 32, 3, 2, 48, 4, 16, 1e-6, new int[] {1, 2}, true, 16);
    }

    /** max |a − b| / max |b| ≤ bound, per level. */
    static void check(String name, VisionFoundationModel vfm) {
        try (Scope s = Scope.open()) {
            List<Tensor> f = vfm.imageFeatures(expected.get("images"));
            for (int l = 0; l < f.size(); l++) {
                Tensor e = expected.get(name + ".level" + l);
                assertNotNull(e, name + ".level" + l);
                assertArrayEquals(e.shape(), f.get(l).shape(), name + " level " + l + " shape");
                double[] ev = e.toDoubleArray(), av = f.get(l).toDoubleArray();
                double diff = 0, ref = 0;
                for (int i = 0; i < ev.length; i++) {
                    diff = Math.max(diff, Math.abs(ev[i] - av[i]));
                    ref = Math.max(ref, Math.abs(ev[i]));
                }
                assertTrue(ref > 0.1, name + ": degenerate reference");
                assertTrue(diff / ref <= 1e-4, name + " level " + l + ": relative error " + diff / ref);
            }
            assertNull(expected.get(name + ".level" + f.size()), name + ": fewer levels than the reference");
        }
    }

    static VisionTower tower(VisionTowerConfig c, String file) {
        VisionTower t = new VisionTower(c, new Rng(0));
        t.load(VisionTowerWeights.toTowerNames(read(file), c.family()), true);
        return t;
    }

    @Test
    void clipFromHuggingFaceAndOpenClipNames() {
        try (VisionTower hf = tower(clip(new int[] {0, 2}, false, 16), "clip");
             VisionTower oc = tower(clip(new int[] {0, 2}, false, 16), "clip_open_clip")) {
            check("clip", hf);
            check("clip", oc);
        }
    }

    @Test
    void clipEnlargedInputInterpolatesThePositionTable() {
        try (VisionTower t = tower(clip(new int[] {1, 2}, true, 24), "clip")) {
            assertEquals(6, t.gridSize(16));
            check("clip_resized", t);
        }
    }

    @Test
    void clipShrunkInputIsBlurredAsKorniaThenResized() {
        try (VisionTower t = tower(clip(new int[] {2}, false, 8), "clip")) {
            check("clip_shrunk", t);
        }
    }

    @Test
    void theInputResizeIsKornias() {
        try (Scope s = Scope.open()) {
            Tensor in = expected.get("resize.input");
            for (int side : new int[] {8, 12, 20, 32, 40}) {
                Tensor e = expected.get("resize." + side), a = InputResize.apply(in, side, "test");
                assertArrayEquals(e.shape(), a.shape());
                double[] ev = e.toDoubleArray(), av = a.toDoubleArray();
                double diff = 0;
                for (int i = 0; i < ev.length; i++) diff = Math.max(diff, Math.abs(ev[i] - av[i]));
                assertTrue(diff <= 2e-5, side + " px: max abs error " + diff);
            }
            assertSame(in, InputResize.apply(in, 32, "test"), "kornia returns the input itself at the same size");
        }
    }

    @Test
    void siglipTower() {
        try (VisionTower t = tower(siglip(), "siglip")) {
            check("siglip", t);
        }
    }

    @Test
    void dinov2WithoutRegistersResizesItsPositionsWithoutAntialiasAndOffset01() {
        Dinov2Config c = new Dinov2Config("tiny-dinov2", 32, 3, 2, 4, 0, false, 128, 20, 1e-6, new int[] {0, 2}, false, 0.1, 0);
        try (Dinov2 d = new Dinov2(c, new Rng(0))) {
            d.load(Dinov2Weights.toOriginalNames(read("dinov2_noreg")), true);
            check("dinov2_noreg", d);
        }
        assertFalse(Dinov2Config.named("dinov2_vitb14").interpolateAntialias());
        assertEquals(0.1, Dinov2Config.named("dinov2_vitb14").interpolateOffset());
        assertTrue(Dinov2Config.named("dinov2_vitb14_reg").interpolateAntialias());
    }

    @Test
    void dinov2SwigluFeedForwardAsViTg() {
        Dinov2Config c = new Dinov2Config("tiny-dinov2-g", 32, 3, 2, 4, 4, true, org.vfmtok.nn.layers.SwiGLUFused.hiddenFor(128), 20, 1e-6,
                new int[] {0, 2}, true, 0.0, 0);
        try (Dinov2 d = new Dinov2(c, new Rng(0))) {
            d.load(Dinov2Weights.toOriginalNames(read("dinov2_swiglu")), true);
            check("dinov2_swiglu", d);
        }
        Dinov2Config g = Dinov2Config.named("dinov2_vitg14");
        assertEquals(1536, g.embedDim());
        assertEquals(40, g.depth());
        assertTrue(g.swiglu());
        assertEquals(4096, g.mlpHidden(), "ViT-g's SwiGLU hidden: ((int(6144·2/3) + 7) / 8)·8");
    }

    @Test
    void theWrongFamilyOrSizeIsRefusedWithShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> tower(clip(new int[] {0, 2}, false, 16), "siglip"));
        assertTrue(e.getMessage().contains("not a CLIP vision tower") && e.getMessage().contains("SigLIP"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> tower(siglip(), "clip"));
        assertTrue(e.getMessage().contains("not a SIGLIP vision tower"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> tower(siglip(), "dinov2_noreg"));
        assertTrue(e.getMessage().contains("no patch embedding"), e.getMessage());
        VisionTowerConfig wide = new VisionTowerConfig(Family.CLIP, "wider", 48, 3, 2, 64, 4, 16, 1e-5, new int[] {0, 2}, false, 16);
        e = assertThrows(IllegalArgumentException.class, () -> tower(wide, "clip"));
        assertTrue(e.getMessage().contains("embeddings.class_embedding") && e.getMessage().contains("[32]") && e.getMessage().contains("[48]"), e.getMessage());
    }

    @Test
    void releasedTowersByName() {
        VisionTowerConfig l336 = VisionTowerConfig.named("openai/clip-vit-large-patch14-336");
        assertEquals(24, l336.pretrainGrid());
        assertEquals(336, l336.inputSize());
        assertFalse(l336.normLast());
        assertEquals(16, VisionTowerConfig.named("openai/clip-vit-large-patch14").pretrainGrid());
        VisionTowerConfig so = VisionTowerConfig.named("google/siglip2-so400m-patch14-384");
        assertEquals(27, so.pretrainGrid(), "384 / 14 floors to 27 (the conv drops the last 6 pixels), 729 positions");
        assertEquals(1152, so.embedDim());
        assertEquals(27, so.depth());
        assertEquals(4304, so.mlpHidden());
        assertArrayEquals(new int[] {5, 12, 19, 26}, so.levels());
        assertEquals(14, VisionTowerConfig.named("google/siglip2-base-patch16-224").pretrainGrid());
        assertEquals(768, VisionTowerConfig.named("google/siglip2-base-patch16-256").embedDim());
        var e = assertThrows(IllegalArgumentException.class, () -> VisionTowerConfig.named("openai/clip-vit-base-patch32"));
        assertTrue(e.getMessage().contains("unknown vision tower"), e.getMessage());
    }
}
