package org.vfmtok.nn.dist;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The rendezvous of a distributed job over TCP: rank 0 listens on MASTER_ADDR:MASTER_PORT, every other
 * rank connects (retrying until the deadline, since rank 0 may start later) and says who it is; once all
 * ranks have arrived, rank 0 checks them (each rank once, the same world size everywhere) and sends
 * each one the payload, for NCCL the 128-byte unique id. Every failure ends with an error that says
 * which ranks were missing, which address was unreachable, or who disagreed about what.
 *
 * <p>Every rank also states its configuration (a fingerprint: the command and its arguments, say); rank 0
 * refuses a rank whose fingerprint differs from its own and says which rank and what differs, so a job
 * whose ranks were started differently stops at the start instead of training nonsense.
 *
 * <p>Wire format (big-endian): rank → 0: magic "VFMR", version, rank, world size, fingerprint (modified
 * UTF-8, {@link DataOutputStream#writeUTF}). 0 → rank: status (0 = ok), then the payload length and bytes,
 * or a UTF-8 error message.
 */
public final class TcpRendezvous {
    private static final int MAGIC = 0x56464D52; // "VFMR"
    private static final int VERSION = 2;

    private TcpRendezvous() {}

    /** The payload from rank 0 (made there by {@code payload}, which other ranks never call). */
    public static byte[] exchange(DistEnv env, Supplier<byte[]> payload, Duration timeout) {
        return exchange(env, payload, timeout, "");
    }

    /**
     * As {@link #exchange(DistEnv, Supplier, Duration)}, and every rank's {@code fingerprint} must equal rank
     * 0's: otherwise every rank fails with a message naming the rank and the first difference.
     */
    public static byte[] exchange(DistEnv env, Supplier<byte[]> payload, Duration timeout, String fingerprint) {
        if (env.worldSize() == 1) return payload.get();
        long deadline = System.nanoTime() + timeout.toNanos();
        return env.rank() == 0 ? serve(env, payload, deadline, timeout, fingerprint) : join(env, deadline, timeout, fingerprint);
    }

    /** "argument 3 is '--batch 8' on rank 0 but '--batch 4' on rank 2", or the whole strings when short. */
    static String difference(String mine, String theirs, int rank) {
        String[] a = mine.split(" "), b = theirs.split(" ");
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i] : "(nothing)", y = i < b.length ? b[i] : "(nothing)";
            if (!x.equals(y)) {
                String ctx = i > 0 && i - 1 < a.length && i - 1 < b.length && a[i - 1].equals(b[i - 1]) ? a[i - 1] + " " : "";
                return "word " + (i + 1) + " of the configuration is '" + ctx + x + "' on rank 0 but '" + ctx + y + "' on rank " + rank;
            }
        }
        return "'" + mine + "' on rank 0, '" + theirs + "' on rank " + rank;
    }

    /** "30 s", "0.8 s". */
    static String secs(Duration d) {
        long ms = d.toMillis();
        return (ms % 1000 == 0 ? String.valueOf(ms / 1000) : String.format(java.util.Locale.ROOT, "%.1f", ms / 1000.0)) + " s";
    }

    private static int remainingMillis(long deadline) {
        long ms = (deadline - System.nanoTime()) / 1_000_000;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
    }

    private static byte[] serve(DistEnv env, Supplier<byte[]> payload, long deadline, Duration timeout, String fingerprint) {
        String where = env.masterAddr() + ":" + env.masterPort();
        List<Socket> peers = new ArrayList<>();
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            try {
                server.bind(new InetSocketAddress(env.masterAddr(), env.masterPort()), env.worldSize());
            } catch (IOException e) {
                throw new IllegalStateException("rendezvous: rank 0 cannot listen on " + where + ": " + e.getMessage()
                        + " (is MASTER_PORT in use by another job?)", e);
            }
            TreeSet<Integer> missing = new TreeSet<>();
            for (int r = 1; r < env.worldSize(); r++) missing.add(r);
            List<String> problems = new ArrayList<>();
            while (!missing.isEmpty()) {
                Socket s;
                try {
                    server.setSoTimeout(remainingMillis(deadline));
                    s = server.accept();
                } catch (SocketTimeoutException e) {
                    throw new IllegalStateException("rendezvous: rank 0 did not hear from rank(s) " + missing + " within " + secs(timeout) + " (listening on " + where + ")");
                }
                s.setSoTimeout(remainingMillis(deadline));
                peers.add(s);
                DataInputStream in = new DataInputStream(s.getInputStream());
                int magic = in.readInt(), version = magic == MAGIC ? in.readInt() : -1;
                if (magic != MAGIC || version != VERSION) {
                    problems.add("a connection from " + s.getRemoteSocketAddress() + " is not a vfm rank (or another protocol version)");
                    peers.remove(s);
                    s.close();
                    continue;
                }
                int rank = in.readInt(), world = in.readInt();
                String theirs = in.readUTF();
                if (world != env.worldSize()) problems.add("rank " + rank + " says WORLD_SIZE=" + world + ", rank 0 says " + env.worldSize());
                else if (rank <= 0 || rank >= env.worldSize()) problems.add("a peer claims RANK=" + rank + ", outside [1, " + env.worldSize() + ")");
                else if (!missing.remove(rank)) problems.add("two processes claim RANK=" + rank);
                else if (!theirs.equals(fingerprint)) {
                    problems.add("rank " + rank + " was started with a different configuration than rank 0 (" + difference(fingerprint, theirs, rank)
                            + "); every rank must run the same command");
                }
                if (!problems.isEmpty()) break;
            }
            if (!problems.isEmpty()) {
                String msg = "rendezvous failed: " + String.join("; ", problems);
                for (Socket s : peers) sendError(s, msg);
                throw new IllegalStateException(msg);
            }
            byte[] data = payload.get();
            for (Socket s : peers) {
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeInt(0);
                out.writeInt(data.length);
                out.write(data);
                out.flush();
            }
            // wait for every rank to confirm receipt, so no one closes a socket another still reads
            for (Socket s : peers) new DataInputStream(s.getInputStream()).readInt();
            return data;
        } catch (SocketTimeoutException e) {
            throw new IllegalStateException("rendezvous: a rank stopped answering rank 0 within " + secs(timeout), e);
        } catch (IOException e) {
            throw new IllegalStateException("rendezvous at " + where + " failed: " + e, e);
        } finally {
            for (Socket s : peers) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }
    }

    private static void sendError(Socket s, String msg) {
        try {
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            byte[] b = msg.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeInt(1);
            out.writeInt(b.length);
            out.write(b);
            out.flush();
        } catch (IOException ignored) {
            // the peer is gone; rank 0 reports the problem itself
        }
    }

    private static byte[] join(DistEnv env, long deadline, Duration timeout, String fingerprint) {
        String where = env.masterAddr() + ":" + env.masterPort();
        IOException last = null;
        long backoff = 20;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(env.masterAddr(), env.masterPort()), Math.min(remainingMillis(deadline), 5_000));
                s.setSoTimeout(remainingMillis(deadline));
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeInt(MAGIC);
                out.writeInt(VERSION);
                out.writeInt(env.rank());
                out.writeInt(env.worldSize());
                out.writeUTF(fingerprint);
                out.flush();
                DataInputStream in = new DataInputStream(s.getInputStream());
                int status = in.readInt();
                int n = in.readInt();
                if (n < 0 || n > (1 << 20)) throw new IllegalStateException("rendezvous: rank 0 at " + where + " sent a malformed reply");
                byte[] data = in.readNBytes(n);
                if (data.length != n) throw new EOFException("short payload");
                if (status != 0) throw new IllegalStateException(new String(data, java.nio.charset.StandardCharsets.UTF_8) + " (reported by rank 0 to rank " + env.rank() + ")");
                out.writeInt(0); // receipt
                out.flush();
                return data;
            } catch (SocketTimeoutException e) {
                throw new IllegalStateException("rendezvous: rank " + env.rank() + " reached rank 0 at " + where + " but got no answer within "
                        + secs(timeout) + " (are all " + env.worldSize() + " ranks started?)", e);
            } catch (IOException e) {
                last = e; // rank 0 not listening yet: retry
                try {
                    Thread.sleep(Math.min(backoff, Math.max(1, remainingMillis(deadline))));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("rendezvous interrupted", ie);
                }
                backoff = Math.min(backoff * 2, 500);
            }
        }
        throw new IllegalStateException("rendezvous: rank " + env.rank() + " could not reach rank 0 at " + where + " within " + secs(timeout)
                + (last == null ? "" : " (" + last.getMessage() + ")") + "; check MASTER_ADDR/MASTER_PORT and that rank 0 is running");
    }
}
