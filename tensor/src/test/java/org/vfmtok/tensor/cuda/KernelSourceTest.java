package org.vfmtok.tensor.cuda;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.backend.PointwiseKernels;
import org.vfmtok.tensor.backend.ReduceKernels;

/**
 * The committed kernels agree with the Java side, checked without a GPU: every {@link KernelSpec}
 * against its PTX entry's parameters, every PTX entry launched by some spec, the op and dtype enums of
 * the .cu sources against the Java enums whose ordinals are passed, and the PTX built from the current
 * sources (tools/build-cuda-kernels.sh records a hash of them).
 */
class KernelSourceTest {
    /** The .cu sources: from the tensor module (Maven) or the repository root (tools/gpu-check.sh). */
    private static Path src() {
        for (Path p : List.of(Path.of("src/main/cuda"), Path.of("tensor/src/main/cuda"))) if (Files.isDirectory(p)) return p;
        org.junit.jupiter.api.Assumptions.abort("the CUDA sources are not reachable from " + Path.of("").toAbsolutePath());
        return null;
    }

    private static String resource(String path) {
        byte[] b = CudaModule.resource(path);
        assertNotNull(b, path + " is missing: run tools/build-cuda-kernels.sh");
        return new String(b, StandardCharsets.US_ASCII);
    }

    @Test
    void everySpecMatchesItsPtxEntryAndEveryEntryIsUsed() {
        Set<String> modules = new HashSet<>();
        for (KernelSpec k : Kernels.ALL) modules.add(k.module());
        List<String> problems = new ArrayList<>();
        for (String m : modules) {
            Map<String, List<PtxEntries.PtxParam>> entries = PtxEntries.parse(resource("/cuda/" + m + ".ptx"));
            assertFalse(entries.isEmpty(), m);
            Set<String> used = new HashSet<>();
            for (KernelSpec k : Kernels.ALL) {
                if (!k.module().equals(m)) continue;
                used.add(k.name());
                String bad = PtxEntries.mismatch(k, entries);
                if (bad != null) problems.add(bad);
            }
            for (String e : entries.keySet()) if (!used.contains(e)) problems.add(m + ".ptx entry " + e + " has no KernelSpec");
            assertNotNull(CudaModule.resource("/cuda/" + m + ".sm_90.cubin"), m + ".sm_90.cubin is missing");
        }
        assertEquals(List.of(), problems);
        assertEquals(Kernels.ALL.size(), new HashSet<>(Kernels.ALL).size(), "duplicate specs");
    }

    @Test
    void ptxParserReadsScalarsPointersAndStructs() {
        String ptx = ".visible .entry k(\n\t.param .u64 k_param_0,\n\t.param .align 8 .b8 k_param_1[72],\n\t.param .f64 k_param_2,\n"
                + "\t.param .u32 k_param_3,\n\t.param .u64 .ptr .global .align 4 k_param_4\n)\n{ ret; }";
        var e = PtxEntries.parse(ptx).get("k");
        assertEquals(List.of(new PtxEntries.PtxParam("u64", 8), new PtxEntries.PtxParam("b8", 72), new PtxEntries.PtxParam("f64", 8),
                new PtxEntries.PtxParam("u32", 4), new PtxEntries.PtxParam("u64", 8)), e);
        KernelSpec good = KernelSpec.of("m", "k", KernelSpec.Param.PTR, KernelSpec.Param.STRIDED, KernelSpec.Param.F64, KernelSpec.Param.I32,
                KernelSpec.Param.PTR);
        assertNull(PtxEntries.mismatch(good, Map.of("k", e)));
        KernelSpec bad = KernelSpec.of("m", "k", KernelSpec.Param.PTR, KernelSpec.Param.STRIDED, KernelSpec.Param.F32, KernelSpec.Param.I32,
                KernelSpec.Param.PTR);
        assertEquals("k parameter 2: Java passes F32 (4 bytes), the PTX has .f64 (8 bytes)", PtxEntries.mismatch(bad, Map.of("k", e)));
    }

    /** The identifiers of a C enum, in order. */
    private static List<String> cEnum(Path file, String name) throws IOException {
        String src = Files.readString(file);
        Matcher m = Pattern.compile("enum\\s+" + name + "\\s*\\{([^}]*)}").matcher(src);
        assertTrue(m.find(), "enum " + name + " in " + file);
        List<String> out = new ArrayList<>();
        for (String item : m.group(1).replaceAll("//[^\\n]*", "").split(",")) {
            String id = item.trim().split("\\s*=")[0].trim();
            if (!id.isEmpty()) out.add(id);
        }
        return out;
    }

    private static List<String> names(Enum<?>[] values, String prefix) {
        return Arrays.stream(values).map(v -> prefix + v.name()).toList();
    }

    @Test
    void cudaEnumsFollowTheJavaOrdinals() throws IOException {
        Path src = src();
        assertEquals(names(PointwiseKernels.UnaryOp.values(), ""), cEnum(src.resolve("ops.cuh"), "UnaryOp"));
        assertEquals(names(PointwiseKernels.BinaryOp.values(), ""), cEnum(src.resolve("ops.cuh"), "BinaryOp"));
        assertEquals(names(ReduceKernels.ReduceOp.values(), "R_"), cEnum(src.resolve("reduce.cu"), "ReduceOp"));
        assertEquals(names(DType.values(), "T_"), cEnum(src.resolve("common.cuh"), "DTypeCode"));
    }

    @Test
    void committedKernelsWereBuiltFromTheCurrentSources() throws Exception {
        Path src = src();
        List<Path> headers;
        try (Stream<Path> s = Files.list(src)) {
            headers = s.filter(p -> p.toString().endsWith(".cuh")).sorted().toList();
        }
        List<Path> sources;
        try (Stream<Path> s = Files.list(src)) {
            sources = s.filter(p -> p.toString().endsWith(".cu")).sorted().toList();
        }
        assertFalse(sources.isEmpty());
        for (Path cu : sources) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path h : headers) md.update(Files.readAllBytes(h));
            md.update(Files.readAllBytes(cu));
            String hash = HexFormat.of().formatHex(md.digest()).substring(0, 16);
            String name = cu.getFileName().toString().replace(".cu", "");
            assertEquals(hash, resource("/cuda/" + name + ".src-hash").trim(),
                    name + ".cu changed since its PTX was built: run tools/build-cuda-kernels.sh");
        }
    }
}
