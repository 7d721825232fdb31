package org.vfmtok.nn.io;

import java.util.List;

/**
 * A Java stand-in for an allow-listed pickle global that REDUCE or NEWOBJ may apply. Implementations
 * build plain data (a tensor, a map, a namespace); none of them runs anything the file names.
 */
public interface PickleCallable {
    /** REDUCE: {@code callable(*args)}. */
    Object call(List<Object> args) throws TorchCheckpointException;

    /** NEWOBJ: {@code cls.__new__(cls, *args)}; by default the same as {@link #call}. */
    default Object newObject(List<Object> args) throws TorchCheckpointException { return call(args); }
}
