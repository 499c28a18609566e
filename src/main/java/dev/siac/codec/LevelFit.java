package dev.siac.codec;

import dev.siac.dsp.Mel;

/**
 * The encoder's level fit: one gain for a window's events, chosen so that the decode's mel spectrogram comes closest
 * to the input's in mel_l1's terms (docs/METRICS.md: mean |log10 mel(input) - log10 mel(decode)| with a floor).
 *
 * <p>The greedy encoder removes energy in the seed's sense (L1 on linear magnitudes), whose optimum in a cell the
 * events cannot match exactly is the median, below the cell's mean: decodes come out several dB quiet. The decoder
 * is linear in amplitude, so scaling all of a window's events by g scales their contribution exactly; the decode of
 * the window's final frames is then T + g C, with T the earlier windows' tails (with their own gains) and C this
 * window's events, both known to the encoder. The fit works on the complex STFTs of the two, so events that overlap
 * add with their phases as they will in the decode.
 */
final class LevelFit {
    /** The range of gains tried, in dB. */
    static final double MIN_DB = -12, MAX_DB = 12;
    private static final double COARSE_STEP_DB = 4;
    private static final double TOLERANCE_DB = 0.1;

    private final int bins;
    /** Per mel band, the STFT bins its triangle covers and their weights. */
    private final int[][] bandBins;
    private final float[][] bandWeights;

    /** mel_l1's bands (docs/METRICS.md). */
    static final int MEL_BANDS = 80;

    LevelFit(int sampleRate, int nFft) {
        this(sampleRate, nFft, MEL_BANDS);
    }

    LevelFit(int sampleRate, int nFft, int nMels) {
        double[][] w = Mel.filterbank(sampleRate, nFft, nMels, 0, sampleRate / 2.0);
        bins = nFft / 2 + 1;
        bandBins = new int[nMels][];
        bandWeights = new float[nMels][];
        for (int m = 0; m < nMels; m++) {
            int count = 0;
            for (int k = 0; k < bins; k++) if (w[m][k] > 0) count++;
            bandBins[m] = new int[count];
            bandWeights[m] = new float[count];
            int i = 0;
            for (int k = 0; k < bins; k++) {
                if (w[m][k] > 0) {
                    bandBins[m][i] = k;
                    bandWeights[m][i++] = (float) w[m][k];
                }
            }
        }
    }

    int bins() {
        return bins;
    }

    /**
     * The gain (linear, in [{@link #MIN_DB}, {@link #MAX_DB}] dB) that minimises the mel log-L1 between input
     * magnitudes x[bin][frame] and |t + g c| over frames [0, frames), where t and c are complex spectra laid out
     * [bin][frame][re, im] (bins x frames x 2). Frames where the input lies wholly below the floor (digital silence,
     * which the decoder mutes) are not counted. Returns 1 when c is zero on every counted frame.
     */
    double gain(float[][] x, float[] t, float[] c, int frames, int stride, double floor) {
        int nMels = bandBins.length;
        double logFloor = Math.log10(floor);
        // per cell: |t|^2, |c|^2 and 2 Re(t c*), so |t + g c|^2 = tt + g^2 cc + g tc
        int[] used = new int[frames];
        int count = 0;
        float[][] target = new float[frames][nMels];
        for (int f = 0; f < frames; f++) {
            boolean audible = false, touched = false;
            for (int m = 0; m < nMels; m++) {
                double s = 0;
                int[] kb = bandBins[m];
                float[] wb = bandWeights[m];
                for (int i = 0; i < kb.length; i++) s += wb[i] * x[kb[i]][f];
                if (s > floor) audible = true;
                target[f][m] = (float) Math.log10(Math.max(s, floor));
            }
            for (int k = 0; k < bins && !touched; k++) {
                int j = (k * stride + f) * 2;
                if (c[j] != 0 || c[j + 1] != 0) touched = true;
            }
            if (audible && touched) used[count++] = f;
        }
        if (count == 0) return 1;
        final int usedFrames = count;
        float[] tt = new float[count * bins], cc = new float[count * bins], tc = new float[count * bins];
        for (int u = 0; u < count; u++) {
            int f = used[u];
            for (int k = 0; k < bins; k++) {
                int j = (k * stride + f) * 2;
                float tr = t[j], ti = t[j + 1], cr = c[j], ci = c[j + 1];
                int o = u * bins + k;
                tt[o] = tr * tr + ti * ti;
                cc[o] = cr * cr + ci * ci;
                tc[o] = 2 * (tr * cr + ti * ci);
            }
        }
        Objective obj = g -> {
            double loss = 0;
            float[] mag = new float[bins];
            for (int u = 0; u < usedFrames; u++) {
                int base = u * bins;
                for (int k = 0; k < bins; k++) {
                    double p = tt[base + k] + g * g * cc[base + k] + g * tc[base + k];
                    mag[k] = p > 0 ? (float) Math.sqrt(p) : 0f;
                }
                float[] tgt = target[used[u]];
                for (int m = 0; m < nMels; m++) {
                    double s = 0;
                    int[] kb = bandBins[m];
                    float[] wb = bandWeights[m];
                    for (int i = 0; i < kb.length; i++) s += wb[i] * mag[kb[i]];
                    loss += Math.abs((s > floor ? Math.log10(s) : logFloor) - tgt[m]);
                }
            }
            return loss;
        };
        // a coarse grid, then a golden-section search around its best point
        double bestDb = 0, best = obj.at(1);
        for (double db = MIN_DB; db <= MAX_DB + 1e-9; db += COARSE_STEP_DB) {
            if (db == 0) continue;
            double v = obj.at(Math.pow(10, db / 20));
            if (v < best) {
                best = v;
                bestDb = db;
            }
        }
        double lo = Math.max(MIN_DB, bestDb - COARSE_STEP_DB), hi = Math.min(MAX_DB, bestDb + COARSE_STEP_DB);
        double r = (Math.sqrt(5) - 1) / 2;
        double a = hi - r * (hi - lo), b = lo + r * (hi - lo);
        double fa = obj.at(Math.pow(10, a / 20)), fb = obj.at(Math.pow(10, b / 20));
        while (hi - lo > TOLERANCE_DB) {
            if (fa < fb) {
                hi = b;
                b = a;
                fb = fa;
                a = hi - r * (hi - lo);
                fa = obj.at(Math.pow(10, a / 20));
            } else {
                lo = a;
                a = b;
                fa = fb;
                b = lo + r * (hi - lo);
                fb = obj.at(Math.pow(10, b / 20));
            }
        }
        double mid = 0.5 * (lo + hi);
        double fm = obj.at(Math.pow(10, mid / 20));
        return Math.pow(10, (fm < best ? mid : bestDb) / 20);
    }

    private interface Objective {
        double at(double gain);
    }
}
