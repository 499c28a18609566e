package dev.siac.eval;

import dev.siac.codec.Event;
import dev.siac.codec.EventList;
import dev.siac.codec.Precision;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checks the metrics against values derived independently here: a direct O(n^2) DFT with its own framing, window and
 * mel filters written from the formulas, and closed-form values for sines, so that a wrong constant (hop, window,
 * padding mode, mel scale, normalisation, floor) fails.
 */
class MetricsTest {

    private static final int SR = 22050;

    // ------------------------------------------------------------------ independent reference implementation

    /** Test's own Slaney mel: 3 mels per 200 Hz below 1 kHz; 27 mels per factor 6.4 above. */
    private static double mel(double hz) {
        return hz < 1000 ? hz * 3 / 200 : 15 + 27 * Math.log(hz / 1000) / Math.log(6.4);
    }

    private static double hz(double mel) {
        return mel < 15 ? mel * 200 / 3 : 1000 * Math.pow(6.4, (mel - 15) / 27);
    }

    /** Weight of band m (of 80 between 0 and 11025 Hz) at frequency f, Slaney area-normalised. */
    private static double melWeight(int m, double f) {
        double top = mel(11025);
        double lo = hz(top * m / 81), mid = hz(top * (m + 1) / 81), hi = hz(top * (m + 2) / 81);
        double tri;
        if (f <= lo || f >= hi) tri = 0;
        else if (f <= mid) tri = (f - lo) / (mid - lo);
        else tri = (hi - f) / (hi - mid);
        return tri * 2 / (hi - lo);
    }

    /** |DFT| of every centred frame, by the definition: frame t covers x[t*hop - n/2 .. t*hop + n/2). */
    private static double[][] directStft(float[] x, int n, int hop) {
        int frames = 1 + x.length / hop;
        int bins = n / 2 + 1;
        double[] cos = new double[n], sin = new double[n];
        for (int i = 0; i < n; i++) {
            cos[i] = Math.cos(2 * Math.PI * i / n);
            sin[i] = Math.sin(2 * Math.PI * i / n);
        }
        double[][] out = new double[frames][bins];
        double[] frame = new double[n];
        for (int t = 0; t < frames; t++) {
            for (int i = 0; i < n; i++) {
                int j = t * hop - n / 2 + i;
                if (j < 0) j = -j;                                  // reflect about the first sample
                if (j >= x.length) j = 2 * (x.length - 1) - j;       // reflect about the last sample
                double hann = Math.sin(Math.PI * i / n);             // periodic Hann = sin^2(pi i / N)
                frame[i] = x[j] * hann * hann;
            }
            for (int k = 0; k < bins; k++) {
                double re = 0, im = 0;
                for (int i = 0; i < n; i++) {
                    int p = (int) ((long) k * i % n);
                    re += frame[i] * cos[p];
                    im -= frame[i] * sin[p];
                }
                out[t][k] = Math.hypot(re, im);
            }
        }
        return out;
    }

    private static double lg(double v) {
        return Math.log10(Math.max(v, 1e-5));
    }

    private static double referenceMelL1(float[] x, float[] y) {
        double[][] sx = directStft(x, 2048, 256), sy = directStft(y, 2048, 256);
        double sum = 0;
        for (int t = 0; t < sx.length; t++) {
            for (int m = 0; m < 80; m++) {
                double ex = 0, ey = 0;
                for (int k = 0; k < 1025; k++) {
                    double w = melWeight(m, k * 22050.0 / 2048);
                    ex += w * sx[t][k];
                    ey += w * sy[t][k];
                }
                sum += Math.abs(lg(ex) - lg(ey));
            }
        }
        return sum / (sx.length * 80.0);
    }

    private static double referenceStftDist(float[] x, float[] y) {
        double total = 0;
        for (int n : new int[]{2048, 512}) {
            double[][] sx = directStft(x, n, n / 4), sy = directStft(y, n, n / 4);
            double logSum = 0, linSum = 0;
            for (int t = 0; t < sx.length; t++) {
                for (int k = 0; k < sx[t].length; k++) {
                    logSum += Math.abs(lg(sx[t][k]) - lg(sy[t][k]));
                    linSum += Math.abs(sx[t][k] - sy[t][k]);
                }
            }
            double count = (double) sx.length * sx[0].length;
            total += logSum / count + linSum / count;
        }
        return total;
    }

    private static float[] tone(int n, double hz, double amp, double phase) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (amp * Math.sin(2 * Math.PI * hz * i / SR + phase));
        return x;
    }

    private static float[] richSignal(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (0.4 * Math.sin(2 * Math.PI * 440 * i / SR)
                    + 0.2 * Math.sin(2 * Math.PI * 3150 * i / SR + 1)
                    + 0.05 * r.nextGaussian());
        }
        return x;
    }

    // ------------------------------------------------------------------ mel scale and filters

    @Test
    void slaneyMelScaleKnownPoints() {
        assertEquals(15.0, Metrics.hzToMel(1000), 1e-12);
        assertEquals(7.5, Metrics.hzToMel(500), 1e-12);
        // 15 + 27 ln 2 / ln 6.4
        assertEquals(25.081880, Metrics.hzToMel(2000), 1e-6);
        assertEquals(49.910594, Metrics.hzToMel(11025), 1e-6);
        for (double f : new double[]{0, 10, 999, 1000, 1001, 4321, 11025}) {
            assertEquals(f, Metrics.melToHz(Metrics.hzToMel(f)), 1e-9 * Math.max(1, f));
        }
    }

    @Test
    void melFilterWeightsMatchTheFormula() {
        double[][] w = Metrics.melFilterbank(SR, 2048, 80, 0, 11025);
        assertEquals(80, w.length);
        assertEquals(1025, w[0].length);
        // Band 0 by hand: edges 0, 41.08, 82.16 Hz (0.61619 mel steps of 200/3 Hz); peak height 2/82.16;
        // bin 1 (10.7666 Hz) on the rising edge.
        double step = 49.910594 / 81 * 200 / 3;
        assertEquals(41.0787, step, 1e-3);
        double h0 = 2 / (2 * step);
        assertEquals(h0 * (22050.0 / 2048) / step, w[0][1], 1e-7);
        assertEquals(0.0, w[0][0], 0.0);
        assertEquals(0.0, w[0][8], 0.0); // 86.1 Hz > 82.16 Hz upper edge
        for (int m : new int[]{0, 1, 20, 21, 22, 50, 79}) {
            for (int k : new int[]{0, 1, 3, 7, 40, 93, 200, 511, 1000, 1024}) {
                assertEquals(melWeight(m, k * 22050.0 / 2048), w[m][k], 1e-9, "band " + m + " bin " + k);
            }
        }
        // Slaney normalisation makes each triangle's area 1 (in Hz): for wide bands the bin sum times the
        // bin spacing approximates that area closely, which would fail for peak-1 (htk/None) normalisation.
        for (int m = 40; m < 80; m++) {
            double area = Arrays.stream(w[m]).sum() * 22050.0 / 2048;
            assertEquals(1.0, area, 0.01, "band " + m);
        }
    }

    // ------------------------------------------------------------------ STFT convention

    @Test
    void stftOfBinCentredCosineHasHannMainLobeInEveryFrame() {
        // cos at exactly bin 100 of a 2048 FFT. A periodic Hann turns it into 3 bins of A*N/4 and A*N/8;
        // reflect padding keeps an even function even, so the centred frame 0 is as full as the middle ones
        // (zero padding would halve it, a symmetric Hann would leak into bins 98 and 102).
        int n = 8192;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (0.5 * Math.cos(2 * Math.PI * 100 * i / 2048));
        double[][] s = Metrics.magnitudeSpectrogram(x, 2048, 256);
        assertEquals(1 + n / 256, s.length);
        assertEquals(1025, s[0].length);
        for (int t : new int[]{0, 1, 4, 16}) {
            assertEquals(0.5 * 2048 / 4, s[t][100], 1e-2, "frame " + t);
            assertEquals(0.5 * 2048 / 8, s[t][99], 1e-2, "frame " + t);
            assertEquals(0.5 * 2048 / 8, s[t][101], 1e-2, "frame " + t);
            assertEquals(0.0, s[t][98], 1e-2, "frame " + t);
            assertEquals(0.0, s[t][300], 1e-2, "frame " + t);
        }
    }

    @Test
    void spectrogramMatchesDirectDft() {
        float[] x = richSignal(1500, 3);
        double[][] fast = Metrics.magnitudeSpectrogram(x, 512, 128);
        double[][] slow = directStft(x, 512, 128);
        assertEquals(slow.length, fast.length);
        for (int t = 0; t < slow.length; t++) {
            for (int k = 0; k < slow[t].length; k++) assertEquals(slow[t][k], fast[t][k], 1e-4);
        }
    }

    // ------------------------------------------------------------------ mel_l1 and stft_dist

    @Test
    void identicalSignalsScoreZero() {
        float[] x = richSignal(5000, 1);
        assertEquals(0.0, Metrics.melL1(x, x.clone(), SR), 0.0);
        assertEquals(0.0, Metrics.stftDist(x, x.clone()), 0.0);
        assertEquals(Double.POSITIVE_INFINITY, Metrics.snr(x, x.clone()));
        // ||a x - y|| ~ 0, so si_sdr is capped by its 1e-8 regulariser at 10 log10(||x0||^2 / 1e-8).
        double energy = 0, mean = 0;
        for (float v : x) mean += v;
        mean /= x.length;
        for (float v : x) energy += (v - mean) * (v - mean);
        assertEquals(10 * Math.log10(energy / 1e-8), Metrics.siSdr(x, x.clone()), 1e-3);
    }

    @Test
    void sineAgainstSilenceMatchesReference() {
        float[] x = tone(2048, 1000, 0.5, 0.3);
        float[] silence = new float[2048];
        double expectedMel = referenceMelL1(x, silence);
        double expectedStft = referenceStftDist(x, silence);
        assertEquals(expectedMel, Metrics.melL1(x, silence, SR), 1e-6 * expectedMel);
        assertEquals(expectedStft, Metrics.stftDist(x, silence), 1e-6 * expectedStft);
        // Sanity of scale: most mel bands of a pure tone are near the floor on both sides, the tone's band is
        // ~log10(A*N/4 * weight) + 5 above it.
        assertTrue(expectedMel > 0.5 && expectedMel < 6, "mel_l1 " + expectedMel);
        // Symmetric in its arguments.
        assertEquals(Metrics.melL1(x, silence, SR), Metrics.melL1(silence, x, SR), 1e-12);
    }

    @Test
    void twoRichSignalsMatchReference() {
        float[] x = richSignal(2300, 7);
        float[] y = richSignal(2300, 8);
        for (int i = 0; i < y.length; i++) y[i] *= 0.7f;
        double expectedMel = referenceMelL1(x, y);
        double expectedStft = referenceStftDist(x, y);
        assertEquals(expectedMel, Metrics.melL1(x, y, SR), 1e-6 * expectedMel);
        assertEquals(expectedStft, Metrics.stftDist(x, y), 1e-6 * expectedStft);
        Metrics.Scores all = Metrics.all(x, y, SR);
        assertEquals(expectedMel, all.melL1(), 1e-6 * expectedMel);
        assertEquals(expectedStft, all.stftDist(), 1e-6 * expectedStft);
        assertEquals(Metrics.snr(x, y), all.snr(), 0.0);
        assertEquals(Metrics.siSdr(x, y), all.siSdr(), 0.0);
    }

    @Test
    void blockingDoesNotChangeTheResult() {
        float[] x = richSignal(20000, 11);
        float[] y = richSignal(20000, 12);
        assertEquals(Metrics.stftDist(x, y, 100000), Metrics.stftDist(x, y, 7), 1e-9);
        assertEquals(Metrics.melL1(x, y, SR, 100000), Metrics.melL1(x, y, SR, 5), 1e-9);
    }

    @Test
    void decodedIsPaddedOrCroppedToReferenceLength() {
        float[] x = richSignal(3000, 2);
        float[] longer = Arrays.copyOf(x, 4000);
        for (int i = 3000; i < 4000; i++) longer[i] = 0.9f;
        assertEquals(0.0, Metrics.melL1(x, longer, SR), 0.0);
        assertEquals(Double.POSITIVE_INFINITY, Metrics.snr(x, longer));
        float[] shorter = Arrays.copyOf(x, 2000);
        float[] xPadded = Arrays.copyOf(x, 3000);
        for (int i = 2000; i < 3000; i++) xPadded[i] = 0;
        assertEquals(Metrics.melL1(x, xPadded, SR), Metrics.melL1(x, shorter, SR), 1e-12);
        assertTrue(Metrics.melL1(x, shorter, SR) > 0);
    }

    // ------------------------------------------------------------------ si_sdr and snr

    @Test
    void siSdrIgnoresGainButSnrDoesNot() {
        float[] x = richSignal(22050, 4);
        float[] half = new float[x.length];
        for (int i = 0; i < x.length; i++) half[i] = 0.5f * x[i];
        assertTrue(Metrics.siSdr(x, half) > 90, "si_sdr of a scaled copy " + Metrics.siSdr(x, half));
        // ||x - x/2||^2 = ||x||^2 / 4
        assertEquals(10 * Math.log10(4), Metrics.snr(x, half), 1e-4);
    }

    @Test
    void siSdrAndSnrOfAdditiveNoiseAtKnownLevel() {
        int n = 44100;
        float[] x = tone(n, 440, 0.5, 0);
        double px = 0;
        for (float v : x) px += v * v;
        Random r = new Random(5);
        double[] noise = new double[n];
        double pn = 0;
        for (int i = 0; i < n; i++) {
            noise[i] = r.nextGaussian();
            pn += noise[i] * noise[i];
        }
        double scale = Math.sqrt(px / pn / 100); // 20 dB
        float[] y = new float[n];
        for (int i = 0; i < n; i++) y[i] = (float) (x[i] + scale * noise[i]);
        assertEquals(20.0, Metrics.snr(x, y), 1e-3);
        assertEquals(20.0, Metrics.siSdr(x, y), 0.2);
    }

    @Test
    void snrOfDelayedCopyFollowsTheShiftFormula() {
        // ||x(n) - x(n-d)||^2 / ||x||^2 = 4 sin^2(w d / 2) for a sine; w d = pi/3 gives 0 dB, w d = pi/6 gives
        // -20 log10(2 sin(pi/12)) = 5.7195 dB.
        int n = 22050 * 2;
        double f = 22050.0 / 12; // period 12 samples
        float[] x = tone(n, f, 0.5, 0.2);
        float[] shifted2 = new float[n];
        float[] shifted1 = new float[n];
        for (int i = 0; i < n; i++) {
            shifted2[i] = (float) (0.5 * Math.sin(2 * Math.PI * f * (i - 2) / SR + 0.2));
            shifted1[i] = (float) (0.5 * Math.sin(2 * Math.PI * f * (i - 1) / SR + 0.2));
        }
        assertEquals(0.0, Metrics.snr(x, shifted2), 1e-3);
        assertEquals(-20 * Math.log10(2 * Math.sin(Math.PI / 12)), Metrics.snr(x, shifted1), 1e-3);
        assertTrue(Metrics.siSdr(x, shifted1) < 6, "si_sdr is phase-sensitive");
    }

    // ------------------------------------------------------------------ silence and bad input

    @Test
    void silenceNeverGivesNaN() {
        float[] zero = new float[4000];
        float[] x = richSignal(4000, 9);
        assertEquals(0.0, Metrics.melL1(zero, zero.clone(), SR), 0.0);
        assertEquals(0.0, Metrics.stftDist(zero, zero.clone()), 0.0);
        assertEquals(Double.POSITIVE_INFINITY, Metrics.snr(zero, zero.clone()));
        assertEquals(Double.NEGATIVE_INFINITY, Metrics.snr(zero, x));
        assertEquals(Double.NEGATIVE_INFINITY, Metrics.siSdr(zero, x));
        assertEquals(Double.NEGATIVE_INFINITY, Metrics.siSdr(x, zero));
        Metrics.Scores s = Metrics.all(x, zero, SR);
        for (double v : new double[]{s.melL1(), s.stftDist(), s.siSdr(), s.snr()}) assertFalse(Double.isNaN(v));
        assertTrue(s.melL1() > 0);
    }

    @Test
    void veryShortClipsStillHaveACentredStft() {
        // Shorter than the 1024-sample pad: reflection repeats (numpy 'reflect'); result must be finite and 0
        // for identical input.
        float[] x = {0.1f, -0.3f, 0.2f, 0.05f, 0.4f};
        assertEquals(0.0, Metrics.melL1(x, x.clone(), SR), 0.0);
        double d = Metrics.stftDist(x, new float[5]);
        assertTrue(d > 0 && Double.isFinite(d));
        float[] one = {0.5f};
        assertTrue(Double.isFinite(Metrics.melL1(one, new float[1], SR)));
        assertThrows(IllegalArgumentException.class, () -> Metrics.melL1(new float[0], new float[3], SR));
    }

    @Test
    void reflectPadRepeatsLikeNumpy() {
        // np.pad([1,2,3], 5, mode='reflect') = [2 1 2 3 2 | 1 2 3 | 2 1 2 3 2] (checked with numpy 2.4)
        double[] p = Metrics.reflectPad(new float[]{1, 2, 3}, 5);
        assertEquals("[2.0, 1.0, 2.0, 3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0, 2.0, 3.0, 2.0]", Arrays.toString(p));
    }

    @Test
    void energyRemoved() {
        assertEquals(0.75, Metrics.energyRemoved(25, 100), 1e-15);
        assertEquals(-0.5, Metrics.energyRemoved(150, 100), 1e-15); // residual is not clamped
        assertEquals(0.0, Metrics.energyRemoved(0, 0), 0.0);
        assertThrows(IllegalArgumentException.class, () -> Metrics.energyRemoved(Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> Metrics.energyRemoved(1, -1));
    }

    // ------------------------------------------------------------------ redundancy

    private static Event event(long time, float... vector) {
        return new Event(time, 1f, vector);
    }

    private static EventList events(Event... events) {
        return new EventList(SR, 5 * SR, 1f, events[0].vector().length, "", Precision.F32, List.of(events));
    }

    /** A unit vector at cosine c with (1, 0, 0, 0). */
    private static float[] atCosine(double c) {
        return new float[]{(float) c, (float) Math.sqrt(1 - c * c), 0, 0};
    }

    @Test
    void redundancyWithoutTwinsIsZero() {
        EventList list = events(
                event(0, 1, 0, 0, 0),
                event(100, 0, 1, 0, 0),       // 5 ms later but orthogonal
                event(SR, 1, 0, 0, 0),        // same vector as the first, 1 s later
                event(SR + 50, 0, 0, 1, 0),
                event(3 * SR, 0, 0, 0, 1));
        assertEquals(0.0, Metrics.redundancy(list), 0.0);
    }

    @Test
    void aTwinPairWithin50MillisecondsCountsBothEvents() {
        long t = 2 * SR;
        EventList list = events(
                event(0, 0, 0, 1, 0),
                event(t, atCosine(1)),
                event(t + Math.round(0.04 * SR), atCosine(0.95)),
                event(3 * SR, 0, 1, 0, 0),
                event(4 * SR, 0, 0, 0, 1));
        assertEquals(2.0 / 5, Metrics.redundancy(list), 1e-12);
    }

    @Test
    void aTwinIsFoundPastAnUnrelatedEventBetween() {
        // Only comparing neighbours in time would miss this pair.
        EventList list = events(event(0, 1, 0, 0, 0), event(100, 0, 1, 0, 0), event(500, 2, 0, 0, 0));
        assertEquals(2.0 / 3, Metrics.redundancy(list), 1e-12);
    }

    @Test
    void theSameVector60MillisecondsApartIsNoTwin() {
        EventList list = events(event(SR, 1, 2, 3, 4), event(SR + Math.round(0.06 * SR), 1, 2, 3, 4));
        assertEquals(0.0, Metrics.redundancy(list), 0.0);
        // 50 ms is 1102.5 samples at 22050 Hz: 1102 apart is inside the window, 1103 outside.
        assertEquals(1.0, Metrics.redundancy(events(event(SR, 1, 2, 3, 4), event(SR + 1102, 1, 2, 3, 4))), 0.0);
        assertEquals(0.0, Metrics.redundancy(events(event(SR, 1, 2, 3, 4), event(SR + 1103, 1, 2, 3, 4))), 0.0);
    }

    @Test
    void cosine085Within10MillisecondsIsNoTwin() {
        EventList list = events(event(SR, atCosine(1)), event(SR + Math.round(0.01 * SR), atCosine(0.85)));
        assertEquals(0.0, Metrics.redundancy(list), 0.0);
    }

    @Test
    void aZeroVectorHasNoTwin() {
        assertEquals(0.0, Metrics.redundancy(events(event(SR, 0, 0, 0, 0), event(SR, 0, 0, 0, 0))), 0.0);
        assertEquals(0.0, Metrics.redundancy(events(event(SR, 0, 0, 0, 0), event(SR + 10, 1, 0, 0, 0))), 0.0);
        // ... and does not hide a real pair on either side of it
        assertEquals(2.0 / 3, Metrics.redundancy(
                events(event(SR, 1, 0, 0, 0), event(SR + 5, 0, 0, 0, 0), event(SR + 10, 1, 0, 0, 0))), 1e-12);
    }

    @Test
    void redundancyOfNoEventsIsNotApplicable() {
        EventList empty = new EventList(SR, SR, 1f, 4, "", Precision.F32, List.of());
        assertTrue(Double.isNaN(Metrics.redundancy(empty)));
    }

    @Test
    void redundancyMatchesAllPairsComparison() {
        // Events from a few prototypes plus noise, dense enough that windows hold several events each.
        Random r = new Random(21);
        float[][] prototypes = new float[4][8];
        for (float[] p : prototypes) for (int d = 0; d < p.length; d++) p[d] = (float) r.nextGaussian();
        List<Event> list = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            float[] v = prototypes[r.nextInt(prototypes.length)].clone();
            for (int d = 0; d < v.length; d++) v[d] += (float) (0.4 * r.nextGaussian());
            list.add(new Event(r.nextInt(3 * SR), 1f, v));
        }
        EventList events = new EventList(SR, 3 * SR, 1f, 8, "", Precision.F32, list);
        int twins = 0;
        for (Event a : events.events()) {
            for (Event b : events.events()) {
                if (a == b || Math.abs(a.time() - b.time()) > 0.05 * SR) continue;
                double dot = 0;
                for (int d = 0; d < 8; d++) dot += (double) a.vector()[d] * b.vector()[d];
                if (dot / (a.norm() * b.norm()) > 0.9) {
                    twins++;
                    break;
                }
            }
        }
        assertTrue(twins > 20 && twins < 380, "the case must have both kinds: " + twins);
        assertEquals(twins / 400.0, Metrics.redundancy(events), 1e-12);
    }

    // ------------------------------------------------------------------ level per octave band

    private static float[] noise(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (0.1 * r.nextGaussian());
        return x;
    }

    private static float[] scaled(float[] x, float gain) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = gain * x[i];
        return y;
    }

    /** Sines 12 per octave from 60 Hz up to maxHz (random phases): a signal with energy in every band. */
    private static float[] sines(int n, double maxHz) {
        Random r = new Random(17);
        float[] x = new float[n];
        for (int k = 0; 60 * Math.pow(2, k / 12.0) < 10500; k++) {
            double hz = 60 * Math.pow(2, k / 12.0), phase = 2 * Math.PI * r.nextDouble();
            if (hz > maxHz) continue;
            for (int i = 0; i < n; i++) x[i] += (float) (0.02 * Math.sin(2 * Math.PI * hz * i / SR + phase));
        }
        return x;
    }

    @Test
    void identicalSignalsHaveNoLevelError() {
        float[] x = noise(SR, 1);
        double[] level = Metrics.octaveLevelErrors(x, x.clone(), SR);
        assertEquals(7, level.length);
        for (double v : level) assertEquals(0.0, v, 0.0);
        assertEquals(0.0, Metrics.maxAbsLevelDb(level), 0.0);
    }

    @Test
    void halfAmplitudeIsSixDecibelsQuieterInEveryBand() {
        float[] x = noise(SR, 2);
        double[] level = Metrics.octaveLevelErrors(x, scaled(x, 0.5f), SR);
        for (double v : level) assertEquals(20 * Math.log10(0.5), v, 1e-6);
        assertEquals(6.0206, Metrics.maxAbsLevelDb(level), 1e-4);
        double[] louder = Metrics.octaveLevelErrors(x, scaled(x, 2f), SR);
        for (double v : louder) assertEquals(6.0206, v, 1e-4);
    }

    @Test
    void lowPassedDecodeLosesOnlyTheHighBands() {
        // The decode keeps the sines up to 1.36 kHz (the next is at 1.44 kHz, inside the 0.8-1.6 kHz band).
        float[] x = sines(SR, 10500), y = sines(SR, 1400);
        double[] level = Metrics.octaveLevelErrors(x, y, SR);
        for (int b = 0; b <= 2; b++) assertEquals(0.0, level[b], 0.01, "band " + Metrics.OCTAVE_BANDS_HZ.get(b));
        assertTrue(level[3] < -0.5, "0.8-1.6 kHz, partly kept " + level[3]);
        assertTrue(level[4] < -20, "1.6-3.2 kHz " + level[4]);
        assertTrue(level[5] < -40, "3.2-6.4 kHz " + level[5]);
        assertTrue(level[6] < -40, "6.4-11 kHz " + level[6]);
        assertEquals(-level[6], Metrics.maxAbsLevelDb(level), 0.0);
    }

    @Test
    void levelIsARatioOfEnergiesNotOfMagnitudes() {
        // Two equal sines in the 0.8-1.6 kHz band, the decode keeps one: half the energy, -3.01 dB (a ratio of summed
        // magnitudes in 20 log10 would say -6.02 dB).
        int n = SR;
        float[] both = new float[n], one = new float[n];
        for (int i = 0; i < n; i++) {
            one[i] = (float) (0.3 * Math.sin(2 * Math.PI * 1000 * i / SR));
            both[i] = one[i] + (float) (0.3 * Math.sin(2 * Math.PI * 1200 * i / SR + 1));
        }
        assertEquals(10 * Math.log10(0.5), Metrics.octaveLevelErrors(both, one, SR)[3], 0.01);
        // One band changed, the other not: each tone is measured in its own band.
        float[] x = new float[n], y = new float[n];
        for (int i = 0; i < n; i++) {
            double low = 0.3 * Math.sin(2 * Math.PI * 280 * i / SR), high = 0.3 * Math.sin(2 * Math.PI * 4500 * i / SR);
            x[i] = (float) (low + high);
            y[i] = (float) (low + 0.1 * high);
        }
        double[] level = Metrics.octaveLevelErrors(x, y, SR);
        assertEquals(0.0, level[1], 0.01);
        assertEquals(-20.0, level[5], 0.01);
    }

    @Test
    void bandsWithoutInputEnergyHaveNoLevel() {
        float[] x = noise(8000, 3);
        // At 8 kHz the top band (from 6.4 kHz) lies above Nyquist (4 kHz).
        double[] level = Metrics.octaveLevelErrors(x, scaled(x, 0.5f), 8000);
        assertTrue(Double.isNaN(level[6]));
        assertEquals(-6.0206, level[5], 1e-4);
        assertEquals(6.0206, Metrics.maxAbsLevelDb(level), 1e-4, "NaN bands are ignored");
        double[] silence = Metrics.octaveLevelErrors(new float[SR], x, SR);
        for (double v : silence) assertTrue(Double.isNaN(v));
        assertTrue(Double.isNaN(Metrics.maxAbsLevelDb(silence)));
        double[] silentDecode = Metrics.octaveLevelErrors(x, new float[x.length], 8000);
        assertEquals(Double.NEGATIVE_INFINITY, silentDecode[0]);
        assertEquals(Double.POSITIVE_INFINITY, Metrics.maxAbsLevelDb(silentDecode));
    }

    @Test
    void aBandWithLessThanATenBillionthOfTheInputsEnergyHasNoLevel() {
        // Per-bin energies: 1 everywhere except the 100-200 Hz band (bins 10-18), which holds 9 v.
        for (double v : new double[]{1e-9, 1e-7}) {
            double[] px = new double[1025], py = new double[1025];
            for (int k = 0; k < px.length; k++) {
                double hz = k * 22050.0 / 2048;
                px[k] = hz >= 100 && hz < 200 ? v : 1;
                py[k] = 2 * px[k];
            }
            double[] level = Metrics.octaveLevels(px, py, SR, 2048);
            double share = 9 * v / (1016 + 9 * v);
            assertEquals(share < 1e-10, Double.isNaN(level[0]), "share " + share);
            for (int b = 1; b < level.length; b++) assertEquals(10 * Math.log10(2), level[b], 1e-12);
        }
    }

    @Test
    void allCarriesTheOctaveLevels() {
        float[] x = richSignal(20000, 5), y = richSignal(20000, 6);
        assertArrayEquals(Metrics.octaveLevelErrors(x, y, SR), Metrics.all(x, y, SR).levelDb(), 1e-9);
    }
}
