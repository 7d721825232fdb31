package org.vfmtok.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Every option and positional parameter of {@code ./vfm} and all its subcommands has a description, and
 * every one with a default shows that default in its usage help.
 */
class OptionDocsTest {
    @Test
    void everyOptionIsDescribedAndShowsItsDefault() {
        List<String> problems = new ArrayList<>();
        walk(Main.commandLine(), problems);
        assertTrue(problems.isEmpty(), problems.size() + " undocumented options:\n  " + String.join("\n  ", problems));
    }

    @Test
    void theCheckCatchesAMissingDescriptionAndAHiddenDefault() {
        List<String> problems = new ArrayList<>();
        walk(new CommandLine(new Undocumented()), problems);
        assertTrue(problems.stream().anyMatch(p -> p.contains("--batch") && p.contains("no description")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("--lr") && p.contains("does not show its default")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("positional") && p.contains("no description")), problems.toString());
    }

    @CommandLine.Command(name = "bad")
    static final class Undocumented {
        @CommandLine.Option(names = "--batch", defaultValue = "64") int batch;
        @CommandLine.Option(names = "--lr", description = "Learning rate.") double lr = 1e-4;
        @CommandLine.Parameters(paramLabel = "IN") String in;
    }

    private static void walk(CommandLine cl, List<String> problems) {
        CommandSpec spec = cl.getCommandSpec();
        Help help = cl.getHelp();
        String name = spec.qualifiedName();
        for (OptionSpec o : spec.options()) {
            Help.Layout layout = help.createDefaultLayout();
            layout.addOption(o, help.parameterLabelRenderer());
            check(name + " " + o.longestName(), o, layout.toString(), problems);
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            Help.Layout layout = help.createDefaultLayout();
            layout.addPositionalParameter(p, help.parameterLabelRenderer());
            check(name + " positional " + p.paramLabel(), p, layout.toString(), problems);
        }
        for (Map.Entry<String, CommandLine> sub : cl.getSubcommands().entrySet()) {
            if (sub.getValue().getCommandSpec().name().equals(sub.getKey())) walk(sub.getValue(), problems); // skip aliases
        }
    }

    private static void check(String where, ArgSpec arg, String rendered, List<String> problems) {
        String description = String.join(" ", arg.description()).strip();
        if (description.isEmpty()) problems.add(where + ": no description");
        if (arg instanceof OptionSpec o && (o.usageHelp() || o.versionHelp())) return;
        if (arg.required()) return; // a required argument has no default to show
        Object initial = arg.defaultValue() != null ? arg.defaultValue() : arg.initialValue();
        if (!hasDefault(arg, initial)) return;
        String shown = arg.defaultValueString();
        // Compared without white space: the help wraps long values (after a comma) over lines.
        String compact = rendered.replaceAll("\\s+", "");
        if (!Pattern.compile("(?i)default:?" + Pattern.quote(shown.replaceAll("\\s+", "")) + "(?!\\w|\\.\\d)").matcher(compact).find()) {
            problems.add(where + ": does not show its default '" + shown + "' in: " + rendered.replaceAll("\\s+", " ").strip());
        }
    }

    /** A value worth showing: not absent, not an empty list, not the false of an on/off flag (its default is "off"). */
    private static boolean hasDefault(ArgSpec arg, Object value) {
        if (value == null) return false;
        if (value instanceof String s && s.isEmpty()) return false;
        if (value instanceof Collection<?> c && c.isEmpty()) return false;
        if (value.getClass().isArray() && Array.getLength(value) == 0) return false;
        boolean flag = arg instanceof OptionSpec o && o.arity().max() == 0;
        return !(flag && (Boolean.FALSE.equals(value) || "false".equals(value)));
    }
}
