package org.vfmtok.nn.dist;

import org.vfmtok.tensor.Tensor;

/**
 * Collective operations for data parallelism, one instance per rank. Implementations: an in-process one
 * over threads ({@link InProcessGroup}, for tests and CPU runs) and NCCL (CUDA backend). Every rank must
 * call the same collectives in the same order with tensors of the same shape and dtype.
 */
public interface Communicator extends AutoCloseable {
    int rank();

    int worldSize();

    /** In place: every rank's {@code t} becomes the elementwise sum over ranks. */
    void allReduceSum(Tensor t);

    /** In place: the elementwise mean over ranks (gradient averaging). */
    default void allReduceMean(Tensor t) {
        allReduceSum(t);
        if (worldSize() > 1) {
            try (var ng = org.vfmtok.tensor.autograd.Grad.noGrad()) {
                t.copyFrom(t.mul(1.0 / worldSize()));
            }
        }
    }

    /**
     * In place, for each tensor: the elementwise mean over ranks. Implementations may pack the tensors
     * into buckets and reduce each bucket at once (NCCL does); this default reduces them one by one.
     */
    default void allReduceMean(java.util.List<Tensor> ts) {
        for (Tensor t : ts) allReduceMean(t);
    }

    /** In place: every rank's {@code t} becomes root's. */
    void broadcast(Tensor t, int root);

    /** {@code out} (worldSize·n elements, rank-major) receives every rank's {@code in} (n elements). */
    void allGather(Tensor in, Tensor out);

    void barrier();

    @Override
    default void close() {}

    /** The trivial communicator of a single process. */
    static Communicator single() {
        return new Communicator() {
            @Override public int rank() { return 0; }
            @Override public int worldSize() { return 1; }
            @Override public void allReduceSum(Tensor t) {}
            @Override public void broadcast(Tensor t, int root) {}
            @Override public void allGather(Tensor in, Tensor out) { out.copyFrom(in.reshape(out.shape())); }
            @Override public void barrier() {}
        };
    }
}
