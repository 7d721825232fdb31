package org.vfmtok.nn.train;

import org.vfmtok.nn.Module;
import org.vfmtok.nn.layers.Dropout;
import org.vfmtok.nn.layers.Linear;
import org.vfmtok.tensor.Init;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Pointwise;
import org.vfmtok.tensor.ops.Reductions;

/** A small regression MLP with dropout, and a deterministic seekable data stream for it. */
final class TinyMlp extends Module {
    final Linear fc1;
    final Dropout drop;
    final Linear fc2;

    TinyMlp(long seed, Rng dropoutRng) {
        Rng init = new Rng(seed);
        fc1 = register("fc1", new Linear(8, 16, true, init));
        drop = register("drop", new Dropout(0.1, dropoutRng));
        fc2 = register("fc2", new Linear(16, 1, true, init));
    }

    Tensor forward(Tensor x) { return fc2.forward(drop.forward(Pointwise.relu(fc1.forward(x)))); }

    Tensor loss(Batch b) {
        Tensor d = Pointwise.sub(forward(b.x()), b.y());
        return Reductions.mean(Pointwise.square(d), null, false);
    }

    record Batch(Tensor x, Tensor y) {}

    /** Batch i is a pure function of (seed, i, rank): resuming at a position replays the same data. */
    static final class Stream implements Trainer.DataStream<Batch> {
        private final int rows;
        private final int rank;
        private final int world;
        private long position;

        Stream(int rows, int rank, int world) {
            this.rows = rows;
            this.rank = rank;
            this.world = world;
        }

        @Override
        public Batch next() {
            Tensor all = Init.randn(new Rng(1000 + position++), rows * world, 8);
            Tensor x = all.narrow(0, rank * rows, rows).contiguous();
            Tensor y = Reductions.sum(x, new int[] {1}, true).mul(0.3).add(0.1);
            return new Batch(x, y);
        }

        @Override public long position() { return position; }

        @Override public void seek(long p) { position = p; }

        /** Sharded at construction (rank, world): the trainer's request must agree with it. */
        @Override
        public void shard(int rank, int world) {
            if (rank != this.rank || world != this.world) throw new IllegalStateException("stream of rank " + this.rank + "/" + this.world + " used as " + rank + "/" + world);
        }
    }
}
