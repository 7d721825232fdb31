package org.vfmtok.nn.dist;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.Device;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.cuda.Cuda;

/**
 * NCCL collectives on real GPUs (tag "gpu"): one rank per GPU, ranks as threads of this JVM (NCCL allows
 * that with one device per rank), rendezvous over 127.0.0.1. With one GPU the world has one rank, which
 * still runs every NCCL call (unique id, init, all-reduce, broadcast, all-gather, buckets, destroy).
 */
@Tag("gpu")
class NcclCommunicatorGpuTest {
    private static int gpus() {
        int n = Cuda.deviceCount();
        assumeTrue(n > 0, () -> "no CUDA device: " + Cuda.status());
        assumeTrue(org.vfmtok.cuda.Nccl.LIB.isAvailable(), () -> "NCCL not found: " + org.vfmtok.cuda.Nccl.LIB.failure());
        return n;
    }

    @Test
    void collectivesOnEveryGpu() throws Exception {
        int world = Math.min(gpus(), 4);
        int port = TcpRendezvousTest.freePort();
        ExecutorService pool = Executors.newFixedThreadPool(world);
        try {
            List<Future<Void>> fs = new ArrayList<>();
            for (int r = 0; r < world; r++) {
                int rank = r;
                fs.add(pool.submit(() -> {
                    runRank(new DistEnv(rank, world, rank, "127.0.0.1", port));
                    return null;
                }));
            }
            for (Future<Void> f : fs) f.get(120, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void runRank(DistEnv env) {
        Device dev = Device.cuda(env.localRank());
        int w = env.worldSize(), r = env.rank();
        try (NcclCommunicator c = NcclCommunicator.create(env, Duration.ofSeconds(60)); Scope s = Scope.open()) {
            // all-reduce sum and mean: rank r contributes r + 1
            Tensor t = Tensor.full(org.vfmtok.tensor.DType.F32, dev, r + 1, 3, 5);
            c.allReduceSum(t);
            assertArrayEquals(filled(15, w * (w + 1) / 2f), t.toFloatArray(), 0f);
            Tensor m = Tensor.full(org.vfmtok.tensor.DType.F32, dev, r + 1, 7);
            c.allReduceMean(m);
            assertArrayEquals(filled(7, (w + 1) / 2f), m.toFloatArray(), 1e-6f);
            // buckets: many small gradients and one large, mixed with a non-contiguous one
            List<Tensor> grads = new ArrayList<>();
            for (int i = 0; i < 50; i++) grads.add(Tensor.full(org.vfmtok.tensor.DType.F32, dev, (r + 1) * (i + 1), 1 + i % 7));
            grads.add(Tensor.full(org.vfmtok.tensor.DType.F32, dev, r, 8 << 20)); // 32 MiB: its own bucket
            c.allReduceMean(grads);
            for (int i = 0; i < 50; i++) assertEquals((w + 1) / 2f * (i + 1), grads.get(i).toFloatArray()[0], 1e-4f, "grad " + i);
            assertEquals((w - 1) / 2f, grads.get(50).toFloatArray()[(8 << 20) - 1], 1e-6f);
            // broadcast from the last rank, into a transposed view
            Tensor b = Tensor.full(org.vfmtok.tensor.DType.F32, dev, r, 4, 6).transpose(0, 1);
            c.broadcast(b, w - 1);
            assertArrayEquals(filled(24, w - 1), b.toFloatArray(), 0f);
            // all-gather: rank-major
            Tensor in = Tensor.full(org.vfmtok.tensor.DType.F32, dev, r, 3);
            Tensor out = Tensor.empty(org.vfmtok.tensor.DType.F32, dev, w, 3);
            c.allGather(in, out);
            float[] got = out.toFloatArray();
            for (int q = 0; q < w; q++) for (int j = 0; j < 3; j++) assertEquals(q, got[q * 3 + j], 0f);
            c.barrier();
            String m2 = assertThrows(IllegalArgumentException.class, () -> c.allReduceSum(Tensor.ones(2))).getMessage();
            assertTrue(m2.contains("is on cpu, this rank's GPU is cuda:" + env.localRank()), m2);
        }
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
