package org.vfmtok.nn.dist;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;

/** The CPU communicator with ranks as threads on 127.0.0.1 (real sockets); the multi-process tests are in the cli module. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpCommunicatorTest {
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() { pool.shutdownNow(); }

    private static final TcpCommunicator.Options FAST = TcpCommunicator.Options.defaults()
            .withRendezvousTimeout(Duration.ofSeconds(20)).withPeerTimeout(Duration.ofSeconds(20));

    private static DistEnv env(int rank, int world, int port) { return new DistEnv(rank, world, rank, "127.0.0.1", port); }

    /** Runs {@code body} on every rank of a fresh job; returns each rank's result, rank-ordered. */
    private <T> List<T> job(int world, Function<Communicator, T> body) throws Exception {
        int port = TcpRendezvousTest.freePort();
        List<Future<T>> fs = new ArrayList<>();
        for (int r = 0; r < world; r++) {
            int rank = r;
            fs.add(pool.submit(() -> {
                try (TcpCommunicator c = TcpCommunicator.create(env(rank, world, port), "same", FAST); Scope s = Scope.open("rank")) {
                    return body.apply(c);
                }
            }));
        }
        List<T> out = new ArrayList<>();
        for (Future<T> f : fs) out.add(f.get(40, TimeUnit.SECONDS));
        return out;
    }

    @Test
    void allReduceSumsInRankOrderAndEveryRankGetsTheSameBits() throws Exception {
        int world = 3, n = 1000;
        List<float[]> got = job(world, c -> {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = (float) Math.sin(i * 0.37 + c.rank()) * (float) Math.pow(10, (i % 9) - 4);
            Tensor t = Tensor.of(v, 10, 100);
            c.allReduceSum(t);
            return t.toFloatArray();
        });
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            float acc = 0;
            for (int r = 0; r < world; r++) {
                float x = (float) Math.sin(i * 0.37 + r) * (float) Math.pow(10, (i % 9) - 4);
                acc = r == 0 ? x : acc + x;
            }
            expected[i] = acc;
        }
        for (int r = 0; r < world; r++) assertArrayEquals(expected, got.get(r), 0f, "rank " + r + " (bit-identical to the rank-ordered sum)");
    }

    @Test
    void bucketedMeanBroadcastGatherAndBarrier() throws Exception {
        int world = 2;
        List<String> got = job(world, c -> {
            // three gradients of two dtypes across several tiny buckets
            Tensor a = Tensor.full(DType.F32, c.rank() + 1.0, 3, 4);
            Tensor b = Tensor.of(new float[] {c.rank() * 2f, 10f}, 2);
            Tensor d = Tensor.full(DType.F64, c.rank() * 4.0, 5);
            c.allReduceMean(List.of(a, b, d));
            Tensor w = Tensor.full(DType.F32, c.rank() == 1 ? 7.0 : -1.0, 4);
            c.broadcast(w, 1);
            Tensor idx = Tensor.ofLongs(new long[] {c.rank() * 100L + 1, 5_000_000_000L}, 2);
            Tensor all = Tensor.zeros(DType.I64, 2 * world);
            c.allGather(idx, all);
            c.barrier();
            return a.toFloatArray()[11] + " " + java.util.Arrays.toString(b.toFloatArray()) + " " + d.toDoubleArray()[4] + " "
                    + w.toFloatArray()[3] + " " + java.util.Arrays.toString(all.toLongArray());
        });
        String expected = "1.5 [1.0, 10.0] 2.0 7.0 [1, 5000000000, 101, 5000000000]";
        assertEquals(List.of(expected, expected), got);
    }

    @Test
    void ranksCallingDifferentCollectivesAreNamed() throws Exception {
        int port = TcpRendezvousTest.freePort();
        List<Future<String>> fs = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            int rank = r;
            fs.add(pool.submit(() -> {
                try (TcpCommunicator c = TcpCommunicator.create(env(rank, 2, port), "same", FAST)) {
                    if (rank == 0) c.allReduceSum(Tensor.zeros(4));
                    else c.broadcast(Tensor.zeros(4), 0);
                    return "no error";
                } catch (IllegalStateException e) {
                    return e.getMessage();
                }
            }));
        }
        String m0 = fs.get(0).get(30, TimeUnit.SECONDS), m1 = fs.get(1).get(30, TimeUnit.SECONDS);
        assertTrue(m0.contains("rank 1 called broadcast from rank 0 of 4 F32 values while rank 0 called all-reduce (sum) of 4 F32 values"), m0);
        assertTrue(m1.contains("(reported by rank 0 to rank 1)"), m1);
    }

    @Test
    void aRankThatLeavesIsNamedByEveryOther() throws Exception {
        int port = TcpRendezvousTest.freePort();
        List<Future<String>> fs = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            int rank = r;
            fs.add(pool.submit(() -> {
                try (TcpCommunicator c = TcpCommunicator.create(env(rank, 3, port), "same", FAST)) {
                    c.barrier();
                    if (rank == 2) return "left"; // closes its sockets, as a killed process's kernel does
                    long t0 = System.nanoTime();
                    try {
                        c.allReduceSum(Tensor.zeros(8));
                        return "no error";
                    } catch (IllegalStateException e) {
                        return e.getMessage() + " after " + (System.nanoTime() - t0) / 1_000_000 + " ms";
                    }
                }
            }));
        }
        String m0 = fs.get(0).get(30, TimeUnit.SECONDS), m1 = fs.get(1).get(30, TimeUnit.SECONDS);
        assertTrue(m0.startsWith("rank 0 lost rank 2: its connection closed during a collective"), m0);
        assertTrue(m1.contains("rank 0 lost rank 2") && m1.contains("reported by rank 0 to rank 1"), m1);
    }

    @Test
    void aSilentPeerIsGivenUpAfterThePeerTimeout() throws Exception {
        int port = TcpRendezvousTest.freePort();
        TcpCommunicator.Options quick = FAST.withPeerTimeout(Duration.ofMillis(1500));
        Future<String> r0 = pool.submit(() -> {
            try (TcpCommunicator c = TcpCommunicator.create(env(0, 2, port), "same", quick)) {
                long t0 = System.nanoTime();
                try {
                    c.allReduceSum(Tensor.zeros(2));
                    return "no error";
                } catch (IllegalStateException e) {
                    return e.getMessage() + " | " + (System.nanoTime() - t0) / 1_000_000_000.0;
                }
            }
        });
        // rank 1 joins, then its heartbeats stop (as when a machine is lost) while its socket stays open
        Future<TcpCommunicator> r1 = pool.submit(() -> TcpCommunicator.create(env(1, 2, port), "same", quick));
        TcpCommunicator silent = r1.get(20, TimeUnit.SECONDS);
        silent.stopHeartbeatsForTest();
        String m = r0.get(30, TimeUnit.SECONDS);
        silent.close();
        assertTrue(m.startsWith("rank 0 lost rank 1: nothing received from it, not even a heartbeat, for 1.5 s"), m);
        double secs = Double.parseDouble(m.substring(m.indexOf(" | ") + 3));
        assertTrue(secs >= 1.0 && secs < 10, "given up after the peer timeout, took " + secs + " s");
    }

    @Test
    void heartbeatsKeepABusyPeerAlive() throws Exception {
        TcpCommunicator.Options quick = FAST.withPeerTimeout(Duration.ofMillis(800));
        List<Float> got = job(2, c -> {
            if (c.rank() == 1) {
                try {
                    Thread.sleep(2500); // three peer timeouts of work before the collective
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
            }
            Tensor t = Tensor.full(DType.F32, 1.0, 1);
            c.allReduceSum(t);
            return t.toFloatArray()[0];
        }, quick);
        assertEquals(List.of(2f, 2f), got);
    }

    private <T> List<T> job(int world, Function<Communicator, T> body, TcpCommunicator.Options o) throws Exception {
        int port = TcpRendezvousTest.freePort();
        List<Future<T>> fs = new ArrayList<>();
        for (int r = 0; r < world; r++) {
            int rank = r;
            fs.add(pool.submit(() -> {
                try (TcpCommunicator c = TcpCommunicator.create(env(rank, world, port), "same", o)) {
                    return body.apply(c);
                }
            }));
        }
        List<T> out = new ArrayList<>();
        for (Future<T> f : fs) out.add(f.get(40, TimeUnit.SECONDS));
        return out;
    }

    @Test
    void aRankWithAnotherConfigurationIsRefusedAtStart() throws Exception {
        int port = TcpRendezvousTest.freePort();
        Future<TcpCommunicator> r0 = pool.submit(() -> TcpCommunicator.create(env(0, 2, port), "train-ar --codes c --batch 8", FAST));
        Future<TcpCommunicator> r1 = pool.submit(() -> TcpCommunicator.create(env(1, 2, port), "train-ar --codes c --batch 4", FAST));
        String m0 = assertThrows(ExecutionException.class, () -> r0.get(30, TimeUnit.SECONDS)).getCause().getMessage();
        String m1 = assertThrows(ExecutionException.class, () -> r1.get(30, TimeUnit.SECONDS)).getCause().getMessage();
        assertTrue(m0.contains("rank 1 was started with a different configuration than rank 0 (word 5 of the configuration is '--batch 8' on rank 0 "
                + "but '--batch 4' on rank 1)"), m0);
        assertTrue(m1.contains("rank 1 was started with a different configuration") && m1.contains("reported by rank 0 to rank 1"), m1);
    }

    @Test
    void aRendezvousThatNeverCompletesNamesTheAddress() throws Exception {
        int port = TcpRendezvousTest.freePort();
        TcpCommunicator.Options o = FAST.withRendezvousTimeout(Duration.ofMillis(800));
        String m0 = assertThrows(IllegalStateException.class, () -> TcpCommunicator.create(env(0, 2, port), "x", o)).getMessage();
        assertTrue(m0.contains("did not hear from rank(s) [1] within 0.8 s (listening on 127.0.0.1:" + port + ")"), m0);
        String m1 = assertThrows(IllegalStateException.class, () -> TcpCommunicator.create(env(1, 2, port), "x", o)).getMessage();
        // "could not reach rank 0 at ADDR:PORT within 0.8 s", or, when something accepted the connection, "reached rank 0 at ADDR:PORT but got no answer within 0.8 s"
        assertTrue(m1.matches("rendezvous: rank 1 (could not reach|reached) rank 0 at 127\\.0\\.0\\.1:" + port + " .*within 0\\.8 s.*"), m1);
    }
}
