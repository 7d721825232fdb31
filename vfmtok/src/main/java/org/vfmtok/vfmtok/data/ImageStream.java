package org.vfmtok.vfmtok.data;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.vfmtok.nn.train.Trainer;
import org.vfmtok.tensor.Rng;

/**
 * Endless batches from an {@link ImageSource}, as a {@link Trainer.DataStream}: a fresh shuffle each epoch,
 * optional horizontal flips, decoding on worker threads a few batches ahead.
 *
 * <p>Deterministic and seekable: the stream is a sequence of sample positions p = 0, 1, 2, ...; position p
 * is sample {@code perm(p / n)[p % n]} of the source, decoded with a generator seeded from (seed, p), so the
 * same position always gives the same pixels whatever the thread count or prefetch depth, and
 * {@link #seek} restores a stream exactly. A sample that fails to load (corrupt or unreadable file) is
 * skipped — the batch takes the next position instead — counted, and reported once per file on stderr.
 *
 * <p>Sharded across the ranks of a data-parallel job ({@link #shard}), rank r of W takes positions
 * [P + r·B, P + (r+1)·B) of the global batch starting at position P, which then advances by W·B on every rank:
 * the job trains on the samples (and flips) of a single process with batch W·B. (A rank that meets an
 * unreadable sample there takes the positions after its share, which belong to the next rank.)
 */
public final class ImageStream implements Trainer.DataStream<Batch>, AutoCloseable {
    private final ImageSource source;
    private final int batchSize;
    private final int side;
    private final boolean shuffle;
    private final boolean flip;
    private final long seed;
    private final int window;
    private final ExecutorService pool;
    private final ArrayDeque<Future<float[]>> ahead = new ArrayDeque<>();
    private final Map<Integer, String> failed = new ConcurrentHashMap<>();
    private final AtomicLong skipped = new AtomicLong();
    private long position;      // next position to hand out
    private long scheduled;     // next position to submit to the pool
    private final long[] permEpochs = {-1, -1};   // two cached shuffles: the consumer's and the prefetcher's epoch
    private final int[][] perms = new int[2][];
    private boolean quiet;
    private int rank;
    private int world = 1;

    /**
     * @param threads  decoder threads (0: decode on the caller's thread)
     * @param prefetch batches decoded ahead of the consumer
     */
    public ImageStream(ImageSource source, int batchSize, int side, boolean shuffle, boolean flip, long seed, int threads, int prefetch) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        if (side < 1) throw new IllegalArgumentException("image side must be positive, got " + side);
        this.source = source;
        this.batchSize = batchSize;
        this.side = side;
        this.shuffle = shuffle;
        this.flip = flip;
        this.seed = seed;
        this.window = threads <= 0 ? 0 : Math.max(1, prefetch) * batchSize;
        this.pool = threads <= 0 ? null : Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "image-decoder");
            t.setDaemon(true);
            return t;
        });
    }

    /** Silences the per-file warnings (tests of the skip logic). */
    public ImageStream quiet() { quiet = true; return this; }

    public ImageSource source() { return source; }

    public int batchSize() { return batchSize; }

    /** Samples skipped so far because they could not be loaded (counting repeats across epochs). */
    public long skipped() { return skipped.get(); }

    /** Distinct unreadable samples seen so far: index → reason. */
    public Map<Integer, String> failures() { return Map.copyOf(failed); }

    @Override
    public synchronized void shard(int rank, int world) {
        if (world < 1 || rank < 0 || rank >= world) throw new IllegalArgumentException("rank " + rank + " of " + world);
        this.rank = rank;
        this.world = world;
        seek(position);
    }

    @Override
    public synchronized Batch next() {
        float[] pixels = new float[batchSize * 3 * side * side];
        int[] labels = new int[batchSize];
        int[] indices = new int[batchSize];
        if (world == 1) {
            position = fill(position, this::take, pixels, labels, indices);
        } else {   // this rank's share of the next global batch (decoding ahead happens for this rank's positions only)
            fill(position + (long) rank * batchSize, this::takeShard, pixels, labels, indices);
            position += (long) world * batchSize;
        }
        return new Batch(pixels, labels, indices, side);
    }

    /**
     * Fills one batch from positions {@code first}, {@code first + 1}, ... (a sample that fails to load is skipped:
     * the next position takes its place); returns the position after the last one used.
     */
    private long fill(long first, java.util.function.LongFunction<float[]> take, float[] pixels, int[] labels, int[] indices) {
        long p = first;
        int filled = 0, consecutiveFailures = 0;
        while (filled < batchSize) {
            int index = indexAt(p);
            float[] img = take.apply(p);
            p++;
            if (img == null) {
                if (++consecutiveFailures >= source.size()) {
                    throw new IllegalStateException("no sample of " + source.describe() + " could be loaded (" + failed.size() + " failures, e.g. " + failed.values().iterator().next() + ")");
                }
                continue;
            }
            consecutiveFailures = 0;
            System.arraycopy(img, 0, pixels, filled * img.length, img.length);
            labels[filled] = source.label(index);
            indices[filled] = index;
            filled++;
        }
        return p;
    }

    /** Sharded: positions decoded ahead, by position (this rank's next few shares of global batches). */
    private final Map<Long, Future<float[]>> aheadByPosition = new java.util.HashMap<>();

    private float[] takeShard(long p) {
        if (pool == null) return load(p);
        long globalBatch = (long) world * batchSize;
        if (scheduled < position) scheduled = position;
        while (scheduled < position + globalBatch * Math.max(1, window / batchSize)) {
            for (int i = 0; i < batchSize; i++) {
                long q = scheduled + (long) rank * batchSize + i;
                int index = indexAt(q);
                aheadByPosition.put(q, pool.submit(() -> load(q, index)));
            }
            scheduled += globalBatch;
        }
        Future<float[]> f = aheadByPosition.remove(p);
        if (f == null) return load(p); // past this rank's share (after an unreadable sample)
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while decoding images", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("decoding sample at position " + p + " failed", e.getCause());
        }
    }

    /** The decoded sample at position p (from the prefetch queue when decoding ahead), or null if it failed. */
    private float[] take(long p) {
        if (pool == null) return load(p);
        while (scheduled < p + window) submit(scheduled++);
        Future<float[]> f = ahead.poll();
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while decoding images", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("decoding sample at position " + p + " failed", e.getCause());
        }
    }

    private void submit(long p) {
        int index = indexAt(p); // computed on this thread: the permutation cache is not shared
        ahead.add(pool.submit(() -> load(p, index)));
    }

    private float[] load(long p) { return load(p, indexAt(p)); }

    private float[] load(long p, int index) {
        Rng rng = new Rng(ProceduralShapes.mix(seed ^ 0x5DEECE66DL, p));
        try {
            float[] img = source.load(index, side, rng);
            if (img.length != 3 * side * side) throw new IOException("sample " + index + " has " + img.length + " values, expected " + 3 * side * side);
            if (flip && rng.nextBoolean()) flipInPlace(img, side);
            return img;
        } catch (IOException | RuntimeException e) {
            skipped.incrementAndGet();
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            if (failed.putIfAbsent(index, reason) == null && !quiet) System.err.println("skipping unreadable sample " + index + ": " + reason);
            return null;
        }
    }

    /** Mirrors each row of each channel (torchvision's RandomHorizontalFlip). */
    public static void flipInPlace(float[] img, int side) {
        for (int row = 0; row < img.length / side; row++) {
            int a = row * side, b = a + side - 1;
            while (a < b) {
                float t = img[a];
                img[a++] = img[b];
                img[b--] = t;
            }
        }
    }

    /** The source index at stream position p. */
    private int indexAt(long p) {
        int n = source.size();
        long epoch = p / n;
        int k = (int) (p % n);
        if (!shuffle) return k;
        int slot = (int) (epoch & 1);
        if (permEpochs[slot] != epoch) {
            perms[slot] = new Rng(ProceduralShapes.mix(seed, -1 - epoch)).permutation(n);
            permEpochs[slot] = epoch;
        }
        return perms[slot][k];
    }

    @Override public synchronized long position() { return position; }

    @Override
    public synchronized void seek(long pos) {
        if (pos < 0) throw new IllegalArgumentException("stream position must be >= 0, got " + pos);
        for (Future<float[]> f : ahead) f.cancel(true);
        ahead.clear();
        for (Future<float[]> f : aheadByPosition.values()) f.cancel(true);
        aheadByPosition.clear();
        position = pos;
        scheduled = pos;
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdownNow();
    }
}
