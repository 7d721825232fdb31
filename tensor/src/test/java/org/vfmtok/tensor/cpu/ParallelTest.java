package org.vfmtok.tensor.cpu;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.vfmtok.tensor.HeapMeter;
import org.junit.jupiter.api.Test;

/** {@link Parallel#forRange} over the worker {@link Gang}: coverage, nesting, failures, several callers, no garbage. */
class ParallelTest {
    /** Every index of [0, n) runs exactly once, in the documented chunks, for any n and chunk size. */
    @Test
    void everyIndexRunsOnce() {
        for (int n : new int[] {1, 2, 3, 7, 64, 1000, 4097}) {
            for (int min : new int[] {1, 3, 100}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                Parallel.forRange(n, min, (s, e) -> {
                    for (int i = s; i < e; i++) hits.incrementAndGet(i);
                });
                for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "index " + i + " of " + n + " (min " + min + ")");
            }
        }
    }

    @Test
    void nestedCallsRunSeriallyInsideAChunk() {
        AtomicLong sum = new AtomicLong();
        Parallel.forRange(64, 1, (s, e) -> {
            for (int i = s; i < e; i++) {
                int row = i;
                String outer = Thread.currentThread().getName();
                Parallel.forRange(100, 1, (a, b) -> {
                    assertEquals(outer, Thread.currentThread().getName(), "a nested call stays on its thread");
                    for (int j = a; j < b; j++) sum.addAndGet(row * 100L + j);
                });
            }
        });
        long n = 64 * 100;
        assertEquals(n * (n - 1) / 2, sum.get());
    }

    /** A chunk's exception reaches the caller, after every chunk finished; the gang works normally afterwards. */
    @Test
    void aFailingChunkIsRethrownToTheCaller() {
        Assumptions.assumeTrue(Parallel.threads() > 1, "one thread: no workers");
        AtomicIntegerArray done = new AtomicIntegerArray(8);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.forRange(8, 1, (s, end) -> {
            for (int i = s; i < end; i++) done.set(i, 1);
            if (s > 0) throw new IllegalStateException("chunk at " + s);
        }));
        assertTrue(e.getMessage().startsWith("chunk at "), e.getMessage());
        for (int i = 0; i < 8; i++) assertEquals(1, done.get(i), "chunk work " + i + " finished before the rethrow");
        everyIndexRunsOnce();
    }

    /** Callers on several threads at once: one holds the gang, the others take the fork-join path; all correct. */
    @Test
    void severalCallersAtOnce() throws Exception {
        int callers = 4;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            CountDownLatch go = new CountDownLatch(1);
            Future<?>[] results = new Future<?>[callers];
            for (int c = 0; c < callers; c++) {
                results[c] = pool.submit(() -> {
                    go.await();
                    for (int round = 0; round < 200; round++) {
                        long[] part = new long[4096];
                        Parallel.forRange(part.length, 1, (s, e) -> {
                            for (int i = s; i < e; i++) part[i] = i;
                        });
                        long sum = 0;
                        for (long v : part) sum += v;
                        assertEquals(4096L * 4095 / 2, sum);
                    }
                    return null;
                });
            }
            go.countDown();
            for (Future<?> f : results) f.get();
        } finally {
            pool.shutdownNow();
        }
    }

    /** With a body made once, a call allocates nothing on the caller or on the workers (the old fork-join tasks did). */
    @Test
    void aCallWithAKeptBodyAllocatesNothing() {
        Assumptions.assumeTrue(Parallel.threads() > 1, "one thread: no workers");
        float[] data = new float[1 << 16];
        Parallel.RangeBody body = (s, e) -> {
            for (int i = s; i < e; i++) data[i] += 1f;
        };
        for (int i = 0; i < 20_000; i++) Parallel.forRange(data.length, 1024, body);   // warm-up
        long best = Long.MAX_VALUE;
        for (int run = 0; run < 4; run++) {
            HeapMeter meter = HeapMeter.start();
            for (int i = 0; i < 1000; i++) Parallel.forRange(data.length, 1024, body);
            best = Math.min(best, meter.stop());
        }
        assertEquals(0, best, "heap bytes of 1000 calls");
    }
}
