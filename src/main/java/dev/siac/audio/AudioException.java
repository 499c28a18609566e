package dev.siac.audio;

import static dev.siac.io.Messages.oneLine;
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
        if (m == null || m.isBlank()) return t.getClass().getSimpleName();
        // An I/O message speaks for itself; for anything else ("-5", "null") the kind of failure is the news.
        boolean speaks = t instanceof IOException || t instanceof javax.sound.sampled.UnsupportedAudioFileException;
        return oneLine(speaks ? m : t.getClass().getSimpleName() + ": " + m);
    }

}
