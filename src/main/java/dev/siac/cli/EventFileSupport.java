package dev.siac.cli;

import dev.siac.io.Messages;
import dev.siac.codec.EventList;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** What the event-file commands share: one-line error reporting and the bitrate figure. */
final class EventFileSupport {

    static final int EXIT_OK = 0;
    static final int EXIT_ERROR = 1;

    private EventFileSupport() {
    }

    /** Prints "error: message" as one line on the command's error stream and returns the runtime-error code. */
    static int fail(CommandSpec spec, Exception e) {
        spec.commandLine().getErr().println("error: " + Messages.oneLine(e));
        spec.commandLine().getErr().flush();
        return EXIT_ERROR;
    }

    /** Bytes of the file per second of signal, in kbit/s; 0 for a zero-length list. */
    static double kbps(long bytes, EventList list) {
        double seconds = list.durationSeconds();
        return seconds == 0 ? 0 : bytes * 8 / seconds / 1000;
    }

    /**
     * What can be checked about an output before any work: that it is not a directory, that its directory exists and
     * is writable, that it is not the input (the same file, also through links: writing it would destroy the input),
     * and that the file system has room for about expectedBytes (0: unknown).
     */
    static void checkOutput(Path input, Path output, long expectedBytes) throws IOException {
        if (Files.isDirectory(output)) throw new IOException(output + ": cannot write: is a directory");
        Path parent = output.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new IOException(output + ": cannot write: directory does not exist");
        if (!Files.isWritable(parent)) throw new IOException(output + ": cannot write: directory " + parent + " is not writable");
        if (Files.exists(output) && Files.exists(input) && Files.isSameFile(input, output)) {
            throw new IOException(output + ": is the input file " + input + "; write the output to another file");
        }
        if (expectedBytes > 0) {
            long free = Files.getFileStore(parent).getUsableSpace();
            if (expectedBytes > free) {
                throw new IOException(fmt("%s: needs %.1f MB, but its file system has %.1f MB free", output,
                        expectedBytes / 1e6, free / 1e6));
            }
        }
    }

    static long sizeOf(Path file) throws IOException {
        return Files.size(file);
    }

    static String fmt(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
