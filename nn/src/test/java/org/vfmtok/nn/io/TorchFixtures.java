package org.vfmtok.nn.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The files written by tools/fixtures/make_torch_fixtures.py and its expected.txt. */
final class TorchFixtures {
    /** One line of expected.txt, split on tabs. */
    record Line(String kind, String file, String key, List<String> rest) {}

    static Path path(String name) {
        URL url = TorchFixtures.class.getResource("/fixtures/torch/" + name);
        if (url == null) throw new IllegalStateException("missing fixture " + name + ": run tools/fixtures/make_torch_fixtures.py");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Line> expected() {
        try {
            List<Line> out = new ArrayList<>();
            for (String s : Files.readAllLines(path("expected.txt"), StandardCharsets.UTF_8)) {
                if (s.isEmpty()) continue;
                String[] f = s.split("\t", -1);
                out.add(new Line(f[0], f[1], f[2], List.of(f).subList(3, f.length)));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Line> expected(String file) {
        return expected().stream().filter(l -> l.file().equals(file)).toList();
    }

    private TorchFixtures() {}
}
