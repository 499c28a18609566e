package dev.siac.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.siac.dsp.NativeFft;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The level fit's search on synthetic spectra, where the best gain is known. */
class LevelFitTest {
    private static final int SR = 22050, NFFT = 2048, BINS = NFFT / 2 + 1;
    private static final double FLOOR = 1e-7;

    /** Random complex spectra (bins x frames x 2), with a few silent frames. */
    private static float[] spectrum(Random r, int frames, double scale) {
        float[] s = new float[BINS * frames * 2];
        for (int i = 0; i < s.length; i++) s[i] = (float) (scale * r.nextGaussian());
        return s;
    }

    /** |t + g c| as input magnitudes x[bin][frame]. */
    private static float[][] magnitudes(float[] t, float[] c, double g, int frames) {
        float[][] x = new float[BINS][frames];
        for (int k = 0; k < BINS; k++) {
            for (int f = 0; f < frames; f++) {
                int j = (k * frames + f) * 2;
                x[k][f] = (float) Math.hypot(t[j] + g * c[j], t[j + 1] + g * c[j + 1]);
            }
        }
        return x;
    }

    @Test
    void findsTheGainThatReproducesTheInput() {
        Random r = new Random(1);
        LevelFit fit = new LevelFit(SR, NFFT);
        int frames = 12;
        float[] t = spectrum(r, frames, 0.01);
        float[] c = spectrum(r, frames, 0.02);
        for (double db : new double[] {-9, -2.5, 0, 3.7, 8}) {
            double g = Math.pow(10, db / 20);
            double found = fit.gain(magnitudes(t, c, g, frames), t, c, frames, frames, FLOOR);
            assertEquals(db, 20 * Math.log10(found), 0.1, "gain " + db + " dB");
        }
        // nothing earlier in the buffer: the same
        float[] zero = new float[t.length];
        double found = fit.gain(magnitudes(zero, c, 2, frames), zero, c, frames, frames, FLOOR);
        assertEquals(20 * Math.log10(2), 20 * Math.log10(found), 0.1);
    }

    @Test
    void staysInItsRangeAndLeavesWindowsWithoutEventsAlone() {
        Random r = new Random(2);
        LevelFit fit = new LevelFit(SR, NFFT);
        int frames = 6;
        float[] t = new float[BINS * frames * 2];
        float[] c = spectrum(r, frames, 0.01);
        double loud = fit.gain(magnitudes(t, c, 1000, frames), t, c, frames, frames, FLOOR);
        assertEquals(LevelFit.MAX_DB, 20 * Math.log10(loud), 1e-6, "clamped at the top");
        double quiet = fit.gain(magnitudes(t, c, 1e-4, frames), t, c, frames, frames, FLOOR);
        assertEquals(LevelFit.MIN_DB, 20 * Math.log10(quiet), 1e-6, "clamped at the bottom");
        float[] none = new float[c.length];
        assertEquals(1.0, fit.gain(magnitudes(t, c, 1, frames), t, none, frames, frames, FLOOR), 0.0, "no events: no gain");
    }

    @Test
    void silentInputFramesDoNotCount() {
        // frames 0-3 hold the events at gain 2 against the input; frames 4-7 are digitally silent in the input (the
        // decoder mutes them), where the events ring on: the fit must not turn the events down for them
        Random r = new Random(3);
        LevelFit fit = new LevelFit(SR, NFFT);
        int frames = 8;
        float[] t = new float[BINS * frames * 2];
        float[] c = spectrum(r, frames, 0.01);
        float[][] x = magnitudes(t, c, 2, frames);
        for (float[] row : x) for (int f = 4; f < frames; f++) row[f] = 0;
        double g = fit.gain(x, t, c, frames, frames, FLOOR);
        assertEquals(20 * Math.log10(2), 20 * Math.log10(g), 0.1);
    }

    @Test
    void theNativeObjectiveChoosesWhatTheJavaOneDoes() {
        assumeTrue(NativeFft.available(), "native library not loaded (NativeFftTest says why on Linux x86-64)");
        // an input no gain reproduces (its own noise on top), so the search ends somewhere off its grid
        Random r = new Random(4);
        LevelFit fit = new LevelFit(SR, NFFT);
        int frames = 16;
        for (int trial = 0; trial < 4; trial++) {
            float[] t = spectrum(r, frames, 0.01 * trial);
            float[] c = spectrum(r, frames, 0.02);
            float[][] x = magnitudes(t, c, 1.7, frames);
            for (float[] row : x) for (int f = 0; f < frames; f++) row[f] *= (float) Math.exp(0.5 * r.nextGaussian());
            double java = fit.gain(x, t, c, frames, frames, FLOOR, false);
            double c2 = fit.gain(x, t, c, frames, frames, FLOOR, true);
            assertEquals(java, c2, 1e-9 * java, "trial " + trial);
        }
    }

    /** d's magnitudes with each bin's level moved by the dB the balance's codes give it (what the decoder does). */
    private static float[][] balanced(float[] d, int frames, int[] codes) {
        byte[] b = new byte[Balance.BANDS];
        for (int i = 0; i < b.length; i++) b[i] = (byte) codes[i];
        Balance bal = Balance.of(1, Balance.BANDS, Balance.LOWEST_HZ, b);
        float[][] x = magnitudes(new float[d.length], d, 1, frames);
        for (int k = 0; k < BINS; k++) {
            double g = Math.pow(10, bal.gainDbAt(0, k * (double) SR / NFFT) / 20);
            for (int f = 0; f < frames; f++) x[k][f] *= (float) g;
        }
        return x;
    }

    @Test
    void theBalanceFindsTheBandGainsThatReproduceTheInput() {
        Random r = new Random(5);
        LevelFit fit = new LevelFit(SR, NFFT);
        int frames = 24;
        float[] d = spectrum(r, frames, 0.01);
        int[] want = {0, 4, -6, 10, 2, -12, 6, -3};
        float[][] x = balanced(d, frames, want);
        byte[] got = fit.balance(fit.target(x, frames, FLOOR), d, frames, x, Double.POSITIVE_INFINITY);
        for (int b = 1; b < Balance.BANDS; b++) assertEquals(want[b], got[b], 1, "band " + b); // band 0: few mel bands
        // an input the decode already matches: every code stays 0
        float[][] same = balanced(d, frames, new int[Balance.BANDS]);
        byte[] none = fit.balance(fit.target(same, frames, FLOOR), d, frames, same, Double.POSITIVE_INFINITY);
        for (int b = 0; b < Balance.BANDS; b++) assertEquals(0, none[b], "band " + b);
    }

    @Test
    void aLevelToleranceHoldsEachOctavesPowerWhereMelL1AloneWouldNot() {
        // the input's 800-1600 Hz octave is the decode's with one loud cell in twenty: its median (what mel_l1 fits) is
        // the decode's, its power 10 dB above
        Random r = new Random(6);
        LevelFit fit = new LevelFit(SR, NFFT);
        int frames = 20;
        float[] d = spectrum(r, frames, 0.01);
        float[][] x = magnitudes(new float[d.length], d, 1, frames);
        int lo = (int) Math.ceil(800.0 * NFFT / SR), hi = (int) Math.ceil(1600.0 * NFFT / SR);
        for (int k = lo; k < hi; k++) x[k][(k * 7) % frames] *= 12;
        LevelFit.Target target = fit.target(x, frames, FLOOR);
        byte[] free = fit.balance(target, d, frames, x, Double.POSITIVE_INFINITY);
        byte[] held = fit.balance(target, d, frames, x, 1.0);
        double freeDb = octaveError(x, d, frames, free, lo, hi), heldDb = octaveError(x, d, frames, held, lo, hi);
        assertTrue(freeDb < -3, "mel_l1 alone leaves the octave low: " + freeDb + " dB");
        assertTrue(Math.abs(heldDb) <= 1.1, "held within 1 dB (the octave edges fall between bins): " + heldDb + " dB");
    }

    @Test
    void theLevelIsHeldOverAllTheFramesSoAQuietFrameKeepsItsMelOptimum() {
        // two balance frames: a loud one whose 800-1600 Hz octave holds the same loud cells as above, and one 40 dB
        // quieter with the same shape; the octave's power over both is the loud frame's
        Random r = new Random(7);
        LevelFit fit = new LevelFit(SR, NFFT);
        int frames = 40, half = 20;
        float[] d = spectrum(r, frames, 0.01);
        for (int k = 0; k < BINS; k++) {
            for (int f = half; f < frames; f++) {
                d[(k * frames + f) * 2] *= 0.01f;
                d[(k * frames + f) * 2 + 1] *= 0.01f;
            }
        }
        float[][] x = magnitudes(new float[d.length], d, 1, frames);
        int lo = (int) Math.ceil(800.0 * NFFT / SR), hi = (int) Math.ceil(1600.0 * NFFT / SR);
        for (int k = lo; k < hi; k++) {
            x[k][(k * 7) % half] *= 12;
            x[k][half + (k * 7) % half] *= 12;
        }
        LevelFit.Target target = fit.target(x, frames, FLOOR);
        int[] bounds = {0, half, frames};
        byte[] free = fit.balance(target, d, frames, x, Double.POSITIVE_INFINITY, bounds);
        byte[] held = fit.balance(target, d, frames, x, 1.0, bounds);
        assertEquals(2 * Balance.BANDS, held.length);
        double freeDb = octaveError(x, d, frames, free, lo, hi), heldDb = octaveError(x, d, frames, held, lo, hi);
        assertTrue(freeDb < -3, "mel_l1 alone leaves the octave low: " + freeDb + " dB");
        assertTrue(Math.abs(heldDb) <= 1.1, "held within 1 dB over both frames: " + heldDb + " dB");
        for (int b = 0; b < Balance.BANDS; b++) {
            assertEquals(free[Balance.BANDS + b], held[Balance.BANDS + b], "the quiet frame keeps its mel optimum, band " + b);
        }
        // without a tolerance each frame is the one-frame balance of its own frames
        byte[] first = fit.balance(target, d, frames, x, Double.POSITIVE_INFINITY, 0, half);
        byte[] second = fit.balance(target, d, frames, x, Double.POSITIVE_INFINITY, half, frames);
        for (int b = 0; b < Balance.BANDS; b++) {
            assertEquals(first[b], free[b]);
            assertEquals(second[b], free[Balance.BANDS + b]);
        }
    }

    /**
     * The decode's power over the input's in bins [lo, hi) after the balance's codes, in dB; with several frames of codes
     * (codes.length / BANDS of them) each takes an equal share of the frames, in order.
     */
    private static double octaveError(float[][] x, float[] d, int frames, byte[] codes, int lo, int hi) {
        int n = codes.length / Balance.BANDS;
        double px = 0, py = 0;
        for (int s = 0; s < n; s++) {
            int[] c = new int[Balance.BANDS];
            for (int i = 0; i < c.length; i++) c[i] = codes[s * Balance.BANDS + i];
            float[][] y = balanced(d, frames, c);
            for (int k = lo; k < hi; k++) {
                for (int f = s * frames / n; f < (s + 1) * frames / n; f++) {
                    px += (double) x[k][f] * x[k][f];
                    py += (double) y[k][f] * y[k][f];
                }
            }
        }
        return 10 * Math.log10(py / px);
    }
}
