package org.vfmtok.tensor.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps Javadoc examples compiling: a test holds each {@code <pre>{@code ...}</pre>} example as real code
 * between {@code // example: NAME} and {@code // end example} lines, and checks with this class that the
 * Javadoc text is exactly that code (indentation aside). Paths are relative to the module directory,
 * the working directory of Maven's test runs.
 */
public final class JavadocExamples {
    private JavadocExamples() {}

    /** The code of the {@code index}-th (from 0) {@code <pre>{@code ...}</pre>} block of {@code source}. */
    public static String inJavadoc(Path source, int index) {
        List<String> blocks = new ArrayList<>();
        StringBuilder cur = null;
        for (String line : lines(source)) {
            String text = line.strip().startsWith("*") ? line.strip().substring(1) : line;
            if (text.startsWith(" ")) text = text.substring(1);
            if (cur == null) {
                if (text.strip().equals("<pre>{@code")) cur = new StringBuilder();
            } else if (text.strip().equals("}</pre>")) {
                blocks.add(cur.toString().stripTrailing().stripIndent().strip());
                cur = null;
            } else {
                cur.append(text.stripTrailing()).append('\n');
            }
        }
        if (index >= blocks.size()) throw new IllegalArgumentException(source + " has " + blocks.size() + " Javadoc examples, not " + (index + 1));
        return blocks.get(index);
    }

    /** The lines of {@code testSource} between {@code // example: name} and {@code // end example}. */
    public static String inTest(Path testSource, String name) {
        StringBuilder cur = null;
        for (String line : lines(testSource)) {
            if (cur == null) {
                if (line.strip().equals("// example: " + name)) cur = new StringBuilder();
            } else if (line.strip().equals("// end example")) {
                return cur.toString().stripTrailing().stripIndent().strip();
            } else {
                cur.append(line.stripTrailing()).append('\n');
            }
        }
        throw new IllegalArgumentException(testSource + " has no complete '// example: " + name + "' block");
    }

    private static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p.toAbsolutePath(), e);
        }
    }
}
