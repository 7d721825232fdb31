package org.vfmtok.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vfmtok.eval.gen.InceptionScore;
import org.vfmtok.eval.gen.Npz;
import org.vfmtok.eval.inception.FidInceptionV3;
import org.vfmtok.eval.inception.ImageBatch;
import org.vfmtok.eval.inception.InceptionFeatures;
import org.vfmtok.eval.inception.InceptionInput;
import org.vfmtok.eval.inception.ResizeMode;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;

/**
 * The FID Inception against {@code tools/reference/fid_ref.py} (pytorch-fid's model code in PyTorch) with the
 * same deterministic weights and images: inputs of both resize modes, pool3 and sFID features of the first
 * images of both sets, and the softmax of the Inception Score. Features agree to 1e-4 of their largest value.
 */
class InceptionParityTest {
    static final Path FIXTURE = Path.of("src/test/resources/fid/fid_ref.npz");
    /** Images per set checked here (the fixture has more; the heavy test runs every image). */
    static final int IMAGES = 1;

    static FidInceptionV3 net;
    static Npz ref;
    static int size;

    @BeforeAll
    static void load() throws IOException {
        net = Synthetic.network();
        ref = Npz.open(FIXTURE);
        size = (int) ref.readDoubles("size")[0];
    }

    @AfterAll
    static void close() throws IOException {
        net.close();
        ref.close();
    }

    @Test
    void imagesAreTheReferenceScriptsImages() throws IOException {
        for (String set : new String[] {"ref", "sample"}) {
            ImageBatch b = Synthetic.images(set.equals("ref") ? 0 : 1, 0, 1, size);
            double[] expected = ref.readDoubles(set + "_image0");
            double[] actual = new double[b.pixels().length];
            for (int i = 0; i < actual.length; i++) actual[i] = b.pixels()[i] & 0xFF;
            assertArrayEquals(expected, actual, set + " image 0");
        }
    }

    @Test
    void inputsOfBothResizeModes() throws IOException {
        ImageBatch b = Synthetic.images(0, 0, 1, size);
        for (ResizeMode mode : ResizeMode.values()) {
            double[] expected = ref.readDoubles(mode.cliName() + "_input0");
            try (Scope s = Scope.open("input")) {
                Tensor x = InceptionInput.of(b, mode);
                assertArrayEquals(new int[] {1, 3, 299, 299}, x.shape());
                int k = 0;
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < 299; y += 37) {
                        for (int xx = 0; xx < 299; xx += 37) {
                            assertEquals(expected[k++], x.getDouble(0, c, y, xx), 2e-6, mode + " input at " + c + "," + y + "," + xx);
                        }
                    }
                }
            }
        }
    }

    @Test
    void featuresMatchPytorchFid() throws IOException {
        for (ResizeMode mode : ResizeMode.values()) {
            for (String set : new String[] {"ref", "sample"}) {
                InceptionFeatures f = net.features(Synthetic.images(set.equals("ref") ? 0 : 1, 0, IMAGES, size), mode);
                String key = mode.cliName() + "_" + set;
                assertClose(key + " pool3", ref.readDoubles(key + "_pool3"), f.pool3(), InceptionFeatures.POOL_DIM);
                assertClose(key + " spatial", ref.readDoubles(key + "_spatial"), f.spatial(), InceptionFeatures.SPATIAL_DIM);
            }
        }
    }

    @Test
    void classProbabilitiesUseTheFcWeightWithoutBias() throws IOException {
        double[] pool3 = ref.readDoubles("tf1_sample_pool3");
        int n = pool3.length / InceptionFeatures.POOL_DIM;
        float[] p = new float[pool3.length];
        for (int i = 0; i < p.length; i++) p[i] = (float) pool3[i];
        double[] probs = InceptionScore.probabilities(p, n, net.fcWeight(), FidInceptionV3.NUM_CLASSES);
        double[] expected = ref.readDoubles("tf1_sample_probs");
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], probs[i], 1e-5 * Math.max(1e-3, expected[i]) + 1e-9, "probability " + i);
    }

    @Test
    void weightsOfOtherShapesAreRefusedNamingKeyAndShapes() {
        Scope weights = Scope.detached("bad weights");
        try {
            Map<String, Tensor> sd = weights.run(Synthetic::stateDict);
            sd.put("Mixed_6d.branch1x1.conv.weight", Tensor.zeros(192, 768, 3, 3));
            var e = assertThrows(IllegalArgumentException.class, () -> FidInceptionV3.fromStateDict(sd));
            assertEquals("not the FID Inception-v3 weights (pt_inception-2015-12-05): shape mismatch Mixed_6d.branch1x1.conv.weight: "
                    + "file has [192, 768, 3, 3], FID Inception-v3 expects [192, 768, 1, 1]", e.getMessage());
            sd.remove("Mixed_6d.branch1x1.conv.weight");
            sd.put("AuxLogits.fc.weight", Tensor.zeros(1008, 768));
            e = assertThrows(IllegalArgumentException.class, () -> FidInceptionV3.fromStateDict(sd));
            assertEquals("not the FID Inception-v3 weights (pt_inception-2015-12-05): missing key Mixed_6d.branch1x1.conv.weight "
                    + "(and 1 more difference)", e.getMessage());
        } finally {
            weights.close();
        }
    }

    /** Per image: max |a - e| <= 1e-4 · max |e| (relu features are often exactly 0, so elementwise relative is meaningless). */
    static void assertClose(String what, double[] expected, float[] actual, int dim) {
        int n = Math.min(expected.length, actual.length) / dim;
        assertTrue(n >= 1, what + ": nothing to compare");
        for (int i = 0; i < n; i++) {
            double scale = 0, err = 0;
            for (int j = 0; j < dim; j++) {
                scale = Math.max(scale, Math.abs(expected[i * dim + j]));
                err = Math.max(err, Math.abs(expected[i * dim + j] - actual[i * dim + j]));
            }
            assertTrue(scale > 0, what + " image " + i + ": all zero (degenerate weights?)");
            assertTrue(err <= 1e-4 * scale, what + " image " + i + ": max error " + err + " vs scale " + scale);
        }
    }
}
