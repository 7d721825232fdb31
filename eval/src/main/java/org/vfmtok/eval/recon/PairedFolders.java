package org.vfmtok.eval.recon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.vfmtok.vfmtok.image.ImageFiles;

/**
 * Two folders of PNGs with the same names (references and their reconstructions), checked before any metric:
 * every reference has its reconstruction and the other way round, and each pair has one size.
 */
public final class PairedFolders {
    private final Path refDir, reconDir;
    private final List<String> names;

    private PairedFolders(Path refDir, Path reconDir, List<String> names) {
        this.refDir = refDir;
        this.reconDir = reconDir;
        this.names = names;
    }

    /** The PNG names (case-insensitive {@code .png}) both folders hold; a name in only one of them is an error naming it. */
    public static PairedFolders of(Path refDir, Path reconDir) throws IOException {
        TreeSet<String> ref = pngs(refDir), recon = pngs(reconDir);
        if (ref.isEmpty()) throw new IOException(refDir + ": no .png files");
        List<String> onlyRef = new ArrayList<>(ref), onlyRecon = new ArrayList<>(recon);
        onlyRef.removeAll(recon);
        onlyRecon.removeAll(ref);
        if (!onlyRef.isEmpty()) {
            throw new IOException(onlyRef.size() + " of " + ref.size() + " references have no reconstruction in " + reconDir + " (first: " + onlyRef.get(0) + ")");
        }
        if (!onlyRecon.isEmpty()) {
            throw new IOException(onlyRecon.size() + " reconstructions in " + reconDir + " have no reference in " + refDir + " (first: " + onlyRecon.get(0) + ")");
        }
        return new PairedFolders(refDir, reconDir, List.copyOf(ref));
    }

    private static TreeSet<String> pngs(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": not a folder");
        try (Stream<Path> s = Files.list(dir)) {
            TreeSet<String> out = new TreeSet<>();
            s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).filter(n -> n.toLowerCase(Locale.ROOT).endsWith(".png")).forEach(out::add);
            return out;
        }
    }

    public List<String> names() { return names; }

    public Path reference(int i) { return refDir.resolve(names.get(i)); }

    public Path reconstruction(int i) { return reconDir.resolve(names.get(i)); }

    /** Pair i as two images of one size; different sizes are an error naming both files. */
    public RgbImage[] read(int i) throws IOException {
        RgbImage a = RgbImage.of(ImageFiles.read(reference(i))), b = RgbImage.of(ImageFiles.read(reconstruction(i)));
        if (a.height() != b.height() || a.width() != b.width()) {
            throw new IOException(reconstruction(i) + " is " + b.width() + "x" + b.height() + ", its reference " + reference(i) + " is " + a.width() + "x" + a.height());
        }
        return new RgbImage[] {a, b};
    }

    /** PSNR and SSIM over every pair. */
    public ReconstructionMetrics measure() throws IOException {
        ReconstructionMetrics m = new ReconstructionMetrics();
        for (int i = 0; i < names.size(); i++) {
            RgbImage[] p = read(i);
            m.add(p[0], p[1]);
        }
        return m;
    }
}
