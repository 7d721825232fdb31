package org.vfmtok.nn.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** An unpickled {@code argparse.Namespace}: its attributes in pickle order. */
public final class Namespace implements PickleBuildable {
    private final Map<String, Object> attributes = new LinkedHashMap<>();

    /** Read-only view of the attributes. */
    public Map<String, Object> attributes() { return Collections.unmodifiableMap(attributes); }

    public Object get(String name) { return attributes.get(name); }

    @Override
    public void setState(Object state) throws TorchCheckpointException {
        Attributes.apply(state, attributes, "argparse.Namespace");
    }

    @Override
    public String toString() { return "Namespace" + attributes; }

    /** BUILD state handling shared by objects whose state is their {@code __dict__}. */
    static final class Attributes {
        /** {@code state} is a dict, or a (dict-or-None, slots-dict-or-None) pair as object.__reduce_ex__ writes. */
        static void apply(Object state, Map<String, Object> into, String what) throws TorchCheckpointException {
            if (state instanceof java.util.List<?> pair && pair.size() == 2) {
                if (pair.get(0) != null) apply(pair.get(0), into, what);
                if (pair.get(1) != null) apply(pair.get(1), into, what);
                return;
            }
            if (!(state instanceof Map<?, ?> map)) {
                throw new TorchCheckpointException("BUILD state of " + what + " must be a dict, got " + Unpickler.typeName(state));
            }
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String k)) {
                    throw new TorchCheckpointException("attribute name of " + what + " must be a string, got " + Unpickler.typeName(e.getKey()));
                }
                into.put(k, e.getValue());
            }
        }

        private Attributes() {}
    }
}
