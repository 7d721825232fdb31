package org.vfmtok.nn.layers;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vfmtok.nn.Module;
import org.vfmtok.nn.loss.Loss;
import org.vfmtok.tensor.DType;
import org.vfmtok.tensor.Rng;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Safetensors;
import org.vfmtok.tensor.ops.Conv;
import org.vfmtok.tensor.testing.Compare;

/** Each layer's forward and backward against torch 1.13 (tools/fixtures/make_layer_fixtures.py). */
class LayerParityTest {
    private static Scope scope;
    private static Map<String, Tensor> fx;

    @BeforeAll
    static void load() throws Exception {
        scope = Scope.detached("layer fixtures");
        Path p = Path.of(LayerParityTest.class.getResource("/fixtures/layers/layers.safetensors").toURI());
        fx = scope.run(() -> {
            try {
                return Safetensors.load(p);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @AfterAll
    static void free() { scope.close(); }

    private static Map<String, Tensor> section(String prefix) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        fx.forEach((k, v) -> {
            if (k.startsWith(prefix)) m.put(k.substring(prefix.length()), v);
        });
        return m;
    }

    private static <M extends Module> void check(String name, M module, Function<Tensor, Tensor> forward, boolean train) {
        try (Scope s = Scope.open()) {
            module.load(section(name + ".param."), true);
            module.train(train);
            Tensor x0 = fx.get(name + ".x");
            Tensor x = x0.dtype().isFloating() ? x0.copy().requiresGrad(true) : x0;
            Tensor y = forward.apply(x);
            Compare.assertClose(name + " forward", fx.get(name + ".y"), y, 1e-5, 1e-5);
            y.backward(fx.get(name + ".gy"));
            if (x.requiresGrad()) Compare.assertClose(name + " grad x", fx.get(name + ".grad.x"), x.grad(), 1e-5, 1e-5);
            module.namedParameters().forEach((k, p) ->
                    Compare.assertClose(name + " grad " + k, fx.get(name + ".grad." + k), p.grad(), 1e-5, 1e-4));
            module.namedBuffers().forEach((k, b) -> {
                Tensor after = fx.get(name + ".after." + k);
                if (after != null) Compare.assertClose(name + " buffer " + k, after.to(DType.F64), b.to(DType.F64), 1e-5, 1e-5);
            });
        }
    }

    private final Rng rng = new Rng(0);

    @Test
    void linear() {
        Linear l = new Linear(7, 5, true, rng);
        check("linear", l, l::forward, true);
        Linear nb = new Linear(6, 3, false, rng);
        check("linear_nobias", nb, nb::forward, true);
    }

    @Test
    void norms() {
        LayerNorm ln = new LayerNorm(9, 1e-6);
        check("layernorm", ln, ln::forward, true);
        GroupNorm gn = new GroupNorm(4, 8, 1e-6, true);
        check("groupnorm", gn, gn::forward, true);
        RMSNorm rms = new RMSNorm(12, 1e-5);
        check("rmsnorm", rms, rms::forward, true);
    }

    @Test
    void embedding() {
        Embedding e = new Embedding(11, 4, rng);
        check("embedding", e, e::forward, true);
    }

    @Test
    void convolutions() {
        Conv2d c = new Conv2d(3, 4, 3, 1, 1, rng);
        check("conv2d", c, c::forward, true);
        Conv2d g = new Conv2d(4, 6, 3, 2, 1, 1, 2, true, Conv.PaddingMode.ZEROS, rng);
        check("conv2d_s2", g, g::forward, true);
        Conv1d circ = new Conv1d(5, 5, 9, 1, 4, 1, 1, true, Conv.PaddingMode.CIRCULAR, rng);
        check("conv1d_circular", circ, circ::forward, true);
    }

    @Test
    void batchNormTrainingAndEval() {
        BatchNorm bn = new BatchNorm(3, 1e-5, 0.1);
        check("batchnorm", bn, bn::forward, true);
        BatchNorm ev = new BatchNorm(3, 1e-5, 0.1);
        check("batchnorm_eval", ev, ev::forward, false);
    }

    @Test
    void swiglu() {
        SwiGLU f = new SwiGLU(8, 16, rng);
        check("swiglu", f, f::forward, true);
    }

    @Test
    void spectralNormPowerIterationAndGradient() {
        SNConv1d sn = new SNConv1d(6, 4, 1, 0, Conv.PaddingMode.ZEROS, rng);
        check("spectralnorm", sn, sn::forward, true);
    }

    @Test
    void losses() {
        try (Scope s = Scope.open()) {
            Tensor b = fx.get("loss.b");
            Map<String, Function<Tensor, Tensor>> fns = new LinkedHashMap<>();
            fns.put("mse", a -> Loss.mse(a, b));
            fns.put("l1", a -> Loss.l1(a, b));
            fns.put("cosine", a -> Loss.cosineDistance(a, b, 1));
            fns.put("hinge", a -> Loss.hingeD(a, b));
            fns.put("softplus_g", Loss::softplusG);
            fns.forEach((name, f) -> {
                Tensor a = fx.get("loss.a").copy().requiresGrad(true);
                Tensor v = f.apply(a);
                assertEquals(fx.get("loss." + name + ".value").item(), v.item(), 1e-6, name);
                v.backward();
                Compare.assertClose(name + " grad", fx.get("loss." + name + ".grad"), a.grad(), 1e-6, 1e-5);
            });
        }
    }
}
