package org.vfmtok.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.vfmtok.llama.GPTConfig;
import org.vfmtok.llama.GenerationOptions;
import org.vfmtok.llama.SamplingOptions;

/**
 * A generate request, from JSON ({@code POST /v1/generate}) or query parameters ({@code GET
 * /v1/generate/stream}), checked against the model and the service's bounds. Every problem is an
 * {@link ApiException} 400 naming the field and the value.
 */
record GenerateRequest(int[] classes, int perClass, long seed, double cfgScale, int topK, double topP, double temperature) {
    static final Set<String> FIELDS = Set.of("classes", "per_class", "seed", "cfg_scale", "top_k", "top_p", "temperature");

    /** The task's class list, class-major: each class perClass times. */
    int[] imageClasses() {
        int[] out = new int[classes.length * perClass];
        for (int i = 0; i < classes.length; i++) for (int j = 0; j < perClass; j++) out[i * perClass + j] = classes[i];
        return out;
    }

    GenerationOptions options() {
        return new GenerationOptions(cfgScale, -1, new SamplingOptions(temperature, topK, topP, topK != 1), seed);
    }

    static GenerateRequest fromJson(JsonNode body, GPTConfig model, ServeOptions limits) {
        if (body == null || !body.isObject()) throw ApiException.badRequest("the body must be a JSON object such as {\"classes\": [207], \"seed\": 0}");
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) throw ApiException.badRequest("unknown field '" + f + "'; known: " + String.join(", ", new java.util.TreeSet<>(FIELDS)));
        }
        JsonNode cls = body.get("classes");
        if (cls == null || !cls.isArray() || cls.isEmpty()) throw ApiException.badRequest("'classes' must be a non-empty array of class ids, e.g. [207, 360]");
        List<Long> ids = new ArrayList<>();
        for (JsonNode c : cls) {
            if (!c.isIntegralNumber()) throw ApiException.badRequest("'classes' must hold integers, got " + c);
            ids.add(c.asLong());
        }
        return of(ids, name -> {
            JsonNode v = body.get(name);
            if (v == null || v.isNull()) return null;
            if (!v.isNumber()) throw ApiException.badRequest("'" + name + "' must be a number, got " + v);
            return v.isIntegralNumber() ? (Object) v.asLong() : (Object) v.asDouble();
        }, model, limits);
    }

    static GenerateRequest fromQuery(Map<String, String> query, GPTConfig model, ServeOptions limits) {
        for (String f : query.keySet()) {
            if (!FIELDS.contains(f)) throw ApiException.badRequest("unknown parameter '" + f + "'; known: " + String.join(", ", new java.util.TreeSet<>(FIELDS)));
        }
        String cls = query.get("classes");
        if (cls == null || cls.isBlank()) throw ApiException.badRequest("'classes' is required, e.g. ?classes=207,360");
        List<Long> ids = new ArrayList<>();
        for (String s : cls.split(",")) {
            try {
                ids.add(Long.parseLong(s.trim()));
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("'classes' must be integers separated by commas, got '" + s.trim() + "'");
            }
        }
        return of(ids, name -> {
            String v = query.get(name);
            if (v == null || v.isBlank()) return null;
            try {
                return v.matches("-?\\d+") ? (Object) Long.parseLong(v) : (Object) Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("'" + name + "' must be a number, got '" + v + "'");
            }
        }, model, limits);
    }

    private static GenerateRequest of(List<Long> ids, Function<String, Object> field, GPTConfig model, ServeOptions limits) {
        if (ids.size() > limits.maxImagesPerRequest()) {
            throw ApiException.badRequest(ids.size() + " classes: at most " + limits.maxImagesPerRequest() + " images per request");
        }
        int[] classes = new int[ids.size()];
        for (int i = 0; i < classes.length; i++) {
            long c = ids.get(i);
            if (c < 0 || c >= model.numClasses()) throw ApiException.badRequest("class id " + c + " is out of range [0, " + model.numClasses() + ")");
            classes[i] = (int) c;
        }
        long perClass = integer(field, "per_class", 1);
        if (perClass < 1 || perClass > limits.maxPerClass()) throw ApiException.badRequest("'per_class' must be in [1, " + limits.maxPerClass() + "], got " + perClass);
        if (classes.length * perClass > limits.maxImagesPerRequest()) {
            throw ApiException.badRequest(classes.length + " classes x " + perClass + " per class = " + classes.length * perClass
                    + " images: at most " + limits.maxImagesPerRequest() + " per request");
        }
        long seed = integer(field, "seed", 0);
        double cfg = number(field, "cfg_scale", model.hasNullClass() ? 1.5 : 1.0);
        if (!(cfg >= 1 && cfg <= 50)) throw ApiException.badRequest("'cfg_scale' must be in [1, 50] (1 = no guidance), got " + cfg);
        if (cfg > 1 && !model.hasNullClass()) throw ApiException.badRequest("'cfg_scale' " + cfg + " needs a model trained with class dropout; use 1");
        long topK = integer(field, "top_k", 0);
        if (topK < 0 || topK > model.vocabSize()) throw ApiException.badRequest("'top_k' must be in [0, " + model.vocabSize() + "] (0 = off), got " + topK);
        double topP = number(field, "top_p", 1.0);
        if (!(topP > 0 && topP <= 1)) throw ApiException.badRequest("'top_p' must be in (0, 1] (1 = off), got " + topP);
        double temperature = number(field, "temperature", 1.0);
        if (!(temperature >= 0 && temperature <= 100)) throw ApiException.badRequest("'temperature' must be in [0, 100], got " + temperature);
        return new GenerateRequest(classes, (int) perClass, seed, cfg, (int) topK, topP, temperature);
    }

    private static long integer(Function<String, Object> field, String name, long dflt) {
        Object v = field.apply(name);
        if (v == null) return dflt;
        if (!(v instanceof Long l)) throw ApiException.badRequest("'" + name + "' must be an integer, got " + v);
        return l;
    }

    private static double number(Function<String, Object> field, String name, double dflt) {
        Object v = field.apply(name);
        if (v == null) return dflt;
        return ((Number) v).doubleValue();
    }
}
