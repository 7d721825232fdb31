package org.vfmtok.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** One command line run in-process: exit code, standard output and standard error as text. */
record CliRun(int code, String out, String err) {
    /**
     * Runs {@code vfm ARGS} through {@link Main#commandLine()} with System.out and picocli's output captured; synchronized because
     * System.out is global to the JVM.
     */
    static synchronized CliRun of(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out, captured = new PrintStream(out, true, StandardCharsets.UTF_8);
        System.setOut(captured);
        try {
            // picocli's own output (help, version) goes to the same capture as the commands' System.out
            int code = Main.commandLine().setOut(new PrintWriter(captured, true)).setErr(new PrintWriter(err, true)).execute(args);
            return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(saved);
        }
    }
}
