package org.vfmtok.tensor;

/** Where a tensor's storage lives. Mixing devices in one op is an error that names both. */
public record Device(Kind kind, int index) {
    public enum Kind { CPU, CUDA }

    public static final Device CPU = new Device(Kind.CPU, 0);

    public static Device cuda(int index) { return new Device(Kind.CUDA, index); }

    public boolean isCpu() { return kind == Kind.CPU; }

    @Override public String toString() { return kind == Kind.CPU ? "cpu" : "cuda:" + index; }
}
