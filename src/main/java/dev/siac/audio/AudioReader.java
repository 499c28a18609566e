package dev.siac.audio;

/**
 * A stream of mono samples at {@link AudioIO#SAMPLE_RATE}, decoded, mixed down and resampled on the fly.
 * Memory use does not depend on the length of the file. Obtain one from {@link AudioIO#open}.
 */
public interface AudioReader extends AutoCloseable {

    /** Always {@link AudioIO#SAMPLE_RATE}. */
    int sampleRate();

    /**
     * Fills up to {@code len} mono samples into {@code buf} from {@code off}.
     *
     * @return the number of samples written (at least 1 when {@code len > 0}), or -1 at the end of the stream
     * @throws AudioException if the file turns out to be truncated or corrupt, or holds NaN/Inf samples
     */
    int read(float[] buf, int off, int len) throws AudioException;

    /** Number of frames in the source at its own rate, or -1 when the format does not say. */
    long sourceFrames();

    /** The sample rate of the source before resampling. */
    int sourceSampleRate();

    /** Number of channels in the source (before mixing to mono). */
    int sourceChannels();

    /** Releases the file; idempotent. */
    @Override
    void close();
}
