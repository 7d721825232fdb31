package org.vfmtok.nn.io;

/** An unpickled object that accepts the BUILD opcode ({@code __setstate__} or attribute update). */
public interface PickleBuildable {
    void setState(Object state) throws TorchCheckpointException;
}
