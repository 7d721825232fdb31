package org.vfmtok.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Output base names for input files written into one folder: the input's name without its extension, made
 * unique in input order so that two inputs of the same name (a/x.png, b/x.png) never overwrite each
 * other's output: the first keeps {@code x}, the next gets {@code x-1}, then {@code x-2}, ... Names are
 * compared case-insensitively (a case-insensitive file system would merge X and x) and together with
 * every suffix the command appends ({@code x.input} taken by x's centre crop is not free for x.input.jpg).
 */
final class OutputNames {
    private OutputNames() {}

    static List<String> unique(List<Path> inputs, List<String> suffixes) {
        Set<String> taken = new HashSet<>();
        List<String> out = new ArrayList<>(inputs.size());
        for (Path p : inputs) {
            String stem = p.getFileName().toString().replaceFirst("(?<=.)\\.[^.]+$", "");
            String name = stem;
            for (int k = 1; !free(name, suffixes, taken); k++) name = stem + "-" + k;
            for (String s : suffixes) taken.add((name + s).toLowerCase(Locale.ROOT));
            out.add(name);
        }
        return out;
    }

    private static boolean free(String name, List<String> suffixes, Set<String> taken) {
        for (String s : suffixes) if (taken.contains((name + s).toLowerCase(Locale.ROOT))) return false;
        return true;
    }
}
