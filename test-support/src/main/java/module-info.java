/** Test helpers: gradient checks and fast-backend-versus-scalar-oracle comparisons. Test scope only. */
module org.vfmtok.tensor.testing {
    requires transitive org.vfmtok.tensor;
    requires org.junit.jupiter.api;

    exports org.vfmtok.tensor.testing;
}
