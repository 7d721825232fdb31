package org.vfmtok.nn.layers;

import java.util.LinkedHashMap;
import java.util.Map;
import org.vfmtok.nn.Module;

/** Children under string keys ({@code nn.ModuleDict}). */
public final class ModuleDict<M extends Module> extends Module {
    private final Map<String, M> items = new LinkedHashMap<>();

    public ModuleDict<M> put(String key, M m) {
        items.put(key, register(key, m));
        return this;
    }

    public M get(String key) {
        M m = items.get(key);
        if (m == null) throw new IllegalArgumentException("no module '" + key + "' in " + items.keySet());
        return m;
    }

    public Map<String, M> asMap() { return java.util.Collections.unmodifiableMap(items); }
}
