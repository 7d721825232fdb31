package org.vfmtok.vfmtok.data;

import java.util.List;
import org.vfmtok.tensor.Rng;

/**
 * A built-in dataset that needs no files: ten classes of coloured shapes over textured backgrounds. Class
 * {@code c} is one (shape, hue) pair — five shapes (disk, square, triangle, ring, cross), each in two hues —
 * so both colour and form identify it. Position, size, rotation, brightness and the background texture
 * (low-contrast stripes, checks or a smooth blend in a mid-grey tone) vary per sample. Sample {@code i} is a
 * pure function of (seed, i) and is rendered at any side length (2×2 supersampled edges); labels cycle
 * through the classes, so any prefix is balanced.
 */
public final class ProceduralShapes implements ImageSource {
    public static final List<String> CLASSES = List.of("red disk", "orange square", "yellow triangle", "lime ring", "green cross",
            "cyan disk", "blue square", "violet triangle", "magenta ring", "pink cross");
    private static final int SHAPES = 5;

    private final int size;
    private final long seed;

    public ProceduralShapes(int size, long seed) {
        if (size < 1) throw new IllegalArgumentException("dataset size must be positive, got " + size);
        this.size = size;
        this.seed = seed;
    }

    @Override public int size() { return size; }

    @Override public int label(int i) { return Math.floorMod(i, CLASSES.size()); }

    @Override public List<String> classNames() { return CLASSES; }

    @Override public String describe() { return "procedural shapes (" + size + " images, seed " + seed + ")"; }

    @Override
    public float[] load(int i, int side, Rng unused) {
        if (i < 0 || i >= size) throw new IndexOutOfBoundsException("sample " + i + " of " + size);
        return render(label(i), new Rng(mix(seed, i)), side);
    }

    static long mix(long seed, long i) {
        Rng r = new Rng(seed * 0x9E3779B97F4A7C15L ^ (i + 0x632BE59BD9B4E019L));
        return r.nextLong();
    }

    /** Draws one image of class {@code cls} with the random choices of {@code rng}. */
    public static float[] render(int cls, Rng rng, int side) {
        int shape = cls % SHAPES;
        double hue = cls / (double) CLASSES.size() * 0.9;   // ten hues spread over the circle
        double[] fg = hsv(hue + (rng.nextDouble() - 0.5) * 0.03, 0.75 + 0.25 * rng.nextDouble(), 0.8 + 0.2 * rng.nextDouble());
        // backgrounds: mid-grey, low saturation, two tones 0.1 apart, so that the shape carries most of the signal
        double bgHue = rng.nextDouble(), bgSat = 0.2 * rng.nextDouble(), bgVal = 0.4 + 0.2 * rng.nextDouble();
        double[] bg1 = hsv(bgHue, bgSat, bgVal + 0.05);
        double[] bg2 = hsv(bgHue + 0.1 * rng.nextDouble(), bgSat, bgVal - 0.05);
        int texture = rng.nextInt(3);
        double angle = rng.nextDouble() * Math.PI, freq = 2 + 4 * rng.nextDouble();
        double cx = 0.4 + 0.2 * rng.nextDouble(), cy = 0.4 + 0.2 * rng.nextDouble();
        double radius = 0.3 + 0.1 * rng.nextDouble(), rot = rng.nextDouble() * 2 * Math.PI;
        float[] out = new float[3 * side * side];
        int plane = side * side;
        double ca = Math.cos(angle), sa = Math.sin(angle), cr = Math.cos(rot), sr = Math.sin(rot);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                double r = 0, g = 0, b = 0;
                for (int sy = 0; sy < 2; sy++) {
                    for (int sx = 0; sx < 2; sx++) {
                        double u = (x + 0.25 + 0.5 * sx) / side, v = (y + 0.25 + 0.5 * sy) / side;
                        double t = switch (texture) {
                            case 0 -> Math.sin((u * ca + v * sa) * freq * 2 * Math.PI) > 0 ? 1 : 0;              // stripes
                            case 1 -> ((int) Math.floor(u * freq) + (int) Math.floor(v * freq)) % 2 == 0 ? 1 : 0; // checks
                            default -> 0.5 + 0.5 * Math.sin(u * freq * 1.3 + 2 * v * ca) * Math.cos(v * freq - u * sa); // blend
                        };
                        double[] c = inside(shape, (u - cx) * cr + (v - cy) * sr, -(u - cx) * sr + (v - cy) * cr, radius) ? fg : null;
                        if (c == null) {
                            r += bg1[0] * t + bg2[0] * (1 - t);
                            g += bg1[1] * t + bg2[1] * (1 - t);
                            b += bg1[2] * t + bg2[2] * (1 - t);
                        } else {
                            r += c[0];
                            g += c[1];
                            b += c[2];
                        }
                    }
                }
                int p = y * side + x;
                out[p] = (float) (r / 2 - 1);   // mean of 4 samples in [0, 1] → [-1, 1]
                out[plane + p] = (float) (g / 2 - 1);
                out[2 * plane + p] = (float) (b / 2 - 1);
            }
        }
        return out;
    }

    /** Whether the point (dx, dy), in the shape's rotated frame relative to its centre, is inside the shape. */
    static boolean inside(int shape, double dx, double dy, double r) {
        return switch (shape) {
            case 0 -> dx * dx + dy * dy <= r * r;                                          // disk
            case 1 -> Math.abs(dx) <= r * 0.8 && Math.abs(dy) <= r * 0.8;                  // square
            case 2 -> dy <= r * 0.6 && dy >= -r + 1.7 * Math.abs(dx);                       // triangle (apex up in its frame)
            case 3 -> { double d = dx * dx + dy * dy; yield d <= r * r && d >= 0.45 * r * r; } // ring
            default -> (Math.abs(dx) <= r * 0.3 && Math.abs(dy) <= r) || (Math.abs(dy) <= r * 0.3 && Math.abs(dx) <= r); // cross
        };
    }

    static double[] hsv(double h, double s, double v) {
        h = h - Math.floor(h);
        double c = v * s, hp = h * 6, x = c * (1 - Math.abs(hp % 2 - 1)), m = v - c;
        double r, g, b;
        switch ((int) hp) {
            case 0 -> { r = c; g = x; b = 0; }
            case 1 -> { r = x; g = c; b = 0; }
            case 2 -> { r = 0; g = c; b = x; }
            case 3 -> { r = 0; g = x; b = c; }
            case 4 -> { r = x; g = 0; b = c; }
            default -> { r = c; g = 0; b = x; }
        }
        return new double[] {r + m, g + m, b + m};
    }
}
