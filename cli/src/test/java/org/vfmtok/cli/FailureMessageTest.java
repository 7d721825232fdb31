package org.vfmtok.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Every failure of {@code ./vfm}, Errors included, is one escaped line that keeps its causes. */
class FailureMessageTest {
    /** A command that throws what the test gives it (added to a fresh command line, never to the real one). */
    @Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        final Throwable failure;

        @Parameters(arity = "0..*")
        java.util.List<String> files;

        Boom(Throwable failure) { this.failure = failure; }

        @Override
        public Integer call() throws Exception {
            if (failure instanceof Exception e) throw e;
            throw (Error) failure;
        }
    }

    private static String run(Throwable failure, String... args) {
        CommandLine cl = Main.commandLine();
        cl.addSubcommand("boom", new Boom(failure));
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 1];
        all[0] = "boom";
        System.arraycopy(args, 0, all, 1, args.length);
        assertEquals(2, cl.execute(all));
        String out = err.toString();
        assertTrue(out.endsWith("\n") && out.indexOf('\n') == out.length() - 1, "exactly one line: " + out);
        return out.strip();
    }

    @Test
    void outOfMemoryIsOneLineSayingWhatRanAndHowToGetMore() {
        String line = run(new OutOfMemoryError("Java heap space"), "big.pt");
        assertTrue(line.startsWith("vfm boom: out of memory while running 'boom big.pt' (Java heap space; the Java heap is limited to "), line);
        assertTrue(line.contains("give it more with VFM_HEAP=-Xmx"), line);
        String nativeOom = run(new OutOfMemoryError("native allocation of 1024 bytes failed (live: 0 bytes)"), "x.pt");
        assertTrue(nativeOom.contains("native allocation of 1024 bytes failed") && nativeOom.contains("-Dvfmtok.memory.cacheBytes"), nativeOom);
    }

    @Test
    void otherErrorsAreOneLineToo() {
        String line = run(new StackOverflowError(), "deep.json");
        assertTrue(line.startsWith("vfm boom: input nested too deeply (stack overflow) while running 'boom deep.json'"), line);
        String internal = run(new NoClassDefFoundError("org/example/Missing"));
        assertEquals("vfm boom: internal error (NoClassDefFoundError) while running 'boom': org/example/Missing", internal);
    }

    @Test
    void messagesKeepTheirCauses() {
        IOException disk = new IOException("No space left on device");
        assertEquals("vfm boom: writing checkpoint at step 3: No space left on device",
                run(new IllegalStateException("writing checkpoint at step 3", disk)));
        assertEquals("vfm boom: No space left on device", run(new RuntimeException(disk)), "a wrapper without words of its own adds none");
        assertEquals("vfm boom: /data/x.pt: no such file or directory", run(new NoSuchFileException("/data/x.pt")));
        assertEquals("vfm boom: loading: /data/y.pt: no such file or directory",
                run(new IOException("loading", new NoSuchFileException("/data/y.pt"))));
        String div = run(new ArithmeticException("/ by zero"));
        assertTrue(div.startsWith("vfm boom: a value is out of range (/ by zero): "), div);
        assertEquals("vfm boom: NullPointerException", run(new NullPointerException()));
    }

    @Test
    void textFromFilesCannotForgeOutput() {
        String line = run(new IllegalArgumentException("no tensor 'w\nvfm boom: \u001b[31mall good\u001b[0m'"));
        assertEquals("vfm boom: no tensor 'w\\nvfm boom: \\x1b[31mall good\\x1b[0m'", line);
    }
}
