/** Modules, layers, initialisers, losses, optimisers, checkpoints (PyTorch and safetensors), training and distributed data parallelism. */
module org.vfmtok.nn {
    requires transitive org.vfmtok.tensor;
    requires org.vfmtok.cuda;
    uses org.vfmtok.nn.train.TrainingProgress.Factory;

    exports org.vfmtok.nn;
    exports org.vfmtok.nn.dist;
    exports org.vfmtok.nn.init;
    exports org.vfmtok.nn.io;
    exports org.vfmtok.nn.layers;
    exports org.vfmtok.nn.loss;
    exports org.vfmtok.nn.optim;
    exports org.vfmtok.nn.train;
}
