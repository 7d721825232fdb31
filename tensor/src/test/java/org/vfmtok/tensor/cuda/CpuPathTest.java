package org.vfmtok.tensor.cuda;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Device;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Storage;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Attention;
import org.vfmtok.tensor.ops.DeformableAttention;
import org.vfmtok.tensor.ops.Indexing;
import org.vfmtok.tensor.ops.Losses;
import org.vfmtok.tensor.ops.MatMul;
import org.vfmtok.tensor.ops.Norms;
import org.vfmtok.tensor.ops.Pointwise;

/**
 * What the CUDA backend promises machines without a GPU: the CPU path never loads anything CUDA,
 * asking for a CUDA device fails with the reason, and mixing devices in an op is an error naming them.
 */
class CpuPathTest {
    /** A tensor that claims to live on cuda:0 but is host memory: enough for the op layer's checks. */
    private static Tensor fakeCuda(int... shape) {
        long n = 1;
        for (int s : shape) n *= s;
        MemorySegment seg = MemorySegment.ofArray(new float[(int) n]);
        return new Tensor(Storage.borrow(seg, Device.cuda(0)), DType.F32, shape, org.vfmtok.tensor.Shapes.contiguousStrides(shape), 0);
    }

    @Test
    void mixingDevicesIsAnErrorThatNamesThem() {
        Tensor cpu = Tensor.ones(2, 3);
        Tensor gpu = fakeCuda(2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pointwise.add(cpu, gpu));
        assertEquals("ADD: tensors on different devices (operand 0 on cpu, operand 1 on cuda:0); move them to one device with to(Device)", e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MatMul.matmul(cpu, fakeCuda(3, 2))).getMessage().contains("operand 1 on cuda:0"));
    }

    @Test
    void everyMultiOperandOpChecksDevices() {
        Tensor q = Tensor.ones(1, 1, 2, 4);
        String m = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProductAttention(q, fakeCuda(1, 1, 2, 4), q, null, false))
                .getMessage();
        assertTrue(m.contains("different devices"), m);
        Tensor cond = Pointwise.compare(org.vfmtok.tensor.backend.PointwiseKernels.BinaryOp.GT, Tensor.ones(2), Tensor.zeros(2));
        m = assertThrows(IllegalArgumentException.class, () -> Pointwise.where(cond, fakeCuda(2), fakeCuda(2))).getMessage();
        assertTrue(m.contains("operand 0 on cpu, operand 1 on cuda:0, operand 2 on cuda:0"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Indexing.indexSelect(fakeCuda(4, 2), 0, Tensor.ofInts(new int[] {1, 2}, 2)))
                .getMessage();
        assertTrue(m.contains("indexSelect: tensors on different devices"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropyRows(fakeCuda(2, 3), Tensor.ofInts(new int[] {0, 1}, 2), -100, 0))
                .getMessage();
        assertTrue(m.contains("cross entropy: tensors on different devices"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Norms.layerNorm(fakeCuda(2, 3), Tensor.ones(3), null, 1e-5)).getMessage();
        assertTrue(m.contains("cuda:0") && m.contains("cpu"), m);
        m = assertThrows(IllegalArgumentException.class, () -> DeformableAttention.msDeformAttn(fakeCuda(1, 4, 1, 2), new int[][] {{2, 2}},
                Tensor.zeros(1, 1, 1, 1, 1, 2), Tensor.zeros(1, 1, 1, 1, 1))).getMessage();
        assertTrue(m.contains("msDeformAttn: tensors on different devices"), m);
    }

    @Test
    void askingForAGpuWithoutOneSaysWhy() {
        assumeTrue(Cuda.deviceCount() == 0, "this machine has a GPU");
        String status = Cuda.status();
        assertTrue(status.startsWith("unavailable: "), status);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Tensor.empty(DType.F32, Device.cuda(0), 2));
        assertTrue(e.getMessage().startsWith("no backend for cuda:0: CUDA is unavailable: "), e.getMessage());
        assertThrows(IllegalStateException.class, () -> Tensor.ones(2).to(Device.cuda(0)));
    }

    /** A fresh JVM runs CPU work and must not load one class of the CUDA bindings or backend. */
    @Test
    void theCpuPathLoadsNoCudaClass() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Xlog:class+load=info", "-cp", System.getProperty("java.class.path"), CpuProbe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out.lines().filter(l -> !l.contains("class,load")).toList().toString());
        assertTrue(out.contains("probe ok"), "the probe did not run");
        List<String> cuda = out.lines().filter(l -> l.contains("org.vfmtok.cuda.") || l.contains("org.vfmtok.tensor.cuda."))
                .filter(l -> !l.contains("CpuPathTest")).toList();
        assertEquals(List.of(), cuda);
    }

    /** CPU work touching every op family; run in a child JVM by the test above. */
    public static final class CpuProbe {
        public static void main(String[] args) {
            try (Scope s = Scope.open()) {
                Tensor x = Tensor.arange(12).view(3, 4).requiresGrad(true);
                Tensor y = MatMul.matmul(x, x.mT());
                Tensor z = Norms.layerNorm(Pointwise.gelu(y), null, null, 1e-5);
                Tensor l = org.vfmtok.tensor.ops.Reductions.softmax(z, -1).sum();
                l.backward();
                Tensor c = x.detach().to(Device.CPU).copy();
                if (x.grad() == null || c.numel() != 12) throw new AssertionError();
            }
            System.out.println("probe ok");
        }
    }
}
