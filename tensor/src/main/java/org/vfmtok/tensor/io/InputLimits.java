package org.vfmtok.tensor.io;

import java.nio.file.Path;

/**
 * Bounds on what a small input file may make a reader allocate: a few kilobytes must never cost
 * gigabytes. Each limit has a system property that raises it for the rare legitimate file (with
 * {@code ./vfm}, pass it through {@code VFM_JAVA_OPTS}); the property is read on every check, so nothing
 * global is fixed when this class loads.
 *
 * <ul>
 *   <li>{@value #INFLATED_BYTES}: bytes all deflated records of one zip ({@code .pt}) archive may inflate
 *       to. Default: 32 times the archive's size, at least 64 MiB (torch.save stores tensors uncompressed,
 *       so only re-zipped files come near it).</li>
 *   <li>{@value #PICKLE_OBJECTS}: values one pickle may create (every stack push and memo entry).
 *       Default 4,000,000 (a checkpoint's pickle holds a few per tensor).</li>
 *   <li>{@value #IMAGE_PIXELS}: width x height of an input image, read from its header before decoding.
 *       Default 40,000,000 (a 36-megapixel photo passes; PIL warns from 89.5 M).</li>
 *   <li>{@value #SAFETENSORS_ENTRIES}: tensors (header entries) of one safetensors file. Default 200,000.</li>
 * </ul>
 */
public final class InputLimits {
    public static final String INFLATED_BYTES = "vfmtok.limits.inflatedBytes";
    public static final String PICKLE_OBJECTS = "vfmtok.limits.pickleObjects";
    public static final String IMAGE_PIXELS = "vfmtok.limits.imagePixels";
    public static final String SAFETENSORS_ENTRIES = "vfmtok.limits.safetensorsEntries";

    private static final long MIN_INFLATED_BYTES = 64L << 20;
    private static final long INFLATE_RATIO = 32;

    private InputLimits() {}

    /** Bytes the deflated records of a {@code fileBytes}-byte archive may inflate to, in all. */
    public static long inflatedBytes(long fileBytes) {
        long dflt = fileBytes > Long.MAX_VALUE / INFLATE_RATIO ? Long.MAX_VALUE : Math.max(MIN_INFLATED_BYTES, fileBytes * INFLATE_RATIO);
        return get(INFLATED_BYTES, dflt);
    }

    public static long pickleObjects() { return get(PICKLE_OBJECTS, 4_000_000L); }

    public static long imagePixels() { return get(IMAGE_PIXELS, 40_000_000L); }

    public static long safetensorsEntries() { return get(SAFETENSORS_ENTRIES, 200_000L); }

    /**
     * The one-line refusal: {@code FILE: WHAT exceeds the limit of LIMIT UNIT (-DPROPERTY=N raises it; ./vfm:
     * VFM_JAVA_OPTS=-DPROPERTY=N)}.
     */
    public static String refusal(Path file, String what, long limit, String unit, String property) {
        return (file == null ? "" : TerminalText.escape(file.toString()) + ": ") + what + " exceeds the limit of " + limit + " " + unit
                + " (a hostile or corrupt file?); if the file is genuine, raise it with -D" + property + "=N"
                + " (./vfm: VFM_JAVA_OPTS=-D" + property + "=N)";
    }

    private static long get(String property, long dflt) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) return dflt;
        try {
            long n = Long.parseLong(v.strip().replace("_", ""));
            if (n <= 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + property + "=" + TerminalText.escape(v, 40) + " is not a positive whole number");
        }
    }
}
