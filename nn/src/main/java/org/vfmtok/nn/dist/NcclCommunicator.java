package org.vfmtok.nn.dist;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.vfmtok.cuda.CudaCheck;
import org.vfmtok.cuda.Nccl;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Device;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;
import org.vfmtok.tensor.cuda.Cuda;
import org.vfmtok.tensor.cuda.CudaBackend;
import org.vfmtok.tensor.cuda.CudaDevice;

/**
 * A {@link Communicator} over NCCL, one process per GPU (cuda:LOCAL_RANK). Rank 0 makes the NCCL unique
 * id, {@link TcpRendezvous} hands it to every rank, and each rank joins with ncclCommInitRank. Collectives
 * run on the device's compute stream, so they are ordered with the kernels before and after them; tensors
 * must live on this rank's GPU. {@link #allReduceMean(List)} packs gradients into buckets
 * ({@link GradientBuckets}, 25 MiB by default) and reduces each bucket with one call.
 */
public final class NcclCommunicator implements Communicator {
    public static final long DEFAULT_BUCKET_BYTES = 25L << 20;

    private final DistEnv env;
    private final CudaBackend backend;
    private final CudaDevice dev;
    private final MemorySegment comm;
    private final long bucketBytes;
    private boolean closed;

    private NcclCommunicator(DistEnv env, CudaBackend backend, MemorySegment comm, long bucketBytes) {
        this.env = env;
        this.backend = backend;
        this.dev = backend.device();
        this.comm = comm;
        this.bucketBytes = bucketBytes;
    }

    /** Joins the job described by {@code env} (see {@link DistEnv#fromEnvironment()}); blocks until every rank has. */
    public static NcclCommunicator create(DistEnv env, Duration timeout) {
        CudaBackend be = Cuda.backend(Device.cuda(env.localRank()));
        be.device().activate();
        byte[] id = TcpRendezvous.exchange(env, NcclCommunicator::uniqueId, timeout);
        if (id.length != Nccl.NCCL_UNIQUE_ID_BYTES) throw new IllegalStateException("NCCL unique id of " + id.length + " bytes");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment uid = a.allocate(Nccl.ncclUniqueId$LAYOUT);
            MemorySegment.copy(MemorySegment.ofArray(id), 0, uid, 0, id.length);
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            be.device().activate();
            CudaCheck.nccl(Nccl.ncclCommInitRank(out, env.worldSize(), uid, env.rank()),
                    "ncclCommInitRank(rank " + env.rank() + " of " + env.worldSize() + " on cuda:" + env.localRank() + ")");
            return new NcclCommunicator(env, be, out.get(ValueLayout.ADDRESS, 0), DEFAULT_BUCKET_BYTES);
        }
    }

    private static byte[] uniqueId() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment uid = a.allocate(Nccl.ncclUniqueId$LAYOUT);
            CudaCheck.nccl(Nccl.ncclGetUniqueId(uid), "ncclGetUniqueId");
            return uid.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    @Override public int rank() { return env.rank(); }

    @Override public int worldSize() { return env.worldSize(); }

    static int ncclType(DType t) {
        return switch (t) {
            case F32 -> Nccl.ncclFloat32;
            case F64 -> Nccl.ncclFloat64;
            case F16 -> Nccl.ncclFloat16;
            case BF16 -> Nccl.ncclBfloat16;
            case I32 -> Nccl.ncclInt32;
            case I64 -> Nccl.ncclInt64;
            case U8, BOOL -> Nccl.ncclUint8;
        };
    }

    private void check(String op, Tensor... ts) {
        if (closed) throw new IllegalStateException("NCCL communicator of rank " + env.rank() + " is closed");
        for (Tensor t : ts) {
            if (!t.device().equals(dev.device())) {
                throw new IllegalArgumentException("NCCL " + op + " on rank " + env.rank() + ": tensor " + t.dtype() + Arrays.toString(t.shape())
                        + " is on " + t.device() + ", this rank's GPU is " + dev.device());
            }
        }
    }

    private MemorySegment ptr(Tensor t) { return MemorySegment.ofAddress(CudaBackend.devicePointer(t)); }

    private MemorySegment stream() { return MemorySegment.ofAddress(dev.stream()); }

    private void status(int st, String what) {
        if (st == Nccl.ncclSuccess) return;
        String detail = CudaCheck.string(Nccl.ncclGetLastError(comm));
        try {
            CudaCheck.nccl(st, what + " on rank " + env.rank());
        } catch (RuntimeException e) {
            throw new IllegalStateException(e.getMessage() + (detail.isBlank() || detail.equals("(null)") ? "" : ": " + detail), e);
        }
    }

    /** Runs {@code body} on a contiguous version of t and copies back if t was not contiguous. */
    private void inPlace(Tensor t, java.util.function.Consumer<Tensor> body) {
        if (t.isContiguous()) {
            body.accept(t);
            return;
        }
        try (Scope s = Scope.open("nccl"); Grad.Mode ng = Grad.noGrad()) {
            Tensor c = t.detach().copy();
            body.accept(c);
            t.copyFrom(c);
        }
    }

    private void allReduce(Tensor t, int op) {
        check("all-reduce", t);
        dev.activate();
        inPlace(t, c -> status(Nccl.ncclAllReduce(ptr(c), ptr(c), c.numel(), ncclType(c.dtype()), op, comm, stream()), "ncclAllReduce"));
    }

    @Override public void allReduceSum(Tensor t) { allReduce(t, Nccl.ncclSum); }

    /** NCCL averages itself (ncclAvg): one collective, no extra scaling kernel. */
    @Override public void allReduceMean(Tensor t) { allReduce(t, Nccl.ncclAvg); }

    /** Gradient averaging in buckets: pack, one ncclAllReduce(avg) per bucket inside one group, unpack. */
    @Override
    public void allReduceMean(List<Tensor> grads) {
        if (grads.isEmpty()) return;
        check("all-reduce", grads.toArray(Tensor[]::new));
        dev.activate();
        try (Scope s = Scope.open("nccl-buckets"); Grad.Mode ng = Grad.noGrad()) {
            List<GradientBuckets.Bucket> plan = GradientBuckets.plan(grads, bucketBytes);
            List<Tensor> flats = new ArrayList<>();
            for (GradientBuckets.Bucket b : plan) {
                Tensor flat = Tensor.empty(b.dtype(), dev.device(), Math.toIntExact(b.numel()));
                for (int j = 0; j < b.tensors().size(); j++) {
                    Tensor g = grads.get(b.tensors().get(j));
                    flat.narrow(0, Math.toIntExact(b.offsets().get(j)), Math.toIntExact(g.numel())).copyFrom(g.detach().reshape(-1));
                }
                flats.add(flat);
            }
            status(Nccl.ncclGroupStart(), "ncclGroupStart");
            for (Tensor f : flats) {
                status(Nccl.ncclAllReduce(ptr(f), ptr(f), f.numel(), ncclType(f.dtype()), Nccl.ncclAvg, comm, stream()), "ncclAllReduce (bucket)");
            }
            status(Nccl.ncclGroupEnd(), "ncclGroupEnd");
            for (int i = 0; i < plan.size(); i++) {
                GradientBuckets.Bucket b = plan.get(i);
                for (int j = 0; j < b.tensors().size(); j++) {
                    Tensor g = grads.get(b.tensors().get(j));
                    g.copyFrom(flats.get(i).narrow(0, Math.toIntExact(b.offsets().get(j)), Math.toIntExact(g.numel())).view(g.shape()));
                }
            }
        }
    }

    @Override
    public void broadcast(Tensor t, int root) {
        if (root < 0 || root >= env.worldSize()) throw new IllegalArgumentException("broadcast root " + root + " outside [0, " + env.worldSize() + ")");
        check("broadcast", t);
        dev.activate();
        inPlace(t, c -> status(Nccl.ncclBroadcast(ptr(c), ptr(c), c.numel(), ncclType(c.dtype()), root, comm, stream()), "ncclBroadcast"));
    }

    @Override
    public void allGather(Tensor in, Tensor out) {
        check("all-gather", in, out);
        if (out.numel() != in.numel() * env.worldSize()) {
            throw new IllegalArgumentException("allGather output has " + out.numel() + " elements, needs " + in.numel() * env.worldSize());
        }
        if (in.dtype() != out.dtype()) throw new IllegalArgumentException("allGather dtypes differ: " + in.dtype() + " and " + out.dtype());
        dev.activate();
        try (Scope s = Scope.open("nccl"); Grad.Mode ng = Grad.noGrad()) {
            Tensor src = in.isContiguous() ? in : in.detach().copy();
            inPlace(out, o -> status(Nccl.ncclAllGather(ptr(src), ptr(o), src.numel(), ncclType(src.dtype()), comm, stream()), "ncclAllGather"));
        }
    }

    /** All ranks reach this point: a one-element all-reduce, then the stream drains. */
    @Override
    public void barrier() {
        try (Scope s = Scope.open("nccl-barrier")) {
            Tensor one = Tensor.full(DType.F32, dev.device(), 1.0, 1);
            allReduceSum(one);
            dev.synchronize();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        dev.activate();
        dev.synchronize();
        CudaCheck.nccl(Nccl.ncclCommDestroy(comm), "ncclCommDestroy on rank " + env.rank());
    }

    /** The CUDA backend of this rank's device (typed as the SPI: the CUDA package is not exported). */
    public org.vfmtok.tensor.backend.Backend backend() { return backend; }
}
