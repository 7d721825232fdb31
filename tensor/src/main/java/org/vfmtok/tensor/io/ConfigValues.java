package org.vfmtok.tensor.io;

import java.util.Collection;
import java.util.Map;

/**
 * Strict reading of configuration values parsed by {@link Json}: an integer field refuses a fractional
 * or out-of-range number instead of truncating it, and a key nobody reads is refused with the nearest
 * known key suggested (a misspelt key would otherwise silently keep its default).
 */
public final class ConfigValues {
    private ConfigValues() {}

    /**
     * Refuses any key of {@code m} that is not in {@code known}, naming it (with {@code section} as its
     * prefix, e.g. "encoder.") and the closest known key by edit distance.
     */
    public static void requireKnownKeys(Map<?, ?> m, String section, Collection<String> known) {
        requireKnownKeys(m, "key", section, known);
    }

    /** {@link #requireKnownKeys(Map, String, Collection)} with {@code what} for "key" in the message ("GPT config key"). */
    public static void requireKnownKeys(Map<?, ?> m, String what, String section, Collection<String> known) {
        for (Object k : m.keySet()) {
            String key = String.valueOf(k);
            if (known.contains(key)) continue;
            String near = nearest(key, known);
            throw new IllegalArgumentException("unknown " + what + " '" + section + printable(key) + "'"
                    + (near == null ? "" : " (did you mean '" + section + near + "'?)") + "; known keys" + (section.isEmpty() ? "" : " of " + section.substring(0, section.length() - 1)) + ": " + known);
        }
    }

    /** The value as an int: a whole number in int range, else an IllegalArgumentException naming the key. */
    public static int intValue(String key, Object v) {
        if (!(v instanceof Number n)) throw new IllegalArgumentException("'" + key + "' must be an integer, got " + describe(v));
        double d = n.doubleValue();
        if (d != Math.rint(d) || Double.isInfinite(d)) throw new IllegalArgumentException("'" + key + "' must be an integer, got " + v);
        if (d < Integer.MIN_VALUE || d > Integer.MAX_VALUE) throw new IllegalArgumentException("'" + key + "' is out of range: " + v);
        return (int) d;
    }

    /** The value as a finite double, else an IllegalArgumentException naming the key. */
    public static double doubleValue(String key, Object v) {
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) throw new IllegalArgumentException("'" + key + "' must be a finite number, got " + describe(v));
        return n.doubleValue();
    }

    /** The known key closest to {@code key} (Levenshtein distance at most max(2, a third of its length)), or null. */
    public static String nearest(String key, Collection<String> known) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String k : known) {
            int d = levenshtein(key.toLowerCase(java.util.Locale.ROOT), k.toLowerCase(java.util.Locale.ROOT));
            if (d < bestD) {
                bestD = d;
                best = k;
            }
        }
        return bestD <= Math.max(2, key.length() / 3) ? best : null;
    }

    static int levenshtein(String a, String b) {
        if (a.length() > 256 || b.length() > 256) return Integer.MAX_VALUE; // a hostile key is not worth the quadratic work
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String describe(Object v) {
        return v instanceof String s ? "the string \"" + printable(s) + "\"" : String.valueOf(v);
    }

    /** A key from a file, safe to print: control characters (newlines, ANSI escapes) shown as \\uXXXX, long keys cut. */
    static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && i < 200; i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        if (s.length() > 200) sb.append("...");
        return sb.toString();
    }
}
