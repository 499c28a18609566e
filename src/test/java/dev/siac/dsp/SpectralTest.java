package dev.siac.dsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Spectral transforms against direct double-precision formulas written from MODEL_SPEC §2.1 and §4.7. */
class SpectralTest {

    /** |DFT| of frame f of x as MODEL_SPEC §2.1 states it, O(n^2), double precision. */
    static double[] directFrame(float[] x, int f) {
        int win = 2048;
        double[] frame = new double[win];
        for (int n = 0; n < win; n++) {
            int i = 256 * f + n;
            double sample = i < x.length ? x[i] : 0; // end padding with zeros
            frame[n] = sample * (0.5 - 0.5 * Math.cos(2 * Math.PI * n / win)); // periodic Hann
        }
        double[] mag = new double[win / 2 + 1];
        for (int k = 0; k <= win / 2; k++) {
            double re = 0, im = 0;
            for (int n = 0; n < win; n++) {
                double a = -2 * Math.PI * ((long) k * n % win) / win;
                re += frame[n] * Math.cos(a);
                im += frame[n] * Math.sin(a);
            }
            mag[k] = Math.hypot(re, im) / Math.sqrt(win);
        }
        return mag;
    }

    static float[] noise(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }

    @Test
    void hannIsPeriodic() {
        float[] w = Spectral.hann(2048);
        assertEquals(0, w[0], 0);
        assertEquals(1, w[1024], 1e-7);
        // periodic: w[n] = w[2048 - n], no sample equals the symmetric window's final 0
        for (int n = 1; n < 2048; n++) assertEquals(w[n], w[2048 - n], 1e-6);
        assertEquals(0.5 - 0.5 * Math.cos(2 * Math.PI * 7 / 2048), w[7], 1e-7);
    }

    @Test
    void magnitudeMatchesDirectDftForMiddleAndLastFrames() {
        SplittableRandom r = new SplittableRandom(11);
        int length = 256 * 20 + 100; // not a multiple of the hop: frame count is floor(L/256) = 20
        float[] x = noise(r, length);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray mag = Spectral.magnitude(m.create(x, new Shape(1, length)));
            assertEquals(new Shape(1, 1025, 20), mag.getShape());
            float[] got = mag.toFloatArray();
            // middle frame, frames whose window runs past the signal into the padding, the very last frame
            for (int f : new int[] {0, 10, 12, 13, 17, 19}) {
                double[] want = directFrame(x, f);
                double peak = 0;
                for (double v : want) peak = Math.max(peak, v);
                for (int k = 0; k < 1025; k++) {
                    assertEquals(want[k], got[k * 20 + f], 2e-5 * peak, "frame " + f + " bin " + k);
                }
            }
        }
    }

    @Test
    void magnitudeOfShortSignalAndLeadingAxes() {
        SplittableRandom r = new SplittableRandom(12);
        int length = 1000; // shorter than one window: 3 frames, all reading padding
        float[] x = noise(r, 2 * 3 * length);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray mag = Spectral.magnitude(m.create(x, new Shape(2, 3, length)));
            assertEquals(new Shape(2, 3, 1025, 3), mag.getShape());
            float[] got = mag.toFloatArray();
            // row (1, 2) of the batch: its own signal, not a neighbour's
            float[] row = new float[length];
            System.arraycopy(x, 5 * length, row, 0, length);
            for (int f = 0; f < 3; f++) {
                double[] want = directFrame(row, f);
                for (int k = 0; k < 1025; k += 7) {
                    assertEquals(want[k], got[5 * 1025 * 3 + k * 3 + f], 2e-5, "frame " + f + " bin " + k);
                }
            }
        }
    }

    @Test
    void sineLandsInItsBinWithOrthonormalScale() {
        // A bin-centred cosine of amplitude A under a Hann window has |X_k| = A * 2048/4 / sqrt(2048).
        int length = 256 * 16;
        float[] x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float) (0.5 * Math.cos(2 * Math.PI * 64 * i / 2048.0));
        try (NDManager m = NDManager.newBaseManager()) {
            float[] got = Spectral.magnitude(m.create(x, new Shape(length))).toFloatArray();
            int frames = 16;
            assertEquals(0.5 * 512 / Math.sqrt(2048), got[64 * frames + 3], 1e-4);
            assertEquals(0.5 * 256 / Math.sqrt(2048), got[63 * frames + 3], 1e-4);
            assertEquals(0, got[70 * frames + 3], 1e-4);
        }
    }

    @Test
    void fftConvolveIsTruncatedLinearConvolution() {
        SplittableRandom r = new SplittableRandom(13);
        try (NDManager m = NDManager.newBaseManager()) {
            for (int n : new int[] {1, 2, 7, 100, 1023, 4096}) {
                float[] a = noise(r, n);
                float[] b = noise(r, n);
                float[] got = Spectral.fftConvolve(m.create(a), m.create(b)).toFloatArray();
                assertEquals(n, got.length);
                for (int i = 0; i < n; i++) {
                    double s = 0;
                    for (int j = 0; j <= i; j++) s += (double) a[j] * b[i - j];
                    assertEquals(s, got[i], 1e-5 * Math.sqrt(n) + 1e-6, "n=" + n + " i=" + i);
                }
            }
        }
    }

    @Test
    void fftConvolveDoesNotWrapAndBroadcasts() {
        int n = 64;
        try (NDManager m = NDManager.newBaseManager()) {
            // an impulse at n-1 convolved with a late impulse would wrap around in an n-point circular convolution
            float[] a = new float[2 * n];
            a[n - 1] = 1;
            a[n + 5] = 2; // second row: impulse at 5
            float[] b = new float[3 * n];
            for (int c = 0; c < 3; c++) b[c * n + 10 + c] = 1;
            NDArray y = Spectral.fftConvolve(m.create(a, new Shape(2, 1, n)), m.create(b, new Shape(1, 3, n)));
            assertEquals(new Shape(2, 3, n), y.getShape());
            float[] got = y.toFloatArray();
            for (int row = 0; row < 2; row++) {
                for (int c = 0; c < 3; c++) {
                    float[] want = new float[n];
                    int at = (row == 0 ? n - 1 : 5) + 10 + c;
                    if (at < n) want[at] = row == 0 ? 1 : 2;
                    float[] have = new float[n];
                    System.arraycopy(got, (row * 3 + c) * n, have, 0, n);
                    assertArrayEquals(want, have, 1e-5f, "row " + row + " channel " + c);
                }
            }
        }
    }

    @Test
    void maxNormAndUnitNorm() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] x = {3, -4, 0, 0, 1, 1, 1, 1};
            NDArray a = m.create(x, new Shape(2, 4));
            float[] mx = Spectral.maxNorm(a).toFloatArray();
            assertArrayEquals(new float[] {0.75f, -1, 0, 0, 1, 1, 1, 1}, mx, 1e-6f);
            float[] un = Spectral.unitNorm(a).toFloatArray();
            assertArrayEquals(new float[] {0.6f, -0.8f, 0, 0, 0.5f, 0.5f, 0.5f, 0.5f}, un, 1e-6f);
            float[] zeros = Spectral.unitNorm(m.zeros(new Shape(5))).toFloatArray();
            assertArrayEquals(new float[5], zeros, 0f); // +1e-8 keeps silence finite
        }
    }
}
