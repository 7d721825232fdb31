/**
 * Benchmarks: JMH kernel benchmarks and end-to-end runs against OpenBLAS and PyTorch ({@code ./vfm bench}).
 * Not a library: it reads the CPU backend's internals (its thread gang, the heap meter), which
 * {@code org.vfmtok.tensor} opens to this module alone.
 */
module org.vfmtok.bench {
    requires transitive org.vfmtok.llama;
    requires jmh.core;
    requires java.management;
    requires jdk.management;

    exports org.vfmtok.bench;
    exports org.vfmtok.bench.kernels;
    // JMH instantiates the benchmark states and generated classes reflectively.
    opens org.vfmtok.bench to jmh.core;
    opens org.vfmtok.bench.kernels to jmh.core;
}
