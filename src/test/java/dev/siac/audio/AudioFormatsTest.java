package dev.siac.audio;

import static dev.siac.audio.TestSignals.db;
import static dev.siac.audio.TestSignals.fixture;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siac.dsp.Resampler;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decodes every bundled fixture (see src/test/resources/audio/README.md) and checks what comes out: rate,
 * length, the level of each tone after the channels are averaged, that nothing else is there, and that
 * time zero of the file is time zero of the signal.
 */
class AudioFormatsTest {

    /**
     * @param ampDb      tolerance on each tone's level
     * @param noiseDb    the most that may be left after removing the tones, relative to the tones' RMS
     * @param phaseRad   tolerance on the tones' phase at t = 0 (a delay of d seconds shows as 2 pi f d)
     */
    record Case(String file, int rate, int channels, long frames, double[] freqs, double[] amps,
                double ampDb, double noiseDb, double phaseRad) {
        @Override
        public String toString() {
            return file;
        }
    }

    @TempDir
    Path tmp;

    private static final double[] BOTH = {440, 1000};
    private static final double[] QUARTERS = {0.25, 0.25};

    static Stream<Arguments> cases() {
        return Stream.of(
                new Case("tone_pcm16_stereo_16k.wav", 16000, 2, 8000, BOTH, QUARTERS, 0.05, -60, 0.01),
                new Case("tone_pcm8_mono_8k.wav", 8000, 1, 4000, new double[] {440}, new double[] {0.5}, 0.1, -35, 0.02),
                new Case("tone_pcm24_stereo_48k.wav", 48000, 2, 4800, BOTH, QUARTERS, 0.05, -60, 0.01),
                new Case("tone_pcm32_mono_22k.wav", 22050, 1, 5512, new double[] {1000}, new double[] {0.5}, 0.05, -60, 0.01),
                new Case("tone_float32_stereo_44k.wav", 44100, 2, 4410, BOTH, QUARTERS, 0.05, -60, 0.01),
                new Case("tone_ext24_4ch_8k.wav", 8000, 4, 2000, BOTH, QUARTERS, 0.05, -60, 0.01),
                new Case("tone_ulaw_8k.wav", 8000, 1, 2000, new double[] {1000}, new double[] {0.5}, 0.1, -30, 0.02),
                new Case("tone_stereo_22k.aiff", 22050, 2, 5512, BOTH, QUARTERS, 0.05, -60, 0.01),
                new Case("tone_stereo_44k.flac", 44100, 2, 22050, BOTH, QUARTERS, 0.05, -60, 0.01),
                // Three channels (440, 1000, 440 Hz) at 8 bits: two things JFLAC's Java Sound provider gets wrong.
                new Case("tone_3ch_8bit_16k.flac", 16000, 3, 4000, BOTH, new double[] {1 / 3.0, 1 / 6.0}, 0.1, -35, 0.02),
                new Case("tone_mono_24bit_48k.flac", 48000, 1, 12000, new double[] {1000}, new double[] {0.5}, 0.05, -60, 0.01),
                // LAME itself lowers these tones by about 0.46 dB (its own decoder shows the same), hence 1 dB.
                new Case("tone_stereo_44k.mp3", 44100, 2, 22050, BOTH, QUARTERS, 1.0, -25, 0.1),
                new Case("tone_mono_22k.mp3", 22050, 1, 11025, new double[] {1000}, new double[] {0.5}, 1.0, -25, 0.1),
                new Case("tone_stereo_44k.ogg", 44100, 2, 22050, BOTH, QUARTERS, 1.0, -25, 0.1)
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decodesContentRateAndLength(Case c) throws Exception {
        Path file = fixture(c.file());
        try (AudioReader r = AudioIO.open(file)) {
            assertEquals(AudioIO.SAMPLE_RATE, r.sampleRate());
            assertEquals(c.rate(), r.sourceSampleRate(), "source rate");
            assertEquals(c.channels(), r.sourceChannels(), "source channels");
            assertEquals(c.frames(), r.sourceFrames(), "source frames");
        }
        Signal s = AudioIO.read(file);
        assertEquals(AudioIO.SAMPLE_RATE, s.sampleRate());
        assertEquals(Resampler.outputLength(c.frames(), c.rate(), AudioIO.SAMPLE_RATE), s.length(), "length at 22050 Hz");

        float[] x = s.samples();
        // Skip the ends: the resampler sees silence outside the file there, lossy codecs have onsets.
        int edge = s.length() / 8;
        TestSignals.Fit fit = TestSignals.fit(x, AudioIO.SAMPLE_RATE, edge, x.length - edge, c.freqs());
        double signalRms = 0;
        for (int i = 0; i < c.freqs().length; i++) {
            double levelDb = db(fit.amplitude()[i] / c.amps()[i]);
            assertTrue(Math.abs(levelDb) < c.ampDb(), c.file() + ": " + c.freqs()[i] + " Hz is off by " + levelDb + " dB");
            assertEquals(0, fit.phase()[i], c.phaseRad(), c.file() + ": phase of " + c.freqs()[i] + " Hz (misaligned start?)");
            signalRms += c.amps()[i] * c.amps()[i] / 2;
        }
        signalRms = Math.sqrt(signalRms);
        double noise = db(fit.residualRms() / signalRms);
        assertTrue(noise < c.noiseDb(), c.file() + ": " + noise + " dB of something other than the tones");
        assertTrue(Math.abs(fit.dc()) < 0.01, c.file() + ": DC offset " + fit.dc());

        double dominant = TestSignals.dominantFrequency(x, AudioIO.SAMPLE_RATE);
        boolean matches = false;
        for (double f : c.freqs()) matches |= Math.abs(dominant - f) < 3;
        assertTrue(matches, c.file() + ": dominant frequency " + dominant + " Hz");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void streamingInOddChunksGivesTheSameSamplesAsReadingWhole(Case c) throws Exception {
        Path file = fixture(c.file());
        float[] whole = AudioIO.read(file).samples();
        float[] streamed = new float[whole.length + 100];
        int n = 0;
        try (AudioReader r = AudioIO.open(file)) {
            int k;
            while ((k = r.read(streamed, n, Math.min(37, streamed.length - n))) > 0) n += k;
            assertEquals(-1, r.read(streamed, 0, 10), "end stays the end");
        }
        assertEquals(whole.length, n);
        for (int i = 0; i < n; i++) assertEquals(whole[i], streamed[i], 0f, "sample " + i);
    }

    @Test
    void channelsAreAveragedNotSummedOrPicked() throws Exception {
        // Left = 0.5 sine, right = silence: the mix must hold the sine at half level.
        int rate = AudioIO.SAMPLE_RATE;
        float[] left = TestSignals.sine(700, 0.5, rate, rate / 2);
        Path f = TestSignals.writePcm16Wav(tmp, "lr.wav", rate, left, new float[left.length]);
        float[] x = AudioIO.read(f).samples();
        TestSignals.Fit fit = TestSignals.fit(x, rate, 0, x.length, 700);
        assertEquals(0.25, fit.amplitude()[0], 0.25 * 0.001);
    }

    @Test
    void silenceIsValid() throws Exception {
        Path f = TestSignals.writePcm16Wav(tmp, "quiet.wav", 44100, new float[44100], new float[44100]);
        Signal s = AudioIO.read(f);
        assertEquals(22050, s.length());
        assertEquals(0f, s.peak());
    }

}
