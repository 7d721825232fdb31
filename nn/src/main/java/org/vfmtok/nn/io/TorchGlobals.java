package org.vfmtok.nn.io;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.vfmtok.tensor.Tensor;

/**
 * The allow-list of pickle globals for {@code torch.save} files and the Java stand-ins that replace them.
 * Anything else is a {@link ForbiddenGlobalException}: there is no fallback that resolves Python names.
 *
 * <p>Allowed: {@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor(_v2)},
 * {@code torch._utils._rebuild_parameter(_with_state)}, {@code torch._tensor._rebuild_from_type_v2}
 * (for plain Tensor/Parameter types), the {@code torch.*Storage} classes of {@link TorchStorageType},
 * {@code torch.Size}, {@code argparse.Namespace}, and {@code _codecs.encode(str, "latin1")} (how protocol 2
 * writes bytes).
 */
final class TorchGlobals implements Unpickler.Resolver {
    /** What a rebuilt tensor is during a dry run, when storages are not loaded yet. */
    static final Object DRY_TENSOR = new Object() {
        @Override
        public String toString() { return "tensor (dry run)"; }
    };

    /** A class that may only appear as an argument (the type in {@code _rebuild_from_type_v2}). */
    private record TypeName(String qualified) {
        @Override
        public String toString() { return qualified; }
    }

    private record Function(String qualified, Body body) implements PickleCallable {
        @Override
        public Object call(List<Object> args) throws TorchCheckpointException { return body.apply(args); }

        @Override
        public String toString() { return qualified; }
    }

    @FunctionalInterface
    private interface Body {
        Object apply(List<Object> args) throws TorchCheckpointException;
    }

    private final StorageTable storages;
    private final Map<String, Object> allowed = new HashMap<>();

    TorchGlobals(StorageTable storages) {
        this.storages = storages;
        function("collections", "OrderedDict", this::orderedDict);
        function("torch._utils", "_rebuild_tensor_v2", a -> rebuildTensor(a, 6, 7));
        function("torch._utils", "_rebuild_tensor", a -> rebuildTensor(a, 4, 4));
        function("torch._utils", "_rebuild_parameter", a -> parameter(a, 3));
        function("torch._utils", "_rebuild_parameter_with_state", a -> parameter(a, 4));
        function("torch._tensor", "_rebuild_from_type_v2", this::rebuildFromType);
        function("torch", "Size", a -> {
            arity("torch.Size", a, 1, 1);
            return a.getFirst();
        });
        function("_codecs", "encode", this::encode);
        allowed.put(key("argparse", "Namespace"), new PickleCallable() {
            @Override
            public Object call(List<Object> args) throws TorchCheckpointException {
                arity("argparse.Namespace", args, 0, 0);
                return new Namespace();
            }

            @Override
            public String toString() { return "argparse.Namespace"; }
        });
        for (String[] t : new String[][] {{"torch._tensor", "Tensor"}, {"torch", "Tensor"}, {"torch.nn.parameter", "Parameter"}}) {
            allowed.put(key(t[0], t[1]), new TypeName(t[0] + "." + t[1]));
        }
        for (TorchStorageType t : TorchStorageType.values()) allowed.put(key("torch", t.className()), t);
    }

    private void function(String module, String name, Body body) {
        allowed.put(key(module, name), new Function(module + "." + name, body));
    }

    private static String key(String module, String name) { return module + "\u0000" + name; }

    @Override
    public Object global(String module, String name) throws TorchCheckpointException {
        Object o = allowed.get(key(module, name));
        if (o != null) return o;
        if (module.equals("torch") && name.endsWith("Storage")) {
            throw new TorchCheckpointException("storage type torch." + name + " is not supported (supported: "
                    + Arrays.toString(TorchStorageType.values()) + ")");
        }
        throw new ForbiddenGlobalException(module, name);
    }

    @Override
    public Object persistentLoad(Object pid) throws TorchCheckpointException {
        if (!(pid instanceof List<?> t) || t.isEmpty()) {
            throw new TorchCheckpointException("persistent id must be a tuple, got " + Unpickler.typeName(pid));
        }
        String kind = ascii(t.get(0));
        if ("module".equals(kind)) {
            throw new TorchCheckpointException("the checkpoint pickles a whole nn.Module class (torch.save(model)); only state dicts"
                    + " and plain containers can be read: save model.state_dict() instead");
        }
        if (!"storage".equals(kind) || (t.size() != 5 && t.size() != 6)) {
            throw new TorchCheckpointException("unsupported persistent id " + Unpickler.typeName(pid));
        }
        if (!(t.get(1) instanceof TorchStorageType type)) {
            throw new TorchCheckpointException("persistent id names storage type " + Unpickler.typeName(t.get(1)) + ", not a torch storage class");
        }
        String key = ascii(t.get(2));
        if (key == null || ascii(t.get(3)) == null || !(t.get(4) instanceof Long numel)) {
            throw new TorchCheckpointException("malformed storage id " + Unpickler.typeName(pid));
        }
        List<Object> view = null;
        if (t.size() == 6 && t.get(5) != null) {
            if (!(t.get(5) instanceof List<?> v) || v.isEmpty()) {
                throw new TorchCheckpointException("malformed storage view " + Unpickler.typeName(t.get(5)));
            }
            view = new ArrayList<>(v);
            view.set(0, ascii(v.getFirst())); // validated with the rest by StorageTable
        }
        return storages.load(type, key, numel, view);
    }

    /** Python 2 pickles may carry these internal strings as bytes. */
    private static String ascii(Object o) {
        if (o instanceof String s) return s;
        if (o instanceof byte[] b) return new String(b, StandardCharsets.US_ASCII);
        return null;
    }

    // ------------------------------------------------------------------ stand-ins

    private Object orderedDict(List<Object> args) throws TorchCheckpointException {
        arity("collections.OrderedDict", args, 0, 1);
        PickledOrderedDict d = new PickledOrderedDict();
        if (args.isEmpty() || args.getFirst() == null) return d;
        if (!(args.getFirst() instanceof List<?> items)) {
            throw new TorchCheckpointException("collections.OrderedDict argument must be a list of pairs, got " + Unpickler.typeName(args.getFirst()));
        }
        for (Object item : items) {
            if (!(item instanceof List<?> pair) || pair.size() != 2 || !(pair.get(0) instanceof String || pair.get(0) instanceof Long)) {
                throw new TorchCheckpointException("collections.OrderedDict item must be a (str or int, value) pair, got " + Unpickler.typeName(item));
            }
            d.put(pair.get(0), pair.get(1));
        }
        return d;
    }

    /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
    private Object rebuildTensor(List<Object> args, int minArgs, int maxArgs) throws TorchCheckpointException {
        arity("torch._utils._rebuild_tensor_v2", args, minArgs, maxArgs);
        if (!(args.get(0) instanceof StorageTable.Loaded s)) {
            throw new TorchCheckpointException("tensor storage must be a persistent storage reference, got " + Unpickler.typeName(args.get(0)));
        }
        long offset = nonNegative(args.get(1), "storage offset");
        int[] shape = toShape(args.get(2));
        long[] strides = toStrides(args.get(3), shape.length);
        checkBounds(s, shape, strides, offset);
        // requires_grad, backward hooks and metadata (e.g. conj bits) do not matter for loaded weights
        if (s.storage() == null) return DRY_TENSOR;
        return new Tensor(s.storage(), s.type().dtype(), shape, strides, offset);
    }

    private Object parameter(List<Object> args, int n) throws TorchCheckpointException {
        arity("torch._utils._rebuild_parameter", args, n, n);
        Object data = args.getFirst();
        if (!(data instanceof Tensor) && data != DRY_TENSOR) {
            throw new TorchCheckpointException("parameter data must be a tensor, got " + Unpickler.typeName(data));
        }
        return data;
    }

    /** {@code _rebuild_from_type_v2(func, new_type, args, state)}: a tensor with Python state; the state is dropped. */
    private Object rebuildFromType(List<Object> args) throws TorchCheckpointException {
        arity("torch._tensor._rebuild_from_type_v2", args, 4, 4);
        if (!(args.get(0) instanceof Function f)) {
            throw new TorchCheckpointException("_rebuild_from_type_v2 function must be a tensor rebuild function, got " + Unpickler.typeName(args.get(0)));
        }
        if (!(args.get(1) instanceof TypeName)) {
            throw new TorchCheckpointException("_rebuild_from_type_v2 type must be torch.Tensor or torch.nn.Parameter, got " + Unpickler.typeName(args.get(1)));
        }
        if (!(args.get(2) instanceof List<?> inner)) {
            throw new TorchCheckpointException("_rebuild_from_type_v2 arguments must be a tuple, got " + Unpickler.typeName(args.get(2)));
        }
        @SuppressWarnings("unchecked")
        Object t = f.call((List<Object>) inner);
        if (!(t instanceof Tensor) && t != DRY_TENSOR) {
            throw new TorchCheckpointException("_rebuild_from_type_v2 built a " + Unpickler.typeName(t) + ", not a tensor");
        }
        return t;
    }

    private Object encode(List<Object> args) throws TorchCheckpointException {
        arity("_codecs.encode", args, 2, 2);
        if (!(args.get(0) instanceof String s) || !(args.get(1) instanceof String enc)
                || !(enc.equals("latin1") || enc.equals("latin-1") || enc.equals("iso-8859-1"))) {
            throw new TorchCheckpointException("_codecs.encode is allowed only as encode(str, 'latin1'), got encode"
                    + Unpickler.typeName(args));
        }
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    // ------------------------------------------------------------------ validation

    private static void arity(String what, List<Object> args, int min, int max) throws TorchCheckpointException {
        if (args.size() < min || args.size() > max) {
            throw new TorchCheckpointException(what + " takes " + (min == max ? "" + min : min + " to " + max) + " arguments, got " + args.size());
        }
    }

    private static long nonNegative(Object o, String what) throws TorchCheckpointException {
        if (!(o instanceof Long v) || v < 0) throw new TorchCheckpointException(what + " must be a non-negative int, got " + Unpickler.typeName(o));
        return v;
    }

    private static int[] toShape(Object o) throws TorchCheckpointException {
        if (!(o instanceof List<?> l) || l.size() > 64) throw new TorchCheckpointException("tensor size must be a tuple of at most 64 ints, got " + Unpickler.typeName(o));
        int[] shape = new int[l.size()];
        for (int i = 0; i < shape.length; i++) {
            long v = nonNegative(l.get(i), "tensor size");
            if (v > Integer.MAX_VALUE) throw new TorchCheckpointException("tensor size " + l + " has a dimension over 2^31-1");
            shape[i] = (int) v;
        }
        return shape;
    }

    private static long[] toStrides(Object o, int rank) throws TorchCheckpointException {
        if (!(o instanceof List<?> l) || l.size() != rank) {
            throw new TorchCheckpointException("tensor stride must be a tuple of " + rank + " ints, got " + Unpickler.typeName(o));
        }
        long[] st = new long[rank];
        for (int i = 0; i < rank; i++) st[i] = nonNegative(l.get(i), "tensor stride");
        return st;
    }

    /** Every element the view can reach must lie inside the storage. */
    private static void checkBounds(StorageTable.Loaded s, int[] shape, long[] strides, long offset) throws TorchCheckpointException {
        try {
            long numel = 1;
            long last = offset;
            for (int d = 0; d < shape.length; d++) {
                numel = Math.multiplyExact(numel, (long) shape[d]);
                if (shape[d] > 0) last = Math.addExact(last, Math.multiplyExact((long) shape[d] - 1, strides[d]));
            }
            boolean ok = numel == 0 ? offset <= s.numel() : last < s.numel();
            if (ok) return;
        } catch (ArithmeticException overflow) {
            // falls through to the error below
        }
        throw new TorchCheckpointException("tensor of size " + Arrays.toString(shape) + ", stride " + Arrays.toString(strides) + " and offset "
                + offset + " reaches beyond its " + s.type() + " of " + s.numel() + " elements");
    }
}
