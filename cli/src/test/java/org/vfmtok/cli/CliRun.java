package org.vfmtok.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** One command line run in-process: exit code, standard output and standard error as text. */
record CliRun(int code, String out, String err) {
    /**
     * Runs {@code vfm ARGS} through {@link Main#commandLine()} with System.out captured; synchronized because
     * System.out is global to the JVM.
     */
    static synchronized CliRun of(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int code = Main.commandLine().setErr(new PrintWriter(err)).execute(args);
            return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(saved);
        }
    }
}
