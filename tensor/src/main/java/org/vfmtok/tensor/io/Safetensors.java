package org.vfmtok.tensor.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;

/**
 * Reading and writing whole safetensors files.
 *
 * <p><b>Layout written by {@link #save}</b>, identical to the reference writer (huggingface/safetensors
 * {@code serialize_to_file}): tensors sorted by descending dtype alignment (the reference's dtype order
 * I64, F64, F32, I32, BF16, F16, U8, BOOL) then by name (UTF-8 byte order), so that every tensor starts
 * at an offset aligned to its element size; compact JSON with {@code __metadata__} first (its keys
 * sorted here, for reproducible files) and fields in the order dtype, shape, data_offsets; the header
 * padded with spaces to a multiple of 8 bytes. Readers must not depend on any of this ordering, and
 * {@link SafetensorsFile} does not.
 */
public final class Safetensors {
    private Safetensors() {}

    /** Reads every tensor, copied into the current {@link org.vfmtok.tensor.Scope}, in file order. */
    public static Map<String, Tensor> load(Path path) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(path)) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (TensorInfo info : f.infos()) {
                Tensor t = Tensor.empty(info.dtype(), info.shape());
                MemorySegment.copy(f.bytes(info.name()), 0, t.segment(), t.byteOffset(), info.byteSize());
                out.put(info.name(), t);
            }
            return out;
        }
    }

    public static void save(Path path, Map<String, Tensor> tensors) throws IOException {
        save(path, tensors, null);
    }

    /**
     * Writes {@code tensors} (any dtype, layout or device; each is written contiguous in row-major
     * order) and optional {@code metadata} atomically: a temporary file in the same directory is
     * written, fsynced and renamed over {@code path}, so on failure {@code path} is left as it was.
     *
     * @param metadata the {@code __metadata__} map, or null to write none
     */
    public static void save(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        List<Map.Entry<String, Tensor>> order = layoutOrder(path, tensors);
        StringBuilder json = new StringBuilder("{");
        if (metadata != null) {
            json.append("\"").append(SafetensorsHeader.METADATA_KEY).append("\":{");
            boolean first = true;
            for (Map.Entry<String, String> e : new TreeMap<>(checkedMetadata(path, metadata)).entrySet()) {
                if (!first) json.append(',');
                first = false;
                Json.quote(json, e.getKey());
                json.append(':');
                Json.quote(json, e.getValue());
            }
            json.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : order) {
            Tensor t = e.getValue();
            long end = Math.addExact(offset, TensorBytes.byteCount(t));
            if (json.length() > 1) json.append(',');
            Json.quote(json, e.getKey());
            json.append(":{\"dtype\":\"").append(t.dtype().safetensorsName()).append("\",\"shape\":[");
            int[] shape = t.shape();
            for (int i = 0; i < shape.length; i++) json.append(i == 0 ? "" : ",").append(shape[i]);
            json.append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        json.append('}');
        byte[] header = utf8(path, json.toString());
        int padded = (header.length + 7) / 8 * 8;
        if (padded > SafetensorsHeader.MAX_HEADER_BYTES) {
            throw new SafetensorsException(path, null, "header would be " + padded + " bytes, above the "
                    + SafetensorsHeader.MAX_HEADER_BYTES + "-byte limit readers enforce");
        }
        ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(padded).put(header);
        while (prefix.hasRemaining()) prefix.put((byte) ' ');
        prefix.flip();
        long total = 8 + padded + offset;

        AtomicFiles.write(path, ch -> {
            while (prefix.hasRemaining()) ch.write(prefix);
            for (Map.Entry<String, Tensor> e : order) {
                long before = ch.position();
                try {
                    TensorBytes.write(e.getValue(), ch);
                } catch (RuntimeException ex) {
                    throw new SafetensorsException(path, e.getKey(), "cannot write tensor data: " + ex.getMessage(), ex);
                }
                long wrote = ch.position() - before;
                if (wrote != TensorBytes.byteCount(e.getValue())) {
                    throw new SafetensorsException(path, e.getKey(), "wrote " + wrote + " bytes instead of "
                            + TensorBytes.byteCount(e.getValue()));
                }
            }
            if (ch.position() != total) throw new SafetensorsException(path, null, "wrote " + ch.position() + " bytes instead of " + total);
        });
    }

    /** The reference writer's order: descending dtype alignment, then name as UTF-8 bytes. */
    private static List<Map.Entry<String, Tensor>> layoutOrder(Path path, Map<String, Tensor> tensors) throws SafetensorsException {
        List<Map.Entry<String, Tensor>> order = new ArrayList<>(tensors.size());
        Map<String, byte[]> utf8Names = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null) throw new SafetensorsException(path, null, "null tensor name");
            if (name.equals(SafetensorsHeader.METADATA_KEY)) {
                throw new SafetensorsException(path, name, "this name is reserved for the metadata map");
            }
            if (e.getValue() == null) throw new SafetensorsException(path, name, "null tensor");
            utf8Names.put(name, utf8(path, name));
            order.add(Map.entry(name, e.getValue()));
        }
        order.sort(Comparator.<Map.Entry<String, Tensor>>comparingInt(e -> -referenceRank(e.getValue().dtype()))
                .thenComparing((a, b) -> Arrays.compareUnsigned(utf8Names.get(a.getKey()), utf8Names.get(b.getKey()))));
        return order;
    }

    /** Position in the reference implementation's {@code Dtype} enum, which is ordered by alignment. */
    static int referenceRank(DType t) {
        return switch (t) {
            case BOOL -> 0;
            case U8 -> 1;
            case F16 -> 7;
            case BF16 -> 8;
            case I32 -> 9;
            case F32 -> 11;
            case F64 -> 12;
            case I64 -> 13;
        };
    }

    private static Map<String, String> checkedMetadata(Path path, Map<String, String> metadata) throws SafetensorsException {
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new SafetensorsException(path, null, "metadata entries must be non-null strings, found "
                        + e.getKey() + "=" + e.getValue());
            }
        }
        return metadata;
    }

    /** Strict UTF-8: a name with a lone surrogate would otherwise be silently written as '?'. */
    private static byte[] utf8(Path path, String s) throws SafetensorsException {
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(path, null, "a name or metadata string is not valid Unicode (lone surrogate): "
                    + SafetensorsException.printable(s), e);
        }
    }
}
