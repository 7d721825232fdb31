package org.vfmtok.tensor.io;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON (RFC 8259) reader and string quoter, enough for safetensors headers, with no
 * third-party dependency (also used for model configs). Values map to: object → {@link LinkedHashMap} (document order, duplicate
 * keys rejected), array → {@link List}, string → {@link String}, integer → {@link Long} (or
 * {@link BigInteger} when it does not fit), other numbers → {@link Double}, true/false →
 * {@link Boolean}, null → {@link #NULL}.
 *
 * <p>Hostile input is bounded: nesting depth and number length are limited, so a crafted header can
 * neither overflow the stack nor make number parsing quadratic. Errors name the character position.
 */
public final class Json {
    /** The JSON {@code null} value (Java null is reserved for "absent"). */
    public static final Object NULL = new Object() {
        @Override
        public String toString() { return "null"; }
    };

    static final int MAX_DEPTH = 64;
    static final int MAX_NUMBER_CHARS = 400;

    /** A syntax error at a character position of the parsed text. */
    public static final class JsonException extends Exception {
        final int position;

        JsonException(int position, String message) {
            super(message + " at character " + position);
            this.position = position;
        }
    }

    private final String s;
    private int pos;

    private Json(String s) { this.s = s; }

    /**
     * Reads a file holding one JSON object and builds a value from it (a config's {@code fromMap}); a parse
     * error, a non-object, or an {@link IllegalArgumentException}/{@link ClassCastException} from the builder
     * (a bad or mistyped key) becomes an IOException that names the file.
     */
    public static <T> T readObject(java.nio.file.Path file, java.util.function.Function<Map<?, ?>, T> build) throws java.io.IOException {
        Object root;
        try {
            root = parse(java.nio.file.Files.readString(file));
        } catch (JsonException e) {
            throw new java.io.IOException(file + ": " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> m)) throw new java.io.IOException(file + ": expected a JSON object");
        try {
            return build.apply(m);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new java.io.IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses one JSON value; only whitespace may follow it. */
    public static Object parse(String text) throws JsonException {
        Json p = new Json(text);
        p.skipWhitespace();
        Object v = p.value(0);
        p.skipWhitespace();
        if (p.pos != text.length()) throw p.error("unexpected " + p.describeCurrent() + " after the top-level value");
        return v;
    }

    private Object value(int depth) throws JsonException {
        if (pos >= s.length()) throw error("unexpected end of input, expected a value");
        char c = s.charAt(pos);
        return switch (c) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected " + describeCurrent() + ", expected a value");
            }
        };
    }

    private Map<String, Object> object(int depth) throws JsonException {
        if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH + " levels");
        pos++; // '{'
        Map<String, Object> map = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return map;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') throw error("expected a string key, found " + describeCurrent());
            int keyPos = pos;
            String key = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Object v = value(depth);
            if (map.putIfAbsent(key, v) != null) {
                throw new JsonException(keyPos, "duplicate key \"" + SafetensorsException.printable(key) + "\"");
            }
            skipWhitespace();
            char c = peek();
            pos++;
            if (c == '}') return map;
            if (c != ',') {
                pos--;
                throw error("expected ',' or '}' in object, found " + describeCurrent());
            }
        }
    }

    private List<Object> array(int depth) throws JsonException {
        if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH + " levels");
        pos++; // '['
        List<Object> list = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            skipWhitespace();
            list.add(value(depth));
            skipWhitespace();
            char c = peek();
            pos++;
            if (c == ']') return list;
            if (c != ',') {
                pos--;
                throw error("expected ',' or ']' in array, found " + describeCurrent());
            }
        }
    }

    private String string() throws JsonException {
        pos++; // opening quote
        StringBuilder sb = null;
        int runStart = pos;
        while (true) {
            if (pos >= s.length()) throw error("unterminated string");
            char c = s.charAt(pos);
            if (c == '"') {
                String out = sb == null ? s.substring(runStart, pos) : sb.append(s, runStart, pos).toString();
                pos++;
                return out;
            }
            if (c < 0x20) throw error("unescaped control character U+" + String.format("%04X", (int) c) + " in string");
            if (c != '\\') {
                pos++;
                continue;
            }
            if (sb == null) sb = new StringBuilder();
            sb.append(s, runStart, pos);
            pos++;
            if (pos >= s.length()) throw error("unterminated escape sequence");
            char e = s.charAt(pos++);
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > s.length()) throw error("truncated \\u escape");
                    int cp = 0;
                    for (int i = 0; i < 4; i++) {
                        int d = Character.digit(s.charAt(pos + i), 16);
                        if (d < 0) throw error("invalid hex digit in \\u escape");
                        cp = cp * 16 + d;
                    }
                    pos += 4;
                    sb.append((char) cp);
                }
                default -> {
                    pos--;
                    throw error("invalid escape '\\" + describeChar(e) + "'");
                }
            }
            runStart = pos;
        }
    }

    private Object number() throws JsonException {
        int start = pos;
        if (peek() == '-') pos++;
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            while (isDigit(peek())) pos++;
        } else {
            throw error("invalid number");
        }
        boolean integral = true;
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!isDigit(peek())) throw error("invalid number: digit expected after '.'");
            while (isDigit(peek())) pos++;
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            if (!isDigit(peek())) throw error("invalid number: digit expected in exponent");
            while (isDigit(peek())) pos++;
        }
        if (pos - start > MAX_NUMBER_CHARS) throw new JsonException(start, "number longer than " + MAX_NUMBER_CHARS + " characters");
        String text = s.substring(start, pos);
        if (!integral) return new BigDecimal(text).doubleValue();
        BigInteger big = new BigInteger(text);
        return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }

    private Object literal(String word, Object value) throws JsonException {
        if (!s.startsWith(word, pos)) throw error("unexpected " + describeCurrent() + ", expected a value");
        pos += word.length();
        return value;
    }

    private void expect(char c) throws JsonException {
        if (peek() != c) throw error("expected '" + c + "', found " + describeCurrent());
        pos++;
    }

    private char peek() { return pos < s.length() ? s.charAt(pos) : '\0'; }

    private static boolean isDigit(char c) { return c >= '0' && c <= '9'; }

    private void skipWhitespace() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            pos++;
        }
    }

    private String describeCurrent() {
        return pos >= s.length() ? "end of input" : "'" + describeChar(s.charAt(pos)) + "'";
    }

    private static String describeChar(char c) {
        return c < 0x20 || c >= 0x7F ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }

    private JsonException error(String message) { return new JsonException(pos, message); }

    // ------------------------------------------------------------------ writing

    /**
     * Appends {@code value} as a JSON string the way serde_json and Python's
     * {@code json.dumps(ensure_ascii=False)} do: quote, backslash and control characters escaped
     * (short forms where JSON has them), everything else verbatim.
     */
    static void quote(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        out.append('"');
    }
}
