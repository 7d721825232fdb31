package org.vfmtok.tensor.cpu.gemm;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.vfmtok.tensor.cpu.Parallel;

/**
 * Runs units of work on the {@link Parallel} pool with dynamic claiming instead of a static split:
 * each of up to {@code workers} tasks takes the next unclaimed unit until none is left. On a busy
 * machine a worker that starts late simply finds less to do, instead of the caller waiting for it to
 * finish a fixed share.
 */
final class Claim {
    private Claim() {}

    static void forEach(int units, int workers, IntConsumer body) {
        if (units <= 0) return;
        int w = Math.max(1, Math.min(workers, units));
        if (w == 1) {
            for (int u = 0; u < units; u++) body.accept(u);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Parallel.forRange(w, 1, (s, e) -> {
            for (int u; (u = next.getAndIncrement()) < units; ) body.accept(u);
        });
    }
}
