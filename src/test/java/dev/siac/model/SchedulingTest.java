package dev.siac.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Event placement (MODEL_SPEC §4.7 steps 11-12): frame delay, amplitude, and the reference's fine-shift formula. */
class SchedulingTest {

    private static float[] impulses(int rows, int n) {
        float[] x = new float[rows * n];
        for (int b = 0; b < rows; b++) x[b * n] = 1f;
        return x;
    }

    /** Schedules a unit impulse at sample 0 of each row and returns the rows (host). */
    private static float[] schedule(SiacModel model, NDManager m, long[] frames, float[] amps, float[] shifts) {
        int n = model.config.windowSamples;
        NDArray out = m.create(impulses(frames.length, n), new Shape(frames.length, n));
        return model.schedule(out, frames, m.create(amps), m.create(shifts)).toFloatArray();
    }

    private static int argMaxAbs(float[] x, int off, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) if (Math.abs(x[off + i]) > Math.abs(x[off + best])) best = i;
        return best;
    }

    @Test
    void impulseLandsOnTheFrameWithTheAmplitude() {
        ModelConfig c = ModelTestSupport.tiny();
        int n = c.windowSamples;
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(c, 1, m)) {
            long[] frames = {0, 5, c.onsetFrames() - 1};
            float[] amps = {0.7f, 1.3f, 2.0f};
            float[] y = schedule(model, m, frames, amps, new float[3]);
            for (int b = 0; b < 3; b++) {
                int at = (int) (256 * frames[b]);
                assertEquals(at, argMaxAbs(y, b * n, n), "row " + b);
                assertEquals(amps[b], y[b * n + at], 1e-5, "height, row " + b);
                for (int i = 0; i < n; i++) if (i != at) assertEquals(0, y[b * n + i], 1e-5, "row " + b + " sample " + i);
            }
        }
    }

    @Test
    void integerShiftsMoveThePeakBySamples() {
        ModelConfig c = ModelTestSupport.tiny();
        int n = c.windowSamples;
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(c, 1, m)) {
            long[] frames = {3, 3, 10, 7};
            float[] shifts = {37, -20, 255.0f, -255.0f};
            float[] amps = {1f, 0.5f, 1.5f, 1f};
            float[] y = schedule(model, m, frames, amps, shifts);
            for (int b = 0; b < frames.length; b++) {
                int at = (int) (256 * frames[b] + shifts[b]);
                assertEquals(at, argMaxAbs(y, b * n, n), "row " + b);
                assertEquals(amps[b], y[b * n + at], 1e-4, "height, row " + b);
                for (int i = 0; i < n; i++) if (i != at) assertEquals(0, y[b * n + i], 1e-4, "row " + b + " sample " + i);
            }
            // a negative shift at frame 0 moves the event before the window start: it wraps into the discarded
            // second half of the 2N buffer, so nothing remains
            float[] gone = schedule(model, m, new long[] {0}, new float[] {1}, new float[] {-20});
            assertTrue(ModelTestSupport.maxAbs(gone) < 1e-5, "wrapped energy leaked: " + ModelTestSupport.maxAbs(gone));
        }
    }

    @Test
    void halfSampleShiftGivesABandLimitedPeakBetweenTwoSamples() {
        ModelConfig c = ModelTestSupport.tiny();
        int n = c.windowSamples;
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(c, 1, m)) {
            float[] y = schedule(model, m, new long[] {4}, new float[] {1f}, new float[] {10.5f});
            int base = 256 * 4 + 10;
            // sinc(+-1/2) = 2/pi on both neighbours, nothing larger anywhere
            assertEquals(y[base], y[base + 1], 1e-4);
            assertEquals(2 / Math.PI, y[base], 2e-3);
            assertEquals(-2 / (3 * Math.PI), y[base - 1], 2e-3);
            assertEquals(-2 / (3 * Math.PI), y[base + 2], 2e-3);
            int peak = argMaxAbs(y, 0, n);
            assertTrue(peak == base || peak == base + 1, "peak at " + peak);
        }
    }

    @Test
    void eventsRunningPastTheWindowAreCutNotWrapped() {
        ModelConfig c = ModelTestSupport.tiny();
        int n = c.windowSamples;
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(c, 1, m)) {
            float[] ramp = new float[n];
            for (int i = 0; i < n; i++) ramp[i] = 1 + i / (float) n;
            long t = 20;
            float[] y = model.schedule(m.create(ramp, new Shape(1, n)), new long[] {t}, m.create(new float[] {2f}),
                    m.create(new float[] {0f})).toFloatArray();
            int d = (int) (256 * t);
            for (int i = 0; i < d; i++) assertEquals(0, y[i], 1e-4, "sample " + i + " before the onset");
            for (int i = d; i < n; i++) assertEquals(2 * ramp[i - d], y[i], 1e-4, "sample " + i);
        }
    }

    /**
     * The reference's fine positioning, written out: s = tanh(fine) * 256/N; zero-pad y to 2N, rfft (ortho), multiply
     * bin k (0..N) by exp(-2 pi i k (s N/2)/(N+1)), irfft (ortho, imaginary parts of DC and Nyquist dropped), first N.
     */
    static double[] referenceFineShift(float[] y, double fine) {
        int n = y.length;
        int len = 2 * n;
        double s = Math.tanh(fine) * 256.0 / n;
        double[] cos = new double[len];
        double[] sin = new double[len];
        for (int i = 0; i < len; i++) {
            cos[i] = Math.cos(2 * Math.PI * i / len);
            sin[i] = Math.sin(2 * Math.PI * i / len);
        }
        double[] re = new double[n + 1];
        double[] im = new double[n + 1];
        double ortho = 1 / Math.sqrt(len);
        for (int k = 0; k <= n; k++) {
            double a = 0, b = 0;
            for (int j = 0; j < n; j++) { // the padding contributes nothing
                int idx = (int) ((long) k * j % len);
                a += y[j] * cos[idx];
                b -= y[j] * sin[idx];
            }
            a *= ortho;
            b *= ortho;
            double phase = -2 * Math.PI * k * (s * n / 2) / (n + 1);
            re[k] = a * Math.cos(phase) - b * Math.sin(phase);
            im[k] = a * Math.sin(phase) + b * Math.cos(phase);
        }
        double[] out = new double[n];
        for (int j = 0; j < n; j++) {
            double acc = re[0] + re[n] * ((j % 2 == 0) ? 1 : -1);
            for (int k = 1; k < n; k++) {
                int idx = (int) ((long) k * j % len);
                acc += 2 * (re[k] * cos[idx] - im[k] * sin[idx]);
            }
            out[j] = acc * ortho;
        }
        return out;
    }

    @Test
    void fractionalDelayEqualsTheReferenceFormula() {
        int n = 1024;
        SplittableRandom r = new SplittableRandom(21);
        double[] fines = {0.0, 0.3, -0.8, 1.7, -2.5, 0.04};
        float[] y = new float[fines.length * n];
        for (int b = 0; b < fines.length; b++) {
            for (int i = 0; i < n; i++) {
                y[b * n + i] = (float) ((r.nextDouble() * 2 - 1) * Math.exp(-i / 200.0)); // decaying, like an event
            }
        }
        float[] shifts = new float[fines.length];
        for (int b = 0; b < fines.length; b++) shifts[b] = (float) (Math.tanh(fines[b]) * 256.0 * n / (n + 1.0));
        try (NDManager m = NDManager.newBaseManager()) {
            float[] got = SiacModel.fractionalDelay(m.create(y, new Shape(fines.length, n)), m.create(shifts), m).toFloatArray();
            for (int b = 0; b < fines.length; b++) {
                float[] row = new float[n];
                System.arraycopy(y, b * n, row, 0, n);
                double[] want = referenceFineShift(row, fines[b]);
                for (int i = 0; i < n; i++) assertEquals(want[i], got[b * n + i], 2e-5, "fine " + fines[b] + " sample " + i);
            }
        }
    }

    @Test
    void renderedShiftIsTanhOfFineTimes256NOverNPlusOne() {
        ModelConfig c = ModelTestSupport.tiny();
        int n = c.windowSamples;
        SplittableRandom r = new SplittableRandom(22);
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(c, 1, m)) {
            ModelTestSupport.loudHeads(model, r);
            ModelTestSupport.randomize(model, "multihead.mods.fine.net.2.weight", r, -3, 3); // reach the tanh's curved range
            NDArray v = m.create(ModelTestSupport.uniform(r, 4 * c.vectorDim, -1, 1), new Shape(4, c.vectorDim));
            float[] fine = model.heads(v).get("fine").toFloatArray();
            float[] shift = model.render(v, false).shiftSamples().toFloatArray();
            assertEquals(4, shift.length);
            boolean curved = false;
            for (int b = 0; b < 4; b++) {
                assertEquals(Math.tanh(fine[b]) * 256.0 * n / (n + 1.0), shift[b], 1e-3, "row " + b);
                curved |= Math.abs(fine[b]) > 0.5;
            }
            assertTrue(curved, "test vectors should reach |fine| > 0.5");
        }
    }
}
