/**
 * The command line behind {@code ./vfm} and the end-to-end demo. Terminal-only dependencies (picocli, the
 * progress bar and its terminal library) stay in this module, so a library user of {@code org.vfmtok.llama}
 * or {@code org.vfmtok.vfmtok} never gets them.
 */
module org.vfmtok.cli {
    requires org.vfmtok.bench;
    requires org.vfmtok.llama;
    requires org.vfmtok.serve;
    requires org.vfmtok.eval;
    requires info.picocli;
    requires me.tongfei.progressbar;
    requires java.management;

    exports org.vfmtok.cli;
    exports org.vfmtok.demo;
    // picocli sets the annotated option fields reflectively.
    opens org.vfmtok.cli to info.picocli;

    provides org.vfmtok.nn.train.TrainingProgress.Factory with org.vfmtok.cli.TrainingProgressBar.Factory;
}
