package dev.siac.audio;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Test helpers shared by test classes: synthetic signals, WAV files written without {@link AudioIO} (so
 * reader tests do not depend on the writer), the bundled fixtures, and small analysis tools (sinusoid
 * fitting, dominant frequency).
 */
public final class TestSignals {

    private TestSignals() {
    }

    // ---------------------------------------------------------------- signals

    /** {@code amp * sin(2 pi freq t)} for {@code n} samples at {@code rate}. */
    public static float[] sine(double freq, double amp, int rate, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (amp * Math.sin(2 * Math.PI * freq * i / rate));
        return x;
    }

    /** A sine as a {@link Signal}. */
    public static Signal sineSignal(double freq, double amp, int rate, double seconds) {
        return new Signal(sine(freq, amp, rate, (int) Math.round(seconds * rate)), rate);
    }

    /** Uniform white noise in {@code [-amp, amp)}, reproducible from the seed. */
    public static float[] noise(int n, double amp, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (amp * (2 * r.nextDouble() - 1));
        return x;
    }

    /** Sample-wise sum of equally long signals. */
    public static float[] add(float[]... xs) {
        float[] y = new float[xs[0].length];
        for (float[] x : xs) {
            for (int i = 0; i < y.length; i++) y[i] += x[i];
        }
        return y;
    }

    // ---------------------------------------------------------------- files

    /** Path of a bundled fixture in {@code src/test/resources/audio/}. */
    public static Path fixture(String name) {
        URL url = TestSignals.class.getResource("/audio/" + name);
        if (url == null) throw new IllegalArgumentException("no fixture " + name);
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes a mono 32-bit float WAV file of {@code x} to {@code dir/name} (independently of AudioIO). */
    public static Path writeWav(Path dir, String name, float[] x, int rate) {
        return write(dir.resolve(name), wav(3, rate, 32, float32(x)));
    }

    /** Writes a 16-bit PCM WAV with one channel per array (interleaved), independently of AudioIO. */
    public static Path writePcm16Wav(Path dir, String name, int rate, float[]... channels) {
        return write(dir.resolve(name), wav(1, rate, 16, pcm16(channels)));
    }

    public static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A canonical WAV: RIFF header, fmt chunk, data chunk; {@code channels} is taken from the fmt helper. */
    public static byte[] wav(int formatTag, int rate, int bits, Interleaved data) {
        return riff(chunk("fmt ", fmt(formatTag, data.channels, rate, bits)), chunk("data", data.bytes));
    }

    /** RIFF/WAVE file made of the given (already encoded) chunks; the RIFF size is computed. */
    public static byte[] riff(byte[]... chunks) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] c : chunks) body.writeBytes(c);
        ByteBuffer b = le(12 + body.size());
        b.put(ascii("RIFF")).putInt(4 + body.size()).put(ascii("WAVE")).put(body.toByteArray());
        return b.array();
    }

    /** One chunk: id, 32-bit size, body, pad byte if the size is odd. */
    public static byte[] chunk(String id, byte[] body) {
        ByteBuffer b = le(8 + body.length + (body.length & 1));
        b.put(ascii(id)).putInt(body.length).put(body);
        return b.array();
    }

    /** A chunk whose size field says {@code declared} whatever the body length is. */
    public static byte[] chunkDeclaring(String id, long declared, byte[] body) {
        ByteBuffer b = le(8 + body.length);
        b.put(ascii(id)).putInt((int) declared).put(body);
        return b.array();
    }

    /** A 16-byte fmt body. */
    public static byte[] fmt(int tag, int channels, int rate, int bits) {
        int block = channels * ((bits + 7) / 8);
        ByteBuffer b = le(16);
        b.putShort((short) tag).putShort((short) channels).putInt(rate).putInt(rate * block)
                .putShort((short) block).putShort((short) bits);
        return b.array();
    }

    /** Interleaved sample bytes with their channel count. */
    public record Interleaved(int channels, byte[] bytes) {
    }

    public static Interleaved pcm16(float[]... channels) {
        int n = channels[0].length;
        ByteBuffer b = le(n * channels.length * 2);
        for (int i = 0; i < n; i++) {
            for (float[] c : channels) b.putShort((short) Math.max(-32768, Math.min(32767, Math.round(c[i] * 32768f))));
        }
        return new Interleaved(channels.length, b.array());
    }

    public static Interleaved float32(float[]... channels) {
        int n = channels[0].length;
        ByteBuffer b = le(n * channels.length * 4);
        for (int i = 0; i < n; i++) {
            for (float[] c : channels) b.putFloat(c[i]);
        }
        return new Interleaved(channels.length, b.array());
    }

    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    // ---------------------------------------------------------------- analysis

    public static double rms(float[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) s += (double) x[i] * x[i];
        return Math.sqrt(s / Math.max(1, to - from));
    }

    public static double db(double ratio) {
        return 20 * Math.log10(ratio);
    }

    /**
     * Least-squares fit of {@code dc + sum_k (a_k sin(w_k n) + b_k cos(w_k n))} to {@code x[from..to)}.
     * Returns {@link Fit} with the amplitudes, phases and the RMS of what the fit does not explain.
     */
    public static Fit fit(float[] x, int rate, int from, int to, double... freqs) {
        int k = 2 * freqs.length + 1;
        double[][] ata = new double[k][k];
        double[] atb = new double[k];
        double[] row = new double[k];
        for (int n = from; n < to; n++) {
            basis(row, freqs, rate, n);
            for (int i = 0; i < k; i++) {
                atb[i] += row[i] * x[n];
                for (int j = 0; j < k; j++) ata[i][j] += row[i] * row[j];
            }
        }
        double[] c = solve(ata, atb);
        double ss = 0;
        for (int n = from; n < to; n++) {
            basis(row, freqs, rate, n);
            double y = 0;
            for (int i = 0; i < k; i++) y += row[i] * c[i];
            ss += (x[n] - y) * (x[n] - y);
        }
        double[] amp = new double[freqs.length];
        double[] phase = new double[freqs.length];
        for (int f = 0; f < freqs.length; f++) {
            double a = c[2 * f];
            double b = c[2 * f + 1];
            amp[f] = Math.hypot(a, b);
            phase[f] = Math.atan2(b, a);   // 0 for a pure sine starting at t = 0
        }
        return new Fit(amp, phase, c[k - 1], Math.sqrt(ss / Math.max(1, to - from)));
    }

    /** Result of {@link #fit}. {@code phase[i]} is 0 for {@code sin(2 pi f t)} with t = 0 at sample 0. */
    public record Fit(double[] amplitude, double[] phase, double dc, double residualRms) {
    }

    private static void basis(double[] row, double[] freqs, int rate, int n) {
        for (int f = 0; f < freqs.length; f++) {
            double w = 2 * Math.PI * freqs[f] * n / rate;
            row[2 * f] = Math.sin(w);
            row[2 * f + 1] = Math.cos(w);
        }
        row[row.length - 1] = 1;
    }

    private static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = java.util.Arrays.copyOf(a[i], n + 1);
            m[i][n] = b[i];
        }
        for (int col = 0; col < n; col++) {
            int piv = col;
            for (int r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[piv][col])) piv = r;
            double[] t = m[col];
            m[col] = m[piv];
            m[piv] = t;
            for (int r = 0; r < n; r++) {
                if (r == col) continue;
                double f = m[r][col] / m[col][col];
                for (int c = col; c <= n; c++) m[r][c] -= f * m[col][c];
            }
        }
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = m[i][n] / m[i][i];
        return x;
    }

    /**
     * Frequency (Hz) of the strongest sinusoid in {@code x}, by a Hann-windowed DFT scan: 2 Hz steps from
     * 20 Hz to Nyquist, then refined to 0.1 Hz around the best.
     */
    public static double dominantFrequency(float[] x, int rate) {
        double[] w = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            w[i] = x[i] * (0.5 - 0.5 * Math.cos(2 * Math.PI * i / Math.max(1, x.length - 1)));
        }
        double best = 0;
        double bestPower = -1;
        for (double f = 20; f < rate / 2.0; f += 2) {
            double p = power(w, rate, f);
            if (p > bestPower) {
                bestPower = p;
                best = f;
            }
        }
        double centre = best;
        for (double f = centre - 2; f <= centre + 2; f += 0.1) {
            double p = power(w, rate, f);
            if (p > bestPower) {
                bestPower = p;
                best = f;
            }
        }
        return best;
    }

    private static double power(double[] x, int rate, double f) {
        // Goertzel recurrence: one pass, no trigonometry per sample.
        double coeff = 2 * Math.cos(2 * Math.PI * f / rate);
        double s1 = 0;
        double s2 = 0;
        for (double v : x) {
            double s = v + coeff * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        return s1 * s1 + s2 * s2 - coeff * s1 * s2;
    }
}
