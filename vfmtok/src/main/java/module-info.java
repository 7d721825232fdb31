/** The VFMTok image tokenizer: model, vision foundation model, image files, data and training. */
module org.vfmtok.vfmtok {
    requires transitive org.vfmtok.nn;
    // BufferedImage and ImageIO are in the public API (image files, data sources).
    requires transitive java.desktop;
    // the official tokenizer configs (OmegaConf YAML)
    requires org.snakeyaml.engine;

    exports org.vfmtok.vfmtok;
    exports org.vfmtok.vfmtok.data;
    exports org.vfmtok.vfmtok.image;
    exports org.vfmtok.vfmtok.model;
    exports org.vfmtok.vfmtok.train;
    exports org.vfmtok.vfmtok.vfm;
}
