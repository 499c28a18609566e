package dev.siac.audio;

import dev.siac.dsp.Resampler;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reading any common audio file as mono at {@link #SAMPLE_RATE}, and writing WAV.
 *
 * <p>Reads WAV (PCM 8/16/24/32-bit, IEEE float 32/64, A-law, mu-law, WAVE_FORMAT_EXTENSIBLE, RF64), AIFF,
 * FLAC, MP3 and Ogg Vorbis, with any number of channels; the format is recognised from the file's content,
 * not its name. Channels are averaged; the result is resampled with {@link Resampler}. Gapless MP3 files
 * (LAME/Xing tag) have encoder delay and padding removed, so decoded audio lines up with the original.
 *
 * <p>Every failure is an {@link AudioException} whose message is one line naming the file.
 */
public final class AudioIO {

    /** The one sample rate the rest of siac works at. */
    public static final int SAMPLE_RATE = 22050;

    private AudioIO() {
    }

    /** Whole file -> mono at {@link #SAMPLE_RATE} (resampled if needed). */
    public static Signal read(Path file) throws AudioException {
        try (AudioReader r = open(file)) {
            long expected = r.sourceFrames() >= 0
                    ? Resampler.outputLength(r.sourceFrames(), r.sourceSampleRate(), SAMPLE_RATE) : -1;
            if (expected > Integer.MAX_VALUE - 16) throw tooLong(file, expected);
            float[] x = new float[expected >= 0 ? (int) expected : 1 << 16];
            int n = 0;
            while (true) {
                if (n == x.length) {
                    long grown = Math.min((long) x.length * 2, Integer.MAX_VALUE - 16);
                    if (grown <= n) throw tooLong(file, n);
                    x = Arrays.copyOf(x, (int) grown);
                }
                int k = r.read(x, n, x.length - n);
                if (k < 0) break;
                n += k;
            }
            return new Signal(n == x.length ? x : Arrays.copyOf(x, n), SAMPLE_RATE);
        }
    }

    /** Streaming reader: mono float samples at {@link #SAMPLE_RATE}; memory bounded regardless of file length. */
    public static AudioReader open(Path file) throws AudioException {
        return new ResamplingReader(file, Decoders.open(file));
    }

    /**
     * Writes a mono WAV file atomically (temporary file beside it, then a move). PCM16 clips to full scale
     * and rounds to the nearest step without dither; FLOAT32 stores samples exactly.
     */
    public static void writeWav(Path file, Signal signal, WavEncoding enc) throws AudioException {
        if (signal == null) throw new AudioException(file, "no signal to write");
        try (WavWriter w = createWav(file, signal.sampleRate(), enc)) {
            w.write(signal.samples(), 0, signal.samples().length);
            w.commit();
        }
    }

    /** Streaming writer for long outputs; {@link WavWriter#commit()} moves the file into place. */
    public static WavWriter createWav(Path file, int sampleRate, WavEncoding enc) throws AudioException {
        return new WavWriter(file, sampleRate, enc);
    }

    private static AudioException tooLong(Path file, long samples) {
        return new AudioException(file, "too long to hold in memory (" + samples + " samples at " + SAMPLE_RATE
                + " Hz); use AudioIO.open to stream it");
    }
}
