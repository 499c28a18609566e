package dev.siac.audio;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A problem with an audio file. The message is always one line, {@code "<file>: <problem>"}, so a command
 * line tool can print it as it is.
 */
public class AudioException extends IOException {

    private final transient Path file;
    private final String problem;

    public AudioException(Path file, String problem) {
        this(file, problem, null);
    }

    public AudioException(Path file, String problem, Throwable cause) {
        super(oneLine((file == null ? "<no file>" : file.toString()) + ": " + problem), cause);
        this.file = file;
        this.problem = oneLine(problem);
    }

    /** The file the problem is about (may be null for a stream without a file). */
    public Path file() {
        return file;
    }

    /** The problem without the file name. */
    public String problem() {
        return problem;
    }

    /** Text of a third-party exception for use inside a one-line message. */
    static String describe(Throwable t) {
        String m = t.getMessage();
        String s = (m == null || m.isBlank()) ? t.getClass().getSimpleName() : m;
        return oneLine(s);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("[\\r\\n\\t]+", " ").strip();
    }
}
