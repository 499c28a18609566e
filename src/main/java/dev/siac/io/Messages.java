package dev.siac.io;

/** Errors are part of the interface: every message a user sees about a failure is one line. */
public final class Messages {
    private Messages() {
    }

    /** The text on one line: every run of whitespace (line breaks, tabs) becomes one space; null becomes "". */
    public static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }

    /** A failure's message on one line, or the kind of failure where it has no message. */
    public static String oneLine(Throwable e) {
        String m = e.getMessage();
        return oneLine(m == null || m.isBlank() ? e.getClass().getSimpleName() : m);
    }
}
