package org.vfmtok.vfmtok.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads an OmegaConf YAML file the way {@code OmegaConf.load} then attribute access sees it: the YAML parsed
 * by SnakeYAML Engine (duplicate keys refused, aliases bounded), then every {@code ${a.b.c}} interpolation
 * replaced by the node it names. A value that is exactly one interpolation takes the referenced value with its
 * type (OmegaConf's rule); an interpolation inside a longer string is spliced in as text. Relative paths
 * ({@code ${.sibling}}, {@code ${..parent_key}}) follow OmegaConf; resolvers ({@code ${oc.env:X}}) and
 * missing values ({@code ???}) are refused, naming the key.
 */
public final class OmegaConfYaml {
    private static final Pattern WHOLE = Pattern.compile("\\$\\{([^${}]*)}");
    private static final long MAX_BYTES = 1 << 20;

    private OmegaConfYaml() {}

    /** The resolved root mapping; an IOException naming the file on any syntax, type or interpolation error. */
    public static Map<String, Object> load(Path file) throws IOException {
        if (Files.size(file) > MAX_BYTES) throw new IOException(file + ": a config over " + MAX_BYTES + " bytes is not a tokenizer config");
        Object root;
        try {
            LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).setAllowDuplicateKeys(false)
                    .setMaxAliasesForCollections(50).setAllowRecursiveKeys(false).build();
            root = new Load(settings).loadFromString(Files.readString(file));
        } catch (YamlEngineException e) {
            throw new IOException(file + ": not valid YAML: " + String.join(" ", e.getMessage().lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("^")).limit(4).toList()), e);
        }
        if (!(root instanceof Map<?, ?> m)) throw new IOException(file + ": expected a YAML mapping at the top, got " + (root == null ? "nothing" : root.getClass().getSimpleName()));
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> resolved = (Map<String, Object>) new Resolver(m).resolve(m, List.of());
            return resolved;
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static final class Resolver {
        private final Map<?, ?> root;
        private final Deque<String> inProgress = new ArrayDeque<>();

        Resolver(Map<?, ?> root) { this.root = root; }

        Object resolve(Object node, List<String> path) {
            if (node instanceof Map<?, ?> m) {
                Map<String, Object> out = new LinkedHashMap<>();
                for (var e : m.entrySet()) {
                    String k = String.valueOf(e.getKey());
                    out.put(k, resolve(e.getValue(), append(path, k)));
                }
                return out;
            }
            if (node instanceof List<?> l) {
                List<Object> out = new ArrayList<>();
                for (int i = 0; i < l.size(); i++) out.add(resolve(l.get(i), append(path, Integer.toString(i))));
                return out;
            }
            if (node instanceof String s) return resolveString(s, path);
            return node;
        }

        private Object resolveString(String s, List<String> path) {
            String where = String.join(".", path);
            if (s.equals("???")) throw new IllegalArgumentException("'" + where + "' is a missing value (???): give it a value");
            if (!s.contains("${")) return s;
            Matcher whole = WHOLE.matcher(s);
            if (whole.matches()) return lookup(whole.group(1), path);
            Matcher m = WHOLE.matcher(s);
            StringBuilder sb = new StringBuilder();
            while (m.find()) m.appendReplacement(sb, Matcher.quoteReplacement(String.valueOf(lookup(m.group(1), path))));
            m.appendTail(sb);
            if (sb.indexOf("${") >= 0) throw new IllegalArgumentException("'" + where + "': cannot resolve the interpolation in \"" + s + "\"");
            return sb.toString();
        }

        /** The value a reference names, itself resolved; relative references count leading dots from the key's node. */
        private Object lookup(String ref, List<String> from) {
            String where = String.join(".", from);
            String r = ref.strip();
            if (r.contains(":")) {
                throw new IllegalArgumentException("'" + where + "': OmegaConf resolver interpolation ${" + ref + "} is not supported (only ${path.to.key})");
            }
            List<String> target;
            if (r.startsWith(".")) {
                int dots = 0;
                while (dots < r.length() && r.charAt(dots) == '.') dots++;
                int up = dots; // one dot: the node holding the key, each further dot one level up
                if (up > from.size()) throw new IllegalArgumentException("'" + where + "': ${" + ref + "} goes above the top of the file");
                target = new ArrayList<>(from.subList(0, from.size() - up));
                if (dots < r.length()) target.addAll(List.of(r.substring(dots).split("\\.", -1)));
            } else {
                target = List.of(r.split("\\.", -1));
            }
            String name = String.join(".", target);
            if (inProgress.contains(name)) throw new IllegalArgumentException("'" + where + "': interpolation cycle through '" + name + "'");
            Object node = root;
            for (String k : target) {
                if (node instanceof Map<?, ?> m && m.containsKey(k)) node = m.get(k);
                else if (node instanceof List<?> l && k.matches("\\d+") && Integer.parseInt(k) < l.size()) node = l.get(Integer.parseInt(k));
                else throw new IllegalArgumentException("'" + where + "': ${" + ref + "} names '" + name + "', which is not in the file");
            }
            inProgress.push(name);
            try {
                return resolve(node, target);
            } finally {
                inProgress.pop();
            }
        }

        private static List<String> append(List<String> path, String k) {
            List<String> p = new ArrayList<>(path);
            p.add(k);
            return p;
        }
    }
}
