package dev.siac.audio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Locale;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;

/**
 * Mono frames from a Java Sound stream that already delivers PCM (AIFF directly, FLAC and MP3 after their
 * provider's conversion). Optionally drops a number of leading frames and stops after a number of frames,
 * which is how encoder delay and padding of gapless MP3 files are removed.
 */
final class JavaSoundSource implements SourceDecoder {

    private static final int BLOCK_FRAMES = 4096;
    /** A decoder that keeps answering "0 bytes" is stuck, not slow. */
    private static final int MAX_EMPTY_READS = 10_000;

    private final Path file;
    private final String formatName;
    private final AudioInputStream pcm;
    private final InputStream[] toClose;
    private final SampleFormat format;
    private final int sampleRate;
    private final long frames;
    /** Frames the file promises (after skipping); fewer means truncation. -1 if unknown. */
    private final long expected;
    /** Frames the decoder may deliver short of {@link #expected} before it counts as truncation. */
    private final long tolerance;
    private long toSkip;
    private final byte[] bytes;
    /** A partial frame left at bytes[carryOff..carryOff+carryLen) by the previous read. */
    private int carryOff;
    private int carryLen;
    private long delivered;
    private boolean ended;

    /**
     * @param frames    frames to report as the source length (after skip/limit), or -1
     * @param skip      leading frames to drop
     * @param expected  frames to deliver after skipping; the stream is cut there, and ending earlier (by more
     *                  than {@code tolerance}) is reported as truncation; -1 if unknown
     */
    JavaSoundSource(Path file, String formatName, AudioInputStream pcm, long frames, long skip, long expected,
                    long tolerance, InputStream... toClose) throws AudioException {
        this.file = file;
        this.formatName = formatName;
        this.pcm = pcm;
        this.toClose = toClose;
        this.frames = frames;
        this.toSkip = Math.max(0, skip);
        this.expected = expected;
        this.tolerance = tolerance;
        AudioFormat f = pcm.getFormat();
        this.format = toSampleFormat(file, formatName, f);
        this.sampleRate = Math.round(f.getSampleRate());
        if (sampleRate <= 0) throw new AudioException(file, "corrupt " + formatName + " file: sample rate " + f.getSampleRate());
        this.bytes = new byte[BLOCK_FRAMES * format.frameSize()];
    }

    static SampleFormat toSampleFormat(Path file, String formatName, AudioFormat f) throws AudioException {
        AudioFormat.Encoding e = f.getEncoding();
        SampleFormat.Kind kind;
        if (AudioFormat.Encoding.PCM_SIGNED.equals(e)) kind = SampleFormat.Kind.SIGNED;
        else if (AudioFormat.Encoding.PCM_UNSIGNED.equals(e)) kind = SampleFormat.Kind.UNSIGNED;
        else if (AudioFormat.Encoding.PCM_FLOAT.equals(e)) kind = SampleFormat.Kind.FLOAT;
        else if (AudioFormat.Encoding.ULAW.equals(e)) kind = SampleFormat.Kind.ULAW;
        else if (AudioFormat.Encoding.ALAW.equals(e)) kind = SampleFormat.Kind.ALAW;
        else throw new AudioException(file, "unsupported " + formatName + " encoding: " + e);
        int channels = f.getChannels();
        int bits = f.getSampleSizeInBits();
        if (channels < 1 || bits < 1 || bits > 64) {
            throw new AudioException(file, "unsupported " + formatName + " layout: " + channels + " channels, " + bits + " bits");
        }
        int bytesPerSample = (bits + 7) / 8;
        int frameSize = f.getFrameSize() > 0 ? f.getFrameSize() : channels * bytesPerSample;
        if (frameSize < channels * bytesPerSample || (kind == SampleFormat.Kind.FLOAT && bytesPerSample != 4 && bytesPerSample != 8)
                || (kind != SampleFormat.Kind.FLOAT && bytesPerSample > 4)) {
            throw new AudioException(file, "unsupported " + formatName + " layout: " + f);
        }
        return new SampleFormat(kind, bytesPerSample, f.isBigEndian() && bytesPerSample > 1, channels, frameSize);
    }

    @Override
    public int sampleRate() {
        return sampleRate;
    }

    @Override
    public int channels() {
        return format.channels();
    }

    @Override
    public long frames() {
        return frames;
    }

    @Override
    public int read(float[] buf, int off, int len) throws AudioException {
        if (len == 0) return 0;
        while (!ended) {
            long cap = expected >= 0 ? expected - delivered : Long.MAX_VALUE;
            if (cap <= 0) {
                ended = true;
                break;
            }
            int want = (int) Math.min(Math.min(len, BLOCK_FRAMES), toSkip > 0 ? BLOCK_FRAMES : cap);
            int got = fill(want);
            if (got < 0) {
                ended = true;
                if (expected >= 0 && delivered < expected - tolerance) {
                    throw new AudioException(file, String.format(Locale.ROOT,
                            "truncated %s file: decoded %d of %d frames", formatName, delivered, expected));
                }
                break;
            }
            int first = (int) Math.min(got, toSkip);
            toSkip -= first;
            int n = (int) Math.min(got - first, cap);
            if (n == 0) continue;
            int bad = format.toMono(bytes, first * format.frameSize(), n, buf, off);
            if (bad >= 0) {
                throw new AudioException(file, String.format(Locale.ROOT, "contains NaN/Inf samples at frame %d (%.3f s)",
                        delivered + bad, (delivered + bad) / (double) sampleRate));
            }
            delivered += n;
            return n;
        }
        return -1;
    }

    /** Reads up to {@code frames} whole frames into the start of {@link #bytes}; -1 at the end of the stream. */
    private int fill(int frames) throws AudioException {
        int frameSize = format.frameSize();
        if (carryLen > 0) System.arraycopy(bytes, carryOff, bytes, 0, carryLen);
        int held = carryLen;
        carryLen = 0;
        int target = frames * frameSize;
        int empty = 0;
        try {
            while (held < target) {
                int n = pcm.read(bytes, held, target - held);
                if (n < 0) break;
                if (n == 0) {
                    if (++empty > MAX_EMPTY_READS) throw new AudioException(file, formatName + " decoder stalled");
                    continue;
                }
                empty = 0;
                held += n;
            }
        } catch (AudioException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Third-party decoders signal corrupt input with all kinds of exceptions.
            throw new AudioException(file, "corrupt " + formatName + " data: " + AudioException.describe(e), e);
        }
        int whole = held / frameSize;
        if (whole == 0) return -1;       // a trailing partial frame is dropped
        carryOff = whole * frameSize;
        carryLen = held - carryOff;
        return whole;
    }

    @Override
    public void close() {
        try {
            pcm.close();
        } catch (IOException | RuntimeException ignored) {
            // closing a decoder cannot fail in a way that matters to a reader that is done
        }
        for (InputStream in : toClose) {
            try {
                in.close();
            } catch (IOException | RuntimeException ignored) {
                // as above
            }
        }
    }
}
