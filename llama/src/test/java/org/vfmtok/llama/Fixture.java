package org.vfmtok.llama;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Json;
import org.vfmtok.tensor.io.Npy;

/** One folder of the PyTorch reference's fixtures (tools/reference/make_llamagen_fixtures.py): manifest, arrays, gpt.pt. */
final class Fixture {
    final Path dir;
    final Map<?, ?> manifest;
    final GPTConfig config;

    Fixture(Path dir) {
        this.dir = dir;
        try {
            manifest = (Map<?, ?>) Json.parse(Files.readString(dir.resolve("manifest.json")));
            config = GPTConfig.fromJson(dir.resolve("manifest.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Json.JsonException e) {
            throw new IllegalStateException(e);
        }
    }

    static Fixture small(String name) {
        try {
            return new Fixture(Path.of(Fixture.class.getResource("/fixtures/small/" + name + "/manifest.json").toURI()).getParent());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    Tensor npy(String name) {
        try {
            return Npy.read(dir.resolve(name + ".npy"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean has(String name) { return Files.exists(dir.resolve(name + ".npy")); }

    Map<?, ?> cases() { return (Map<?, ?>) manifest.get("cases"); }

    Map<?, ?> caseOf(String name) { return (Map<?, ?>) cases().get(name); }

    GPT load() {
        try {
            return GPT.load(dir.resolve("gpt.pt"), config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(Tensor t) {
        long[] l = t.toLongArray();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) out[i] = Math.toIntExact(l[i]);
        return out;
    }

    /** max |a − e| / max |e|. */
    static double relError(float[] expected, float[] actual) {
        if (expected.length != actual.length) throw new AssertionError("lengths " + expected.length + " vs " + actual.length);
        double diff = 0, ref = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
            ref = Math.max(ref, Math.abs(expected[i]));
        }
        return diff / ref;
    }
}
