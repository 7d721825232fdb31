package org.vfmtok.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.List;
import java.util.Locale;
import org.vfmtok.tensor.io.TerminalText;

/**
 * The one line {@code ./vfm} prints for any failure, an {@link Exception} or an {@link Error} alike:
 * {@code vfm COMMAND: what went wrong}. The message keeps every cause ("writing checkpoint at step 3: No
 * space left on device"), names the file of a file-system error, says how to get more memory for an
 * {@link OutOfMemoryError}, and is {@link TerminalText#escape}d, since it may quote keys and strings
 * from files. The stack trace is printed only with {@code VFM_DEBUG=1}.
 */
final class FailureMessage {
    private FailureMessage() {}

    /** {@code vfm COMMAND: ...} for a failure of {@code command} run with {@code args}. */
    static String of(String command, List<String> args, Throwable failure) {
        return "vfm " + command + ": " + TerminalText.escape(describe(command, args, failure));
    }

    static String describe(String command, List<String> args, Throwable failure) {
        if (failure instanceof OutOfMemoryError oom) return outOfMemory(command, args, oom);
        if (failure instanceof StackOverflowError) {
            return "input nested too deeply (stack overflow) while running " + running(command, args)
                    + "; a larger thread stack may help: VFM_JAVA_OPTS=-Xss64m";
        }
        StringBuilder sb = new StringBuilder();
        int depth = 0;
        for (Throwable t = failure; t != null && depth++ < 16; t = t.getCause() == t ? null : t.getCause()) {
            String m = own(t);
            if (m == null || sb.indexOf(m) >= 0) continue;
            if (!sb.isEmpty()) sb.append(": ");
            sb.append(m);
        }
        if (failure instanceof Error && !(failure instanceof AssertionError)) {
            sb.insert(0, "internal error (" + failure.getClass().getSimpleName() + ") while running " + running(command, args) + ": ");
        }
        return sb.isEmpty() ? failure.getClass().getSimpleName() : sb.toString();
    }

    /** The part of the message {@code t} adds, in words a user can act on (null if it adds nothing). */
    private static String own(Throwable t) {
        if (t instanceof FileSystemException f && f.getFile() != null) {
            String file = f.getFile() + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "");
            String why = switch (f) {
                case NoSuchFileException x -> "no such file or directory";
                case AccessDeniedException x -> "permission denied";
                case FileAlreadyExistsException x -> "already exists";
                case DirectoryNotEmptyException x -> "directory not empty";
                case NotDirectoryException x -> "not a directory";
                default -> f.getReason() != null ? f.getReason() : f.getClass().getSimpleName();
            };
            return file + ": " + (f.getReason() != null && !(f instanceof NoSuchFileException) ? f.getReason() : why);
        }
        String m = t.getMessage();
        if (m != null && t.getCause() != null && m.equals(t.getCause().toString())) return null; // new X(cause): the cause says it
        if (t instanceof ArithmeticException) {
            return "a value is out of range (" + (m == null ? "arithmetic error" : m)
                    + "): an option or a size read from a file is zero, negative or too large";
        }
        if (m == null || m.isBlank()) {
            return t.getCause() == null ? t.getClass().getSimpleName() : null;
        }
        return m;
    }

    private static String outOfMemory(String command, List<String> args, OutOfMemoryError oom) {
        String m = oom.getMessage() == null ? "" : oom.getMessage();
        String doing = "while running " + running(command, args);
        if (m.startsWith("native allocation")) {
            // Tensors live off the Java heap: more heap does not help, a smaller job or more RAM does.
            return "out of memory " + doing + ": " + m + "; tensors live outside the Java heap, so free memory on the machine, "
                    + "use smaller batches, or lower the reuse cache with VFM_JAVA_OPTS=-Dvfmtok.memory.cacheBytes=0";
        }
        long max = Runtime.getRuntime().maxMemory();
        String gib = String.format(Locale.ROOT, "%.1f GiB", max / (double) (1L << 30));
        long more = Math.max(2, 2 * ((max + (1L << 30) - 1) >> 30));
        return "out of memory " + doing + " (" + (m.isEmpty() ? "OutOfMemoryError" : m) + "; the Java heap is limited to " + gib
                + "): give it more with VFM_HEAP=-Xmx" + more + "g, or use smaller batches or inputs";
    }

    /** {@code 'inspect model.pt'}: the command and its arguments, shortened. */
    private static String running(String command, List<String> args) {
        StringBuilder sb = new StringBuilder("'").append(command);
        for (String a : args) {
            if (sb.length() > 160) {
                sb.append(" ...");
                break;
            }
            sb.append(' ').append(a);
        }
        return sb.append("'").toString();
    }
}
