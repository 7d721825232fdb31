package org.vfmtok.tensor.io;

/**
 * Makes text that came from a file (tensor keys, pickled strings, zip record names) safe to print on one
 * terminal line: control characters (C0, DEL, C1), line and paragraph separators and the bidirectional
 * overrides become visible escapes ({@code \n}, {@code \x1b}, {@code \u202e}), so a key holding a newline
 * or an ANSI colour sequence cannot forge or recolour output. Every CLI error message and {@code inspect}
 * line goes through {@link #escape}; library messages that quote file content use it too.
 *
 * <p>Idempotent (escaped text contains only printable characters, and backslashes are left as they are),
 * so a message escaped by a library and again by the command line is unchanged the second time.
 */
public final class TerminalText {
    private TerminalText() {}

    /** {@code s} with every unprintable character escaped; "null" for null. */
    public static String escape(String s) {
        if (s == null) return "null";
        int i = 0;
        while (i < s.length() && !unsafe(s.charAt(i))) i++;
        if (i == s.length()) return s;
        StringBuilder sb = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!unsafe(c)) {
                sb.append(c);
                continue;
            }
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c <= 0xFF ? String.format("\\x%02x", (int) c) : String.format("\\u%04x", (int) c));
            }
        }
        return sb.toString();
    }

    /** {@link #escape}d and cut to at most {@code maxChars} characters (saying how long it was). */
    public static String escape(String s, int maxChars) {
        String e = escape(s);
        return e.length() <= maxChars ? e : e.substring(0, maxChars) + "...(" + e.length() + " chars)";
    }

    private static boolean unsafe(char c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202E)
                || (c >= 0x2066 && c <= 0x2069) || c == 0x200E || c == 0x200F || c == 0x061C;
    }
}
