package org.vfmtok.llama.train;

import org.vfmtok.nn.train.Trainer;
import org.vfmtok.tensor.Rng;

/**
 * Shuffled batches of pre-extracted codes, one random augmentation (image or flip) per sample; deterministic
 * and seekable (position = samples consumed; epoch e uses the shuffle of (seed, e), sample p's augmentation
 * comes from (seed, p)). Sharded across ranks ({@link #shard}), rank r of W takes positions
 * [P + r·B, P + (r+1)·B) of each global batch starting at P, and the position advances by W·B: the job sees the
 * samples, and the augmentation choices, of a single process with batch W·B.
 */
public final class CodeStream implements Trainer.DataStream<CodeBatch> {
    private final CodeShards.Data data;
    private final int batchSize;
    private final long seed;
    private long position;
    private int rank;
    private int world = 1;
    private long permEpoch = -1;
    private int[] perm;

    public CodeStream(CodeShards.Data data, int batchSize, long seed) {
        if (data.size() == 0) throw new IllegalArgumentException("no codes to train on");
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        this.data = data;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    @Override
    public CodeBatch next() {
        int n = data.size();
        int[] labels = new int[batchSize];
        int[][] codes = new int[batchSize][];
        long first = position + (long) rank * batchSize;
        for (int i = 0; i < batchSize; i++) {
            long position = first + i;
            long epoch = position / n;
            if (epoch != permEpoch) {
                perm = new Rng(seed * 0x9E3779B97F4A7C15L + epoch).permutation(n);
                permEpoch = epoch;
            }
            int idx = perm[(int) (position % n)];
            int[][] augs = data.codes()[idx];
            Rng r = new Rng(seed ^ (position * 0xBF58476D1CE4E5B9L));
            codes[i] = augs[augs.length == 1 ? 0 : r.nextInt(augs.length)];
            labels[i] = data.labels()[idx];
        }
        position += (long) world * batchSize;
        return new CodeBatch(labels, codes);
    }

    @Override
    public void shard(int rank, int world) {
        if (world < 1 || rank < 0 || rank >= world) throw new IllegalArgumentException("rank " + rank + " of " + world);
        this.rank = rank;
        this.world = world;
    }

    @Override public long position() { return position; }

    @Override public void seek(long p) { position = p; }
}
