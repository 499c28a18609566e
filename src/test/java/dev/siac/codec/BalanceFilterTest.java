package dev.siac.codec;

import dev.siac.dsp.RealFft;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BalanceFilterTest {
    static final int RATE = 22050;

    @Test
    void realFftMatchesTheDefinitionAndInvertsItself() {
        int n = 64;
        RealFft fft = new RealFft(n);
        Random r = new Random(3);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        double[] re = new double[n / 2 + 1], im = new double[n / 2 + 1];
        fft.forward(x, re, im);
        for (int k = 0; k <= n / 2; k++) {
            double a = 0, b = 0;
            for (int t = 0; t < n; t++) {
                a += x[t] * Math.cos(2 * Math.PI * k * t / n);
                b -= x[t] * Math.sin(2 * Math.PI * k * t / n);
            }
            assertEquals(a, re[k], 1e-9, "re " + k);
            assertEquals(b, im[k], 1e-9, "im " + k);
        }
        float[] back = new float[n];
        fft.inverse(re, im, back);
        assertArrayEquals(x, back, 1e-5f);
        assertThrows(IllegalArgumentException.class, () -> new RealFft(48));
    }

    static float[] run(Balance b, float[] x, int block) throws Exception {
        float[] y = new float[x.length];
        int[] at = {0};
        BalanceFilter f = new BalanceFilter(b, RATE, (buf, off, len) -> {
            System.arraycopy(buf, off, y, at[0], len);
            at[0] += len;
        });
        for (int i = 0; i < x.length; i += block) f.write(x, i, Math.min(block, x.length - i));
        f.finish(x.length);
        assertEquals(x.length, at[0], "exactly the input's length comes out");
        return y;
    }

    static Balance constant(int hop, int frames, int... codes) {
        byte[] c = new byte[frames * Balance.BANDS];
        for (int m = 0; m < frames; m++) for (int b = 0; b < Balance.BANDS; b++) c[m * Balance.BANDS + b] = (byte) codes[b];
        return Balance.of(hop, Balance.BANDS, Balance.LOWEST_HZ, c);
    }

    static float[] noise(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (0.3 * r.nextGaussian());
        return x;
    }

    static double rms(float[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) s += x[i] * x[i];
        return Math.sqrt(s / (to - from));
    }

    @Test
    void zeroDecibelsPassesTheSignalWhateverTheBlocks() throws Exception {
        float[] x = noise(40_000, 1);
        // one flat frame, one frame of 0 dB taken through the transform (codes 0, but a band of another frame differs)
        Balance flat = constant(65536, 1, 0, 0, 0, 0, 0, 0, 0, 0);
        assertArrayEquals(x, run(flat, x, 4096), 1e-6f);
        float[] a = run(constant(1000, 40, 12, 12, 12, 12, 12, 12, 12, 12), x, 777);
        float[] b = run(constant(1000, 40, 12, 12, 12, 12, 12, 12, 12, 12), x, 40_000);
        assertArrayEquals(a, b, 0f, "the output does not depend on how the input is cut");
        // +6 dB in every band doubles the signal
        for (int i = 0; i < x.length; i++) assertEquals(x[i] * Math.pow(10, 6 / 20.0), a[i], 2e-5, "sample " + i);
    }

    @Test
    void aBandsGainRaisesItsOctaveAndLeavesTheOthers() throws Exception {
        int n = 3 * RATE;
        float[] x = new float[n];
        double low = 150, high = 2200; // in the bands centred at 141 Hz and 2263 Hz
        for (int i = 0; i < n; i++) x[i] = (float) (0.2 * Math.sin(2 * Math.PI * low * i / RATE) + 0.2 * Math.sin(2 * Math.PI * high * i / RATE));
        Balance b = constant(n, 1, 0, 0, 0, 0, 0, 12, 0, 0); // band 5 +6 dB
        float[] y = run(b, x, 5000);
        int from = RATE / 2, to = n - RATE / 2; // away from the ends
        assertEquals(1, tone(y, low, from, to) / tone(x, low, from, to), 1e-3, "150 Hz is untouched");
        double db = b.gainDbAt(0, high);
        assertTrue(db > 5.5 && db <= 6, "2200 Hz lies near band 5's centre: " + db);
        assertEquals(Math.pow(10, db / 20), tone(y, high, from, to) / tone(x, high, from, to), 1e-3, "2200 Hz raised");
    }

    /** The amplitude of a sinusoid at hz in x[from, to). */
    private static double tone(float[] x, double hz, int from, int to) {
        double a = 0, b = 0;
        for (int i = from; i < to; i++) {
            a += x[i] * Math.sin(2 * Math.PI * hz * i / RATE);
            b += x[i] * Math.cos(2 * Math.PI * hz * i / RATE);
        }
        return 2 * Math.hypot(a, b) / (to - from);
    }

    @Test
    void gainsChangeAtTheirFramesAndHoldBeyondTheEnds() throws Exception {
        int hop = 20_000;
        byte[] codes = new byte[2 * Balance.BANDS];
        for (int b = 0; b < Balance.BANDS; b++) codes[Balance.BANDS + b] = -12; // frame 1: -6 dB everywhere
        Balance bal = Balance.of(hop, Balance.BANDS, Balance.LOWEST_HZ, codes);
        float[] x = noise(60_000, 2); // longer than the two frames: the last holds
        float[] y = run(bal, x, 3000);
        for (int i = 0; i < hop - 2048; i++) assertEquals(x[i], y[i], 1e-5, "frame 0 is flat at " + i);
        double half = Math.pow(10, -6 / 20.0);
        for (int i = hop + 2048; i < x.length; i++) assertEquals(x[i] * half, y[i], 1e-5, "frame 1 and after at " + i);
        assertEquals(0, bal.frameAt(-5));
        assertEquals(1, bal.frameAt(1_000_000));
    }

    @Test
    void interpolationIsLinearInLogFrequencyBetweenCentres() {
        Balance b = constant(1, 1, 0, 2, 4, 6, 8, 10, 12, 14); // 0, 1, ... 7 dB
        assertEquals(0, b.gainDbAt(0, 0), 0);
        assertEquals(0, b.gainDbAt(0, Balance.LOWEST_HZ), 1e-9);
        assertEquals(3, b.gainDbAt(0, Balance.LOWEST_HZ * 8), 1e-9);
        assertEquals(3.5, b.gainDbAt(0, Balance.LOWEST_HZ * 8 * Math.sqrt(2)), 1e-9);
        assertEquals(7, b.gainDbAt(0, 11025), 0);
        assertEquals(Balance.MAX_CODE, Balance.code(100));
        assertEquals(-Balance.MAX_CODE, Balance.code(-100));
        assertEquals(3, Balance.code(1.4));
        assertThrows(IllegalArgumentException.class, () -> Balance.of(0, 8, 70f, new byte[8]));
        assertThrows(IllegalArgumentException.class, () -> Balance.of(10, 8, 70f, new byte[9]));
        assertTrue(Balance.of(10, 8, 70f, new byte[0]).isEmpty());
        assertEquals(b.scaled(2).hop(), 2);
        assertEquals(1, constant(100, 5, 0, 0, 0, 0, 0, 0, 0, 0).trimmed(100).frames());
        assertEquals(2, constant(100, 5, 0, 0, 0, 0, 0, 0, 0, 0).trimmed(101).frames());
    }
}
