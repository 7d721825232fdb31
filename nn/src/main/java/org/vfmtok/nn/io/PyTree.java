package org.vfmtok.nn.io;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vfmtok.tensor.Tensor;

/**
 * Flattens an unpickled tree to {@code "a.b.0.c" -> leaf}: dict keys, list/tuple indices and
 * {@link Namespace} attributes are joined by dots; tensors, strings, numbers, booleans, null, bytes and
 * sets are leaves, and so are empty dicts/lists (so nothing silently disappears).
 */
public final class PyTree {
    /** Deeper nesting than this is not a checkpoint but an attack on the stack. */
    public static final int MAX_DEPTH = 256;
    /**
     * At most this many values are visited: a pickle can share one list many times over (a DAG), which
     * would otherwise flatten to exponentially many entries.
     */
    public static final int MAX_VALUES = 1 << 20;

    /** Flattens {@code root}; fails on cycles, over-deep nesting, too many values, or two paths that flatten to one key. */
    public static Map<String, Object> flatten(Object root) {
        Walk w = new Walk();
        w.walk(root, "", 0);
        return w.out;
    }

    /**
     * The tensors of a flattened tree under {@code prefix} (e.g. "model" or "ema"), keyed relative to
     * it; all tensors when {@code prefix} is empty or null.
     *
     * @throws IllegalArgumentException if nothing at all lies under {@code prefix}
     */
    public static Map<String, Tensor> tensors(Map<String, Object> flat, String prefix) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        boolean any = false;
        String p = prefix == null || prefix.isEmpty() ? "" : prefix + ".";
        for (Map.Entry<String, Object> e : flat.entrySet()) {
            if (!e.getKey().startsWith(p)) continue;
            any = true;
            if (e.getValue() instanceof Tensor t) out.put(e.getKey().substring(p.length()), t);
        }
        if (!any && !p.isEmpty()) {
            Set<String> tops = new java.util.LinkedHashSet<>();
            for (String k : flat.keySet()) tops.add(k.contains(".") ? k.substring(0, k.indexOf('.')) : k);
            throw new IllegalArgumentException("nothing under '" + prefix + "'; top-level keys are " + tops);
        }
        return out;
    }

    private static final class Walk {
        final Map<String, Object> out = new LinkedHashMap<>();
        final Set<Object> onPath = Collections.newSetFromMap(new IdentityHashMap<>());
        int visited;

        void walk(Object o, String path, int depth) {
            if (++visited > MAX_VALUES) throw new IllegalStateException("more than " + MAX_VALUES + " values to flatten (at '" + path + "')");
            Map<?, ?> children = null;
            List<?> items = null;
            if (o instanceof Namespace ns) children = ns.attributes();
            else if (o instanceof Map<?, ?> m) children = m;
            else if (o instanceof List<?> l) items = l;
            boolean leaf = children != null ? children.isEmpty() : items == null || items.isEmpty();
            if (leaf) {
                if (out.containsKey(path)) throw new IllegalStateException("two entries flatten to the same key '" + path + "'");
                out.put(path, o);
                return;
            }
            if (depth >= MAX_DEPTH) throw new IllegalStateException("nesting deeper than " + MAX_DEPTH + " levels at '" + path + "'");
            if (!onPath.add(o)) throw new IllegalStateException("cyclic structure at '" + path + "'");
            if (children != null) {
                for (Map.Entry<?, ?> e : children.entrySet()) walk(e.getValue(), join(path, String.valueOf(e.getKey())), depth + 1);
            } else {
                for (int i = 0; i < items.size(); i++) walk(items.get(i), join(path, Integer.toString(i)), depth + 1);
            }
            onPath.remove(o);
        }
    }

    private static String join(String path, String key) { return path.isEmpty() ? key : path + "." + key; }

    private PyTree() {}
}
