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
            throw call(group.getSimpleName(), method.getName(), device);
        });
        return group.cast(p);
    }

    /** The error of a call the CUDA backend does not implement yet, naming the group, the method and the device. */
    static UnsupportedOperationException call(String group, String method, Device device) {
        return new UnsupportedOperationException(group + "." + method + " is not implemented on the CUDA backend yet ("
                + device + "); move the tensors to the CPU with to(Device.CPU) for this step");
    }
}
