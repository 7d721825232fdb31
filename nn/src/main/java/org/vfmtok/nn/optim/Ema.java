package org.vfmtok.nn.optim;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.Map;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.autograd.Grad;

/**
 * Exponential moving average of parameters as LlamaGen/VFMTok keep it ({@code update_ema}):
 * ema ← decay·ema + (1 − decay)·param, parameters only (buffers are not averaged), every step.
 */
public final class Ema {
    private final Map<String, Tensor> shadow = new LinkedHashMap<>();
    private final Map<String, Tensor> params;
    private final double decay;

    /** Starts from a copy of the current parameters, allocated in {@code scope}. */
    public Ema(Map<String, Tensor> namedParams, double decay, Scope scope) {
        if (decay < 0 || decay > 1) throw new IllegalArgumentException("EMA decay must be in [0, 1], got " + decay);
        this.params = new LinkedHashMap<>(namedParams);
        this.decay = decay;
        try (Grad.Mode ng = Grad.noGrad()) {
            scope.run(() -> {
                namedParams.forEach((k, v) -> shadow.put(k, v.detach().copy()));
                return null;
            });
        }
    }

    public void update() {
        float d = (float) decay, oneMinus = (float) (1 - decay);
        params.forEach((k, p) -> {
            Tensor e = shadow.get(k);
            MemorySegment es = e.segment().asSlice(e.byteOffset(), e.numel() * 4);
            MemorySegment ps = p.segment().asSlice(p.byteOffset(), p.numel() * 4);
            for (long i = 0, n = e.numel(); i < n; i++) {
                long off = i * 4;
                es.set(ValueLayout.JAVA_FLOAT, off, es.get(ValueLayout.JAVA_FLOAT, off) * d + oneMinus * ps.get(ValueLayout.JAVA_FLOAT, off));
            }
        });
    }

    /** The averaged weights by parameter name (the checkpoint's "ema"). */
    public Map<String, Tensor> stateDict() { return java.util.Collections.unmodifiableMap(shadow); }

    public void load(Map<String, Tensor> sd) {
        shadow.forEach((k, v) -> {
            Tensor src = sd.get(k);
            if (src == null) throw new IllegalArgumentException("EMA state lacks '" + k + "'");
            v.copyFrom(src);
        });
    }
}
