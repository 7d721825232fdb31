package org.vfmtok.vfmtok.image;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.io.Json;
import org.vfmtok.tensor.io.Npy;

/**
 * ADM's centre crop (BOX halving, Pillow's BICUBIC resize, centre crop) and plain {@code Image.resize} against
 * Pillow itself, value for value: the fixtures are made by tools/reference/make_pil_fixtures.py with Debian's
 * Pillow 9.4 (no SIMD build), covering downscaling by odd and non-integer factors, one and two halvings, odd
 * sides halved, upscaling, the identity, Python's half-to-even round of the new size, and each resize pass alone.
 */
class ImageFilesPilTest {
    private static final Path DIR = Path.of("src/test/resources/fixtures/pil");

    @Test
    void centerCropEqualsPillow() throws Exception {
        List<?> cases = (List<?>) manifest().get("cases");
        assertEquals(8, cases.size());
        for (Object o : cases) {
            Map<?, ?> c = (Map<?, ?>) o;
            String name = (String) c.get("name");
            int size = ((Number) c.get("size")).intValue();
            try (Scope s = Scope.open()) {
                int[] want = Npy.read(DIR.resolve(name + "_crop" + size + ".npy")).toIntArray(); // (size, size, 3)
                float[] got = ImageFiles.centerCrop(ImageFiles.read(DIR.resolve(name + ".png")), size).toFloatArray(); // (3, size, size) in [-1, 1]
                assertEquals(want.length, got.length, name);
                int[] levels = new int[got.length];
                for (int ch = 0; ch < 3; ch++) {
                    for (int i = 0; i < size * size; i++) levels[i * 3 + ch] = Math.round((got[ch * size * size + i] + 1) * 127.5f);
                }
                assertSame(name + " centre crop to " + size, want, levels);
            }
        }
    }

    @Test
    void resizeEqualsPillow() throws Exception {
        List<?> resizes = (List<?>) manifest().get("resizes");
        assertEquals(5, resizes.size());
        for (Object o : resizes) {
            Map<?, ?> c = (Map<?, ?>) o;
            String name = (String) c.get("name");
            int w = ((Number) c.get("width")).intValue(), h = ((Number) c.get("height")).intValue();
            PilResize.Filter filter = PilResize.Filter.valueOf((String) c.get("filter"));
            try (Scope s = Scope.open()) {
                int[] want = Npy.read(DIR.resolve(name + ".npy")).toIntArray(); // (h, w, 3)
                Rgb8 got = PilResize.resize(ImageFiles.toRgb8(ImageFiles.read(DIR.resolve(c.get("source") + ".png"))), w, h, filter);
                assertEquals(w, got.width(), name);
                assertEquals(h, got.height(), name);
                int[] levels = new int[want.length];
                for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) for (int ch = 0; ch < 3; ch++) levels[(y * w + x) * 3 + ch] = got.get(ch, x, y);
                assertSame(name + " (" + filter + " to " + w + " x " + h + ")", want, levels);
            }
        }
    }

    /** Every value equal; the message counts the differing values and names the worst. */
    private static void assertSame(String what, int[] want, int[] got) {
        int off = 0, worst = 0, at = -1;
        for (int i = 0; i < want.length; i++) {
            int d = Math.abs(want[i] - got[i]);
            if (d > 0) off++;
            if (d > worst) {
                worst = d;
                at = i;
            }
        }
        if (off > 0) fail(what + ": " + off + " of " + want.length + " values differ from Pillow's, worst by " + worst + " at flat index " + at + " (HWC: Pillow " + want[at] + ", ours " + got[at] + ")");
    }

    private static Map<?, ?> manifest() throws Exception {
        return (Map<?, ?>) Json.parse(Files.readString(DIR.resolve("manifest.json")));
    }
}
