package dev.siac.train;

import ai.djl.ndarray.NDArray;
import dev.siac.dsp.Ops;
import dev.siac.dsp.Spectral;
import java.util.List;

/**
 * The seed's training objective (MODEL_SPEC §5A) and two optional terms beside it ({@link Terms}; both 0 is the seed's
 * loss exactly).
 */
public final class Losses {
    private Losses() {}

    /**
     * Weights of the terms added to the seed's loss. Both act on quantities known after the loop's first pass, so
     * {@link TrainStep}'s two-pass gradient stays exact.
     *
     * @param bandLevel lambda of the band-level term: per frame and half-octave band j of n_j bins, lambda sqrt(n_j)
     *                  |rms_j(T) - rms_j(S)| with S the sum of the event spectra. L1 on magnitudes fits each cell's
     *                  median, which for a peaky or noisy spectrum the events cannot follow is far below its power;
     *                  this term pulls every band's power toward the input's (with lambda &gt;= 1 it outweighs the
     *                  seed's per-cell push wherever a band is too quiet or too loud).
     * @param eventCost mu of the cost per event: mu sum_k sqrt(|C_k|_1 Q) with Q = |T|_1 / K. Concave in an event's
     *                  energy, so one event is cheaper than two twins that add up to it (the seed's loss is indifferent:
     *                  the decoder is linear in amplitude), and an event that removes little is pushed to amplitude 0,
     *                  where the codec stops the window.
     * @param logBand   lambda of the log band-level term: per frame and half-octave band, lambda n_j m
     *                  |log(rms_j(T) + eps) - log(rms_j(S) + eps)| with m the example's mean |T| and eps = 0.1 m. Like
     *                  mel_l1 it weighs a quiet band's relative error as much as a loud one's (up to 10x more per cell
     *                  than the seed's push, for a band 10x quieter than the mean), where the seed's L1 ignores the
     *                  quiet parts.
     * @param logMel    lambda of the log-mel term: mel_l1's own measure, at its resolution. Per frame and each of 80
     *                  Slaney mel bands j (0 to Nyquist, mel_l1's filterbank applied to the magnitudes),
     *                  lambda (bins / 80) m |log(M_j T + eps) - log(M_j S + eps)| with m the example's mean |T| and
     *                  eps = {@link #LOG_MEL_FLOOR} times the example's mean mel value, over the frames of the window's
     *                  unfaded first half ({@link #logMelFrames}). The half-octave bands of the log band-level term
     *                  are 16 in all; mel_l1 has 65 bands above 1 kHz alone, so the log band-level term cannot see a
     *                  formant or a partial that is missing within its band.
     */
    public record Terms(double bandLevel, double eventCost, double logBand, double logMel) {
        public static final Terms SEED = new Terms(0, 0, 0, 0);

        public Terms(double bandLevel, double eventCost) {
            this(bandLevel, eventCost, 0, 0);
        }

        public Terms(double bandLevel, double eventCost, double logBand) {
            this(bandLevel, eventCost, logBand, 0);
        }

        public Terms {
            if (!(logMel >= 0 && logMel < 1e3)) throw new IllegalArgumentException("log-mel weight must be in [0, 1000), got " + logMel);
            if (!(logBand >= 0 && logBand < 1e3)) throw new IllegalArgumentException("log band-level weight must be in [0, 1000), got " + logBand);
            if (!(bandLevel >= 0 && bandLevel < 1e3)) throw new IllegalArgumentException("band-level weight must be in [0, 1000), got " + bandLevel);
            if (!(eventCost >= 0 && eventCost < 1e3)) throw new IllegalArgumentException("event cost must be in [0, 1000), got " + eventCost);
        }

        public boolean seed() {
            return bandLevel == 0 && eventCost == 0 && logBand == 0 && logMel == 0;
        }
    }

    /** Lowest edge of the band-level term's half-octave bands; the bins below it form one band. */
    static final double LOWEST_BAND_HZ = 40;

    /**
     * Band edges in bins for {@link Terms#bandLevel}: [0, 40 Hz), then half octaves up to the last bin; every band
     * holds at least one bin. Returns edges e with band j = bins [e[j], e[j+1]).
     */
    static int[] bandEdges(int bins, int sampleRate) {
        double binHz = sampleRate / 2.0 / (bins - 1);
        List<Integer> edges = new java.util.ArrayList<>();
        edges.add(0);
        for (double hz = LOWEST_BAND_HZ; ; hz *= Math.sqrt(2)) {
            int e = (int) Math.ceil(hz / binHz);
            if (e >= bins) break;
            if (e > edges.get(edges.size() - 1)) edges.add(e);
        }
        edges.add(bins);
        return edges.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Adds the band-level term's gradient with respect to S to g and returns the term's value. t and s are (B, bins,
     * frames) row-major. d/dS(f) of lambda sqrt(n) |rms(T) - rms(S)| is lambda sqrt(n) sign(rms(S) - rms(T)) S(f) /
     * (n rms(S)); a silent S band (rms 0) gets the direction of a flat spectrum, -lambda per cell when T is not silent.
     */
    static double addBandLevelGradient(float[] t, float[] s, float[] g, int batch, int bins, int frames, int[] edges,
                                       double lambda) {
        return addBandGradient(t, s, g, batch, bins, frames, edges, (b, n) -> {
            double root = Math.sqrt(n);
            return new BandRule() {
                @Override
                public double value(double rt, double rs) {
                    return lambda * root * Math.abs(rt - rs);
                }

                @Override
                public double slope(double sign, double rs) {
                    return lambda * root * sign / (n * rs);
                }

                @Override
                public double silentSlope(double sign) {
                    return sign * lambda;
                }
            };
        });
    }

    /** eps of the log band-level term, relative to the example's mean |T|. */
    static final double LOG_BAND_FLOOR = 0.1;

    /**
     * Adds the log band-level term's gradient with respect to S to g and returns its value (see {@link Terms#logBand}).
     * d/dS(f) of w |log(rs + eps) - log(rt + eps)| is w sign(rs - rt) S(f) / (n rs (rs + eps)); a silent S band gets
     * the flat direction, w / (n eps) per cell.
     */
    static double addLogBandGradient(float[] t, float[] s, float[] g, int batch, int bins, int frames, int[] edges,
                                     double lambda) {
        double[] means = new double[batch];
        for (int b = 0; b < batch; b++) {
            double mean = 0;
            for (int i = b * bins * frames; i < (b + 1) * bins * frames; i++) mean += t[i];
            means[b] = mean / ((double) bins * frames);
        }
        return addBandGradient(t, s, g, batch, bins, frames, edges, (b, n) -> {
            double mean = means[b];
            if (!(mean > 0)) return null;
            double eps = LOG_BAND_FLOOR * mean;
            double w = lambda * n * mean;
            return new BandRule() {
                @Override
                public double value(double rt, double rs) {
                    return w * Math.abs(Math.log(rs + eps) - Math.log(rt + eps));
                }

                @Override
                public double slope(double sign, double rs) {
                    return w * sign / (n * rs * (rs + eps));
                }

                @Override
                public double silentSlope(double sign) {
                    return sign * w / (n * eps);
                }
            };
        });
    }

    /** Mel bands of the log-mel term: mel_l1's (docs/METRICS.md). */
    static final int LOG_MEL_BANDS = 80;
    /** eps of the log-mel term, relative to the example's mean mel value (20 dB below it, as the log band-level term's). */
    static final double LOG_MEL_FLOOR = 0.1;

    /**
     * Frames the log-mel term counts: the first half of the window, where the target is not faded. The fade takes the
     * second half to near silence, where a log measure would punish any event that rings on (as it must at inference,
     * into the next window's audio) by its level relative to almost nothing.
     */
    static int logMelFrames(int frames) {
        return (frames + 1) / 2;
    }

    /** mel_l1's filterbank for a spectrogram of this many bins: [{@link #LOG_MEL_BANDS}][bins]. */
    static float[][] melFilterbank(int bins, int sampleRate) {
        double[][] w = dev.siac.dsp.Mel.filterbank(sampleRate, 2 * (bins - 1), LOG_MEL_BANDS, 0, sampleRate / 2.0);
        float[][] f = new float[w.length][bins];
        for (int j = 0; j < w.length; j++) {
            for (int k = 0; k < bins; k++) f[j][k] = (float) w[j][k];
        }
        return f;
    }

    /**
     * Adds the log-mel term's gradient with respect to S to g and returns its value (see {@link Terms#logMel}). With
     * u_j = M_j S + eps and v_j = M_j T + eps, d/dS(k) of w |log u_j - log v_j| is w sign(u_j - v_j) M_jk / u_j,
     * summed over the bands that hold bin k. t, s and g are (B, bins, frames) row-major; mel is [bands][bins].
     */
    static double addLogMelGradient(float[] t, float[] s, float[] g, int batch, int bins, int frames, float[][] mel,
                                    double lambda) {
        int used = logMelFrames(frames);
        int bands = mel.length;
        int[] lo = new int[bands], hi = new int[bands];
        for (int j = 0; j < bands; j++) {
            int a = 0, e = bins;
            while (a < bins && mel[j][a] == 0) a++;
            while (e > a && mel[j][e - 1] == 0) e--;
            lo[j] = a;
            hi[j] = e;
        }
        double value = 0;
        double[] mt = new double[bands * frames], ms = new double[bands * frames];
        for (int b = 0; b < batch; b++) {
            int off = b * bins * frames;
            double mean = 0;
            for (int i = off; i < off + bins * frames; i++) mean += t[i];
            mean /= (double) bins * frames;
            if (!(mean > 0)) continue;
            java.util.Arrays.fill(mt, 0);
            java.util.Arrays.fill(ms, 0);
            double melMean = 0;
            for (int j = 0; j < bands; j++) {
                for (int k = lo[j]; k < hi[j]; k++) {
                    double w = mel[j][k];
                    int row = off + k * frames;
                    for (int f = 0; f < used; f++) {
                        mt[j * frames + f] += w * t[row + f];
                        ms[j * frames + f] += w * s[row + f];
                    }
                }
            }
            for (double v : mt) melMean += v;
            melMean /= (double) bands * used;
            double eps = LOG_MEL_FLOOR * melMean;
            double weight = lambda * mean * bins / bands;
            for (int j = 0; j < bands; j++) {
                for (int f = 0; f < used; f++) {
                    int i = j * frames + f;
                    double u = ms[i] + eps, v = mt[i] + eps;
                    value += weight * Math.abs(Math.log(u) - Math.log(v));
                    double sign = Math.signum(ms[i] - mt[i]);
                    ms[i] = sign == 0 ? 0 : weight * sign / u;    // reused: this band's slope
                }
                for (int k = lo[j]; k < hi[j]; k++) {
                    double w = mel[j][k];
                    int row = off + k * frames;
                    for (int f = 0; f < used; f++) g[row + f] += (float) (w * ms[j * frames + f]);
                }
            }
        }
        return value;
    }

    /**
     * A band-level term at one band of one example, as a function of the band's RMS in one frame: rt of the target T,
     * rs of the events' sum S.
     */
    private interface BandRule {
        /** The term's value. */
        double value(double rt, double rs);

        /** d/dS(f) = slope S(f) for rs &gt; 0, with sign = sign(rs - rt) (not 0). */
        double slope(double sign, double rs);

        /** d/dS(f) for every cell of a silent S band (rs = 0, rt &gt; 0, so sign = -1): a flat spectrum's direction. */
        double silentSlope(double sign);
    }

    /** The {@link BandRule} of example b's band of n bins, or null where the example adds nothing. */
    private interface BandRules {
        BandRule of(int b, int n);
    }

    /**
     * What the band-level terms share: per example, half-octave band (edges) and frame, the RMS of T and S over the
     * band's bins, the rule's value summed, and its gradient spread over the band's cells of g. t, s and g are
     * (B, bins, frames) row-major.
     */
    private static double addBandGradient(float[] t, float[] s, float[] g, int batch, int bins, int frames, int[] edges,
                                          BandRules rules) {
        double value = 0;
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j + 1 < edges.length; j++) {
                int lo = edges[j], hi = edges[j + 1], n = hi - lo;
                BandRule rule = rules.of(b, n);
                if (rule == null) break;
                for (int f = 0; f < frames; f++) {
                    double pt = 0, ps = 0;
                    for (int k = lo; k < hi; k++) {
                        int i = (b * bins + k) * frames + f;
                        pt += (double) t[i] * t[i];
                        ps += (double) s[i] * s[i];
                    }
                    double rt = Math.sqrt(pt / n), rs = Math.sqrt(ps / n);
                    value += rule.value(rt, rs);
                    double sign = Math.signum(rs - rt);
                    if (sign == 0) continue;
                    if (rs == 0) {
                        float push = (float) rule.silentSlope(sign);
                        for (int k = lo; k < hi; k++) g[(b * bins + k) * frames + f] += push;
                        continue;
                    }
                    double scale = rule.slope(sign, rs);
                    for (int k = lo; k < hi; k++) {
                        int i = (b * bins + k) * frames + f;
                        g[i] += (float) (scale * s[i]);
                    }
                }
            }
        }
        return value;
    }

    /** Largest per-cell weight the event cost gives one event (an event that adds almost nothing). */
    static final double EVENT_COST_CAP = 10;

    /**
     * The event cost's gradient per event and example: d/d|C_k|_1 of mu sqrt(|C_k|_1 Q) = mu/2 sqrt(Q / |C_k|_1),
     * added to every cell of C_k (capped at {@link #EVENT_COST_CAP} mu). eventL1[k][b] = |C_k|_1 of example b,
     * targetL1[b] = |T|_1. value[0] receives the term's value.
     */
    static float[][] eventCostWeights(double[][] eventL1, double[] targetL1, double mu, double[] value) {
        int steps = eventL1.length;
        float[][] w = new float[steps][];
        for (int k = 0; k < steps; k++) {
            w[k] = new float[eventL1[k].length];
            for (int b = 0; b < w[k].length; b++) {
                double q = targetL1[b] / steps, e = eventL1[k][b];
                value[0] += mu * Math.sqrt(e * q);
                w[k][b] = (float) (e > 0 ? Math.min(EVENT_COST_CAP * mu, mu / 2 * Math.sqrt(q / e)) : EVENT_COST_CAP * mu);
            }
        }
        return w;
    }

    /** Target fade: 1 on the first half, linspace(1, 0, n/2)^8 on the second half. */
    public static float[] fade(int n) {
        float[] w = new float[n];
        int half = n / 2;
        for (int i = 0; i < half; i++) w[i] = 1f;
        for (int i = 0; i < half; i++) {
            double lin = 1.0 - (half == 1 ? 0 : i / (double) (half - 1));
            w[half + i] = (float) Math.pow(lin, 8);
        }
        return w;
    }

    /**
     * The iterative energy-removal loss: sum over k of |r_{k-1} - C_k|_1 - |r_{k-1}|_1 with r_0 = |STFT(faded x)|. It
     * telescopes exactly to |T - sum_k C_k|_1 - |T|_1 per example, summed over the batch, which is what is computed.
     */
    public static NDArray iterativeLoss(NDArray audio, List<NDArray> eventSpectra) {
        NDArray target = target(audio);
        NDArray sum = sum(eventSpectra);
        return target.sub(sum).abs().sum().sub(target.abs().sum());
    }

    /**
     * The value of the {@link Terms} beside the seed's loss, written out as tensors (what {@link TrainStep} computes in
     * two passes; a test records this in one and compares the gradients). Summed over the batch.
     */
    public static NDArray termsLoss(NDArray audio, List<NDArray> eventSpectra, Terms terms, int sampleRate) {
        NDArray target = target(audio);
        NDArray sum = sum(eventSpectra);
        NDArray total = audio.getManager().zeros(new ai.djl.ndarray.types.Shape());
        if (terms.bandLevel() > 0) {
            int[] edges = bandEdges((int) target.getShape().get(1), sampleRate);
            for (int j = 0; j + 1 < edges.length; j++) {
                String band = ":, " + edges[j] + ":" + edges[j + 1] + ", :";
                NDArray rt = target.get(band).square().mean(new int[] {1}).sqrt();
                NDArray rs = rms(sum.get(band));
                total = total.add(rt.sub(rs).abs().sum().mul((float) (terms.bandLevel() * Math.sqrt(edges[j + 1] - edges[j]))));
            }
        }
        if (terms.logBand() > 0) {
            int[] edges = bandEdges((int) target.getShape().get(1), sampleRate);
            NDArray mean = target.sum(new int[] {1, 2}).div((float) (target.getShape().get(1) * target.getShape().get(2))); // (B)
            NDArray eps = mean.mul((float) LOG_BAND_FLOOR).expandDims(1);
            for (int j = 0; j + 1 < edges.length; j++) {
                String band = ":, " + edges[j] + ":" + edges[j + 1] + ", :";
                int n1 = edges[j + 1] - edges[j];
                NDArray rt = target.get(band).square().mean(new int[] {1}).sqrt();                   // (B, frames)
                NDArray rs = rms(sum.get(band));
                NDArray d = rs.add(eps).log().sub(rt.add(eps).log()).abs().mul(mean.expandDims(1));
                total = total.add(d.sum().mul((float) (terms.logBand() * n1)));
            }
        }
        if (terms.logMel() > 0) {
            int bins = (int) target.getShape().get(1);
            float[][] fb = melFilterbank(bins, sampleRate);
            float[] flat = new float[fb.length * bins];
            for (int j = 0; j < fb.length; j++) System.arraycopy(fb[j], 0, flat, j * bins, bins);
            NDArray mel = audio.getManager().create(flat, new ai.djl.ndarray.types.Shape(fb.length, bins));
            NDArray mean = target.sum(new int[] {1, 2}).div((float) (bins * target.getShape().get(2)));   // (B)
            String first = ":, 0:" + logMelFrames((int) target.getShape().get(2));
            for (int b = 0; b < target.getShape().get(0); b++) {
                NDArray mt = mel.matMul(target.get(b).get(first));                               // (bands, frames/2)
                NDArray ms = mel.matMul(sum.get(b).get(first));
                NDArray eps = mt.mean().mul((float) LOG_MEL_FLOOR);
                NDArray d = ms.add(eps).log().sub(mt.add(eps).log()).abs().sum();
                total = total.add(d.mul(mean.get(b)).mul((float) (terms.logMel() * bins / fb.length)));
            }
        }
        if (terms.eventCost() > 0) {
            NDArray q = target.sum(new int[] {1, 2}).div((float) eventSpectra.size());
            for (NDArray c : eventSpectra) total = total.add(c.sum(new int[] {1, 2}).mul(q).sqrt().sum().mul((float) terms.eventCost()));
        }
        return total;
    }

    /**
     * RMS over the bins (axis 1): sqrt(mean(x^2) + 1e-30). The 1e-30 keeps the square root's gradient finite where a
     * band is exactly silent (cells no event reaches, whose own gradient is zero), at no cost to the value.
     */
    private static NDArray rms(NDArray x) {
        return x.square().mean(new int[] {1}).add(1e-30f).sqrt();
    }

    /** T = |STFT(faded audio)|: what the events of (B, N) audio are measured against. */
    private static NDArray target(NDArray audio) {
        int n = (int) audio.getShape().get(audio.getShape().dimension() - 1);
        return Spectral.magnitude(audio.mul(Ops.constant(audio.getManager(), fade(n))));
    }

    /** S = the sum of the event spectra, in order. */
    private static NDArray sum(List<NDArray> eventSpectra) {
        NDArray sum = eventSpectra.get(0);
        for (int k = 1; k < eventSpectra.size(); k++) sum = sum.add(eventSpectra.get(k));
        return sum;
    }

    /** Fraction of the target's L1 spectral energy removed: 1 - |T - sum C|_1 / |T|_1. */
    public static double energyRemoved(NDArray audio, List<NDArray> eventSpectra) {
        NDArray target = target(audio);
        NDArray sum = sum(eventSpectra);
        double total = target.abs().sum().getFloat();
        return total == 0 ? 0 : 1 - target.sub(sum).abs().sum().getFloat() / total;
    }
}
