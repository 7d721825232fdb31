package org.vfmtok.nn.dist;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Device;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;

/**
 * A {@link Communicator} between CPU processes over TCP, for data-parallel training without GPUs (and for
 * testing everything NCCL does here). The job meets through {@link TcpRendezvous} (which also refuses a
 * rank started with another configuration); rank 0 then hands out the port of a data socket and every other
 * rank connects to it: a star with rank 0 at the centre.
 *
 * <p>Every collective goes through rank 0: each rank sends its buffer, rank 0 combines them in rank order
 * (rank 0's values, then + rank 1's, + rank 2's, ...) and sends the result back, so every rank gets the same
 * bytes: results are bit-identical across ranks and do not depend on timing. Rank 0 also checks that every
 * rank called the same collective with the same dtype and size, and names the rank that did not.
 *
 * <p>Failures end in an error, never a hang. A peer that exits (or is killed) closes its socket: the ranks
 * talking to it fail at once naming it, and rank 0 tells the others ({@code ABORT}). A peer that stops
 * without closing (a frozen process, a lost machine) is found by its silence: every connection carries a
 * heartbeat every {@link Options#heartbeat} while idle, and a rank that hears nothing for
 * {@link Options#peerTimeout} gives up on that peer, naming it.
 *
 * <p>Tensors may be on any device (they are copied through the host). {@link #allReduceMean(List)} packs
 * F32 gradients into buckets ({@link GradientBuckets}) and reduces each bucket with one exchange.
 */
public final class TcpCommunicator implements Communicator {
    /** Timeouts and bucket size. */
    public record Options(Duration rendezvousTimeout, Duration peerTimeout, Duration heartbeat, long bucketBytes) {
        public Options {
            if (peerTimeout.compareTo(heartbeat.multipliedBy(2)) < 0) {
                throw new IllegalArgumentException("peer timeout " + peerTimeout + " must be at least twice the heartbeat " + heartbeat);
            }
        }

        /** Rendezvous within 5 min, a silent peer given up after 30 s, heartbeats every 2 s, 25 MiB buckets. */
        public static Options defaults() {
            return new Options(Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofSeconds(2), 25L << 20);
        }

        public Options withRendezvousTimeout(Duration d) { return new Options(d, peerTimeout, heartbeat, bucketBytes); }

        public Options withPeerTimeout(Duration d) {
            Duration hb = heartbeat.multipliedBy(2).compareTo(d) > 0 ? d.dividedBy(4) : heartbeat;
            return new Options(rendezvousTimeout, d, hb, bucketBytes);
        }
    }

    private static final int MAGIC = 0x56464D44; // "VFMD"
    private static final int DATA = 1, HEARTBEAT = 2, ABORT = 3;
    private static final int OP_REDUCE = 1, OP_BROADCAST = 2, OP_GATHER = 3, OP_BARRIER = 4;

    private final int rank;
    private final int world;
    private final Options options;
    /** Rank 0: the connection to rank r at index r (index 0 unused). Other ranks: index 0 is rank 0. */
    private final Link[] links;
    private final Thread heartbeats;
    private volatile boolean closed;
    private String failure;

    private TcpCommunicator(int rank, int world, Options options, Link[] links) {
        this.rank = rank;
        this.world = world;
        this.options = options;
        this.links = links;
        this.heartbeats = Thread.ofPlatform().daemon().name("tcp-communicator-heartbeat rank " + rank).unstarted(this::beat);
        heartbeats.start();
    }

    /**
     * Joins the job described by {@code env}; blocks until every rank has. {@code fingerprint} describes this
     * rank's configuration (the command and its arguments); a rank whose fingerprint differs from rank 0's
     * is refused, and every rank fails saying which.
     */
    public static TcpCommunicator create(DistEnv env, String fingerprint, Options options) {
        int world = env.worldSize();
        if (world == 1) return new TcpCommunicator(0, 1, options, new Link[0]);
        long deadline = System.nanoTime() + options.rendezvousTimeout().toNanos();
        if (env.rank() == 0) {
            try (ServerSocket server = new ServerSocket()) {
                server.bind(new InetSocketAddress(env.masterAddr(), 0), world);
                int dataPort = server.getLocalPort();
                TcpRendezvous.exchange(env, () -> ByteBuffer.allocate(4).putInt(dataPort).array(), options.rendezvousTimeout(), fingerprint);
                Link[] links = new Link[world];
                int joined = 0;
                while (joined < world - 1) {
                    server.setSoTimeout(remainingMillis(deadline));
                    Socket s;
                    try {
                        s = server.accept();
                    } catch (SocketTimeoutException e) {
                        List<Integer> missing = new java.util.ArrayList<>();
                        for (int r = 1; r < world; r++) if (links[r] == null) missing.add(r);
                        throw new IllegalStateException("rank 0: rank(s) " + missing + " passed the rendezvous but never connected to the data port "
                                + env.masterAddr() + ":" + dataPort + " within " + TcpRendezvous.secs(options.rendezvousTimeout()));
                    }
                    configure(s, options);
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    int magic = in.readInt(), r = in.readInt();
                    if (magic != MAGIC || r <= 0 || r >= world || links[r] != null) {
                        s.close();
                        throw new IllegalStateException("rank 0: an unexpected connection (rank " + r + ") on the data port " + env.masterAddr() + ":" + dataPort);
                    }
                    links[r] = new Link(0, r, s, options.peerTimeout());
                    joined++;
                }
                return new TcpCommunicator(0, world, options, links);
            } catch (IOException e) {
                throw new IllegalStateException("rank 0: setting up the CPU communicator on " + env.masterAddr() + " failed: " + e.getMessage(), e);
            }
        }
        byte[] payload = TcpRendezvous.exchange(env, () -> {
            throw new AssertionError("only rank 0 makes the payload");
        }, options.rendezvousTimeout(), fingerprint);
        int dataPort = ByteBuffer.wrap(payload).getInt();
        try {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(env.masterAddr(), dataPort), remainingMillis(deadline));
            configure(s, options);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(MAGIC);
            out.writeInt(env.rank());
            out.flush();
            return new TcpCommunicator(env.rank(), world, options, new Link[] {new Link(env.rank(), 0, s, options.peerTimeout())});
        } catch (IOException e) {
            throw new IllegalStateException("rank " + env.rank() + ": cannot connect to rank 0's data port " + env.masterAddr() + ":" + dataPort + ": " + e.getMessage(), e);
        }
    }

    private static void configure(Socket s, Options o) throws IOException {
        s.setTcpNoDelay(true);
        s.setKeepAlive(true);
        s.setSoTimeout(Math.toIntExact(o.peerTimeout().toMillis()));
    }

    private static int remainingMillis(long deadline) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (deadline - System.nanoTime()) / 1_000_000));
    }

    @Override public int rank() { return rank; }

    @Override public int worldSize() { return world; }

    // ---------------------------------------------------------------- collectives

    @Override
    public void allReduceSum(Tensor t) {
        if (world == 1) return;
        byte[] result = reduce(OP_REDUCE, t.dtype(), t.numel(), HostBytes.of(t), false);
        HostBytes.copyInto(t, result);
    }

    /** The mean is taken by rank 0 (sum in rank order, then × 1/world), so every rank gets the same bytes. */
    @Override
    public void allReduceMean(Tensor t) {
        if (world == 1) return;
        byte[] result = reduce(OP_REDUCE, t.dtype(), t.numel(), HostBytes.of(t), true);
        HostBytes.copyInto(t, result);
    }

    /** Gradient averaging: F32 tensors packed into buckets of at most {@link Options#bucketBytes}, one exchange per bucket. */
    @Override
    public void allReduceMean(List<Tensor> ts) {
        if (world == 1 || ts.isEmpty()) return;
        try (Scope s = Scope.open("tcp-buckets"); Grad.Mode ng = Grad.noGrad()) {
            for (GradientBuckets.Bucket b : GradientBuckets.plan(ts, options.bucketBytes())) {
                if (b.dtype() != DType.F32) {
                    for (int i : b.tensors()) allReduceMean(ts.get(i));
                    continue;
                }
                float[] flat = new float[Math.toIntExact(b.numel())];
                for (int j = 0; j < b.tensors().size(); j++) {
                    float[] g = ts.get(b.tensors().get(j)).toFloatArray();
                    System.arraycopy(g, 0, flat, Math.toIntExact(b.offsets().get(j)), g.length);
                }
                byte[] mine = HostBytes.floats(flat);
                float[] mean = HostBytes.toFloats(reduce(OP_REDUCE, DType.F32, flat.length, mine, true));
                for (int j = 0; j < b.tensors().size(); j++) {
                    Tensor g = ts.get(b.tensors().get(j));
                    int off = Math.toIntExact(b.offsets().get(j));
                    g.copyFrom(Tensor.of(Arrays.copyOfRange(mean, off, off + Math.toIntExact(g.numel())), g.shape()).to(g.device()));
                }
            }
        }
    }

    @Override
    public void broadcast(Tensor t, int root) {
        if (root < 0 || root >= world) throw new IllegalArgumentException("broadcast root " + root + " outside [0, " + world + ")");
        if (world == 1) return;
        byte[] mine = rank == root ? HostBytes.of(t) : new byte[0];
        byte[] result = exchange(new Header(OP_BROADCAST, t.dtype(), t.numel(), root), mine, (hdr, parts) -> parts[root]);
        if (rank != root) HostBytes.copyInto(t, result);
    }

    @Override
    public void allGather(Tensor in, Tensor out) {
        if (out.numel() != in.numel() * world) {
            throw new IllegalArgumentException("allGather output has " + out.numel() + " elements, needs " + in.numel() * world);
        }
        if (in.dtype() != out.dtype()) throw new IllegalArgumentException("allGather dtypes differ: " + in.dtype() + " and " + out.dtype());
        if (world == 1) {
            out.copyFrom(in.reshape(out.shape()));
            return;
        }
        byte[] all = exchange(new Header(OP_GATHER, in.dtype(), in.numel(), 0), HostBytes.of(in), (hdr, parts) -> {
            int n = parts[0].length;
            byte[] cat = new byte[n * world];
            for (int r = 0; r < world; r++) System.arraycopy(parts[r], 0, cat, r * n, n);
            return cat;
        });
        HostBytes.copyInto(out, all);
    }

    @Override
    public void barrier() {
        if (world == 1) return;
        exchange(new Header(OP_BARRIER, DType.U8, 0, 0), new byte[0], (hdr, parts) -> new byte[0]);
    }

    private byte[] reduce(int op, DType dtype, long numel, byte[] mine, boolean mean) {
        return exchange(new Header(op, dtype, numel, mean ? 1 : 0), mine, (hdr, parts) -> HostBytes.sum(dtype, parts, mean ? world : 1));
    }

    /** What a rank says it is calling: rank 0 refuses a rank that calls something else. */
    private record Header(int op, DType dtype, long numel, int arg) {
        String describe() {
            String name = switch (op) {
                case OP_REDUCE -> arg == 1 ? "all-reduce (mean)" : "all-reduce (sum)";
                case OP_BROADCAST -> "broadcast from rank " + arg;
                case OP_GATHER -> "all-gather";
                default -> "barrier";
            };
            return op == OP_BARRIER ? name : name + " of " + numel + " " + dtype + " values";
        }
    }

    @FunctionalInterface
    private interface Combine {
        byte[] apply(Header h, byte[][] parts);
    }

    /**
     * One collective: every rank sends (header, bytes) to rank 0; rank 0 checks the headers, combines the
     * parts in rank order and sends the result to every rank.
     */
    private synchronized byte[] exchange(Header h, byte[] mine, Combine combine) {
        if (failure != null) throw new IllegalStateException("the communicator of rank " + rank + " already failed: " + failure);
        if (closed) throw new IllegalStateException("the communicator of rank " + rank + " is closed");
        try {
            if (rank != 0) {
                links[0].send(DATA, frame(h, mine));
                return links[0].receive();
            }
            byte[][] parts = new byte[world][];
            parts[0] = mine;
            for (int r = 1; r < world; r++) {
                ByteBuffer in = ByteBuffer.wrap(links[r].receive());
                Header theirs = new Header(in.getInt(), DType.values()[in.getInt()], in.getLong(), in.getInt());
                if (!theirs.equals(h)) {
                    throw new IllegalStateException("rank " + r + " called " + theirs.describe() + " while rank 0 called " + h.describe()
                            + " (the ranks ran different code paths)");
                }
                parts[r] = new byte[in.remaining()];
                in.get(parts[r]);
            }
            byte[] result = combine.apply(h, parts);
            for (int r = 1; r < world; r++) links[r].send(DATA, result);
            return result;
        } catch (RuntimeException e) {
            fail(e.getMessage());
            throw e;
        }
    }

    private static byte[] frame(Header h, byte[] data) {
        return ByteBuffer.allocate(20 + data.length).putInt(h.op()).putInt(h.dtype().ordinal()).putLong(h.numel()).putInt(h.arg()).put(data).array();
    }

    /** Records the failure; rank 0 tells every other rank (best effort) so that none waits for it. */
    private void fail(String message) {
        if (failure != null) return;
        failure = message;
        if (rank == 0) {
            byte[] msg = message.getBytes(StandardCharsets.UTF_8);
            for (int r = 1; r < world; r++) links[r].trySend(ABORT, msg);
        }
    }

    private void beat() {
        long every = options.heartbeat().toNanos();
        while (!closed) {
            try {
                Thread.sleep(Math.max(1, every / 1_000_000 / 2));
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Link l : links) if (l != null && now - l.lastSend >= every) l.trySend(HEARTBEAT, new byte[0]);
        }
    }

    /** Tests: this rank goes silent (no more heartbeats) while its sockets stay open, as a frozen process does. */
    void stopHeartbeatsForTest() { heartbeats.interrupt(); }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        heartbeats.interrupt();
        for (Link l : links) if (l != null) l.close();
    }

    /** One connection: framed messages (type, length, bytes), writes serialised with the heartbeat thread. */
    private static final class Link {
        final int self;
        final int peer;
        final Duration peerTimeout;
        final Socket socket;
        final DataInputStream in;
        final DataOutputStream out;
        volatile long lastSend = System.nanoTime();

        Link(int self, int peer, Socket socket, Duration peerTimeout) throws IOException {
            this.self = self;
            this.peer = peer;
            this.peerTimeout = peerTimeout;
            this.socket = socket;
            this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
            this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
        }

        void send(int type, byte[] data) {
            try {
                write(type, data);
            } catch (IOException e) {
                throw lost(e);
            }
        }

        void trySend(int type, byte[] data) {
            try {
                write(type, data);
            } catch (IOException ignored) {
                // the peer is gone; its reader reports it
            }
        }

        private void write(int type, byte[] data) throws IOException {
            synchronized (out) {
                out.writeInt(type);
                out.writeInt(data.length);
                out.write(data);
                out.flush();
                lastSend = System.nanoTime();
            }
        }

        /** The next data frame; heartbeats are skipped, an abort or a silence past the timeout fails. */
        byte[] receive() {
            try {
                while (true) {
                    int type = in.readInt(), n = in.readInt();
                    if (n < 0) throw new IOException("malformed frame of " + n + " bytes");
                    byte[] data = in.readNBytes(n);
                    if (data.length != n) throw new EOFException("connection closed in the middle of a message");
                    if (type == HEARTBEAT) continue;
                    if (type == ABORT) {
                        throw new IllegalStateException(new String(data, StandardCharsets.UTF_8) + " (reported by rank 0 to rank " + self + ")");
                    }
                    return data;
                }
            } catch (SocketTimeoutException e) {
                throw new IllegalStateException("rank " + self + " lost rank " + peer + ": nothing received from it, not even a heartbeat, for "
                        + TcpRendezvous.secs(peerTimeout) + " (frozen process or lost connection)", e);
            } catch (IOException e) {
                throw lost(e);
            }
        }

        private IllegalStateException lost(IOException e) {
            return new IllegalStateException("rank " + self + " lost rank " + peer + ": its connection closed during a collective ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + "); did rank " + peer + " exit or crash?", e);
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    /** Tensor contents as little-endian host bytes, and the sums rank 0 takes over them. */
    static final class HostBytes {
        private HostBytes() {}

        static byte[] of(Tensor t) {
            try (Scope s = Scope.open("tcp-bytes"); Grad.Mode ng = Grad.noGrad()) {
                Tensor c = t.device().isCpu() ? t.detach() : t.detach().to(Device.CPU);
                return switch (t.dtype()) {
                    case F32 -> floats(c.toFloatArray());
                    case F64 -> {
                        double[] a = c.toDoubleArray();
                        ByteBuffer b = ByteBuffer.allocate(a.length * 8).order(ByteOrder.LITTLE_ENDIAN);
                        b.asDoubleBuffer().put(a);
                        yield b.array();
                    }
                    case I64, I32 -> {
                        long[] a = c.toLongArray();
                        ByteBuffer b = ByteBuffer.allocate(a.length * 8).order(ByteOrder.LITTLE_ENDIAN);
                        b.asLongBuffer().put(a);
                        yield b.array();
                    }
                    default -> throw new IllegalArgumentException("the CPU communicator does not carry " + t.dtype() + " tensors (F32, F64, I32, I64)");
                };
            }
        }

        static byte[] floats(float[] a) {
            ByteBuffer b = ByteBuffer.allocate(a.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(a);
            return b.array();
        }

        static float[] toFloats(byte[] bytes) {
            float[] a = new float[bytes.length / 4];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(a);
            return a;
        }

        static void copyInto(Tensor t, byte[] bytes) {
            try (Scope s = Scope.open("tcp-bytes"); Grad.Mode ng = Grad.noGrad()) {
                ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
                int[] shape = t.shape();
                Tensor src = switch (t.dtype()) {
                    case F32 -> Tensor.of(toFloats(bytes), shape);
                    case F64 -> {
                        double[] a = new double[bytes.length / 8];
                        b.asDoubleBuffer().get(a);
                        yield Tensor.of(a, shape);
                    }
                    case I64, I32 -> {
                        long[] a = new long[bytes.length / 8];
                        b.asLongBuffer().get(a);
                        Tensor l = Tensor.ofLongs(a, shape);
                        yield t.dtype() == DType.I64 ? l : l.to(DType.I32);
                    }
                    default -> throw new IllegalArgumentException("the CPU communicator does not carry " + t.dtype() + " tensors");
                };
                t.copyFrom(t.device().isCpu() ? src : src.to(t.device()));
            }
        }

        /** parts[0] + parts[1] + ... in that order, element by element; then × 1/divisor (floating types) or ÷ divisor. */
        static byte[] sum(DType dtype, byte[][] parts, int divisor) {
            int n = parts[0].length;
            for (byte[] p : parts) if (p.length != n) throw new IllegalStateException("ranks sent " + p.length + " and " + n + " bytes to one all-reduce");
            ByteBuffer out = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
            switch (dtype) {
                case F32 -> {
                    float[] acc = toFloats(parts[0]);
                    float[] x = new float[acc.length];
                    for (int r = 1; r < parts.length; r++) {
                        ByteBuffer.wrap(parts[r]).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(x);
                        for (int i = 0; i < acc.length; i++) acc[i] += x[i];
                    }
                    if (divisor != 1) {
                        float inv = 1.0f / divisor;
                        for (int i = 0; i < acc.length; i++) acc[i] *= inv;
                    }
                    out.asFloatBuffer().put(acc);
                }
                case F64 -> {
                    double[] acc = new double[n / 8], x = new double[n / 8];
                    ByteBuffer.wrap(parts[0]).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(acc);
                    for (int r = 1; r < parts.length; r++) {
                        ByteBuffer.wrap(parts[r]).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(x);
                        for (int i = 0; i < acc.length; i++) acc[i] += x[i];
                    }
                    if (divisor != 1) for (int i = 0; i < acc.length; i++) acc[i] /= divisor;
                    out.asDoubleBuffer().put(acc);
                }
                case I64, I32 -> {
                    long[] acc = new long[n / 8], x = new long[n / 8];
                    ByteBuffer.wrap(parts[0]).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(acc);
                    for (int r = 1; r < parts.length; r++) {
                        ByteBuffer.wrap(parts[r]).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(x);
                        for (int i = 0; i < acc.length; i++) acc[i] += x[i];
                    }
                    if (divisor != 1) for (int i = 0; i < acc.length; i++) acc[i] /= divisor;
                    out.asLongBuffer().put(acc);
                }
                default -> throw new IllegalArgumentException("the CPU communicator cannot sum " + dtype);
            }
            return out.array();
        }
    }
}
