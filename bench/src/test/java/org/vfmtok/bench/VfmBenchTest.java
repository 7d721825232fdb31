package org.vfmtok.bench;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.nn.layers.SwiGLUFused;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Json;
import org.vfmtok.vfmtok.train.RandomVfm;
import org.vfmtok.vfmtok.vfm.Dinov2Config;
import org.vfmtok.vfmtok.vfm.VfmConfig;
import org.vfmtok.vfmtok.vfm.VisionFoundationModel;
import org.vfmtok.vfmtok.vfm.VisionTowerConfig;

/**
 * {@link VfmBench} without a quiet machine: the model names, the FLOP count against the models' own weight shapes,
 * a Java-only run at a tiny input, and (when /usr/bin/python3 has torch and OpenBLAS is installed) the PyTorch
 * script on tiny models of each family, whose parameter count and feature shapes must equal Java's.
 */
class VfmBenchTest {
    @Test
    void everyDefaultModelHasItsReleasedArchitectureAndInputSide() {
        Map<String, int[]> expected = Map.of(   // name: width, depth, input side, grid
                "dinov2-l14-reg", new int[] {1024, 24, 336, 24}, "dinov2-b14", new int[] {768, 12, 336, 24},
                "clip-l14-224", new int[] {1024, 24, 224, 16}, "clip-l14-336", new int[] {1024, 24, 336, 24},
                "siglip2-b16", new int[] {768, 12, 256, 16}, "siglip2-so400m14", new int[] {1152, 27, 384, 27});
        assertEquals(expected.keySet(), Set.copyOf(VfmBench.DEFAULT_MODELS));
        for (String name : VfmBench.DEFAULT_MODELS) {
            VfmBench.Model m = VfmBench.Model.named(name, 0);
            int[] e = expected.get(name);
            assertArrayEquals(e, new int[] {m.config().embedDim(), m.config().depth(), m.imageSize(), m.grid()}, name);
            assertEquals(m.imageSize(), m.config().inputSize(), name + ": the model's own resize is the identity");
        }
        assertEquals(4, ((Dinov2Config) VfmBench.Model.named("dinov2-l14-reg", 0).config()).numRegisters());
        assertEquals(0, ((Dinov2Config) VfmBench.Model.named("dinov2-b14", 0).config()).numRegisters());
        assertTrue(((Dinov2Config) VfmBench.Model.named("dinov2-g14", 0).config()).swiglu());
        assertEquals(2, VfmBench.Model.named("siglip2-b16", 32).grid(), "--image-size overrides the side");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VfmBench.Model.named("dinov3-l16", 0));
        assertTrue(e.getMessage().contains("'dinov3-l16'") && e.getMessage().contains("siglip2-b16"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> VfmBench.Model.named("dinov2-s14", 30));
        assertTrue(e.getMessage().contains("--image-size 30") && e.getMessage().contains("14"), e.getMessage());
    }

    private static Dinov2Config tinyDino(boolean swiglu, int registers) {
        return new Dinov2Config("tiny-dino", 32, 3, 2, 4, registers, swiglu, swiglu ? SwiGLUFused.hiddenFor(128) : 96, 20, 1e-6, new int[] {0, 2}, true, 0.0, 16);
    }

    private static VisionTowerConfig tinyTower(VisionTowerConfig.Family f, int input) {
        return new VisionTowerConfig(f, "tiny-" + f, 32, 3, 2, 48, 4, 16, f == VisionTowerConfig.Family.CLIP ? 1e-5 : 1e-6, new int[] {1, 2},
                f == VisionTowerConfig.Family.SIGLIP, input);
    }

    /**
     * The analytic count equals one derived from the built model's weights: every weight matrix (the patch conv
     * included) times the tokens that go through it, plus q·kᵀ and weights·v per block.
     */
    @Test
    void flopCountMatchesTheModelsOwnWeightShapes() {
        List<VfmConfig> configs = List.of(tinyDino(false, 0), tinyDino(true, 4), tinyTower(VisionTowerConfig.Family.CLIP, 24),
                tinyTower(VisionTowerConfig.Family.SIGLIP, 18), tinyDino(false, 4).withLevels(new int[] {0, 1}));
        for (VfmConfig c : configs) {
            int side = c.inputSize(), g = side / c.patchSize(), patches = g * g;
            int extra = switch (c) {
                case Dinov2Config d -> 1 + d.numRegisters();
                case VisionTowerConfig t -> t.family() == VisionTowerConfig.Family.CLIP ? 1 : 0;
            };
            int n = patches + extra, blocks = c.levels()[c.levels().length - 1] + 1;
            double flops = 0;
            try (VisionFoundationModel vfm = RandomVfm.create(c, 0)) {
                for (Map.Entry<String, Tensor> w : vfm.stateDict().entrySet()) {
                    String k = w.getKey();
                    if (w.getValue().dim() < 2 || k.contains("pos") || k.contains("token") || k.contains("position")) continue;
                    if (k.contains("patch")) {
                        flops += 2.0 * patches * w.getValue().numel();
                        continue;
                    }
                    int block = Integer.parseInt(k.replaceAll("^(blocks|encoder\\.layers)\\.(\\d+)\\..*", "$2"));
                    if (block < blocks) flops += 2.0 * n * w.getValue().numel();
                }
            }
            flops += blocks * 4.0 * n * n * c.embedDim();
            assertEquals(flops, VfmBench.matmulFlops(c, side, 1), 1e-9 * flops, c.name() + " " + c.getClass().getSimpleName());
            assertEquals(3 * flops, VfmBench.matmulFlops(c, side, 3), 1e-9 * flops, "linear in the batch");
        }
        // DINOv2-L/14 with registers at 336 (581 tokens, 24 blocks): ~0.39 TFLOP per image
        assertEquals(384.8, VfmBench.matmulFlops(Dinov2Config.named("dinov2_vitl14_reg4"), 336, 1) / 1e9, 0.1);
    }

    @Test
    void javaOnlyRunAtATinyInputWritesTheTable(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("vfm.json");
        List<VfmBench.Row> rows = VfmBench.run(new VfmBench.Options(List.of("dinov2-s14"), new int[] {1, 2}, 2, 1, 28, false, json));
        assertEquals(2, rows.size());
        for (VfmBench.Row r : rows) {
            assertEquals(4, r.shapes().size(), "four levels");
            for (int[] s : r.shapes()) assertArrayEquals(new int[] {r.batch(), 4, 384}, s);
            assertTrue(r.javaS() > 0 && Double.isNaN(r.torchS()), r.toString());
            assertEquals("-", r.ratio());
            assertEquals(VfmBench.matmulFlops(VfmBench.Model.named("dinov2-s14", 28).config(), 28, r.batch()) / 1e9, r.gflop(), 1e-12);
        }
        Map<?, ?> root = (Map<?, ?>) Json.parse(Files.readString(json));
        List<?> list = (List<?>) root.get("rows");
        assertEquals(2, list.size());
        Map<?, ?> second = (Map<?, ?>) list.get(1);
        assertEquals("dinov2-s14", second.get("model"));
        assertEquals(2, ((Number) second.get("batch")).intValue());
        assertEquals(Json.NULL, second.get("torch_s"), "no torch side: null, not a number");
        assertEquals(List.of(2L, 4L, 384L), ((List<?>) ((List<?>) second.get("shapes")).get(3)).stream().map(v -> ((Number) v).longValue()).toList());

        Path md = dir.resolve("vfm.md");
        VfmBench.run(new VfmBench.Options(List.of("dinov2-s14"), new int[] {1}, 1, 1, 14, false, md));
        String text = Files.readString(md);
        assertTrue(text.contains("| dinov2-s14 | 14 | 1 | 1x1x384 1x1x384 1x1x384 1x1x384 |"), text);
    }

    /** The reference script builds the same architecture (parameter count) and returns the same shapes, for each family. */
    @Test
    void torchScriptMatchesJavaShapesAndParameters() throws Exception {
        String missing = RunConditions.missingReference();
        Assumptions.assumeTrue(missing == null, missing);
        Assumptions.assumeTrue(torchImports(), "/usr/bin/python3 cannot import torch");
        List<VfmBench.Model> models = List.of(new VfmBench.Model("tiny-dino", tinyDino(false, 0), 16), new VfmBench.Model("tiny-dino-g", tinyDino(true, 4), 12),
                new VfmBench.Model("tiny-clip", tinyTower(VisionTowerConfig.Family.CLIP, 24), 24),
                new VfmBench.Model("tiny-siglip", tinyTower(VisionTowerConfig.Family.SIGLIP, 18), 18));
        for (VfmBench.Model m : models) {
            try (VisionFoundationModel vfm = RandomVfm.create(m.config(), 0)) {
                long params = vfm.stateDict().values().stream().mapToLong(Tensor::numel).sum();
                VfmBench.Row r = VfmBench.measure(m, vfm, params, 2, 1, 1, true);
                assertTrue(r.torchS() > 0, m.name() + ": " + r);
                assertEquals(m.config().levels().length, r.shapes().size());
                assertTrue(r.blas().contains("blas"), r.blas());
            }
        }
        // a Java model that is not the architecture sent to torch fails the case: a wider MLP (same shapes) by the
        // parameter count, other levels (same parameters) by the shapes
        VfmBench.Model m = models.get(2);
        VisionTowerConfig c = (VisionTowerConfig) m.config();
        VisionTowerConfig wider = new VisionTowerConfig(c.family(), c.name(), c.embedDim(), c.depth(), c.numHeads(), 64, c.patchSize(), c.pretrainImageSize(),
                c.lnEps(), c.levels(), c.normLast(), c.inputSize());
        try (VisionFoundationModel other = RandomVfm.create(wider, 0)) {
            long params = other.stateDict().values().stream().mapToLong(Tensor::numel).sum();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> VfmBench.measure(m, other, params, 1, 1, 1, true));
            assertTrue(e.getMessage().contains("parameters, Java " + params), e.getMessage());
        }
        try (VisionFoundationModel other = RandomVfm.create(m.config().withLevels(new int[] {2}), 0)) {
            long params = other.stateDict().values().stream().mapToLong(Tensor::numel).sum();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> VfmBench.measure(m, other, params, 1, 1, 1, true));
            assertTrue(e.getMessage().contains("torch features 1x36x32 1x36x32, Java 1x36x32"), e.getMessage());
        }
    }

    private static boolean torchImports() throws Exception {
        Process p = new ProcessBuilder(RunConditions.PYTHON.toString(), "-c", "import torch").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }
}
