package org.vfmtok.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The search order over a fake file-system tree; nothing is loaded. */
class LibrarySearchTest {
    @TempDir Path root;

    private final Map<String, String> props = new HashMap<>();
    private final Map<String, String> envs = new HashMap<>();

    private LibrarySearch.Env env() {
        return new LibrarySearch.Env() {
            @Override public String property(String key) { return props.get(key); }
            @Override public String env(String key) { return envs.get(key); }
            @Override public Path root() { return root; }
        };
    }

    private Path touch(String rel) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "");
        return p;
    }

    private static final NativeLibrary.Spec CUBLAS = CudaLibraries.CUBLAS.spec();

    @Test
    void pythonSitesThenToolkitThenSystemLoader() throws IOException {
        Path dist = touch("usr/lib/python3/dist-packages/nvidia/cu13/lib/libcublas.so.13");
        Path local = touch("usr/local/lib/python3.12/dist-packages/nvidia/cublas/lib/libcublas.so.12");
        props.put("user.home", "/home/u");
        Path user = touch("home/u/.local/lib/python3.11/site-packages/nvidia/cu13/lib/libcublas.so.13");
        Path pyenv = touch("home/u/.pyenv/versions/3.12.1/lib/python3.12/site-packages/nvidia/cu13/lib/libcublas.so.13");
        touch("opt/torch/.venv/bin/python3");
        Path venv = touch("opt/torch/.venv/lib/python3.12/site-packages/nvidia/cu13/lib/libcublas.so.13");
        envs.put("PATH", "/usr/bin:/opt/torch/.venv/bin");
        Path tk = touch("usr/local/cuda-13.0/lib64/libcublas.so.13");
        Files.createDirectories(root.resolve("usr/local/cuda-12.4/lib64"));

        List<LibrarySearch.Candidate> c = LibrarySearch.candidates(CUBLAS, env());
        List<Path> files = c.stream().filter(x -> !x.isSystemLoader()).map(LibrarySearch.Candidate::file).toList();
        // existing files appear in the documented order
        List<Path> existing = files.stream().filter(Files::exists).toList();
        assertEquals(List.of(dist, local, user, pyenv, venv, tk), existing);
        // the system loader comes last, once per file name
        List<String> loader = c.stream().filter(LibrarySearch.Candidate::isSystemLoader).map(LibrarySearch.Candidate::loaderName).toList();
        assertEquals(CUBLAS.fileNames(), loader);
        assertTrue(c.getLast().isSystemLoader());
        // newest toolkit first
        List<Path> roots = LibrarySearch.toolkitRoots(env());
        assertEquals(List.of(root.resolve("usr/local/cuda-13.0"), root.resolve("usr/local/cuda-12.4")), roots);
    }

    @Test
    void propertyThenEnvironmentAreExplicit() throws IOException {
        Path p = touch("x/libcublas.so.13");
        Path dir = root.resolve("y");
        Files.createDirectories(dir);
        touch("usr/lib/python3/dist-packages/nvidia/cu13/lib/libcublas.so.13");
        props.put("vfmtok.cuda.cublas", p.toString());
        envs.put("VFM_CUBLAS", dir.toString());
        List<LibrarySearch.Candidate> c = LibrarySearch.candidates(CUBLAS, env());
        assertEquals(p, c.getFirst().file());
        assertTrue(c.getFirst().where().startsWith("-Dvfmtok.cuda.cublas="));
        // a folder override expands to every file name; nothing else is searched once an override is given
        assertEquals(1 + CUBLAS.fileNames().size(), c.size());
        assertEquals(dir.resolve("libcublas.so.13"), c.get(1).file());
        assertTrue(c.stream().noneMatch(LibrarySearch.Candidate::isSystemLoader));
    }

    @Test
    void condaVirtualEnvAndCudaHome() throws IOException {
        envs.put("VIRTUAL_ENV", "/venvs/a");
        envs.put("CONDA_PREFIX", "/conda");
        envs.put("CUDA_HOME", "/toolkits/cuda");
        Path a = touch("venvs/a/lib/python3.13/site-packages/nvidia/nccl/lib/libnccl.so.2");
        Path b = touch("conda/lib/python3.10/site-packages/nvidia/nccl/lib/libnccl.so.2");
        Path t = touch("toolkits/cuda/lib64/libnccl.so.2");
        List<Path> existing = LibrarySearch.candidates(CudaLibraries.NCCL.spec(), env()).stream()
                .filter(x -> !x.isSystemLoader()).map(LibrarySearch.Candidate::file).filter(Files::exists).toList();
        assertEquals(List.of(a, b, t), existing);
    }

    @Test
    void driverIsNotLookedForInToolkitsOrWheels() throws IOException {
        touch("usr/local/cuda-13.0/lib64/libcuda.so.1");
        touch("usr/lib/python3/dist-packages/nvidia/cu13/lib/libcuda.so.1");
        List<LibrarySearch.Candidate> c = LibrarySearch.candidates(CudaLibraries.DRIVER.spec(), env());
        assertTrue(c.stream().allMatch(LibrarySearch.Candidate::isSystemLoader), c.toString());
    }

    @Test
    void includeDirsFollowTheSameOrder() throws IOException {
        touch("usr/lib/python3/dist-packages/nvidia/cudnn/include/cudnn.h");
        touch("usr/local/cuda-13.0/include/cuda.h");
        props.put("vfmtok.cuda.include", "/first");
        List<Path> dirs = LibrarySearch.includeDirs(List.of("nvidia/cudnn/include"), env());
        assertEquals(Path.of("/first"), dirs.getFirst());
        assertEquals(root.resolve("usr/lib/python3/dist-packages/nvidia/cudnn/include"), dirs.get(1));
        assertEquals(root.resolve("usr/local/cuda-13.0/include"), dirs.get(2));
    }

    @Test
    void globMatchesOnlyExistingPaths() throws IOException {
        touch("a/python3.11/x");
        touch("a/python3.12/x");
        touch("a/other/x");
        assertEquals(List.of(root.resolve("a/python3.11/x"), root.resolve("a/python3.12/x")), LibrarySearch.glob(root, "a/python3.*/x"));
        assertEquals(List.of(), LibrarySearch.glob(root, "missing/*/x"));
    }
}
