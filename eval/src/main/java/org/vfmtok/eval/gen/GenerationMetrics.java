package org.vfmtok.eval.gen;

import java.util.Locale;

/** The five numbers of the ADM evaluator. */
public record GenerationMetrics(double fid, double sfid, double inceptionScore, double precision, double recall) {
    /** {"fid": ..., "sfid": ..., "inception_score": ..., "precision": ..., "recall": ...} */
    public String toJson() {
        return String.format(Locale.ROOT, "{\"fid\": %s, \"sfid\": %s, \"inception_score\": %s, \"precision\": %s, \"recall\": %s}",
                num(fid), num(sfid), num(inceptionScore), num(precision), num(recall));
    }

    private static String num(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }
}
