package org.vfmtok.tensor.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file that cannot be read or written: malformed or hostile header, offsets that do not
 * describe the data section, a truncated file, or a tensor that could not be written. The message
 * always names the file and, when one is involved, the tensor key.
 */
public class SafetensorsException extends IOException {
    private final transient Path file;
    private final String key;

    public SafetensorsException(Path file, String key, String problem) {
        this(file, key, problem, null);
    }

    public SafetensorsException(Path file, String key, String problem, Throwable cause) {
        super(describe(file, key, problem), cause);
        this.file = file;
        this.key = key;
    }

    /** The file involved. */
    public Path file() { return file; }

    /** The tensor (or header) key involved, or null when the problem concerns the whole file. */
    public String key() { return key; }

    static String describe(Path file, String key, String problem) {
        StringBuilder sb = new StringBuilder();
        sb.append(file == null ? "<no file>" : file.toString()).append(": ");
        if (key != null) sb.append("tensor '").append(printable(key)).append("': ");
        return sb.append(problem).toString();
    }

    /** Keys come from untrusted files: keep messages one line and bounded. */
    static String printable(String s) { return TerminalText.escape(s, 200); }
}
