package dev.siac.cli;

import dev.siac.io.AtomicFiles;
import dev.siac.codec.EventList;
import dev.siac.codec.Npy;
import dev.siac.codec.SiacFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** Writes the events of a .siac file as NumPy arrays for analysis outside Java. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Export the events of a .siac file as NumPy .npy arrays (version 1.0, little-endian):",
                "  vectors.npy         float32 [n, dim]  event vectors",
                "  times.npy           float64 [n]       onsets in seconds",
                "  samples.npy         int64   [n]       onsets in samples",
                "  amplitudes.npy      float32 [n]       amplitudes",
                "  silence.npy         int64   [s, 2]    start and end sample of each silent span (decoded as zeros)",
                "  balance.npy         int8    [m, b]    band balance: each frame's octave band gains in 0.5 dB steps",
                "  balance_layout.npy  float64 [2]       balance frame hop in samples, band 0's centre in Hz (band i: x 2^i)",
                "The balance arrays are empty ([0, 0] and [0]) for a file without a band balance (docs/FORMAT.md).",
                "Rows are in time order. The directory is created if needed; existing files of these names are replaced."})
public final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN.siac", description = "the event file")
    Path input;

    @Option(names = "--npy", required = true, paramLabel = "DIR", description = "directory for the .npy files")
    Path dir;

    @Override
    public Integer call() {
        try {
            EventList list = SiacFormat.read(input);
            if (Files.exists(dir) && !Files.isDirectory(dir)) throw new IOException(dir + ": not a directory");
            Files.createDirectories(dir);
            Map<Path, AtomicFiles.Content> files = new LinkedHashMap<>();
            files.put(dir.resolve("vectors.npy"), bytes(Npy.vectors(list)));
            files.put(dir.resolve("times.npy"), bytes(Npy.times(list)));
            files.put(dir.resolve("samples.npy"), bytes(Npy.samples(list)));
            files.put(dir.resolve("amplitudes.npy"), bytes(Npy.amplitudes(list)));
            files.put(dir.resolve("silence.npy"), bytes(Npy.silence(list)));
            files.put(dir.resolve("balance.npy"), bytes(Npy.balance(list)));
            files.put(dir.resolve("balance_layout.npy"), bytes(Npy.balanceLayout(list)));
            AtomicFiles.writeAll(files);
            spec.commandLine().getOut().println(EventFileSupport.fmt("wrote %d events (vector dim %d) to %s",
                    list.size(), list.vectorDim(), dir));
            spec.commandLine().getOut().flush();
            return EventFileSupport.EXIT_OK;
        } catch (IOException | RuntimeException e) {
            return EventFileSupport.fail(spec, e);
        }
    }

    private static AtomicFiles.Content bytes(byte[] content) {
        return tmp -> Files.write(tmp, content);
    }
}
