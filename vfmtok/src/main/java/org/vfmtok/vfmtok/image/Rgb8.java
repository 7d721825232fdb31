package org.vfmtok.vfmtok.image;

/**
 * An 8-bit RGB image as Pillow holds it between resampling steps: values 0..255, planar (all red values, then
 * green, then blue; each plane row-major). The resizes of {@link PilResize} work on this, not on floats, because
 * Pillow rounds to 8 bits after every pass and the reference pipeline's pixels are exactly those.
 */
public record Rgb8(int width, int height, byte[] planes) {
    public Rgb8 {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("image size " + width + " x " + height + " must be positive");
        if (planes.length != 3L * width * height) {
            throw new IllegalArgumentException("RGB planes of a " + width + " x " + height + " image need " + 3L * width * height + " bytes, got " + planes.length);
        }
    }

    /** The value 0..255 of channel {@code c} at (x, y). */
    public int get(int c, int x, int y) {
        return planes[(c * height + y) * width + x] & 0xFF;
    }

    /**
     * The {@code size}·{@code size} window at ({@code left}, {@code top}) as planar floats in [-1, 1]
     * (v / 127.5 − 1), the layout (3, size, size) of the model's input.
     */
    public float[] cropToUnitRange(int left, int top, int size) {
        if (left < 0 || top < 0 || left + size > width || top + size > height) {
            throw new IllegalArgumentException("crop " + size + " x " + size + " at (" + left + ", " + top + ") outside a " + width + " x " + height + " image");
        }
        float[] out = new float[3 * size * size];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) out[(c * size + y) * size + x] = get(c, left + x, top + y) / 127.5f - 1f;
            }
        }
        return out;
    }
}
