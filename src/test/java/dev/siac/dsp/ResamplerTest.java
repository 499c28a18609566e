package dev.siac.dsp;

import static dev.siac.audio.TestSignals.db;
import static dev.siac.audio.TestSignals.fit;
import static dev.siac.audio.TestSignals.rms;
import static dev.siac.audio.TestSignals.sine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siac.audio.TestSignals;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ResamplerTest {

    /** Samples at each end left out of measurements: the filter sees the silence outside the signal there. */
    private static final int EDGE = 1500;

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"44100,22050", "48000,22050", "16000,22050", "8000,22050", "96000,22050", "22050,16000",
                "11025,22050", "44101,22050"})
    void passbandIsFlatWithin0p1dBAndHasNoDelay(int from, int to) {
        double edge = 0.9 * Math.min(from, to) / 2;
        for (double frac : new double[] {0.01, 0.1, 0.33, 0.6, 0.8, 1.0}) {
            double f = Math.max(50, frac * edge);
            float[] y = Resampler.resample(sine(f, 0.5, from, from), from, to);
            TestSignals.Fit fit = fit(y, to, EDGE, y.length - EDGE, f);
            double gainDb = db(fit.amplitude()[0] / 0.5);
            assertTrue(Math.abs(gainDb) < 0.1, from + "->" + to + " at " + f + " Hz: gain " + gainDb + " dB");
            // Output sample n must be the input at time n/to: the fitted sine keeps phase 0.
            assertEquals(0, fit.phase()[0], 1e-3, "phase at " + f + " Hz (a delay would show here)");
            assertTrue(fit.residualRms() < 0.5 * 1e-3, "distortion at " + f + " Hz: " + fit.residualRms());
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"44100,22050", "48000,22050", "96000,22050", "44101,22050", "22050,16000", "32000,22050"})
    void tonesAboveTheNewNyquistAreAttenuatedBy60dB(int from, int to) {
        double nyq = to / 2.0;
        for (double f : new double[] {nyq * 1.005, nyq * 1.05, nyq * 1.3, Math.min(nyq * 1.9, from / 2.0 * 0.98)}) {
            if (f >= from / 2.0) continue;
            float[] x = sine(f, 0.5, from, from);
            float[] y = Resampler.resample(x, from, to);
            double atten = db(rms(y, EDGE, y.length - EDGE) / rms(x, 0, x.length));
            assertTrue(atten < -60, from + "->" + to + ": tone at " + f + " Hz leaks at " + atten + " dB");
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"8000,22050", "16000,22050", "11025,22050", "22050,44100"})
    void upsamplingAddsNoImagesAbove60dB(int from, int to) {
        for (double f : new double[] {300, 0.5 * from / 2, 0.9 * from / 2}) {
            float[] y = Resampler.resample(sine(f, 0.5, from, from), from, to);
            TestSignals.Fit fit = fit(y, to, EDGE, y.length - EDGE, f);
            double images = db(fit.residualRms() / (0.5 / Math.sqrt(2)));
            assertTrue(images < -60, from + "->" + to + " tone " + f + " Hz: images at " + images + " dB");
        }
    }

    @Test
    void outputLengthIsCeilingOfScaledInputLength() {
        int[][] ratios = {{44100, 22050}, {16000, 22050}, {48000, 22050}, {8000, 22050}, {44101, 22050}, {22050, 22050}};
        for (int[] r : ratios) {
            for (int n : new int[] {0, 1, 2, 3, 7, 159, 160, 161, 1000, 4409, 4410, 4411}) {
                long expected = (long) Math.ceil(n * (double) r[1] / r[0] - 1e-9);
                assertEquals(expected, Resampler.outputLength(n, r[0], r[1]), r[0] + "->" + r[1] + " n=" + n);
                assertEquals(expected, Resampler.resample(new float[n], r[0], r[1]).length, r[0] + "->" + r[1] + " n=" + n);
            }
        }
        assertEquals(22050, Resampler.resample(new float[44100], 44100, 22050).length);
        assertEquals(22050, Resampler.resample(new float[8000], 8000, 22050).length);
        assertEquals(22050, Resampler.resample(new float[48000], 48000, 22050).length);
    }

    @Test
    void impulseLandsAtTheSameTimeInTheOutput() {
        // 44100 -> 22050: input sample 4410 is at 100 ms = output sample 2205 exactly.
        float[] x = new float[8820];
        x[4410] = 1;
        float[] y = Resampler.resample(x, 44100, 22050);
        assertEquals(2205, argMax(y));
        assertEquals(y[2204], y[2206], 1e-6, "response must be symmetric about the impulse time");

        // 8000 -> 22050: input sample 81 is at 10.125 ms = output sample 223.25; the peak is the nearest sample
        // and the neighbours are weighted accordingly.
        float[] u = new float[800];
        u[81] = 1;
        float[] v = Resampler.resample(u, 8000, 22050);
        assertEquals(223, argMax(v));
        assertTrue(v[224] > v[222], "223.25 is nearer to 224 than to 222");
        // 16000 -> 22050: input sample 160 is at 10 ms = output sample 220.5: symmetric neighbours.
        float[] w = new float[640];
        w[160] = 1;
        float[] z = Resampler.resample(w, 16000, 22050);
        assertEquals(z[220], z[221], 1e-5);
        assertTrue(z[220] > z[219] && z[221] > z[222]);
    }

    @Test
    void constantStaysConstantAwayFromTheEnds() {
        for (int[] r : new int[][] {{44100, 22050}, {8000, 22050}, {48000, 22050}, {44101, 22050}}) {
            float[] x = new float[r[0]];
            Arrays.fill(x, 0.5f);
            float[] y = Resampler.resample(x, r[0], r[1]);
            for (int i = EDGE; i < y.length - EDGE; i++) {
                assertEquals(0.5, y[i], 1e-4, r[0] + "->" + r[1] + " at " + i);
            }
        }
    }

    @Test
    void streamingInAnyBlockSizesEqualsOneShot() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int[] r : new int[][] {{44100, 22050}, {16000, 22050}, {48000, 22050}, {8000, 22050}, {44101, 22050}, {22050, 22050}}) {
            float[] x = TestSignals.noise(20000, 0.8, r[0]);
            float[] expected = Resampler.resample(x, r[0], r[1]);
            for (int trial = 0; trial < 3; trial++) {
                Resampler s = new Resampler(r[0], r[1]);
                float[] got = new float[0];
                int pos = 0;
                while (pos < x.length) {
                    int len = Math.min(x.length - pos, trial == 0 ? 1 + rnd.nextInt(5) : 1 + rnd.nextInt(3000));
                    got = concat(got, s.process(x, pos, len));
                    pos += len;
                }
                got = concat(got, s.flush());
                assertArrayEquals(expected, got, r[0] + "->" + r[1] + " trial " + trial);
            }
        }
    }

    @Test
    void resetStartsANewStream() {
        Resampler s = new Resampler(48000, 22050);
        float[] x = TestSignals.noise(5000, 0.5, 3);
        float[] first = concat(s.process(x, 0, x.length), s.flush());
        assertThrows(IllegalStateException.class, () -> s.process(x, 0, 10));
        s.reset();
        float[] second = concat(s.process(x, 0, x.length), s.flush());
        assertArrayEquals(first, second);
    }

    @Test
    void equalRatesCopyTheInput() {
        float[] x = TestSignals.noise(1000, 1, 5);
        float[] y = Resampler.resample(x, 22050, 22050);
        assertArrayEquals(x, y);
        x[0] = 42;
        assertEquals(x[1], y[1]);
        assertTrue(y[0] != 42, "result must not share the input array");
        assertEquals(0, new Resampler(22050, 22050).halfWidth());
    }

    @Test
    void rejectsNonPositiveRates() {
        assertThrows(IllegalArgumentException.class, () -> new Resampler(0, 22050));
        assertThrows(IllegalArgumentException.class, () -> new Resampler(44100, -1));
        assertThrows(IllegalArgumentException.class, () -> Resampler.outputLength(-1, 44100, 22050));
    }

    @Test
    void historyDoesNotGrowWithTheStream() {
        // A long stream in small blocks must not keep its input: the look-ahead bounds what is held.
        Resampler s = new Resampler(44100, 22050);
        float[] block = TestSignals.noise(512, 0.5, 11);
        long out = 0;
        for (int i = 0; i < 4000; i++) out += s.process(block, 0, block.length).length;
        out += s.flush().length;
        assertEquals(Resampler.outputLength(4000L * 512, 44100, 22050), out);
        assertTrue(s.bufferedInput() <= 2 * s.halfWidth() + 512, "holds " + s.bufferedInput() + " samples");
    }

    private static int argMax(float[] y) {
        int best = 0;
        for (int i = 1; i < y.length; i++) if (y[i] > y[best]) best = i;
        return best;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
