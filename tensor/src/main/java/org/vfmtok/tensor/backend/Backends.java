package org.vfmtok.tensor.backend;

import java.util.function.Supplier;
import org.vfmtok.tensor.Device;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.cpu.CpuBackend;
import org.vfmtok.tensor.scalar.ScalarBackend;

/**
 * Picks the backend for a device. The CPU backend is the Vector API one unless the system property
 * {@code vfmtok.backend=scalar} asks for the scalar reference; tests run code against the oracle with
 * {@link #using}. Device backends (CUDA) register themselves with {@link #register}.
 */
public final class Backends {
    private static final Backend SCALAR = new ScalarBackend();
    /** The module the Vector API backend needs; the JVM has it only with {@code --add-modules jdk.incubator.vector}. */
    public static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final ThreadLocal<Backend> OVERRIDE = new ThreadLocal<>();
    private static volatile java.util.function.Function<Device, Backend> deviceBackends = d -> null;
    private static volatile Transfer transfer = (src, dst) -> {
        throw new IllegalStateException("no backend can copy between " + src.device() + " and " + dst.device());
    };

    private Backends() {}

    /**
     * The CPU backend, made on first use so that the scalar path never loads a class of the incubating
     * Vector API (a JVM started without {@code --add-modules jdk.incubator.vector} can run it).
     */
    private static volatile Backend cpu;

    private static synchronized Backend makeCpu() {
        if (cpu != null) return cpu;
        if ("scalar".equals(System.getProperty("vfmtok.backend"))) return cpu = SCALAR;
        if (!vectorApiAvailable()) {
            // every call fails with this message (not a NoClassDefFoundError from a half-initialised class)
            throw new IllegalStateException("the CPU backend needs the incubating Vector API, which this JVM does not have: start it with --add-modules "
                    + VECTOR_MODULE + " (or use the slow reference backend with -Dvfmtok.backend=scalar)");
        }
        return cpu = new CpuBackend(SCALAR);
    }

    /** Whether this JVM can load the Vector API ({@value #VECTOR_MODULE} is in the boot layer or this class's layer). */
    public static boolean vectorApiAvailable() {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent()) return true;
        ModuleLayer own = Backends.class.getModule().getLayer();
        return own != null && own.findModule(VECTOR_MODULE).isPresent();
    }

    /** Copies between devices; installed by device backends. */
    @FunctionalInterface
    public interface Transfer {
        void copy(Tensor src, Tensor dst);
    }

    public static Backend forDevice(Device d) {
        if (d.isCpu()) {
            Backend o = OVERRIDE.get();
            return o != null ? o : cpu();
        }
        Backend b = deviceBackends.apply(d);
        // The CUDA backend loads on the first request for a CUDA device (never on the CPU path); it
        // registers itself, or fails with the reason CUDA is unavailable.
        if (b == null && d.kind() == Device.Kind.CUDA) b = org.vfmtok.tensor.cuda.Cuda.backend(d);
        if (b == null) throw new IllegalStateException("no backend for device " + d + " (is the CUDA backend on the class path and a GPU present?)");
        return b;
    }

    public static Backend cpu() {
        Backend b = cpu;
        return b != null ? b : makeCpu();
    }

    public static Backend scalar() { return SCALAR; }

    private static volatile Backend vectorized;

    /**
     * The vectorized CPU backend even when {@code vfmtok.backend=scalar} makes {@link #cpu()} the scalar one:
     * tests compare it with the oracle under either setting (a scalar-versus-scalar comparison could not fail).
     *
     * @throws IllegalStateException when this JVM lacks the Vector API
     */
    public static synchronized Backend vectorized() {
        if (vectorized != null) return vectorized;
        if (!"scalar".equals(System.getProperty("vfmtok.backend"))) return vectorized = cpu();
        if (!vectorApiAvailable()) {
            throw new IllegalStateException("the vectorized CPU backend needs the incubating Vector API, which this JVM does not have (--add-modules " + VECTOR_MODULE + ")");
        }
        return vectorized = new CpuBackend(SCALAR);
    }

    /** Runs {@code body} with {@code b} as this thread's CPU backend. */
    public static <T> T using(Backend b, Supplier<T> body) {
        Backend prev = OVERRIDE.get();
        OVERRIDE.set(b);
        try {
            return body.get();
        } finally {
            OVERRIDE.set(prev);
        }
    }

    public static void register(java.util.function.Function<Device, Backend> lookup, Transfer t) {
        deviceBackends = lookup;
        transfer = t;
    }

    public static void transfer(Tensor src, Tensor dst) { transfer.copy(src, dst); }

    /**
     * Opt-in, for hosts that decode with the CPU backend: installs a HotSpot compiler directive that makes C2
     * inline the vector helpers of the decode-step kernels, so that their vectors stay in registers in every
     * warm-up order (without it, some runs leave heap garbage per token and run slower; results are the same).
     * It changes the JIT of the whole JVM for those methods only. Call it once, before the first decode; it is
     * idempotent. The same directive can be given at start-up instead: {@code -XX:+UnlockDiagnosticVMOptions
     * -XX:CompilerDirectivesFile=tools/jit/decode-directives.json} (what the {@code vfm} launcher does).
     *
     * @return "installed", or why not (a JVM without HotSpot's DiagnosticCommand MBean: nothing changes)
     */
    public static String installCompilerHints() {
        return org.vfmtok.tensor.cpu.JitHints.install();
    }
}
