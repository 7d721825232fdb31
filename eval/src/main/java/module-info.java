/** Evaluation: the FID Inception-v3 and the generation metrics of the ADM evaluator (FID, sFID, IS, precision/recall). */
module org.vfmtok.eval {
    requires transitive org.vfmtok.nn;
    requires transitive org.vfmtok.vfmtok;
    requires org.vfmtok.llama;
    // EJML has no Automatic-Module-Name: these are the names derived from its jar files.
    requires ejml.core;
    requires ejml.ddense;

    exports org.vfmtok.eval.gen;
    exports org.vfmtok.eval.inception;
    exports org.vfmtok.eval.recon;
    exports org.vfmtok.eval.probe;
}
