package dev.siac.cli;

import dev.siac.Siac;
import dev.siac.codec.EventList;
import dev.siac.codec.SiacFormat;
import dev.siac.studio.StudioServer;
import dev.siac.studio.StudioSession;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Opens a file in the browser studio: a loopback web server in this process, until Ctrl-C. */
@Command(name = "studio", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Edit a file's events in the browser and hear each change at once: move, delete, duplicate,"
                + " change amplitude, perturb or randomise events, paste events from another .siac, undo and redo,"
                + " save as .siac and export WAV.",
                "An audio input (WAV, AIFF, FLAC, MP3, Ogg Vorbis) is encoded first. The server listens on 127.0.0.1"
                        + " only and prints an address with a random token; it writes only into the output folder."})
public final class StudioCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = ".siac event file or audio file")
    Path input;

    @Option(names = "--model", paramLabel = "DIR", description = "model directory (default: the bundled model)")
    Path model;

    @Option(names = "--out", paramLabel = "DIR",
            description = "where Save and Export write (default: the input's folder)")
    Path out;

    @Option(names = "--port", paramLabel = "N", defaultValue = "0",
            description = "port on 127.0.0.1 (default: a free one)")
    int port;

    @Spec
    CommandSpec spec;

    /** Set by tests: called with the running server instead of waiting for Ctrl-C; the server closes when it returns. */
    java.util.function.Consumer<StudioServer> whileRunning;

    @Override
    public Integer call() {
        if (port < 0 || port > 65535) throw new ParameterException(spec.commandLine(), "--port must be 0..65535, got " + port);
        PrintWriter o = spec.commandLine().getOut();
        try {
            if (!Files.isRegularFile(input)) throw new IOException(input + ": file not found");
            Path folder = out != null ? out : input.toAbsolutePath().getParent();
            if (!Files.isDirectory(folder)) throw new IOException(folder + ": the output folder does not exist");
            try (CodecSupport cs = CodecSupport.open(model)) {
                Siac siac = cs.siac;
                EventList events;
                String name = input.getFileName().toString();
                if (ReportCommand.isEventFile(input)) {
                    events = SiacFormat.read(input);
                    siac.checkModel(events, input);
                } else {
                    o.println("encoding " + input + " with " + cs.modelDir + " ...");
                    o.flush();
                    events = cs.encodeFile(input, siac.defaultOptions(), System.err).events();
                    name = name.replaceFirst("\\.[^.]*$", "") + ".siac";
                }
                try (StudioSession session = new StudioSession(siac, events, name);
                     StudioServer server = new StudioServer(siac, session, folder, port)) {
                    o.println(String.format(Locale.ROOT, "siac studio: %s (%d events, %.2f s); saves go to %s",
                            name, events.size(), events.durationSeconds(), server.outputFolder()));
                    o.println("open " + server.url());
                    o.println("(Ctrl-C stops the studio)");
                    o.flush();
                    if (whileRunning != null) {
                        whileRunning.accept(server);
                    } else {
                        new CountDownLatch(1).await();
                    }
                }
            }
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } catch (Exception e) {
            return EventFileSupport.fail(spec, e);
        }
    }
}
