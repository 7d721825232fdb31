package org.vfmtok.cuda;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where a CUDA library (or its headers) may live, in the order they are tried:
 * <ol>
 *   <li>the system property ({@code -Dvfmtok.cuda.cublas=/path/libcublas.so.13}, a file or a folder);</li>
 *   <li>the environment variable ({@code VFM_CUBLAS}, a file or a folder);</li>
 *   <li>the {@code nvidia/*} folders of Python installations (pip wheels: {@code nvidia/cu13/lib},
 *       {@code nvidia/cudnn/lib}, ...), found by globbing the usual site-packages locations without
 *       running Python: dist-packages under /usr, site-packages under ~/.local, pyenv, $VIRTUAL_ENV,
 *       $CONDA_PREFIX, /opt/conda, and the virtual environment of every python3 on $PATH;</li>
 *   <li>the CUDA toolkit: $CUDA_HOME, $CUDA_PATH, /usr/local/cuda, /usr/local/cuda-* (lib64, lib,
 *       targets/&lt;arch&gt;/lib);</li>
 *   <li>the system loader (LD_LIBRARY_PATH, the ldconfig cache) by file name.</li>
 * </ol>
 * Pure file-system logic over an {@link Env}, so tests can run it against a fake tree.
 */
public final class LibrarySearch {
    private LibrarySearch() {}

    /** What the search reads from the outside world. */
    public interface Env {
        String property(String key);

        String env(String key);

        /** The file-system root ("/" normally; a temp folder in tests). */
        Path root();

        static Env system() {
            return new Env() {
                @Override public String property(String key) { return System.getProperty(key); }
                @Override public String env(String key) { return System.getenv(key); }
                @Override public Path root() { return Path.of("/"); }
            };
        }
    }

    /** One place to try: a file, or (file == null) a name for the system loader. {@code where} explains it. */
    public record Candidate(String where, Path file, String loaderName) {
        public boolean isSystemLoader() { return file == null; }
    }

    /** Explicit overrides: property then environment variable; each may name a file or a folder. */
    static List<Candidate> overrides(String property, String envVar, List<String> fileNames, Env env) {
        List<Candidate> out = new ArrayList<>();
        String p = property == null ? null : env.property(property);
        if (p != null && !p.isBlank()) out.addAll(explicit("-D" + property + "=" + p, Path.of(p), fileNames));
        String e = envVar == null ? null : env.env(envVar);
        if (e != null && !e.isBlank()) out.addAll(explicit("$" + envVar + "=" + e, Path.of(e), fileNames));
        return out;
    }

    private static List<Candidate> explicit(String where, Path p, List<String> fileNames) {
        if (Files.isDirectory(p)) {
            List<Candidate> out = new ArrayList<>();
            for (String f : fileNames) out.add(new Candidate(where, p.resolve(f), null));
            return out;
        }
        return List.of(new Candidate(where, p, null));
    }

    /** Python site-packages folders that exist, in search order, without duplicates. */
    public static List<Path> pythonSites(Env env) {
        Set<Path> sites = new LinkedHashSet<>();
        Path root = env.root();
        sites.addAll(glob(root, "usr/lib/python3/dist-packages"));
        sites.addAll(glob(root, "usr/local/lib/python3.*/dist-packages"));
        sites.addAll(glob(root, "usr/local/lib/python3.*/site-packages"));
        sites.addAll(glob(root, "usr/lib/python3.*/site-packages"));
        String home = env.property("user.home");
        if (home != null) {
            Path h = rebase(root, home);
            sites.addAll(glob(h, ".local/lib/python3.*/site-packages"));
            sites.addAll(glob(h, ".pyenv/versions/*/lib/python3.*/site-packages"));
        }
        for (String var : new String[] {"VIRTUAL_ENV", "CONDA_PREFIX"}) {
            String v = env.env(var);
            if (v != null && !v.isBlank()) sites.addAll(glob(rebase(root, v), "lib/python3.*/site-packages"));
        }
        sites.addAll(glob(root, "opt/conda/lib/python3.*/site-packages"));
        String path = env.env("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                if (dir.isBlank()) continue;
                Path d = rebase(root, dir);
                if (Files.exists(d.resolve("python3")) || Files.exists(d.resolve("python"))) {
                    Path prefix = d.getParent();
                    if (prefix != null) sites.addAll(glob(prefix, "lib/python3.*/site-packages"));
                }
            }
        }
        return new ArrayList<>(sites);
    }

    /** CUDA toolkit roots that exist: $CUDA_HOME, $CUDA_PATH, /usr/local/cuda, /usr/local/cuda-*. */
    public static List<Path> toolkitRoots(Env env) {
        Set<Path> roots = new LinkedHashSet<>();
        for (String var : new String[] {"CUDA_HOME", "CUDA_PATH"}) {
            String v = env.env(var);
            if (v != null && !v.isBlank() && Files.isDirectory(rebase(env.root(), v))) roots.add(rebase(env.root(), v));
        }
        roots.addAll(glob(env.root(), "usr/local/cuda"));
        List<Path> versioned = glob(env.root(), "usr/local/cuda-*");
        versioned.sort((a, b) -> b.getFileName().toString().compareTo(a.getFileName().toString())); // newest first
        roots.addAll(versioned);
        return new ArrayList<>(roots);
    }

    /** Library folders inside a toolkit root. */
    static List<Path> toolkitLibDirs(Path root) {
        return List.of(root.resolve("lib64"), root.resolve("lib"), root.resolve("targets/x86_64-linux/lib"),
                root.resolve("targets/sbsa-linux/lib"));
    }

    /** Every candidate for a library, in order (see the class comment). */
    public static List<Candidate> candidates(NativeLibrary.Spec spec, Env env) {
        List<Candidate> out = new ArrayList<>(overrides(spec.property(), spec.envVar(), spec.fileNames(), env));
        if (!out.isEmpty()) return out; // an explicit choice is not second-guessed
        for (Path site : pythonSites(env)) {
            for (String sub : spec.pythonDirs()) {
                Path dir = site.resolve(sub);
                if (!Files.isDirectory(dir)) continue;
                for (String f : spec.fileNames()) out.add(new Candidate("python " + site, dir.resolve(f), null));
            }
        }
        if (spec.inToolkit()) {
            for (Path root : toolkitRoots(env)) {
                for (Path dir : toolkitLibDirs(root)) {
                    if (!Files.isDirectory(dir)) continue;
                    for (String f : spec.fileNames()) out.add(new Candidate("CUDA toolkit " + root, dir.resolve(f), null));
                }
            }
        }
        for (String f : spec.fileNames()) out.add(new Candidate("system loader", null, f));
        return out;
    }

    /** The places a header search looks, for the signature check: overrides, python include folders, toolkits, /usr/include. */
    public static List<Path> includeDirs(List<String> pythonIncludeDirs, Env env) {
        Set<Path> dirs = new LinkedHashSet<>();
        String p = env.property("vfmtok.cuda.include");
        if (p != null) for (String s : p.split(":")) if (!s.isBlank()) dirs.add(Path.of(s));
        String e = env.env("VFM_CUDA_INCLUDE");
        if (e != null) for (String s : e.split(":")) if (!s.isBlank()) dirs.add(Path.of(s));
        for (Path site : pythonSites(env)) {
            for (String sub : pythonIncludeDirs) {
                Path d = site.resolve(sub);
                if (Files.isDirectory(d)) dirs.add(d);
            }
        }
        for (Path root : toolkitRoots(env)) {
            for (Path d : List.of(root.resolve("include"), root.resolve("targets/x86_64-linux/include"))) {
                if (Files.isDirectory(d)) dirs.add(d);
            }
        }
        Path usr = env.root().resolve("usr/include");
        if (Files.isDirectory(usr)) dirs.add(usr);
        Path usrArch = env.root().resolve("usr/include/x86_64-linux-gnu");
        if (Files.isDirectory(usrArch)) dirs.add(usrArch);
        return new ArrayList<>(dirs);
    }

    /** An absolute path string re-rooted under {@code root} (identity when root is "/"). */
    static Path rebase(Path root, String absolute) {
        String rel = absolute.startsWith("/") ? absolute.substring(1) : absolute;
        return rel.isEmpty() ? root : root.resolve(rel);
    }

    /** Expands a relative path whose segments may hold '*' wildcards; only existing paths come back, sorted. */
    static List<Path> glob(Path base, String pattern) {
        List<Path> current = new ArrayList<>(List.of(base));
        for (String seg : pattern.split("/")) {
            List<Path> next = new ArrayList<>();
            for (Path dir : current) {
                if (!seg.contains("*")) {
                    Path p = dir.resolve(seg);
                    if (Files.exists(p)) next.add(p);
                    continue;
                }
                if (!Files.isDirectory(dir)) continue;
                PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + seg);
                List<Path> found = new ArrayList<>();
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                    for (Path child : ds) if (m.matches(child.getFileName())) found.add(child);
                } catch (IOException | SecurityException ignored) {
                    // unreadable folder: nothing found there
                }
                found.sort(null);
                next.addAll(found);
            }
            current = next;
        }
        return current;
    }
}
