package org.vfmtok.nn.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An unpickled {@code collections.OrderedDict}: an ordinary insertion-ordered map whose Python attributes
 * (a state dict's {@code _metadata} with per-module versions) are kept aside in {@link #attributes()} so
 * they do not mix with the entries.
 */
public final class PickledOrderedDict extends LinkedHashMap<Object, Object> implements PickleBuildable {
    private final Map<String, Object> attributes = new LinkedHashMap<>();

    public Map<String, Object> attributes() { return Collections.unmodifiableMap(attributes); }

    @Override
    public void setState(Object state) throws TorchCheckpointException {
        Namespace.Attributes.apply(state, attributes, "collections.OrderedDict");
    }
}
