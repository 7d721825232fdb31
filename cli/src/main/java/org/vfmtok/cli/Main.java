package org.vfmtok.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./vfm}: one picocli subcommand per job. */
@Command(name = "vfm", mixinStandardHelpOptions = true, version = "vfm 0.1.0",
        description = "VFMTok tokenizer and LlamaGen AR models on the JVM.",
        subcommands = {InfoCommand.class, InspectCommand.class, TokenizeCommand.class, DetokenizeCommand.class,
                ReconstructCommand.class, FeaturesCommand.class, GenerateCommand.class, DemoCommand.class,
                TrainTokenizerCommand.class, ExtractCodesCommand.class, TrainArCommand.class, ConvertCommand.class,
                BenchCommand.class, LaunchCommand.class, DistCheckCommand.class, ServeCommand.class, EvalGenCommand.class,
                SampleCommand.class, EvalReconCommand.class, EvalTokCommand.class, ProbeCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Also: ./vfm test (default test suite), ./vfm test-all (with heavy tests), ./vfm build."})
public final class Main implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    /** The command line with its error handling; {@code launch} takes everything after its first positional as the command. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main())
                .setExecutionExceptionHandler((ex, cmd, parsed) -> fail(cmd, parsed, ex))
                .setExecutionStrategy(parsed -> {
                    // picocli passes Errors (OutOfMemoryError, StackOverflowError...) straight through; they get the same one line.
                    try {
                        return new CommandLine.RunLast().execute(parsed);
                    } catch (Error e) {
                        CommandLine.ParseResult last = parsed;
                        while (last.hasSubcommand()) last = last.subcommand();
                        return fail(last.commandSpec().commandLine(), last, e);
                    }
                });
        cl.getSubcommands().get("launch").setStopAtPositional(true).setUnmatchedOptionsArePositionalParams(true);
        return cl;
    }

    /** Any failure: one line, no stack trace (VFM_DEBUG=1 shows it). */
    private static int fail(CommandLine cmd, CommandLine.ParseResult parsed, Throwable failure) {
        if (System.getenv("VFM_DEBUG") != null) failure.printStackTrace();
        List<String> args = parsed == null ? List.of() : parsed.originalArgs();
        int from = args.indexOf(cmd.getCommandName());
        cmd.getErr().println(FailureMessage.of(cmd.getCommandName(), from < 0 ? args : args.subList(from + 1, args.size()), failure));
        cmd.getErr().flush();
        return 2;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
