package org.vfmtok.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.vfmtok.nn.io.AnyCheckpoint;
import org.vfmtok.nn.io.TorchWriter;
import org.vfmtok.nn.train.Checkpoints;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Json;
import org.vfmtok.vfmtok.train.JsonOut;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ./vfm convert}: training checkpoints between this project's safetensors layout and a {@code .pt} that
 * {@code torch.load} reads, in the official layout: {@code {"model": OrderedDict, "ema": OrderedDict,
 * "optimizer": {...}, "discriminator": OrderedDict, "optimizer_disc": {...}, "steps": int, "args": {...}}}.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Convert a training checkpoint: .safetensors (this project's runs) → .pt (torch.load, official layout), or .pt → .safetensors.",
                "The direction follows OUT's extension. Trainer state (RNG, data position) travels under 'trainer_state' so a converted",
                "checkpoint can still resume."})
final class ConvertCommand implements Callable<Integer> {
    static final Set<String> STATE_DICTS = Set.of("model", "ema", "discriminator");

    @Parameters(index = "0", paramLabel = "IN", description = "The checkpoint to read (.safetensors, .pt or .pth).") Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The file to write; its extension (.pt/.pth or .safetensors) picks the format.") Path out;

    @Override
    public Integer call() throws Exception {
        String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".pt") || name.endsWith(".pth")) toTorch();
        else if (name.endsWith(".safetensors")) toSafetensors();
        else throw new IllegalArgumentException("OUT must end in .pt, .pth or .safetensors, got " + out);
        System.err.println("wrote " + out);
        return 0;
    }

    private void toTorch() throws Exception {
        Checkpoints.Contents c = Checkpoints.load(in);
        Map<String, Object> root = new LinkedHashMap<>();
        c.sections().forEach((sec, tensors) -> root.put(sec, STATE_DICTS.contains(sec) ? new TorchWriter.OrderedDict(tensors) : new LinkedHashMap<>(tensors)));
        Map<String, String> meta = c.metadata();
        if (meta.containsKey("step")) root.put("steps", Long.parseLong(meta.get("step")));
        if (meta.containsKey("args")) root.put("args", fromJson(Json.parse(meta.get("args"))));
        Map<String, Object> trainer = new LinkedHashMap<>();
        for (String k : List.of("rng", "data_position")) if (meta.containsKey(k)) trainer.put(k, Long.parseLong(meta.get(k)));
        if (!trainer.isEmpty()) root.put("trainer_state", trainer);
        TorchWriter.save(out, root);
    }

    private void toSafetensors() throws Exception {
        try (AnyCheckpoint c = AnyCheckpoint.open(in)) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Map<String, Object> args = new LinkedHashMap<>();
            Map<String, String> meta = new LinkedHashMap<>();
            c.entries().forEach((k, v) -> {
                if (v instanceof Tensor t) tensors.put(k, t);
                else if (k.equals("steps") && v instanceof Number n) meta.put("step", Long.toString(n.longValue()));
                else if (k.startsWith("trainer_state.") && v instanceof Number n) meta.put(k.substring(14), Long.toString(n.longValue()));
                else if (k.startsWith("args.") && (v instanceof Number || v instanceof String || v instanceof Boolean)) args.put(k.substring(5), v);
            });
            if (tensors.isEmpty()) throw new IllegalArgumentException(in + ": no tensors");
            if (!args.isEmpty()) meta.put("args", JsonOut.write(args));
            Files.createDirectories(out.toAbsolutePath().getParent());
            org.vfmtok.tensor.io.Safetensors.save(out, tensors, meta);
        }
    }

    /** Json.parse's values with JSON null as Java null. */
    static Object fromJson(Object o) {
        if (o == Json.NULL) return null;
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> r = new LinkedHashMap<>();
            m.forEach((k, v) -> r.put(k.toString(), fromJson(v)));
            return r;
        }
        if (o instanceof List<?> l) return l.stream().map(ConvertCommand::fromJson).toList();
        return o;
    }
}
