package org.vfmtok.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Tensor;

/** .pt files written by TorchWriter: read back by our reader and, when available, by torch.load itself. */
class TorchWriterTest {
    static final Path PYTHON = Path.of("/usr/bin/python3");

    static Map<String, Object> sample() {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("layer.weight", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        model.put("layer.weight_t", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).transpose(0, 1));   // a strided view
        model.put("codebook_used", Tensor.ofLongs(new long[] {7, -1, 1L << 40}, 3));
        model.put("scalar", Tensor.scalar(DType.F64, 2.5));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("model", new TorchWriter.OrderedDict(model));
        root.put("steps", 123456789012L);
        root.put("args", Map.of("lr", 1e-4, "name", "tok", "flags", List.of(true, false), "none", "x"));
        root.put("small", 7);
        return root;
    }

    @Test
    void roundTripsThroughOurReader(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("ckpt.pt");
        TorchWriter.save(f, sample());
        try (AnyCheckpoint c = AnyCheckpoint.open(f)) {
            assertEquals(AnyCheckpoint.Kind.TORCH, c.kind());
            Map<String, Tensor> m = c.tensors("model");
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, m.get("layer.weight").toFloatArray());
            assertArrayEquals(new int[] {3, 2}, m.get("layer.weight_t").shape());
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, m.get("layer.weight_t").toFloatArray());
            assertArrayEquals(new long[] {7, -1, 1L << 40}, m.get("codebook_used").toLongArray());
            assertEquals(2.5, m.get("scalar").item());
            assertEquals(123456789012L, ((Number) c.entries().get("steps")).longValue());
            assertEquals("tok", c.entries().get("args.name"));
        }
    }

    @Test
    void torchLoadReadsIt(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(PYTHON), "no /usr/bin/python3");
        Path f = dir.resolve("ckpt.pt");
        TorchWriter.save(f, sample());
        String script = String.join("\n",
                "import sys, torch",
                "c = torch.load(sys.argv[1], map_location='cpu')",
                "m = c['model']",
                "print(type(m).__name__)",
                "print(m['layer.weight'].dtype, m['layer.weight'].tolist())",
                "print(m['layer.weight_t'].tolist())",
                "print(m['codebook_used'].dtype, m['codebook_used'].tolist())",
                "print(m['scalar'].dtype, m['scalar'].item(), tuple(m['scalar'].shape))",
                "print(c['steps'], c['small'], c['args']['lr'], c['args']['name'], c['args']['flags'])");
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import torch").redirectErrorStream(true).start();
        assumeTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "python has no torch");
        p = new ProcessBuilder(PYTHON.toString(), "-c", script, f.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(120, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), out);
        assertEquals(String.join("\n",
                "OrderedDict",
                "torch.float32 [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]",
                "[[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]",
                "torch.int64 [7, -1, 1099511627776]",
                "torch.float64 2.5 ()",
                "123456789012 7 0.0001 tok [True, False]"), out.strip());
    }
}
