package org.vfmtok.nn.dist;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ranks as threads on 127.0.0.1, each test bounded in time. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TcpRendezvousTest {
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() { pool.shutdownNow(); }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static DistEnv env(int rank, int world, int port) { return new DistEnv(rank, world, rank, "127.0.0.1", port); }

    private List<Future<byte[]>> start(int world, int port, AtomicInteger made, Duration timeout, int... ranks) {
        List<Future<byte[]>> fs = new ArrayList<>();
        for (int r : ranks) {
            fs.add(pool.submit(() -> TcpRendezvous.exchange(env(r, world, port), () -> {
                made.incrementAndGet();
                return new byte[] {42, 7, (byte) world};
            }, timeout)));
        }
        return fs;
    }

    @Test
    void everyRankGetsRankZerosPayload() throws Exception {
        for (int world : new int[] {1, 2, 4}) {
            int port = freePort();
            AtomicInteger made = new AtomicInteger();
            int[] ranks = new int[world];
            for (int r = 0; r < world; r++) ranks[world - 1 - r] = r; // the others usually start before rank 0 listens
            for (Future<byte[]> f : start(world, port, made, Duration.ofSeconds(10), ranks)) {
                assertArrayEquals(new byte[] {42, 7, (byte) world}, f.get(15, TimeUnit.SECONDS));
            }
            assertEquals(1, made.get(), "only rank 0 makes the payload");
        }
    }

    @Test
    void aMissingRankTimesOutWithItsNumber() throws Exception {
        int port = freePort();
        List<Future<byte[]>> fs = start(3, port, new AtomicInteger(), Duration.ofMillis(800), 0, 1);
        ExecutionException e = assertThrows(ExecutionException.class, () -> fs.get(0).get(10, TimeUnit.SECONDS));
        assertEquals("rendezvous: rank 0 did not hear from rank(s) [2] within 0.8 s (listening on 127.0.0.1:" + port + ")", e.getCause().getMessage());
        ExecutionException e1 = assertThrows(ExecutionException.class, () -> fs.get(1).get(10, TimeUnit.SECONDS));
        assertTrue(e1.getCause().getMessage().startsWith("rendezvous: rank 1 "), e1.getCause().getMessage());
    }

    @Test
    void noRankZeroMeansAClearConnectError() throws Exception {
        int port = freePort();
        Future<byte[]> f = start(2, port, new AtomicInteger(), Duration.ofMillis(500), 1).getFirst();
        String m = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS)).getCause().getMessage();
        // freePort() can race with another process on the machine taking the port: then something answers the
        // connect but not the protocol, which must also end in a clear error within the timeout.
        if (m.contains("could not reach")) {
            assertTrue(m.startsWith("rendezvous: rank 1 could not reach rank 0 at 127.0.0.1:" + port + " within 0.5 s"), m);
            assertTrue(m.contains("check MASTER_ADDR/MASTER_PORT"), m);
        } else {
            assertTrue(m.startsWith("rendezvous: rank 1 reached rank 0 at 127.0.0.1:" + port + " but got no answer"), m);
        }
    }

    @Test
    void disagreementsAreReportedToEveryone() throws Exception {
        int port = freePort();
        Future<byte[]> r0 = pool.submit(() -> TcpRendezvous.exchange(env(0, 3, port), () -> new byte[1], Duration.ofSeconds(10)));
        Future<byte[]> r1 = pool.submit(() -> TcpRendezvous.exchange(env(1, 2, port), () -> new byte[1], Duration.ofSeconds(10)));
        String m0 = assertThrows(ExecutionException.class, () -> r0.get(15, TimeUnit.SECONDS)).getCause().getMessage();
        assertEquals("rendezvous failed: rank 1 says WORLD_SIZE=2, rank 0 says 3", m0);
        String m1 = assertThrows(ExecutionException.class, () -> r1.get(15, TimeUnit.SECONDS)).getCause().getMessage();
        assertEquals("rendezvous failed: rank 1 says WORLD_SIZE=2, rank 0 says 3 (reported by rank 0 to rank 1)", m1);
    }

    @Test
    void duplicateRanksAreRefused() throws Exception {
        int port = freePort();
        Future<byte[]> r0 = pool.submit(() -> TcpRendezvous.exchange(env(0, 3, port), () -> new byte[1], Duration.ofSeconds(10)));
        Future<byte[]> a = pool.submit(() -> TcpRendezvous.exchange(env(1, 3, port), () -> new byte[1], Duration.ofSeconds(10)));
        Future<byte[]> b = pool.submit(() -> TcpRendezvous.exchange(env(1, 3, port), () -> new byte[1], Duration.ofSeconds(10)));
        String m = assertThrows(ExecutionException.class, () -> r0.get(15, TimeUnit.SECONDS)).getCause().getMessage();
        assertEquals("rendezvous failed: two processes claim RANK=1", m);
        assertThrows(ExecutionException.class, () -> a.get(15, TimeUnit.SECONDS));
        assertThrows(ExecutionException.class, () -> b.get(15, TimeUnit.SECONDS));
    }

    @Test
    void aBusyPortIsNamed() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            String m = assertThrows(IllegalStateException.class,
                    () -> TcpRendezvous.exchange(env(0, 2, port), () -> new byte[1], Duration.ofSeconds(2))).getMessage();
            assertTrue(m.startsWith("rendezvous: rank 0 cannot listen on 127.0.0.1:" + port), m);
        }
    }
}
