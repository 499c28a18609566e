package dev.siac.cli;

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
        spec.commandLine().getErr().println("error: " + oneLine(e));
        spec.commandLine().getErr().flush();
        return EXIT_ERROR;
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
        return m.replaceAll("\\s+", " ").trim();
    }

    /** Bytes of the file per second of signal, in kbit/s; 0 for a zero-length list. */
    static double kbps(long bytes, EventList list) {
        double seconds = list.durationSeconds();
        return seconds == 0 ? 0 : bytes * 8 / seconds / 1000;
    }

    static long sizeOf(Path file) throws IOException {
        return Files.size(file);
    }

    static String fmt(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
