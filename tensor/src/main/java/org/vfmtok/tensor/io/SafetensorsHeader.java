package org.vfmtok.tensor.io;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vfmtok.tensor.DType;

/**
 * Parses and validates a safetensors header against the size of the data section, with the same
 * rules as the reference implementation (huggingface/safetensors {@code Metadata::validate}): every
 * tensor's byte count equals {@code numel * dtype size}, and the tensors, taken in offset order, tile
 * the data section exactly (no overlap, no gap, nothing after the last one). Nothing is allocated
 * from a declared size before it has been checked against the real file.
 */
record SafetensorsHeader(List<TensorInfo> tensors, Map<String, String> metadata) {
    /** Same limit as the reference implementation. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    static final String METADATA_KEY = "__metadata__";

    /**
     * @param headerBytes the JSON header (its declared length already checked against the file)
     * @param dataLength  bytes in the data section, i.e. file size - 8 - header length
     * @return tensors in file order (ascending data offset; header order among equal offsets)
     */
    static SafetensorsHeader parse(Path file, byte[] headerBytes, long dataLength) throws SafetensorsException {
        long declared = countEntries(headerBytes), limit = InputLimits.safetensorsEntries();
        if (declared > limit) {
            throw new SafetensorsException(file, null, InputLimits.refusal(null, "header with " + declared + " entries", limit, "entries",
                    InputLimits.SAFETENSORS_ENTRIES));
        }
        String text = decodeUtf8(file, headerBytes);
        Object root;
        try {
            root = Json.parse(text);
        } catch (Json.JsonException e) {
            throw new SafetensorsException(file, null, "malformed JSON header: " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> entries)) {
            throw new SafetensorsException(file, null, "header is not a JSON object");
        }
        Map<String, String> metadata = Map.of();
        List<TensorInfo> infos = new ArrayList<>(entries.size());
        for (Map.Entry<?, ?> e : entries.entrySet()) {
            String key = (String) e.getKey();
            if (key.equals(METADATA_KEY)) metadata = metadata(file, e.getValue());
            else infos.add(tensor(file, key, e.getValue(), dataLength));
        }
        // Stable sort: empty tensors sharing an offset keep header order.
        infos.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        checkTiling(file, infos, dataLength);
        return new SafetensorsHeader(Collections.unmodifiableList(infos), metadata);
    }

    /**
     * Members of the top-level JSON object (a colon at nesting depth 1, outside strings), counted on the
     * raw bytes so that a header of millions of entries is refused before it is parsed into objects.
     */
    static long countEntries(byte[] json) {
        long count = 0;
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < json.length; i++) {
            byte b = json[i];
            if (inString) {
                if (b == '\\') i++;
                else if (b == '"') inString = false;
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                depth++;
            } else if (b == '}' || b == ']') {
                depth--;
            } else if (b == ':' && depth == 1) {
                count++;
            }
        }
        return count;
    }

    private static String decodeUtf8(Path file, byte[] bytes) throws SafetensorsException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(file, null, "header is not valid UTF-8", e);
        }
    }

    private static Map<String, String> metadata(Path file, Object value) throws SafetensorsException {
        if (!(value instanceof Map<?, ?> map)) {
            throw new SafetensorsException(file, null, "\"" + METADATA_KEY + "\" must be an object of strings, found " + kind(value));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof String v)) {
                throw new SafetensorsException(file, null, "\"" + METADATA_KEY + "\" entry \""
                        + SafetensorsException.printable((String) e.getKey()) + "\" must be a string, found " + kind(e.getValue()));
            }
            out.put((String) e.getKey(), v);
        }
        return Collections.unmodifiableMap(out);
    }

    private static TensorInfo tensor(Path file, String name, Object value, long dataLength) throws SafetensorsException {
        if (!(value instanceof Map<?, ?> fields)) {
            throw new SafetensorsException(file, name, "entry must be an object with dtype, shape and data_offsets, found " + kind(value));
        }
        // Unknown extra fields are ignored, as the reference reader does.
        Object dt = require(file, name, fields, "dtype");
        if (!(dt instanceof String dtName)) throw new SafetensorsException(file, name, "dtype must be a string, found " + kind(dt));
        DType dtype = dtype(file, name, dtName);

        Object sh = require(file, name, fields, "shape");
        if (!(sh instanceof List<?> dims)) throw new SafetensorsException(file, name, "shape must be an array, found " + kind(sh));
        int[] shape = new int[dims.size()];
        long numel = 1;
        boolean overflow = false;
        for (int i = 0; i < shape.length; i++) {
            long d = nonNegative(file, name, "shape", dims.get(i));
            if (d > Integer.MAX_VALUE) {
                throw new SafetensorsException(file, name, "dimension " + i + " of shape " + listText(dims) + " is " + d
                        + ", larger than the supported maximum " + Integer.MAX_VALUE);
            }
            shape[i] = (int) d;
            try {
                numel = Math.multiplyExact(numel, d);
            } catch (ArithmeticException e) {
                overflow = true; // keep checking the remaining dims: a 0 would make it legal
            }
        }
        boolean empty = Arrays.stream(shape).anyMatch(d -> d == 0);
        if (overflow && !empty) {
            throw new SafetensorsException(file, name, "shape " + listText(dims) + " has more elements than fit in 64 bits");
        }
        if (empty) numel = 0;
        long nbytes;
        try {
            nbytes = Math.multiplyExact(numel, dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new SafetensorsException(file, name, "shape " + listText(dims) + " of " + dtName + " has more bytes than fit in 64 bits");
        }

        Object off = require(file, name, fields, "data_offsets");
        if (!(off instanceof List<?> offsets) || offsets.size() != 2) {
            throw new SafetensorsException(file, name, "data_offsets must be an array [begin, end], found " + describe(off));
        }
        long begin = nonNegative(file, name, "data_offsets", offsets.get(0));
        long end = nonNegative(file, name, "data_offsets", offsets.get(1));
        if (end < begin) {
            throw new SafetensorsException(file, name, "data_offsets " + offsets + " end before they begin");
        }
        if (end > dataLength) {
            throw new SafetensorsException(file, name, "data_offsets " + offsets + " extend past the end of the data section ("
                    + dataLength + " bytes): file truncated or offsets out of range");
        }
        if (end - begin != nbytes) {
            throw new SafetensorsException(file, name, "data_offsets " + offsets + " span " + (end - begin) + " bytes but "
                    + dtName + Arrays.toString(shape) + " needs " + nbytes);
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static DType dtype(Path file, String name, String dtName) throws SafetensorsException {
        for (DType t : DType.values()) if (t.safetensorsName().equals(dtName)) return t;
        StringBuilder known = new StringBuilder();
        for (DType t : DType.values()) known.append(known.isEmpty() ? "" : ", ").append(t.safetensorsName());
        throw new SafetensorsException(file, name, "unsupported dtype \"" + SafetensorsException.printable(dtName)
                + "\" (supported: " + known + ")");
    }

    private static Object require(Path file, String name, Map<?, ?> fields, String field) throws SafetensorsException {
        Object v = fields.get(field);
        if (v == null) throw new SafetensorsException(file, name, "missing field \"" + field + "\"");
        return v;
    }

    private static long nonNegative(Path file, String name, String field, Object v) throws SafetensorsException {
        if (v instanceof Long l) {
            if (l < 0) throw new SafetensorsException(file, name, field + " contains the negative value " + l);
            return l;
        }
        if (v instanceof BigInteger b) {
            throw new SafetensorsException(file, name, field + " contains " + (b.signum() < 0 ? "the negative value " : "the value ")
                    + abbreviate(b.toString()) + ", outside the 64-bit range");
        }
        throw new SafetensorsException(file, name, field + " must contain non-negative integers, found " + describe(v));
    }

    /** The tensors (sorted by offset) must tile [0, dataLength) exactly. */
    private static void checkTiling(Path file, List<TensorInfo> sorted, long dataLength) throws SafetensorsException {
        long cursor = 0;
        TensorInfo previous = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < cursor) {
                throw new SafetensorsException(file, t.name(), "data_offsets [" + t.begin() + ", " + t.end() + "] overlap tensor '"
                        + SafetensorsException.printable(previous.name()) + "' at [" + previous.begin() + ", " + previous.end() + "]");
            }
            if (t.begin() > cursor) {
                throw new SafetensorsException(file, t.name(), "data_offsets [" + t.begin() + ", " + t.end() + "] leave a gap of "
                        + (t.begin() - cursor) + " unused bytes before this tensor");
            }
            cursor = t.end();
            previous = t;
        }
        if (cursor != dataLength) {
            throw new SafetensorsException(file, null, "the data section has " + dataLength + " bytes but the tensors cover only "
                    + cursor + " (" + (dataLength - cursor) + " unaccounted trailing bytes)");
        }
    }

    private static String kind(Object v) {
        if (v instanceof Map) return "an object";
        if (v instanceof List) return "an array";
        if (v instanceof String) return "a string";
        if (v instanceof Boolean) return "a boolean";
        if (v == Json.NULL) return "null";
        return "a number";
    }

    private static String describe(Object v) {
        if (v instanceof Map || v instanceof List) return kind(v);
        return abbreviate(v instanceof String s ? "\"" + SafetensorsException.printable(s) + "\"" : String.valueOf(v));
    }

    /** A list from the header, printed without building an unbounded string. */
    private static String listText(List<?> list) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < list.size(); i++) {
            if (sb.length() > 60) return sb.append("... (").append(list.size()).append(" entries)]").toString();
            sb.append(i == 0 ? "" : ", ").append(describe(list.get(i)));
        }
        return sb.append(']').toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
