package org.vfmtok.nn;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vfmtok.nn.layers.LayerNorm;
import org.vfmtok.nn.layers.Linear;
import org.vfmtok.nn.layers.ModuleList;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;

class ModuleStateDictTest {
    static final class Block extends Module {
        final Linear wqkv;
        final LayerNorm norm;
        final Tensor scale;

        Block(Rng rng) {
            wqkv = register("wqkv", new Linear(4, 12, false, rng));
            norm = register("norm", new LayerNorm(4, 1e-5));
            scale = parameter("scale", Tensor.ones(4));
        }
    }

    static final class Net extends Module {
        final ModuleList<Block> layers = register("layers", new ModuleList<>());
        final Tensor counter = buffer("counter", Tensor.zeros(DType.I64, 2));

        Net(Rng rng) {
            layers.add(new Block(rng)).add(new Block(rng));
        }
    }

    @Test
    void keysFollowPyTorchNaming() {
        Net net = new Net(new Rng(1));
        assertEquals(List.of("counter", "layers.0.scale", "layers.0.wqkv.weight", "layers.0.norm.weight", "layers.0.norm.bias",
                "layers.1.scale", "layers.1.wqkv.weight", "layers.1.norm.weight", "layers.1.norm.bias"), List.copyOf(net.stateDict().keySet()));
        assertEquals(2 * (48 + 4 + 8), net.parameterCount());
    }

    @Test
    void loadCopiesAndConvertsDtypes() {
        try (Scope s = Scope.open()) {
            Net a = new Net(new Rng(1)), b = new Net(new Rng(2));
            Map<String, Tensor> sd = new LinkedHashMap<>();
            a.stateDict().forEach((k, v) -> sd.put(k, v.dtype() == DType.F32 ? v.to(DType.BF16) : v));
            assertTrue(b.load(sd, true).isClean());
            float[] expected = a.stateDict().get("layers.1.wqkv.weight").to(DType.BF16).to(DType.F32).toFloatArray();
            assertArrayEquals(expected, b.stateDict().get("layers.1.wqkv.weight").toFloatArray());
        }
    }

    @Test
    void strictLoadListsEveryProblemAtOnce() {
        try (Scope s = Scope.open()) {
            Net net = new Net(new Rng(1));
            Map<String, Tensor> sd = new LinkedHashMap<>(net.stateDict());
            sd.remove("layers.0.norm.bias");
            sd.put("layers.9.extra", Tensor.zeros(3));
            sd.put("layers.1.wqkv.weight", Tensor.zeros(12, 5));
            StateDictException e = assertThrows(StateDictException.class, () -> net.load(sd, true));
            String m = e.getMessage();
            assertTrue(m.contains("missing keys (1)") && m.contains("layers.0.norm.bias"), m);
            assertTrue(m.contains("unexpected keys (1)") && m.contains("layers.9.extra"), m);
            assertTrue(m.contains("layers.1.wqkv.weight: checkpoint [12, 5], model [12, 4]"), m);
            // non-strict still refuses shape mismatches but reports the rest
            sd.put("layers.1.wqkv.weight", Tensor.zeros(12, 4));
            LoadReport r = net.load(sd, false);
            assertEquals(List.of("layers.0.norm.bias"), r.missing());
            assertEquals(List.of("layers.9.extra"), r.unexpected());
        }
    }

    @Test
    void freezingAndModes() {
        Net net = new Net(new Rng(1));
        net.layers.get(0).requiresGrad(false);
        assertFalse(net.layers.get(0).wqkv.weight.requiresGrad());
        assertTrue(net.layers.get(1).wqkv.weight.requiresGrad());
        net.eval();
        assertFalse(net.layers.get(1).norm.isTraining());
    }
}
