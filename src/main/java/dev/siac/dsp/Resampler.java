package dev.siac.dsp;

import java.util.Arrays;

/**
 * Band-limited sample-rate converter: a Kaiser-windowed sinc evaluated at the exact output instants, so
 * any ratio of integer rates works (44100->22050, 16000->22050, 48000->22050, 8000->22050, 44101->22050...).
 *
 * <p>Design: the low-pass cut-off sits at 0.95 of the lower of the two Nyquist frequencies with a
 * transition band from 0.90 to 1.00 of it and a 100 dB Kaiser design, so the passband (up to 0.9 of the
 * lower Nyquist) is flat far within 0.1 dB and anything that would alias into the output (above the output
 * Nyquist when downsampling) or image into it (when upsampling) is attenuated by about 100 dB.
 *
 * <p>Timing: the kernel is symmetric and centred on each output instant, so there is no delay: output
 * sample {@code n} is the band-limited input evaluated at time {@code n / toRate}. Input before the first
 * sample and after the last is taken as silence. For {@code N} input samples the output has
 * {@link #outputLength(long, int, int) ceil(N * toRate / fromRate)} samples.
 *
 * <p>Streaming: {@link #process} accepts blocks of any size and returns what can be computed so far (an
 * output needs {@link #halfWidth()} input samples of look-ahead); {@link #flush} returns the rest. Streaming in
 * any block sizes gives bit-identical results to the one-shot {@link #resample}. Memory is bounded by the
 * kernel length plus the largest block passed in, never by the length of the stream.
 *
 * <p>Not thread-safe; use one instance per stream.
 */
public final class Resampler {

    /** Passband edge and stopband edge as fractions of the lower Nyquist frequency. */
    private static final double PASS_EDGE = 0.90;
    private static final double STOP_EDGE = 1.00;
    /** Kaiser design attenuation in dB; the test asks for 60, the margin covers float rounding. */
    private static final double ATTENUATION_DB = 100.0;
    /** Above this many coefficients a per-phase table costs more memory than it saves time. */
    private static final int MAX_PHASE_TABLE = 1 << 20;
    /** Samples per input sample of the dense kernel table used when no phase table is built. */
    private static final int DENSE_RESOLUTION = 1024;

    private final int fromRate;
    private final int toRate;
    /** Reduced ratio: each output advances the input position by down/up input samples. */
    private final int up;
    private final int down;
    /** Number of input samples used on each side of an output instant. */
    private final int half;
    private final int taps;
    /** phases[p][j]: weight of input i0-half+1+j for an output at input time i0 + p/up; null if too large. */
    private final float[][] phases;
    /** Kernel at |tau| = m / DENSE_RESOLUTION (used only when phases == null). */
    private final float[] dense;
    private final boolean identity;

    // streaming state
    /** Input history; buf[0] holds the input sample with absolute index bufStart. */
    private float[] buf;
    private long bufStart;
    private int bufLen;
    private long inCount;
    private long outCount;
    private boolean flushed;

    public Resampler(int fromRate, int toRate) {
        if (fromRate <= 0 || toRate <= 0) {
            throw new IllegalArgumentException("sample rates must be positive: " + fromRate + " -> " + toRate);
        }
        this.fromRate = fromRate;
        this.toRate = toRate;
        int g = gcd(fromRate, toRate);
        this.up = toRate / g;
        this.down = fromRate / g;
        this.identity = fromRate == toRate;

        // Everything below is in units of input samples.
        double lowerNyquist = Math.min(fromRate, toRate) / 2.0;
        double cutoff = (PASS_EDGE + STOP_EDGE) / 2 * lowerNyquist / fromRate;          // cycles per input sample
        double transition = (STOP_EDGE - PASS_EDGE) * lowerNyquist / fromRate;          // cycles per input sample
        // Kaiser's order estimate for the requested attenuation and transition width.
        double order = (ATTENUATION_DB - 7.95) / (2.285 * 2 * Math.PI * transition);
        double windowHalf = Math.max(1.0, order / 2);
        double beta = kaiserBeta(ATTENUATION_DB);
        this.half = identity ? 0 : (int) Math.ceil(windowHalf);
        this.taps = 2 * half;
        Kernel kernel = new Kernel(cutoff, windowHalf, beta);

        if (identity) {
            phases = null;
            dense = null;
        } else if ((long) up * taps <= MAX_PHASE_TABLE) {
            phases = new float[up][taps];
            for (int p = 0; p < up; p++) {
                double frac = p / (double) up;
                for (int j = 0; j < taps; j++) {
                    phases[p][j] = (float) kernel.at(frac + half - 1 - j);
                }
            }
            dense = null;
        } else {
            phases = null;
            int n = (int) Math.ceil(windowHalf * DENSE_RESOLUTION) + 2;
            dense = new float[n];
            for (int m = 0; m < n; m++) dense[m] = (float) kernel.at(m / (double) DENSE_RESOLUTION);
        }
        reset();
    }

    public int fromRate() {
        return fromRate;
    }

    public int toRate() {
        return toRate;
    }

    /** Input samples of look-ahead each output needs (and of history each keeps); 0 when the rates are equal. */
    public int halfWidth() {
        return half;
    }

    /** Input samples currently held for look-ahead and history (bounded by the kernel, not the stream). */
    public int bufferedInput() {
        return bufLen;
    }

    /** Output length for {@code inputLength} input samples: {@code ceil(inputLength * toRate / fromRate)}. */
    public static long outputLength(long inputLength, int fromRate, int toRate) {
        if (inputLength < 0) throw new IllegalArgumentException("negative length " + inputLength);
        int g = gcd(fromRate, toRate);
        long l = toRate / g;
        long m = fromRate / g;
        return ceilDiv(Math.multiplyExact(inputLength, l), m);
    }

    /** One-shot conversion of a whole signal; same result as streaming it through one instance. */
    public static float[] resample(float[] x, int fromRate, int toRate) {
        Resampler r = new Resampler(fromRate, toRate);
        if (r.identity) return x.clone();
        float[] a = r.process(x, 0, x.length);
        float[] b = r.flush();
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Forgets all input so the instance can convert a new stream. */
    public void reset() {
        // `half` zeros of history stand for the silence before the first sample.
        buf = new float[Math.max(64, 4 * half + 64)];
        bufStart = -half;
        bufLen = half;
        inCount = 0;
        outCount = 0;
        flushed = false;
    }

    /** Feeds {@code len} input samples and returns the output samples that have become computable. */
    public float[] process(float[] in, int off, int len) {
        if (flushed) throw new IllegalStateException("process() after flush(); call reset() first");
        if (off < 0 || len < 0 || off + len > in.length) {
            throw new IndexOutOfBoundsException("off=" + off + " len=" + len + " length=" + in.length);
        }
        if (identity) {
            inCount += len;
            outCount += len;
            return Arrays.copyOfRange(in, off, off + len);
        }
        append(in, off, len);
        inCount += len;
        // Output n is computable once input floor(n*down/up) + half exists.
        long ready = inCount - half <= 0 ? 0 : ceilDiv((inCount - half) * up, down);
        return produce(ready);
    }

    /** Ends the stream: returns the remaining outputs (input after the end is silence). */
    public float[] flush() {
        if (flushed) return new float[0];
        flushed = true;
        if (identity) return new float[0];
        long total = ceilDiv(inCount * up, down);
        // Zeros after the end cover the look-ahead of the last outputs.
        append(new float[half + 1], 0, half + 1);
        return produce(total);
    }

    private float[] produce(long until) {
        int count = (int) Math.max(0, until - outCount);
        float[] out = new float[count];
        long pos = outCount * down;          // output instant in units of 1/up input samples
        long i0 = pos / up;
        int p = (int) (pos % up);
        for (int k = 0; k < count; k++) {
            int start = (int) (i0 - half + 1 - bufStart);
            out[k] = phases != null ? dot(phases[p], buf, start) : denseDot(p, start);
            p += down;
            if (p >= up) {
                i0 += p / up;
                p %= up;
            }
        }
        outCount += count;
        discardHistory();
        return out;
    }

    private float dot(float[] h, float[] x, int start) {
        // Four partial sums shorten the floating-point dependency chain.
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int j = 0;
        for (; j + 3 < taps; j += 4) {
            s0 += h[j] * x[start + j];
            s1 += h[j + 1] * x[start + j + 1];
            s2 += h[j + 2] * x[start + j + 2];
            s3 += h[j + 3] * x[start + j + 3];
        }
        for (; j < taps; j++) s0 += h[j] * x[start + j];
        return (s0 + s1) + (s2 + s3);
    }

    private float denseDot(int p, int start) {
        double frac = p / (double) up;
        float s = 0;
        for (int j = 0; j < taps; j++) {
            double tau = Math.abs(frac + half - 1 - j) * DENSE_RESOLUTION;
            int m = (int) tau;
            if (m + 1 >= dense.length) continue;
            float w = (float) (tau - m);
            float h = dense[m] + w * (dense[m + 1] - dense[m]);
            s += h * buf[start + j];
        }
        return s;
    }

    private void append(float[] in, int off, int len) {
        if (bufLen + len > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, bufLen + len));
        }
        System.arraycopy(in, off, buf, bufLen, len);
        bufLen += len;
    }

    /** Drops input no future output can reach, so memory does not grow with the stream. */
    private void discardHistory() {
        long firstNeeded = (outCount * down) / up - half + 1;
        int drop = (int) Math.min(bufLen, Math.max(0, firstNeeded - bufStart));
        if (drop > 0) {
            System.arraycopy(buf, drop, buf, 0, bufLen - drop);
            bufLen -= drop;
            bufStart += drop;
        }
        int comfortable = Math.max(64, 4 * half + 64);
        if (buf.length > 4 * comfortable && bufLen < comfortable) {
            buf = Arrays.copyOf(buf, comfortable);
        }
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /** Kaiser's empirical beta for a given stopband attenuation. */
    private static double kaiserBeta(double a) {
        if (a > 50) return 0.1102 * (a - 8.7);
        if (a >= 21) return 0.5842 * Math.pow(a - 21, 0.4) + 0.07886 * (a - 21);
        return 0;
    }

    /** Zeroth-order modified Bessel function of the first kind (power series; converges fast for beta ~ 10). */
    private static double besselI0(double x) {
        double sum = 1, term = 1, q = x * x / 4;
        for (int k = 1; k < 200; k++) {
            term *= q / ((double) k * k);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        return sum;
    }

    /** Windowed ideal low-pass in input-sample time units; unit gain at DC. */
    private record Kernel(double cutoff, double windowHalf, double beta) {
        double at(double tau) {
            double r = tau / windowHalf;
            if (Math.abs(r) >= 1) return 0;
            double x = 2 * cutoff * tau;
            double sinc = x == 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
            double window = besselI0(beta * Math.sqrt(1 - r * r)) / besselI0(beta);
            return 2 * cutoff * sinc * window;
        }
    }
}
