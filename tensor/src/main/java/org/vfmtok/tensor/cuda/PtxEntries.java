package org.vfmtok.tensor.cuda;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel entries of a PTX text and their parameters, read from the {@code .entry name( .param ... )}
 * headers: {@code .param .u64 name}, {@code .param .f32 name}, or for a struct passed by value
 * {@code .param .align 8 .b8 name[72]}. Used to check {@link KernelSpec}s against the committed PTX.
 */
public final class PtxEntries {
    private PtxEntries() {}

    /** One parameter: its PTX type ("u64", "f32", "b8", ...) and size in bytes. */
    public record PtxParam(String type, long bytes) {}

    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)");
    /** {@code .param [.align N] .TYPE [.ptr [.space] [.align N]] name[[SIZE]]} */
    private static final Pattern PARAM = Pattern.compile(
            "\\.param\\s+(?:\\.align\\s+\\d+\\s+)?\\.(\\w+)(?:\\s+\\.ptr(?:\\s+\\.(?!align)\\w+)*(?:\\s+\\.align\\s+\\d+)?)?\\s+[\\w$]+(?:\\[(\\d+)])?");

    public static Map<String, List<PtxParam>> parse(String ptx) {
        Map<String, List<PtxParam>> out = new LinkedHashMap<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) {
            List<PtxParam> ps = new ArrayList<>();
            for (String p : m.group(2).split(",")) {
                if (p.isBlank()) continue;
                Matcher pm = PARAM.matcher(p.trim());
                if (!pm.find()) throw new IllegalArgumentException("unreadable PTX parameter of " + m.group(1) + ": " + p.trim());
                String type = pm.group(1);
                long bytes = pm.group(2) != null ? Long.parseLong(pm.group(2)) : Long.parseLong(type.substring(1)) / 8;
                ps.add(new PtxParam(type, bytes));
            }
            out.put(m.group(1), ps);
        }
        return out;
    }

    /** Null if {@code spec} matches the entry in {@code entries}, otherwise what differs. */
    public static String mismatch(KernelSpec spec, Map<String, List<PtxParam>> entries) {
        List<PtxParam> ps = entries.get(spec.name());
        if (ps == null) return spec.name() + " is not an entry of " + spec.module() + ".ptx (entries: " + entries.keySet() + ")";
        if (ps.size() != spec.params().size()) {
            return spec.name() + ": Java passes " + spec.params().size() + " parameters, the PTX entry takes " + ps.size() + " " + ps;
        }
        for (int i = 0; i < ps.size(); i++) {
            KernelSpec.Param want = spec.params().get(i);
            PtxParam have = ps.get(i);
            if (!want.matchesPtx(have.type(), have.bytes())) {
                return spec.name() + " parameter " + i + ": Java passes " + want + " (" + want.bytes + " bytes), the PTX has ." + have.type()
                        + " (" + have.bytes() + " bytes)";
            }
        }
        return null;
    }
}
