package org.vfmtok.nn.io;

/** The pickle names a global (class or function) that is not on the allow-list; nothing was called. */
public final class ForbiddenGlobalException extends TorchCheckpointException {
    private final String module;
    private final String name;

    public ForbiddenGlobalException(String module, String name) {
        super("forbidden global " + module + "." + name + " in pickle: only tensors, storages, OrderedDict,"
                + " argparse.Namespace and plain containers are allowed; nothing was executed");
        this.module = module;
        this.name = name;
    }

    public String module() { return module; }

    public String name() { return name; }
}
