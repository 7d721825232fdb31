package org.vfmtok.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./vfm}: one picocli subcommand per job. */
@Command(name = "vfm", mixinStandardHelpOptions = true, version = "vfm 0.1.0",
        description = "VFMTok tokenizer and LlamaGen AR models on the JVM.",
        subcommands = {InfoCommand.class, InspectCommand.class, TokenizeCommand.class, DetokenizeCommand.class,
                ReconstructCommand.class, FeaturesCommand.class, GenerateCommand.class, DemoCommand.class,
                TrainTokenizerCommand.class, ExtractCodesCommand.class, TrainArCommand.class, ConvertCommand.class,
                BenchCommand.class, LaunchCommand.class, DistCheckCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Also: ./vfm test (default test suite), ./vfm test-all (with heavy tests), ./vfm build."})
public final class Main implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    /** The command line with its error handling; {@code launch} takes everything after its first positional as the command. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main())
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    // Errors the user can act on: one line, no stack trace (VFM_DEBUG=1 shows it).
                    if (System.getenv("VFM_DEBUG") != null) ex.printStackTrace();
                    cmd.getErr().println("vfm " + cmd.getCommandName() + ": " + ex.getMessage());
                    return 2;
                });
        cl.getSubcommands().get("launch").setStopAtPositional(true).setUnmatchedOptionsArePositionalParams(true);
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
