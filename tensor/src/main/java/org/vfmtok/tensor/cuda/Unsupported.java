package org.vfmtok.tensor.cuda;

import java.lang.reflect.Proxy;
import org.vfmtok.tensor.Device;

/** A kernel group the CUDA backend does not implement yet: every call fails and says what to do. */
final class Unsupported {
    private Unsupported() {}

    static <T> T of(Class<T> group, Device device) {
        Object p = Proxy.newProxyInstance(group.getClassLoader(), new Class<?>[] {group}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "toString" -> "unsupported " + group.getSimpleName() + " on " + device;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new IllegalStateException(method.getName());
                };
            }
            throw new UnsupportedOperationException(group.getSimpleName() + "." + method.getName() + " is not implemented on the CUDA backend yet ("
                    + device + "); move the tensors to the CPU with to(Device.CPU) for this step");
        });
        return group.cast(p);
    }
}
