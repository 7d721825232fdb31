package org.vfmtok.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.vfmtok.eval.gen.FrechetDistance;
import org.vfmtok.eval.inception.FidInceptionV3;
import org.vfmtok.eval.inception.ResizeMode;
import org.vfmtok.eval.recon.InceptionStatistics;
import org.vfmtok.eval.recon.RgbImage;
import org.vfmtok.tensor.io.FileKinds;
import picocli.CommandLine.Option;

/** The rFID options of eval-recon and eval-tok: the FID Inception weights, its input resize, its batch. */
final class RfidOptions {
    @Option(names = "--inception", paramLabel = "W",
            description = "FID Inception-v3 weights (pytorch-fid's pt_inception-2015-12-05-6726825d.pth): also compute rFID between the references and the reconstructions.")
    Path inception;

    @Option(names = "--resize", defaultValue = "tf1", paramLabel = "tf1|torch",
            description = "Inception input resize: tf1 (ADM's evaluator) or torch (pytorch-fid) (default ${DEFAULT-VALUE}).")
    String resize;

    @Option(names = "--inception-batch", defaultValue = "50", paramLabel = "N", description = "Images per Inception forward pass (default ${DEFAULT-VALUE}).")
    int inceptionBatch;

    boolean enabled() { return inception != null; }

    /** The two sides of an rFID: references and reconstructions, each through the network. */
    final class Pair implements AutoCloseable {
        private final FidInceptionV3 net;
        final InceptionStatistics refs, recons;

        private Pair(FidInceptionV3 net, ResizeMode mode) {
            this.net = net;
            refs = new InceptionStatistics(net, mode, inceptionBatch);
            recons = new InceptionStatistics(net, mode, inceptionBatch);
        }

        void add(RgbImage ref, RgbImage recon) {
            refs.add(ref);
            recons.add(recon);
        }

        /** FID between the two sets' pool3 statistics (at least two images each). */
        double fid() {
            if (refs.count() < 2) throw new IllegalArgumentException("rFID needs at least 2 images, got " + refs.count());
            return FrechetDistance.compute(refs.statistics(), recons.statistics());
        }

        @Override
        public void close() { net.close(); }
    }

    /** Null when --inception is not given; options checked before anything heavy is loaded. */
    Pair open() throws IOException {
        if (inception == null) return null;
        ResizeMode mode = ResizeMode.parse("--resize", resize);
        if (inceptionBatch < 1) throw new IllegalArgumentException("--inception-batch must be >= 1, got " + inceptionBatch);
        FileKinds.requireRegularFile(inception);
        return new Pair(FidInceptionV3.load(inception), mode);
    }
}
