package org.vfmtok.nn.dist;

import java.util.Arrays;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;

/**
 * A process group of {@code worldSize} ranks that are threads of one JVM. Collectives exchange tensor
 * references through shared slots between barriers. Sums are taken in rank order on every rank, so all
 * ranks get bit-identical results. A rank that fails or stalls breaks the barrier and the others stop
 * with an error that says so (timeout configurable).
 */
public final class InProcessGroup {
    private final int worldSize;
    private final CyclicBarrier barrier;
    private final Tensor[] slots;
    private final long timeoutSeconds;

    public InProcessGroup(int worldSize, long timeoutSeconds) {
        if (worldSize < 1) throw new IllegalArgumentException("world size must be >= 1, got " + worldSize);
        this.worldSize = worldSize;
        this.barrier = new CyclicBarrier(worldSize);
        this.slots = new Tensor[worldSize];
        this.timeoutSeconds = timeoutSeconds;
    }

    public InProcessGroup(int worldSize) { this(worldSize, 600); }

    /** The communicator for one rank; each rank's thread uses its own. */
    public Communicator rank(int rank) {
        if (rank < 0 || rank >= worldSize) throw new IllegalArgumentException("rank " + rank + " outside [0, " + worldSize + ")");
        return new Member(rank);
    }

    /** Breaks the group: ranks waiting in a collective fail instead of hanging. */
    public void abort() { barrier.reset(); }

    private void await() {
        try {
            barrier.await(timeoutSeconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted in a collective", e);
        } catch (BrokenBarrierException | TimeoutException e) {
            barrier.reset();
            throw new IllegalStateException("another rank failed or stalled during a collective; stopping", e);
        }
    }

    private final class Member implements Communicator {
        private final int rank;

        Member(int rank) { this.rank = rank; }

        @Override public int rank() { return rank; }

        @Override public int worldSize() { return worldSize; }

        @Override
        public void allReduceSum(Tensor t) {
            if (worldSize == 1) return;
            slots[rank] = t;
            await();
            checkSame(t);
            Tensor sum;
            try (Grad.Mode ng = Grad.noGrad()) {
                sum = slots[0].detach().copy();
                for (int r = 1; r < worldSize; r++) sum = sum.add(slots[r].detach());
            }
            await(); // everyone has read every slot
            t.copyFrom(sum);
            await(); // nobody reads a slot that is being overwritten by the next collective
        }

        @Override
        public void broadcast(Tensor t, int root) {
            if (worldSize == 1) return;
            slots[rank] = t;
            await();
            checkSame(t);
            Tensor src = slots[root];
            Tensor copy = rank == root ? null : src.detach().copy();
            await();
            if (copy != null) t.copyFrom(copy);
            await();
        }

        @Override
        public void allGather(Tensor in, Tensor out) {
            if (out.numel() != in.numel() * worldSize) {
                throw new IllegalArgumentException("allGather output has " + out.numel() + " elements, needs " + in.numel() * worldSize);
            }
            slots[rank] = in;
            await();
            checkSame(in);
            Tensor flat = out.view(worldSize, Math.toIntExact(in.numel()));
            for (int r = 0; r < worldSize; r++) flat.select(0, r).copyFrom(slots[r].detach().reshape(-1));
            await();
        }

        @Override public void barrier() { await(); }

        private void checkSame(Tensor mine) {
            for (int r = 0; r < worldSize; r++) {
                Tensor o = slots[r];
                if (o.dtype() != mine.dtype() || !Arrays.equals(o.shape(), mine.shape())) {
                    throw new IllegalStateException("rank " + r + " passed " + o.dtype() + Arrays.toString(o.shape())
                            + " but rank " + rank + " passed " + mine.dtype() + Arrays.toString(mine.shape()));
                }
            }
        }
    }
}
