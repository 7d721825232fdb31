package org.vfmtok.tensor;

import java.util.Arrays;
import java.util.Locale;

/** {@code Tensor.toString()}: dtype, shape, device, grad state and a preview of the values. */
final class TensorFormat {
    private static final int EDGE = 3;

    private TensorFormat() {}

    static String format(Tensor t) {
        StringBuilder sb = new StringBuilder("Tensor(").append(t.dtype()).append(Arrays.toString(t.shape()));
        if (!t.device().isCpu()) sb.append(", ").append(t.device());
        if (t.gradFn() != null) sb.append(", grad_fn=").append(t.gradFn());
        else if (t.requiresGrad()) sb.append(", requires_grad");
        if (t.storage().isReleased()) return sb.append(", <freed>)").toString();
        if (!t.device().isCpu()) return sb.append(')').toString();
        sb.append(", ");
        appendValues(sb, t, new int[t.dim()], 0);
        return sb.append(')').toString();
    }

    private static void appendValues(StringBuilder sb, Tensor t, int[] idx, int d) {
        if (t.dim() == 0) {
            sb.append(value(t, idx));
            return;
        }
        int n = t.size(d);
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (n > 2 * EDGE && i == EDGE) {
                sb.append("..., ");
                i = n - EDGE;
            }
            idx[d] = i;
            if (d == t.dim() - 1) sb.append(value(t, idx));
            else appendValues(sb, t, idx, d + 1);
            if (i < n - 1) sb.append(", ");
        }
        sb.append(']');
    }

    private static String value(Tensor t, int[] idx) {
        double v = t.getDouble(idx);
        if (!t.dtype().isFloating()) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
