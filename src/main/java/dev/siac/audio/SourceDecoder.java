package dev.siac.audio;

/** A decoded file at its own sample rate, already mixed to mono. */
interface SourceDecoder extends AutoCloseable {

    int sampleRate();

    int channels();

    /** Frames in the file, or -1 if the format does not say. */
    long frames();

    /** Reads up to {@code len} mono frames; returns how many (at least 1 if {@code len > 0}), or -1 at the end. */
    int read(float[] buf, int off, int len) throws AudioException;

    @Override
    void close();
}
