package dev.siac.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code siac} command line: a thin layer of sub-commands over the library. */
@Command(name = "siac", mixinStandardHelpOptions = true, version = "siac 0.1.0",
        description = {"siac - the Sparse Interpretable Audio Codec.",
                "Audio becomes a short list of events (time, amplitude, 32-d vector) that a physics-inspired decoder renders."},
        subcommands = {DemoCommand.class, InfoCommand.class, EncodeCommand.class, DecodeCommand.class, TrainCommand.class, BenchCommand.class, PackageModelCommand.class, ConvertCommand.class, InspectCommand.class, ExportCommand.class, EditCommand.class,
                CorpusCommand.class, ReportCommand.class, StudioCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.addSubcommand("eval", EvalCommand.withOptions(SiacClipCodec::forModel));
        return cl;
    }

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        int code = commandLine().execute(args);
        System.exit(code);
    }
}
