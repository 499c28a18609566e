package dev.siac.codec;

import dev.siac.dsp.RealFft;

import java.io.IOException;

/**
 * Applies a {@link Balance} to a stream of samples (docs/FORMAT.md, "Band balance"): a short-time Fourier transform
 * with a periodic Hann window of {@link #N} samples at hop {@link #HOP}, each frame's spectrum multiplied by the
 * gains of the balance frame its centre falls in, then windowed again and overlap-added (the squared windows sum to
 * 1.5 at this hop, which is divided out). With every gain 0 dB the output equals the input to float rounding. The
 * output lags the input by {@link #N} samples; {@link #finish} flushes the rest.
 */
public final class BalanceFilter {
    public static final int N = 2048;
    public static final int HOP = 512;
    /** The sum of the squared periodic Hann windows at hop N/4. */
    private static final double OLA = 1.5;

    private final Balance balance;
    private final int sampleRate;
    private final Codec.SampleSink sink;
    private final RealFft fft = new RealFft(N);
    private final float[] window = new float[N];
    private final float[] frame = new float[N];
    private final double[] re = new double[N / 2 + 1], im = new double[N / 2 + 1];
    private final float[] gains = new float[N / 2 + 1];
    private int gainsFrame = -1;
    private boolean gainsFlat;

    /** Input and output samples from absolute sample bufStart; input received up to received. */
    private float[] in = new float[8 * N], out = new float[8 * N];
    private long bufStart = -(N - HOP);
    private long received = 0;
    private long nextFrame = -(N - HOP);
    private long emitted = 0;
    /** The signal's length once {@link #finish} knows it: nothing past it is output. */
    private long end = Long.MAX_VALUE;

    public BalanceFilter(Balance balance, int sampleRate, Codec.SampleSink sink) {
        if (balance.isEmpty()) throw new IllegalArgumentException("no balance to apply");
        this.balance = balance;
        this.sampleRate = sampleRate;
        this.sink = sink;
        for (int i = 0; i < N; i++) window[i] = (float) (0.5 - 0.5 * Math.cos(2 * Math.PI * i / N));
    }

    /** x through balance (in memory; for a mix held whole, as the studio's): a new array of x's length. */
    public static float[] apply(Balance balance, int sampleRate, float[] x) throws IOException {
        if (balance.isEmpty() || balance.isFlat()) return x.clone();
        float[] y = new float[x.length];
        int[] at = {0};
        BalanceFilter f = new BalanceFilter(balance, sampleRate, (buf, off, len) -> {
            System.arraycopy(buf, off, y, at[0], len);
            at[0] += len;
        });
        f.write(x, 0, x.length);
        f.finish(x.length);
        return y;
    }

    /** Takes the next len samples of the signal (from sample 0 on). */
    public void write(float[] x, int off, int len) throws IOException {
        while (len > 0) {
            ensure(received + 1);
            int room = (int) Math.min(len, bufStart + in.length - received);
            System.arraycopy(x, off, in, (int) (received - bufStart), room);
            received += room;
            off += room;
            len -= room;
            while (nextFrame + N <= received) process();
        }
    }

    /** The signal ends after length samples (all written): outputs what is left, exactly length samples in all. */
    public void finish(long length) throws IOException {
        if (length < received) throw new IllegalArgumentException("finish(" + length + ") after " + received + " samples");
        end = length;
        while (nextFrame < length) {
            ensure(nextFrame + N);
            long from = Math.max(received, bufStart);
            java.util.Arrays.fill(in, (int) (from - bufStart), (int) (nextFrame + N - bufStart), 0f);
            received = Math.max(received, nextFrame + N);
            process();
        }
        emit(length);
    }

    private void process() throws IOException {
        int at = (int) (nextFrame - bufStart);
        int m = balance.frameAt(nextFrame + N / 2);
        if (m != gainsFrame) {
            gainsFrame = m;
            balance.binGains(m, sampleRate, N, gains);
            gainsFlat = true;
            for (int b = 0; b < balance.bands(); b++) if (balance.code(m, b) != 0) gainsFlat = false;
        }
        if (gainsFlat) {
            for (int i = 0; i < N; i++) out[at + i] += (float) (window[i] * window[i] * in[at + i] / OLA);
        } else {
            for (int i = 0; i < N; i++) frame[i] = window[i] * in[at + i];
            fft.forward(frame, re, im);
            for (int k = 0; k <= N / 2; k++) {
                re[k] *= gains[k];
                im[k] *= gains[k];
            }
            fft.inverse(re, im, frame);
            for (int i = 0; i < N; i++) out[at + i] += (float) (window[i] * frame[i] / OLA);
        }
        nextFrame += HOP;
        emit(Math.min(nextFrame, end)); // no later frame reaches before its start
    }

    /** Outputs the finished samples before sample `to` (only those at sample 0 or later). */
    private void emit(long to) throws IOException {
        if (to <= emitted) return;
        int from = (int) (emitted - bufStart);
        int count = (int) (to - emitted);
        sink.write(out, from, count);
        emitted = to;
    }

    /** Makes the buffers hold absolute sample end - 1, dropping what no frame or output needs any more. */
    private void ensure(long end) {
        if (end <= bufStart + in.length) return;
        long keep = Math.min(nextFrame, emitted);
        int drop = (int) (keep - bufStart);
        int live = (int) (Math.max(received, keep) - keep);
        int need = (int) (end - keep);
        if (need > in.length) {
            float[] a = new float[Math.max(need, 2 * in.length)], b = new float[a.length];
            System.arraycopy(in, drop, a, 0, live);
            System.arraycopy(out, drop, b, 0, out.length - drop);
            in = a;
            out = b;
        } else {
            System.arraycopy(in, drop, in, 0, live);
            java.util.Arrays.fill(in, live, in.length, 0f);
            System.arraycopy(out, drop, out, 0, out.length - drop);
            java.util.Arrays.fill(out, out.length - drop, out.length, 0f);
        }
        bufStart = keep;
    }
}
