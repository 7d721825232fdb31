package org.vfmtok.nn.layers;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.vfmtok.nn.Module;

/** Children named "0", "1", ... ({@code nn.ModuleList}). */
public final class ModuleList<M extends Module> extends Module implements Iterable<M> {
    private final List<M> items = new ArrayList<>();

    public ModuleList<M> add(M m) {
        items.add(register(Integer.toString(items.size()), m));
        return this;
    }

    public M get(int i) { return items.get(i); }

    public int size() { return items.size(); }

    @Override public Iterator<M> iterator() { return items.iterator(); }
}
