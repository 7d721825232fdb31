package org.vfmtok.nn;

import java.util.List;

/** What {@link Module#load} found: keys the model wanted but the checkpoint lacked, and the reverse. */
public record LoadReport(List<String> missing, List<String> unexpected, List<String> shapeMismatches) {
    public boolean isClean() { return missing.isEmpty() && unexpected.isEmpty() && shapeMismatches.isEmpty(); }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        section(sb, "missing keys", missing);
        section(sb, "unexpected keys", unexpected);
        section(sb, "shape mismatches", shapeMismatches);
        return sb.isEmpty() ? "all keys matched" : sb.toString().trim();
    }

    private static void section(StringBuilder sb, String title, List<String> items) {
        if (items.isEmpty()) return;
        sb.append(title).append(" (").append(items.size()).append("):\n");
        for (String s : items) sb.append("  ").append(s).append('\n');
    }
}
