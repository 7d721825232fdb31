package org.vfmtok.tensor.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;

/**
 * NumPy {@code .npy} files (format versions 1, 2 and 3): little-endian {@code f2 f4 f8 i4 i8 u1 b1}
 * in C order. Fortran order, big-endian data and other dtypes are rejected with an error saying
 * how to convert the array in NumPy.
 *
 * <p>{@link #write} produces exactly the bytes {@code numpy.save} writes (NumPy 1.24: version 1.0
 * header unless it needs more than 65535 bytes, 21 - len(str(shape[0])) spare spaces for growth,
 * header padded to a multiple of 64 bytes), atomically as {@link Safetensors#save} does. BF16 has
 * no NumPy dtype: convert it with {@code t.to(DType.F32)} first.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    /** NumPy's own safety limit for untrusted headers is 10 000; version 1 headers stop at 65 535. */
    static final int MAX_HEADER_BYTES = 1 << 20;

    private Npy() {}

    /** Reads a {@code .npy} file into a new tensor in the current {@link org.vfmtok.tensor.Scope}. */
    public static Tensor read(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer prefix = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            if (size < 10) throw new NpyException(path, "file has " + size + " bytes, too short for a .npy header");
            prefix.limit(10);
            readFully(ch, prefix, 0, path);
            for (int i = 0; i < MAGIC.length; i++) {
                if (prefix.get(i) != MAGIC[i]) throw new NpyException(path, "not a .npy file (bad magic bytes)");
            }
            int major = prefix.get(6) & 0xFF, minor = prefix.get(7) & 0xFF;
            long headerLength;
            int lengthBytes;
            if (major == 1) {
                lengthBytes = 2;
                headerLength = prefix.getShort(8) & 0xFFFF;
            } else if (major == 2 || major == 3) {
                lengthBytes = 4;
                if (size < 12) throw new NpyException(path, "file ended inside the header length (truncated?)");
                prefix.limit(12);
                readFully(ch, prefix, 10, path);
                headerLength = prefix.getInt(8) & 0xFFFFFFFFL;
            } else {
                throw new NpyException(path, "unsupported .npy format version " + major + "." + minor + " (supported: 1.0, 2.0, 3.0)");
            }
            long dataStart = 6 + 2 + lengthBytes + headerLength;
            if (headerLength > MAX_HEADER_BYTES) {
                throw new NpyException(path, "declared header length " + headerLength + " exceeds the " + MAX_HEADER_BYTES + "-byte limit");
            }
            if (dataStart > size) {
                throw new NpyException(path, "declared header length " + headerLength + " runs past the end of the file ("
                        + size + " bytes): truncated or corrupt");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLength); // bounded by the checks above
            readFully(ch, headerBuf, 6 + 2 + lengthBytes, path);
            // Versions 1 and 2 are latin-1; 3 is UTF-8. Only ASCII matters for the keys we accept.
            String header = new String(headerBuf.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            Header h = parseHeader(path, header);

            long nbytes = Math.multiplyExact(h.numel, (long) h.dtype.byteSize());
            long available = size - dataStart;
            if (available < nbytes) {
                throw new NpyException(path, h.describe() + " needs " + nbytes + " bytes of data but the file has " + available
                        + " after the header (truncated?)");
            }
            if (available > nbytes) {
                throw new NpyException(path, (available - nbytes) + " unexpected trailing bytes after the " + nbytes
                        + " bytes of data for " + h.describe());
            }
            Tensor t = Tensor.empty(h.dtype, h.shape);
            ByteBuffer dst = null;
            for (long p = 0; p < nbytes; p += 1L << 30) {
                dst = t.segment().asSlice(t.byteOffset() + p, Math.min(1L << 30, nbytes - p)).asByteBuffer();
                readFully(ch, dst, dataStart + p, path);
            }
            return t;
        }
    }

    /** Writes {@code t} (any layout; written in C order) as {@code numpy.save} would, atomically. */
    public static void write(Path path, Tensor t) throws IOException {
        if (t.dtype() == DType.BF16) throw new NpyException(path, "BF16 has no NumPy dtype; convert first with tensor.to(DType.F32)");
        ByteBuffer head = ByteBuffer.wrap(header(t.dtype(), t.shape()));
        AtomicFiles.write(path, ch -> {
            while (head.hasRemaining()) ch.write(head);
            try {
                TensorBytes.write(t, ch);
            } catch (RuntimeException e) {
                throw new NpyException(path, "cannot write tensor data: " + e.getMessage(), e);
            }
        });
    }

    /**
     * The exact header bytes {@code numpy.save} writes for a C-order array of this dtype and shape (magic,
     * version, length, padded dict): what a writer of {@code .npz} entries puts before the raw data.
     */
    public static byte[] header(DType dtype, int[] shape) {
        String descr = switch (dtype) {
            case F16 -> "<f2";
            case F32 -> "<f4";
            case F64 -> "<f8";
            case I32 -> "<i4";
            case I64 -> "<i8";
            case U8 -> "|u1";
            case BOOL -> "|b1";
            case BF16 -> throw new IllegalArgumentException("BF16 has no NumPy dtype; convert first with tensor.to(DType.F32)");
        };
        StringBuilder dict = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) dict.append(i == 0 ? "" : ", ").append(shape[i]);
        dict.append(shape.length == 1 ? ",), }" : "), }");
        if (shape.length > 0) dict.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length())));
        byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
        int lengthBytes = 2;
        int major = 1;
        long padded = paddedLength(text.length, lengthBytes);
        if (padded > 0xFFFF) {
            lengthBytes = 4;
            major = 2;
            padded = paddedLength(text.length, lengthBytes);
        }
        ByteBuffer head = ByteBuffer.allocate(Math.toIntExact(8 + lengthBytes + padded)).order(ByteOrder.LITTLE_ENDIAN);
        head.put(MAGIC).put((byte) major).put((byte) 0);
        if (lengthBytes == 2) head.putShort((short) padded);
        else head.putInt((int) padded);
        head.put(text);
        while (head.position() < head.capacity() - 1) head.put((byte) ' ');
        head.put((byte) '\n');
        return head.array();
    }

    /** The dtype and shape of an array, as read from a {@code .npy} header. */
    public record ArrayHeader(DType dtype, int[] shape, long numel) {
        public long dataBytes() { return numel * dtype.byteSize(); }
    }

    /**
     * Reads a {@code .npy} header from a stream (an {@code .npz} entry, say) and leaves the stream at the first
     * data byte; the same checks as {@link #read}. {@code name} names the source in errors.
     */
    public static ArrayHeader readHeader(InputStream in, Path name) throws IOException {
        byte[] prefix = in.readNBytes(10);
        if (prefix.length < 10) throw new NpyException(name, "has " + prefix.length + " bytes, too short for a .npy header");
        for (int i = 0; i < MAGIC.length; i++) {
            if (prefix[i] != MAGIC[i]) throw new NpyException(name, "not a .npy array (bad magic bytes)");
        }
        int major = prefix[6] & 0xFF, minor = prefix[7] & 0xFF;
        long headerLength;
        if (major == 1) {
            headerLength = (prefix[8] & 0xFF) | (prefix[9] & 0xFF) << 8;
        } else if (major == 2 || major == 3) {
            byte[] rest = in.readNBytes(2);
            if (rest.length < 2) throw new NpyException(name, "ended inside the header length (truncated?)");
            headerLength = ByteBuffer.wrap(new byte[] {prefix[8], prefix[9], rest[0], rest[1]}).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
        } else {
            throw new NpyException(name, "unsupported .npy format version " + major + "." + minor + " (supported: 1.0, 2.0, 3.0)");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new NpyException(name, "declared header length " + headerLength + " exceeds the " + MAX_HEADER_BYTES + "-byte limit");
        }
        byte[] text = in.readNBytes((int) headerLength);
        if (text.length < headerLength) throw new NpyException(name, "ended inside the header (truncated?)");
        Header h = parseHeader(name, new String(text, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1));
        return new ArrayHeader(h.dtype, h.shape, h.numel);
    }

    /** NumPy's rule: header text + newline, padded with spaces so the data starts on a 64-byte boundary. */
    private static long paddedLength(int textLength, int lengthBytes) {
        long hlen = textLength + 1L;
        long padlen = ALIGN - ((8 + lengthBytes + hlen) % ALIGN);
        return hlen + padlen;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, Path path) throws IOException {
        long p = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, p);
            if (r < 0) throw new NpyException(path, "file ended early (truncated?)");
            p += r;
        }
    }

    // ------------------------------------------------------------------ header

    private record Header(DType dtype, String descr, int[] shape, long numel) {
        String describe() { return "array of dtype '" + descr + "' and shape " + java.util.Arrays.toString(shape); }
    }

    private static Header parseHeader(Path path, String text) throws NpyException {
        Object parsed;
        try {
            parsed = new PyLiteral(text).parseDict();
        } catch (IllegalArgumentException e) {
            throw new NpyException(path, "malformed header: " + e.getMessage());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> d = (Map<String, Object>) parsed;
        if (!d.keySet().equals(java.util.Set.of("descr", "fortran_order", "shape"))) {
            throw new NpyException(path, "header keys must be exactly descr, fortran_order and shape, found " + text(d.keySet()));
        }
        if (!(d.get("descr") instanceof String descr)) {
            throw new NpyException(path, "structured or non-string descr " + text(d.get("descr"))
                    + " is not supported (save a plain array, e.g. arr.astype('<f4'))");
        }
        if (!(d.get("fortran_order") instanceof Boolean fortran)) throw new NpyException(path, "fortran_order must be True or False");
        if (fortran) {
            throw new NpyException(path, "Fortran-order (column-major) arrays are not supported; save np.ascontiguousarray(arr) instead");
        }
        DType dtype = dtype(path, descr);
        if (!(d.get("shape") instanceof List<?> dims)) throw new NpyException(path, "shape must be a tuple, found " + text(d.get("shape")));
        int[] shape = new int[dims.size()];
        long numel = 1;
        boolean overflow = false;
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long v) || v < 0 || v > Integer.MAX_VALUE) {
                throw new NpyException(path, "shape entry " + i + " is " + text(dims.get(i)) + ", not an integer in [0, " + Integer.MAX_VALUE + "]");
            }
            shape[i] = (int) (long) v;
            try {
                numel = Math.multiplyExact(numel, v);
            } catch (ArithmeticException e) {
                overflow = true;
            }
        }
        boolean empty = java.util.Arrays.stream(shape).anyMatch(s -> s == 0);
        if (empty) numel = 0;
        else if (overflow || numel > Long.MAX_VALUE / dtype.byteSize()) {
            throw new NpyException(path, "shape " + text(dims) + " has more bytes than fit in 64 bits");
        }
        return new Header(dtype, descr, shape, numel);
    }

    private static DType dtype(Path path, String descr) throws NpyException {
        if (descr.length() < 2) throw new NpyException(path, "unsupported dtype '" + text(descr) + "'");
        char order = descr.charAt(0);
        String code = descr.substring(1);
        DType t = switch (code) {
            case "f2" -> DType.F16;
            case "f4" -> DType.F32;
            case "f8" -> DType.F64;
            case "i4" -> DType.I32;
            case "i8" -> DType.I64;
            case "u1" -> DType.U8;
            case "b1" -> DType.BOOL;
            default -> throw new NpyException(path, "unsupported dtype '" + text(descr)
                    + "' (supported: little-endian f2, f4, f8, i4, i8, u1, b1; convert with arr.astype('<f4') or similar)");
        };
        boolean ok = order == '<' || order == '|' || (order == '>' && t.byteSize() == 1);
        if (order == '>') {
            if (!ok) throw new NpyException(path, "big-endian dtype '" + descr + "' is not supported; save arr.astype('<" + code + "') instead");
        } else if (!ok) {
            throw new NpyException(path, "dtype '" + text(descr) + "' has byte order '" + order + "'; expected '<' or '|'");
        }
        return t;
    }

    /** Header values in messages: one line, bounded length (the header comes from an untrusted file). */
    private static String text(Object v) {
        return SafetensorsException.printable(String.valueOf(v));
    }

    /**
     * The subset of Python literal syntax NumPy writes in headers: a dict of str keys whose values are
     * strs, True/False/None, ints (optionally with Python 2's L suffix) and tuples or lists of these.
     * Nesting is bounded so a hostile header cannot overflow the stack.
     */
    private static final class PyLiteral {
        private static final int MAX_DEPTH = 16;
        /** Python's None (never a valid value for the keys we read). */
        static final Object NONE = new Object() {
            @Override
            public String toString() { return "None"; }
        };
        private final String s;
        private int pos;

        PyLiteral(String s) { this.s = s; }

        Map<String, Object> parseDict() {
            skip();
            if (peek() != '{') throw fail("expected '{'");
            Object v = value(0);
            skip();
            if (pos != s.length()) throw fail("unexpected text after the dict");
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) v;
            return m;
        }

        private Object value(int depth) {
            if (depth > MAX_DEPTH) throw fail("nesting too deep");
            skip();
            char c = peek();
            if (c == '{') {
                pos++;
                Map<String, Object> m = new LinkedHashMap<>();
                while (true) {
                    skip();
                    if (peek() == '}') {
                        pos++;
                        return m;
                    }
                    Object k = value(depth + 1);
                    if (!(k instanceof String key)) throw fail("dict keys must be strings");
                    skip();
                    if (peek() != ':') throw fail("expected ':'");
                    pos++;
                    if (m.put(key, value(depth + 1)) != null) throw fail("duplicate key '" + key + "'");
                    if (!separator('}')) throw fail("expected ',' or '}'");
                }
            }
            if (c == '(' || c == '[') {
                char close = c == '(' ? ')' : ']';
                pos++;
                List<Object> items = new ArrayList<>();
                while (true) {
                    skip();
                    if (peek() == close) {
                        pos++;
                        return items;
                    }
                    items.add(value(depth + 1));
                    if (!separator(close)) throw fail("expected ',' or '" + close + "'");
                }
            }
            if (c == '\'' || c == '"') return string(c);
            if (c == '-' || isDigit(c)) return integer();
            for (String word : new String[] {"True", "False", "None"}) {
                if (s.startsWith(word, pos)) {
                    pos += word.length();
                    return word.equals("None") ? NONE : (Object) word.equals("True");
                }
            }
            throw fail("unexpected character");
        }

        /** After an item: consumes ',' (then maybe the closer) or the closer; false if neither. */
        private boolean separator(char close) {
            skip();
            if (peek() == ',') {
                pos++;
                return true;
            }
            if (peek() == close) return true;
            return false;
        }

        private String string(char quote) {
            pos++;
            StringBuilder sb = new StringBuilder();
            while (pos < s.length() && s.charAt(pos) != quote) {
                char c = s.charAt(pos++);
                if (c == '\\') {
                    if (pos >= s.length()) break;
                    c = s.charAt(pos++);
                }
                sb.append(c);
            }
            if (pos >= s.length()) throw fail("unterminated string");
            pos++;
            return sb.toString();
        }

        private Long integer() {
            int start = pos;
            if (peek() == '-') pos++;
            while (isDigit(peek())) pos++;
            String digits = s.substring(start, pos);
            if (digits.isEmpty() || digits.equals("-")) throw fail("invalid integer");
            if (peek() == 'L' || peek() == 'l') pos++;
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw fail("integer '" + (digits.length() > 30 ? digits.substring(0, 30) + "..." : digits) + "' out of range");
            }
        }

        private void skip() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
        }

        private char peek() { return pos < s.length() ? s.charAt(pos) : '\0'; }

        private static boolean isDigit(char c) { return c >= '0' && c <= '9'; }

        private IllegalArgumentException fail(String message) {
            return new IllegalArgumentException(message + " at character " + pos);
        }
    }
}
