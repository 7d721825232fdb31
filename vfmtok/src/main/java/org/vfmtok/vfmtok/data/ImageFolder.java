package org.vfmtok.vfmtok.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.vfmtok.image.ImageFiles;
import org.vfmtok.vfmtok.image.PilResize;
import org.vfmtok.vfmtok.image.Rgb8;

/**
 * An image-folder dataset (torchvision's ImageFolder layout): one subfolder per class, classes sorted by
 * name, files found recursively and sorted, any extension ImageIO reads. Each sample is cropped the way ADM
 * (and so VFMTok) trains — {@link Crop#RANDOM}: short side resized to a random size in [S, ⌈1.25·S⌉], then a
 * random S×S crop — or {@link Crop#CENTER} (ADM's centre crop, for evaluation and code extraction).
 * Unreadable files raise IOException naming the file; {@link ImageStream} skips and counts them.
 */
public final class ImageFolder implements ImageSource {
    /** Extensions tried (the files are still decoded by content). */
    static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif", "webp", "tif", "tiff", "jfif");

    public enum Crop { RANDOM, CENTER }

    private final Path root;
    private final List<String> classes;
    private final List<Path> files;
    private final int[] labels;
    private final Crop crop;

    public ImageFolder(Path root, Crop crop) throws IOException {
        if (!Files.isDirectory(root)) throw new IOException(root + ": not a folder (expected one subfolder per class)");
        this.root = root;
        this.crop = crop;
        List<Path> dirs;
        try (Stream<Path> s = Files.list(root)) {
            dirs = s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
        if (dirs.isEmpty()) throw new IOException(root + ": no class subfolders");
        classes = new ArrayList<>();
        files = new ArrayList<>();
        List<Integer> lab = new ArrayList<>();
        for (Path d : dirs) {
            int c = classes.size();
            classes.add(d.getFileName().toString());
            try (Stream<Path> s = Files.walk(d)) {
                s.filter(Files::isRegularFile).filter(ImageFolder::looksLikeImage).sorted().forEach(p -> {
                    files.add(p);
                    lab.add(c);
                });
            }
        }
        if (files.isEmpty()) throw new IOException(root + ": no image files in " + classes.size() + " class folders");
        labels = lab.stream().mapToInt(Integer::intValue).toArray();
    }

    static boolean looksLikeImage(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return !n.startsWith(".") && dot > 0 && EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    @Override public int size() { return files.size(); }

    @Override public int label(int i) { return labels[i]; }

    @Override public List<String> classNames() { return classes; }

    public Path file(int i) { return files.get(i); }

    @Override public String describe() { return "image folder " + root + " (" + files.size() + " images, " + classes.size() + " classes, " + crop.name().toLowerCase(Locale.ROOT) + " crop)"; }

    @Override
    public float[] load(int i, int side, Rng rng) throws IOException {
        BufferedImage img = ImageFiles.read(files.get(i));
        try (Scope s = Scope.open("decode")) {
            return crop == Crop.CENTER ? ImageFiles.centerCrop(img, side).toFloatArray() : randomCrop(img, side, rng);
        } catch (RuntimeException e) {
            throw new IOException(files.get(i) + ": cannot crop: " + e.getMessage(), e);
        }
    }

    /**
     * ADM's {@code random_crop_arr} (min_crop_frac 0.8): short side → random size in [S, ⌈S/0.8⌉] (BOX
     * halving while at least twice that, then BICUBIC, with Pillow's arithmetic: {@link PilResize}), then a
     * random S×S window. Returns planar floats in [-1, 1].
     */
    static float[] randomCrop(BufferedImage img, int side, Rng rng) {
        int lo = side, hi = (int) Math.ceil(side / 0.8);
        int target = lo + rng.nextInt(hi - lo + 1);
        Rgb8 x = PilResize.admShortSide(ImageFiles.toRgb8(img), target);
        int top = rng.nextInt(x.height() - side + 1), left = rng.nextInt(x.width() - side + 1);
        return x.cropToUnitRange(left, top, side);
    }
}
