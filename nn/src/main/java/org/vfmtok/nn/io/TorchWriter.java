package org.vfmtok.nn.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.AtomicFiles;

/**
 * Writes a {@code .pt} file that {@code torch.load} reads: the zip format of {@code torch.save} (PyTorch ≥ 1.6),
 * {@code <name>/data.pkl} — a protocol-2 pickle — plus one raw little-endian storage per tensor under
 * {@code <name>/data/<key>} and {@code <name>/version}. Tensors are pickled as
 * {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict())} with
 * the storage as a persistent id {@code ('storage', torch.FloatStorage, key, 'cpu', numel)}.
 *
 * <p>Values: {@link Map} (written as a dict; an {@link OrderedDict} marker makes a collections.OrderedDict,
 * as state dicts are), {@link List}, {@link String}, integers, floating-point numbers, booleans, null and
 * {@link Tensor}s (any strides: each is written contiguous). The file is written to a temporary and renamed.
 */
public final class TorchWriter {
    /** A map to pickle as collections.OrderedDict (state dicts), in iteration order. */
    public record OrderedDict(Map<String, ?> map) {}

    private final ByteArrayOutputStream pkl = new ByteArrayOutputStream();
    private final List<Tensor> storages = new ArrayList<>();
    private final Map<Tensor, Integer> ids = new IdentityHashMap<>();

    private TorchWriter() {}

    public static void save(Path file, Object root) throws IOException {
        TorchWriter w = new TorchWriter();
        w.pkl.write(0x80);
        w.pkl.write(2);
        w.value(root);
        w.pkl.write('.');
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        String name = "archive";
        AtomicFiles.writeStream(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            stored(zip, name + "/data.pkl", w.pkl.toByteArray());
            for (int i = 0; i < w.storages.size(); i++) stored(zip, name + "/data/" + i, bytes(w.storages.get(i)));
            stored(zip, name + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
            zip.finish(); // not close(): the atomic writer flushes and syncs the file itself
        });
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /** The tensor's elements, contiguous, little-endian. */
    private static byte[] bytes(Tensor t) {
        Tensor c = t.contiguous();
        long n = c.numel() * c.dtype().byteSize();
        if (n > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("tensor " + java.util.Arrays.toString(t.shape()) + " is too large for one zip entry here");
        byte[] out = new byte[(int) n];
        MemorySegment.copy(c.segment(), ValueLayout.JAVA_BYTE, c.byteOffset(), out, 0, (int) n);
        return out;
    }

    private void value(Object o) throws IOException {
        switch (o) {
            case null -> pkl.write('N');
            case Tensor t -> tensor(t);
            case OrderedDict od -> {
                global("collections", "OrderedDict");
                pkl.write(')');
                pkl.write('R');
                items(od.map());
            }
            case Map<?, ?> m -> {
                pkl.write('}');
                items(m);
            }
            case List<?> l -> {
                pkl.write(']');
                if (!l.isEmpty()) {
                    pkl.write('(');
                    for (Object v : l) value(v);
                    pkl.write('e');
                }
            }
            case String s -> string(s);
            case Boolean b -> pkl.write(b ? 0x88 : 0x89);
            case Integer i -> integer(i);
            case Long l -> integer(l);
            case Short s -> integer(s);
            case Byte b -> integer(b);
            case Number n -> {
                pkl.write('G');
                pkl.write(ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putDouble(n.doubleValue()).array());
            }
            case int[] a -> tuple(a);
            default -> throw new IllegalArgumentException("cannot pickle a " + o.getClass().getName() + " for torch.load");
        }
    }

    private void items(Map<?, ?> m) throws IOException {
        if (m.isEmpty()) return;
        pkl.write('(');
        for (var e : m.entrySet()) {
            value(e.getKey());
            value(e.getValue());
        }
        pkl.write('u');
    }

    private void integer(long v) throws IOException {
        if (v >= 0 && v < 256) {
            pkl.write('K');
            pkl.write((int) v);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            pkl.write('J');
            pkl.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
        } else {
            pkl.write(0x8a);   // LONG1: 8 bytes two's complement, little-endian
            pkl.write(8);
            pkl.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        }
    }

    private void string(String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        pkl.write('X');
        pkl.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        pkl.write(b);
    }

    private void global(String module, String name) throws IOException {
        pkl.write('c');
        pkl.write((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private void tuple(int[] a) throws IOException {
        pkl.write('(');
        for (int v : a) integer(v);
        pkl.write('t');
    }

    private void tuple(long[] a) throws IOException {
        pkl.write('(');
        for (long v : a) integer(v);
        pkl.write('t');
    }

    private void tensor(Tensor t) throws IOException {
        Integer key = ids.get(t);
        if (key == null) {
            key = storages.size();
            storages.add(t);
            ids.put(t, key);
        }
        global("torch._utils", "_rebuild_tensor_v2");
        pkl.write('(');
        // persistent id: ('storage', torch.<Type>Storage, '<key>', 'cpu', numel)
        pkl.write('(');
        string("storage");
        global("torch", storageType(t.dtype()));
        string(Integer.toString(key));
        string("cpu");
        integer(t.numel());
        pkl.write('t');
        pkl.write('Q');
        integer(0);
        tuple(t.shape());
        int[] shape = t.shape();
        long[] stride = new long[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            stride[d] = s;
            s *= shape[d];
        }
        tuple(stride);
        pkl.write(0x89);     // requires_grad False
        global("collections", "OrderedDict");
        pkl.write(')');
        pkl.write('R');
        pkl.write('t');
        pkl.write('R');
    }

    static String storageType(DType d) {
        return switch (d) {
            case F32 -> "FloatStorage";
            case F64 -> "DoubleStorage";
            case F16 -> "HalfStorage";
            case BF16 -> "BFloat16Storage";
            case I64 -> "LongStorage";
            case I32 -> "IntStorage";
            case U8 -> "ByteStorage";
            case BOOL -> "BoolStorage";
            default -> throw new IllegalArgumentException("no torch storage type for " + d);
        };
    }

}
