package dev.siac.eval;


import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.siac.codec.Event;
import dev.siac.codec.EventList;
import dev.siac.dsp.Mel;

import java.util.Arrays;
import java.util.List;

/**
 * The quality metrics of {@code docs/METRICS.md}, computed exactly as written there so
 * that numbers from different runs and codecs compare. Reference {@code x} and decoded {@code y} are mono floats at
 * the same rate; {@code y} is zero-padded or cropped to the length of {@code x}; no gain or alignment is fitted.
 *
 * <p>All transforms run on DJL (the project's one FFT implementation) in float64 so that the metric is not limited
 * by float32 rounding of quiet bins near the 1e-5 floor. Long clips are processed in blocks of frames so native
 * memory stays bounded whatever the clip length.
 */
public final class Metrics {

    public static final int N_FFT = 2048;
    public static final int HOP = 256;
    public static final int N_MELS = 80;
    /** Magnitudes below this are floored before the log (METRICS.md). */
    public static final double LOG_FLOOR = 1e-5;
    /** Regulariser of si_sdr (METRICS.md). */
    public static final double SI_SDR_EPS = 1e-8;

    /** Two events at most this far apart (onsets, in seconds) may be twins (redundancy). */
    public static final double TWIN_SECONDS = 0.05;
    /** Two events are twins when the cosine similarity of their vectors exceeds this (redundancy). */
    public static final double TWIN_COSINE = 0.9;
    /**
     * Lower edges of the octave bands of the level error (METRICS.md: 100-200 Hz ... 6.4-11 kHz); band b spans
     * edge .. 2 edge, the last one up to Nyquist.
     */
    public static final List<Integer> OCTAVE_BANDS_HZ = List.of(100, 200, 400, 800, 1600, 3200, 6400);
    /**
     * A band holding less than this share of the input's energy has no level to compare (its level error is NaN):
     * the ratio would measure the window's leakage and float rounding, not the codec.
     */
    public static final double LEVEL_FLOOR = 1e-10;

    /** Frames per native block: bounds memory (1025 bins x 1024 frames x 16 bytes ~ 17 MB per complex array). */
    private static final int FRAMES_PER_BLOCK = 1024;

    private Metrics() {
    }

    /**
     * All quality metrics of one clip; mel_l1, the octave levels and the 2048-point part of stft_dist share one STFT.
     *
     * @param levelDb the level error of each band of {@link #OCTAVE_BANDS_HZ}, see {@link #octaveLevelErrors}
     */
    public record Scores(double melL1, double stftDist, double siSdr, double snr, double[] levelDb) {
    }

    public static Scores all(float[] x, float[] y, int sampleRate) {
        float[] yy = matchLength(x, y);
        double[][] mel = melFilterbank(sampleRate, N_FFT, N_MELS, 0.0, sampleRate / 2.0);
        SpectralSums big = spectralPass(x, yy, N_FFT, N_FFT / 4, HOP, mel);
        SpectralSums small = spectralPass(x, yy, 512, 512 / 4, -1, null);
        return new Scores(big.melMean(), big.stftDist() + small.stftDist(), siSdr(x, yy), snr(x, yy),
                octaveLevels(big.powerX(), big.powerY(), sampleRate, N_FFT));
    }

    /**
     * mel_l1: mean over 80 Slaney mel bands (0 .. sr/2, i.e. 0 .. 11025 Hz at 22050 Hz) and all frames of
     * |log10(max(mel_x, 1e-5)) - log10(max(mel_y, 1e-5))|, from a 2048/256 centred magnitude STFT.
     */
    public static double melL1(float[] x, float[] y, int sampleRate) {
        return melL1(x, y, sampleRate, FRAMES_PER_BLOCK);
    }

    /**
     * stft_dist (DAC-style): for windows 2048 and 512 with hop = window/4,
     * mean|log10(max(|X|,1e-5)) - log10(max(|Y|,1e-5))| + mean||X| - |Y||, summed over the two windows.
     */
    public static double stftDist(float[] x, float[] y) {
        return stftDist(x, y, FRAMES_PER_BLOCK);
    }

    /**
     * si_sdr in dB: both zero-mean, a = &lt;y,x&gt;/(||x||^2+1e-8), 10 log10(||a x||^2 / (||a x - y||^2 + 1e-8)).
     * A silent or zero-scaled reference gives -infinity, never NaN.
     */
    public static double siSdr(float[] x, float[] y) {
        float[] yy = matchLength(x, y);
        int n = x.length;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += yy[i];
        }
        mx /= n;
        my /= n;
        double dot = 0, xx = 0;
        for (int i = 0; i < n; i++) {
            double xi = x[i] - mx, yi = yy[i] - my;
            dot += xi * yi;
            xx += xi * xi;
        }
        double a = dot / (xx + SI_SDR_EPS);
        double target = 0, err = 0;
        for (int i = 0; i < n; i++) {
            double t = a * (x[i] - mx);
            double e = t - (yy[i] - my);
            target += t * t;
            err += e * e;
        }
        return 10 * Math.log10(target / (err + SI_SDR_EPS));
    }

    /**
     * snr in dB: 10 log10(||x||^2 / ||x - y||^2). An exact reconstruction (including silence reproduced as silence)
     * is +infinity; a silent reference with a non-silent output is -infinity. Never NaN.
     */
    public static double snr(float[] x, float[] y) {
        float[] yy = matchLength(x, y);
        double sig = 0, err = 0;
        for (int i = 0; i < x.length; i++) {
            double d = (double) x[i] - yy[i];
            sig += (double) x[i] * x[i];
            err += d * d;
        }
        if (err == 0) return Double.POSITIVE_INFINITY;
        return 10 * Math.log10(sig / err);
    }

    /**
     * energy_removed = 1 - ||R||_1 / ||S||_1, with R the unclamped residual spectrogram and S the input's 2048/256
     * magnitude spectrogram over the encoded frames. A silent input (||S||_1 = 0) has nothing to remove: 0.
     */
    public static double energyRemoved(double residualL1, double inputL1) {
        if (!(inputL1 >= 0) || !(residualL1 >= 0)) {
            throw new IllegalArgumentException("energyRemoved: L1 norms must be non-negative numbers, got residual="
                    + residualL1 + " input=" + inputL1);
        }
        if (inputL1 == 0) return 0.0;
        return 1.0 - residualL1 / inputL1;
    }

    /**
     * Level error per octave band in dB: for each band of {@link #OCTAVE_BANDS_HZ} (edge .. 2 edge, the last up to
     * Nyquist), 10 log10(E_y / E_x) with E the sum of |STFT|^2 over all frames and the band's bins of the
     * 2048/256 centred periodic-Hann STFT (the one mel_l1 uses). Negative means the decode is quieter in that band:
     * a codec whose events undershoot is negative everywhere, one that loses the highs is negative in the top bands.
     * NaN where the input has less than {@link #LEVEL_FLOOR} of its total energy in the band (or none at all, e.g.
     * a band above Nyquist); -infinity where the decode is silent in a band the input is not.
     *
     * <p>docs/METRICS.md: hop 256 (the design gave 512); the hop does not matter to the ratio: summed over all frames, a periodic Hann at
     * hop 256 or 512 weighs every sample equally, so both energies scale alike, and hop 256 shares mel_l1's STFT.
     */
    public static double[] octaveLevelErrors(float[] x, float[] y, int sampleRate) {
        SpectralSums s = spectralPass(x, matchLength(x, y), N_FFT, -1, HOP, null);
        return octaveLevels(s.powerX(), s.powerY(), sampleRate, N_FFT);
    }

    /** The largest |level error| over the bands, NaN bands ignored; NaN when every band is NaN. */
    public static double maxAbsLevelDb(double[] levelDb) {
        double max = Double.NaN;
        for (double v : levelDb) {
            if (Double.isNaN(v)) continue;
            if (Double.isNaN(max) || Math.abs(v) > max) max = Math.abs(v);
        }
        return max;
    }

    /** Octave levels from per-bin energies summed over frames (bin k is at k * sampleRate / nFft Hz). */
    static double[] octaveLevels(double[] powerX, double[] powerY, int sampleRate, int nFft) {
        double total = 0;
        for (double p : powerX) total += p;
        double[] out = new double[OCTAVE_BANDS_HZ.size()];
        for (int b = 0; b < out.length; b++) {
            double lo = OCTAVE_BANDS_HZ.get(b);
            double hi = b == out.length - 1 ? Double.POSITIVE_INFINITY : 2 * lo;
            double ex = 0, ey = 0;
            for (int k = 0; k < powerX.length; k++) {
                double hz = k * (double) sampleRate / nFft;
                if (hz >= lo && hz < hi) {
                    ex += powerX[k];
                    ey += powerY[k];
                }
            }
            out[b] = !(ex > 0) || ex < LEVEL_FLOOR * total ? Double.NaN : 10 * Math.log10(ey / ex);
        }
        return out;
    }

    /**
     * redundancy: the share of events that have a twin, another event of the same list whose onset is at most
     * {@link #TWIN_SECONDS} away and whose vector has cosine similarity above {@link #TWIN_COSINE} with it: the same
     * sound placed twice, where the seed aims at one event per sound. Both events of a pair count. A zero vector has
     * no direction, so it has no twin. NaN for an empty list (there is no share of nothing).
     *
     * <p>Events are sorted by time, so each is compared only with the ones after it inside the window: O(n k) for k
     * events per 50 ms, which stays linear over a long file.
     */
    public static double redundancy(EventList list) {
        List<Event> events = list.events();
        int n = events.size();
        if (n == 0) return Double.NaN;
        double window = TWIN_SECONDS * list.sampleRate();
        double[] norms = new double[n];
        for (int i = 0; i < n; i++) norms[i] = events.get(i).norm();
        boolean[] twin = new boolean[n];
        for (int i = 0; i < n; i++) {
            if (norms[i] == 0) continue;
            long ti = events.get(i).time();
            for (int j = i + 1; j < n; j++) {
                long dt = events.get(j).time() - ti;
                // Sorted, so dt >= 0 unless it overflowed (times far apart after edits): then it is beyond the window.
                if (dt < 0 || dt > window) break;
                if (norms[j] == 0) continue;
                double cosine = dot(events.get(i).vector(), events.get(j).vector()) / (norms[i] * norms[j]);
                if (cosine > TWIN_COSINE) {
                    twin[i] = true;
                    twin[j] = true;
                }
            }
        }
        int count = 0;
        for (boolean t : twin) if (t) count++;
        return count / (double) n;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int d = 0; d < a.length; d++) s += (double) a[d] * b[d];
        return s;
    }

    /** y zero-padded or cropped to x's length (METRICS.md: no alignment, no gain). */
    public static float[] matchLength(float[] x, float[] y) {
        if (x.length == 0) throw new IllegalArgumentException("metrics: reference signal is empty");
        return y.length == x.length ? y : Arrays.copyOf(y, x.length);
    }

    // ---------------------------------------------------------------- mel scale (Slaney, librosa htk=False)

    /** Slaney's mel scale ({@link Mel#hzToMel}). */
    public static double hzToMel(double hz) {
        return Mel.hzToMel(hz);
    }

    public static double melToHz(double mel) {
        return Mel.melToHz(mel);
    }

    /** Triangular mel filters [nMels][nFft/2+1] with Slaney area normalisation ({@link Mel#filterbank}). */
    public static double[][] melFilterbank(int sampleRate, int nFft, int nMels, double fMin, double fMax) {
        return Mel.filterbank(sampleRate, nFft, nMels, fMin, fMax);
    }

    // ---------------------------------------------------------------- STFT plumbing

    /** Periodic Hann (torch.hann_window / scipy 'hann' with fftbins=True): 0.5 - 0.5 cos(2 pi n / N). */
    public static double[] periodicHann(int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / n);
        return w;
    }

    /**
     * Reflect padding (edge sample not repeated, numpy/torch 'reflect'). When the pad is longer than the signal the
     * reflection is repeated, as numpy does, so short clips still have a defined centred STFT.
     */
    static double[] reflectPad(float[] x, int pad) {
        int n = x.length;
        double[] out = new double[n + 2 * pad];
        for (int i = 0; i < out.length; i++) out[i] = x[reflectIndex(i - pad, n)];
        return out;
    }

    private static int reflectIndex(int i, int n) {
        if (n == 1) return 0;
        int period = 2 * (n - 1);
        int r = Math.floorMod(i, period);
        return r < n ? r : period - r;
    }

    /** Number of frames of a centred STFT: 1 + floor(len / hop). */
    public static int frameCount(int length, int hop) {
        return 1 + length / hop;
    }

    /** powerX/powerY: |STFT|^2 per bin summed over the frames of the mel_l1 hop (null when that pass did not run). */
    private record SpectralSums(double logL1, double linL1, long binCount, double melL1, long melCount,
                                double[] powerX, double[] powerY) {
        double stftDist() {
            return logL1 / binCount + linL1 / binCount;
        }

        double melMean() {
            return melL1 / melCount;
        }
    }

    private static SpectralSums spectralPass(float[] x, float[] y, int nFft, int linHop, int melHop, double[][] mel) {
        return spectralPass(x, y, nFft, linHop, melHop, mel, FRAMES_PER_BLOCK);
    }

    /** stft_dist computed with a given block size: lets a test check that blocking does not change the result. */
    static double stftDist(float[] x, float[] y, int blockFrames) {
        float[] yy = matchLength(x, y);
        return spectralPass(x, yy, 2048, 512, -1, null, blockFrames).stftDist()
                + spectralPass(x, yy, 512, 128, -1, null, blockFrames).stftDist();
    }

    static double melL1(float[] x, float[] y, int sampleRate, int blockFrames) {
        float[] yy = matchLength(x, y);
        double[][] mel = melFilterbank(sampleRate, N_FFT, N_MELS, 0.0, sampleRate / 2.0);
        return spectralPass(x, yy, N_FFT, -1, HOP, mel, blockFrames).melMean();
    }

    /**
     * One pass over both signals with a centred (reflect-padded) periodic-Hann STFT. Computes the stft_dist sums at
     * hop {@code linHop} when it is positive, and at hop {@code melHop} when it is positive the per-bin energies of
     * the octave levels plus the mel_l1 sums when {@code mel} is given; the two hops differ because mel_l1 and
     * stft_dist(2048) use 256 and 512.
     */
    private static SpectralSums spectralPass(float[] x, float[] y, int nFft, int linHop, int melHop, double[][] mel,
                                             int blockFrames) {
        double logSum = 0, linSum = 0, melSum = 0;
        long binCount = 0, melCount = 0;
        int bins = nFft / 2 + 1;
        double[] powerX = melHop > 0 ? new double[bins] : null, powerY = melHop > 0 ? new double[bins] : null;
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray window = manager.create(periodicHann(nFft));
            if (linHop > 0) {
                int frames = frameCount(x.length, linHop);
                for (int f0 = 0; f0 < frames; f0 += blockFrames) {
                    int nf = Math.min(blockFrames, frames - f0);
                    try (NDManager block = manager.newSubManager()) {
                        NDArray mx = magnitude(block, x, f0, nf, nFft, linHop, window);
                        NDArray my = magnitude(block, y, f0, nf, nFft, linHop, window);
                        logSum += logL1Sum(mx, my);
                        linSum += mx.sub(my).abs().sum().getDouble();
                        binCount += (long) bins * nf;
                    }
                }
            }
            if (melHop > 0) {
                int frames = frameCount(x.length, melHop);
                for (int f0 = 0; f0 < frames; f0 += blockFrames) {
                    int nf = Math.min(blockFrames, frames - f0);
                    try (NDManager block = manager.newSubManager()) {
                        NDArray mx = magnitude(block, x, f0, nf, nFft, melHop, window);
                        NDArray my = magnitude(block, y, f0, nf, nFft, melHop, window);
                        addBinPower(powerX, mx);
                        addBinPower(powerY, my);
                        if (mel != null) {
                            // Created per block so that matMul's result (attached to its first operand's manager)
                            // is freed with the block.
                            NDArray melMatrix = block.create(mel);
                            melSum += logL1Sum(melMatrix.matMul(mx), melMatrix.matMul(my));
                            melCount += (long) mel.length * nf;
                        }
                    }
                }
            }
        }
        return new SpectralSums(logSum, linSum, binCount, melSum, melCount, powerX, powerY);
    }

    /** Adds |X|^2 of a (bins, frames) magnitude block, summed over its frames, to {@code power}. */
    private static void addBinPower(double[] power, NDArray magnitude) {
        double[] block = magnitude.square().sum(new int[]{1}).toDoubleArray();
        for (int k = 0; k < power.length; k++) power[k] += block[k];
    }

    /** Magnitude spectrogram [frame][bin] of the centred STFT used by every metric here. */
    static double[][] magnitudeSpectrogram(float[] x, int nFft, int hop) {
        int frames = frameCount(x.length, hop);
        int bins = nFft / 2 + 1;
        double[][] out = new double[frames][];
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray window = manager.create(periodicHann(nFft));
            double[] flat = magnitude(manager, x, 0, frames, nFft, hop, window).transpose().toDoubleArray();
            for (int f = 0; f < frames; f++) out[f] = Arrays.copyOfRange(flat, f * bins, (f + 1) * bins);
        }
        return out;
    }

    private static double logL1Sum(NDArray a, NDArray b) {
        return a.maximum(LOG_FLOOR).log10().sub(b.maximum(LOG_FLOOR).log10()).abs().sum().getDouble();
    }

    /**
     * |STFT| of centred frames [f0, f0+nf) of x: shape (bins, nf), float64. Only this block's span of the
     * reflect-padded signal is materialised, so heap use does not grow with the clip.
     */
    private static NDArray magnitude(NDManager m, float[] x, int f0, int nf, int nFft, int hop, NDArray window) {
        int start = f0 * hop - nFft / 2; // index into x of the block's first sample; negative = reflected
        int len = (nf - 1) * hop + nFft;
        double[] span = new double[len];
        for (int i = 0; i < len; i++) span[i] = x[reflectIndex(start + i, x.length)];
        NDArray seg = m.create(span, new Shape(len));
        NDArray spec = seg.stft(nFft, hop, false, window, false, true);
        NDArray mag = spec.abs();
        if (mag.getDataType() != DataType.FLOAT64) mag = mag.toType(DataType.FLOAT64, false);
        return mag;
    }
}
