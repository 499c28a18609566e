package dev.siac.codec;

import java.io.IOException;

/** A {@code .siac} file that cannot be read; the message is one line: "{file}: {problem}". */
public class SiacFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String file;
    private final String problem;

    public SiacFormatException(String file, String problem) {
        super(file + ": " + problem);
        this.file = file;
        this.problem = problem;
    }

    public SiacFormatException(String file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The file (or name) the problem was found in. */
    public String file() {
        return file;
    }

    /** The problem alone, without the file name. */
    public String problem() {
        return problem;
    }
}
