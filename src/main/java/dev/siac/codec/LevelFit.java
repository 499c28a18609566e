package dev.siac.codec;

import dev.siac.dsp.Mel;
import dev.siac.dsp.NativeFft;

/**
 * The encoder's level fit: one gain for a window's events, chosen so that the decode's mel spectrogram comes closest
 * to the input's in mel_l1's terms (docs/METRICS.md: mean |log10 mel(input) - log10 mel(decode)| with a floor).
 *
 * <p>The greedy encoder removes energy in the seed's sense (L1 on linear magnitudes), whose optimum in a cell the
 * events cannot match exactly is the median, below the cell's mean: decodes come out several dB quiet. The decoder
 * is linear in amplitude, so scaling all of a window's events by g scales their contribution exactly; the decode of
 * the window's final frames is then T + g C, with T the earlier windows' tails (with their own gains) and C this
 * window's events, both known to the encoder. The fit works on the complex STFTs of the two, so events that overlap
 * add with their phases as they will in the decode. What one gain cannot carry, the spectral balance, is measured
 * after it on the same decode and the same objective ({@link #balance}, stored as a {@link Balance}).
 */
final class LevelFit {
    /** The range of gains tried, in dB. */
    static final double MIN_DB = -12, MAX_DB = 12;
    private static final double COARSE_STEP_DB = 4;
    private static final double TOLERANCE_DB = 0.1;

    private final int bins;
    /** Each mel band's weights on the band balance's bands ({@link #balance}): read at the band's centre. */
    private final double[][] melShares;
    /** The level bands of {@link #balance}'s tolerance: bins [levelFrom[j], levelTo[j]). */
    private final int[] levelFrom, levelTo;
    /** Each STFT bin's {@link Balance#position}. */
    private final double[] binPosition;
    /** Band m's STFT bins and triangle weights are entries offsets[m] to offsets[m + 1] of bandBins and bandWeights. */
    private final int[] offsets;
    private final int[] bandBins;
    private final float[] bandWeights;

    /** mel_l1's bands (docs/METRICS.md). */
    static final int MEL_BANDS = 80;

    LevelFit(int sampleRate, int nFft) {
        this(sampleRate, nFft, MEL_BANDS);
    }

    LevelFit(int sampleRate, int nFft, int nMels) {
        double[][] w = Mel.filterbank(sampleRate, nFft, nMels, 0, sampleRate / 2.0);
        bins = nFft / 2 + 1;
        // each mel band takes the balance's gain at its centre: its weights on the bands (at most two)
        melShares = new double[nMels][Balance.BANDS];
        for (int m = 0; m < nMels; m++) {
            int peak = 0;
            for (int k = 1; k < bins; k++) if (w[m][k] > w[m][peak]) peak = k;
            double x = Balance.position(peak * (double) sampleRate / nFft, Balance.BANDS, Balance.LOWEST_HZ);
            int i = (int) Math.floor(x);
            melShares[m][i] = 1 - (x - i);
            if (i + 1 < Balance.BANDS) melShares[m][i + 1] = x - i;
        }
        // the level bands' bins (the octave around each band's centre but the lowest; the top one up to Nyquist), and
        // each bin's place among the balance's centres
        double hzPerBin = sampleRate / (double) nFft;
        int levels = Balance.BANDS - 1;
        levelFrom = new int[levels];
        levelTo = new int[levels];
        for (int j = 0; j < levels; j++) {
            double centre = Balance.LOWEST_HZ * Math.pow(2, j + 1);
            double lo = centre / Math.sqrt(2), hi = j == levels - 1 ? Double.POSITIVE_INFINITY : centre * Math.sqrt(2);
            levelFrom[j] = (int) Math.ceil(lo / hzPerBin - 1e-9);
            levelTo[j] = (int) Math.min(bins, Math.ceil(hi / hzPerBin - 1e-9));
        }
        binPosition = new double[bins];
        for (int k = 0; k < bins; k++) binPosition[k] = Balance.position(k * hzPerBin, Balance.BANDS, Balance.LOWEST_HZ);
        offsets = new int[nMels + 1];
        for (int m = 0; m < nMels; m++) {
            int count = 0;
            for (int k = 0; k < bins; k++) if (w[m][k] > 0) count++;
            offsets[m + 1] = offsets[m] + count;
        }
        bandBins = new int[offsets[nMels]];
        bandWeights = new float[offsets[nMels]];
        for (int m = 0; m < nMels; m++) {
            int i = offsets[m];
            for (int k = 0; k < bins; k++) {
                if (w[m][k] > 0) {
                    bandBins[i] = k;
                    bandWeights[i++] = (float) w[m][k];
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
        return gain(x, t, c, frames, stride, floor, NativeFft.available());
    }

    /**
     * {@link #gain(float[][], float[], float[], int, int, double)} with the objective in C (native) or Java. Both walk
     * the arrays bin by bin (frames inner, memory in order) and keep each sum's order: band sums over bins, then the
     * loss over frames and bands.
     */
    double gain(float[][] x, float[] t, float[] c, int frames, int stride, double floor, boolean nativeObjective) {
        return gain(target(x, frames, floor), t, c, stride, 0, MIN_DB, MAX_DB, nativeObjective);
    }

    /** The input's side of the objective over frames [0, frames): its log mel bands, and which frames are audible. */
    record Target(int frames, float[] logs, boolean[] audible, double floor) {
    }

    /** See {@link Target}; x is magnitudes [bin][frame]. */
    Target target(float[][] x, int frames, double floor) {
        int nMels = offsets.length - 1;
        double[] band = new double[frames];
        float[] target = new float[frames * nMels];
        boolean[] audible = new boolean[frames];
        for (int m = 0; m < nMels; m++) {
            java.util.Arrays.fill(band, 0);
            for (int i = offsets[m]; i < offsets[m + 1]; i++) {
                float w = bandWeights[i];
                float[] row = x[bandBins[i]];
                for (int f = 0; f < frames; f++) band[f] += w * row[f];
            }
            for (int f = 0; f < frames; f++) {
                if (band[f] > floor) audible[f] = true;
                target[f * nMels + m] = (float) Math.log10(Math.max(band[f], floor));
            }
        }
        return new Target(frames, target, audible, floor);
    }

    /**
     * The gain in [minDb, maxDb] (linear) that minimises the objective against the input's target with t + g c: a
     * grid of 4 dB steps from minDb, then a golden-section search around its best point to 0.1 dB; the grid's first
     * point is centerDb (kept on ties). Frames c leaves at zero do not count; none left: returns centerDb's gain.
     */
    double gain(Target input, float[] t, float[] c, int stride, double centerDb, double minDb, double maxDb,
                boolean nativeObjective) {
        return gain(input, t, c, stride, 0, input.frames(), centerDb, minDb, maxDb, nativeObjective);
    }

    /** As {@link #gain(Target, float[], float[], int, double, double, double, boolean)} where c is zero outside frames [from, to). */
    double gain(Target input, float[] t, float[] c, int stride, int from, int to, double centerDb, double minDb,
                double maxDb, boolean nativeObjective) {
        int frames = input.frames();
        double floor = input.floor();
        float[] target = input.logs();
        boolean[] audible = input.audible();
        int nMels = offsets.length - 1;
        double logFloor = Math.log10(floor);
        boolean[] touched = new boolean[frames];
        for (int k = 0; k < bins; k++) {
            for (int f = from; f < to; f++) {
                int j = (k * stride + f) * 2;
                if (c[j] != 0 || c[j + 1] != 0) touched[f] = true;
            }
        }
        int[] used = new int[frames];
        int count = 0;
        for (int f = 0; f < frames; f++) if (audible[f] && touched[f]) used[count++] = f;
        if (count == 0) return Math.pow(10, centerDb / 20);
        final int usedFrames = count;
        // per cell, bin-major (bins x used frames): |t|^2, |c|^2 and 2 Re(t c*), so |t + g c|^2 = tt + g^2 cc + g tc
        float[] tt = new float[count * bins], cc = new float[count * bins], tc = new float[count * bins];
        for (int k = 0; k < bins; k++) {
            for (int u = 0; u < count; u++) {
                int j = (k * stride + used[u]) * 2;
                float tr = t[j], ti = t[j + 1], cr = c[j], ci = c[j + 1];
                int o = k * count + u;
                tt[o] = tr * tr + ti * ti;
                cc[o] = cr * cr + ci * ci;
                tc[o] = 2 * (tr * cr + ti * ci);
            }
        }
        float[] targets = new float[count * nMels]; // the used frames' rows
        for (int u = 0; u < count; u++) System.arraycopy(target, used[u] * nMels, targets, u * nMels, nMels);
        Objective obj = nativeObjective
                ? g -> {
                    double loss = nativeObjective(tt, cc, tc, usedFrames, bins, g, offsets, bandBins, bandWeights,
                            targets, nMels, floor);
                    if (Double.isNaN(loss)) throw new IllegalStateException("level fit: the native objective could not run");
                    return loss;
                }
                : g -> {
                    float[] mag = new float[bins * usedFrames];
                    for (int o = 0; o < mag.length; o++) {
                        double p = tt[o] + g * g * cc[o] + g * tc[o];
                        mag[o] = p > 0 ? (float) Math.sqrt(p) : 0f;
                    }
                    double[] sums = new double[usedFrames];
                    double[] terms = new double[usedFrames * nMels];
                    for (int m = 0; m < nMels; m++) {
                        java.util.Arrays.fill(sums, 0);
                        for (int i = offsets[m]; i < offsets[m + 1]; i++) {
                            float w = bandWeights[i];
                            int base = bandBins[i] * usedFrames;
                            for (int u = 0; u < usedFrames; u++) sums[u] += w * mag[base + u];
                        }
                        for (int u = 0; u < usedFrames; u++) {
                            double v = sums[u] > floor ? Math.log10(sums[u]) : logFloor;
                            terms[u * nMels + m] = Math.abs(v - targets[u * nMels + m]);
                        }
                    }
                    double loss = 0;
                    for (double v : terms) loss += v;
                    return loss;
                };
        // a coarse grid, then a golden-section search around its best point
        double bestDb = centerDb, best = obj.at(Math.pow(10, centerDb / 20));
        for (double db = minDb; db <= maxDb + 1e-9; db += COARSE_STEP_DB) {
            if (db == centerDb) continue;
            double v = obj.at(Math.pow(10, db / 20));
            if (v < best) {
                best = v;
                bestDb = db;
            }
        }
        double lo = Math.max(minDb, bestDb - COARSE_STEP_DB), hi = Math.min(maxDb, bestDb + COARSE_STEP_DB);
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

    /**
     * The band balance ({@link Balance}, {@link Balance#BANDS} octave bands from {@link Balance#LOWEST_HZ}) that brings
     * the decode d (complex, [bin][frame][re, im], frames [0, input.frames())) closest to the input in mel_l1's terms:
     * each mel band takes the balance's gain at its centre, so a gain of gamma (in log10 units) moves the band's log
     * value by gamma, down to the floor. Coordinate descent over the bands, each on the code grid ({@link
     * Balance#STEP_DB}, within +-{@link Balance#MAX_DB}), twice; a code changes only when that lowers the objective, so
     * a band the input's audible frames do not reach keeps 0 dB. Returns the codes, band by band. With a finite
     * levelToleranceDb the decode's power must also hold within that many dB of the input's x[bin][frame] in each
     * level band: see {@link #balance(Target, float[], int, float[][], double, int[])}.
     */
    byte[] balance(Target input, float[] d, int stride, float[][] x, double levelToleranceDb) {
        return balance(input, d, stride, x, levelToleranceDb, 0, input.frames());
    }

    /** {@link #balance(Target, float[], int, float[][], double)} over frames [from, to) only. */
    byte[] balance(Target input, float[] d, int stride, float[][] x, double levelToleranceDb, int from, int to) {
        return balance(input, d, stride, x, levelToleranceDb, new int[] {from, to});
    }

    /**
     * The band balance of several balance frames, frame s over frames [bounds[s], bounds[s + 1]): codes frame by
     * frame, band by band. Each frame first takes its own mel_l1 optimum ({@link #balance(Target, float[], int,
     * float[][], double)}). With a finite levelToleranceDb the decode's power over all the frames, in each octave band
     * from 100 Hz (the octave around each band's centre but the lowest, the top one up to Nyquist: docs/METRICS.md's
     * level bands), must then lie within that many dB of the input's x[bin][frame] there, where the input holds at
     * least 1e-6 of the frames' power: code steps are added one at a time, each the one that brings the power closest
     * for the least mel_l1 (the smallest rise in mel error per dB of level error removed), until every band holds or
     * no step helps (the codes' range). The level is the frames' total, as the metric sums a whole file: a quiet frame
     * keeps its mel_l1 optimum, a loud one carries the level.
     */
    byte[] balance(Target input, float[] d, int stride, float[][] x, double levelToleranceDb, int[] bounds) {
        return balance(input, d, stride, x, levelToleranceDb, bounds, null);
    }

    /**
     * {@link #balance(Target, float[], int, float[][], double, int[])} with the level held offsetDb[j] dB (per level
     * band; null: none) from the input's in the decode's power as measured here, where the decoder is known to land
     * that far from it (its filter blends neighbouring frames' gains).
     */
    byte[] balance(Target input, float[] d, int stride, float[][] x, double levelToleranceDb, int[] bounds, double[] offsetDb) {
        int n = bounds.length - 1;
        FrameFit[] frames = new FrameFit[n];
        for (int s = 0; s < n; s++) {
            frames[s] = new FrameFit(input, d, stride, bounds[s], bounds[s + 1]);
            frames[s].descend();
        }
        if (Double.isFinite(levelToleranceDb)) {
            Levels levels = new Levels(x, d, stride, bounds, input.audible(), levelToleranceDb);
            if (offsetDb != null) {
                for (int j = 0; j < offsetDb.length; j++) levels.inputPower[j] *= Math.pow(10, offsetDb[j] / 10);
            }
            levels.hold(frames);
        }
        byte[] codes = new byte[n * Balance.BANDS];
        for (int s = 0; s < n; s++) {
            for (int b = 0; b < Balance.BANDS; b++) codes[s * Balance.BANDS + b] = (byte) frames[s].code[b];
        }
        return codes;
    }

    /** Bin k's power gain under one balance frame's codes (code gives band b's), as the decoder interpolates them. */
    private double powerGain(int k, java.util.function.IntUnaryOperator code) {
        double pos = binPosition[k];
        int i = (int) Math.floor(pos);
        double share = pos - i;
        double db = share == 0 ? code.applyAsInt(i) * Balance.STEP_DB
                : ((1 - share) * code.applyAsInt(i) + share * code.applyAsInt(i + 1)) * Balance.STEP_DB;
        return Math.exp(db * (Math.log(10) / 10));
    }

    /** The level bands {@link #balance} holds (docs/METRICS.md's octave bands from 100 Hz). */
    int levelBands() {
        return levelFrom.length;
    }

    /**
     * The power of d (complex, [bin][frame][re, im]) in each level band over the audible frames of [bounds[0],
     * bounds[n]), each balance frame s's bins scaled by the gains of its codes (codes[s * BANDS ...]; null: none).
     */
    double[] levelPowers(float[] d, int stride, int[] bounds, boolean[] audible, byte[] codes) {
        double[] p = new double[levelFrom.length];
        for (int s = 0; s + 1 < bounds.length; s++) {
            for (int j = 0; j < levelFrom.length; j++) {
                for (int k = levelFrom[j]; k < levelTo[j]; k++) {
                    double q = 0;
                    for (int f = bounds[s]; f < bounds[s + 1]; f++) {
                        if (!audible[f]) continue;
                        int i = (k * stride + f) * 2;
                        q += (double) d[i] * d[i] + (double) d[i + 1] * d[i + 1];
                    }
                    if (codes != null) {
                        int at = s * Balance.BANDS;
                        q *= powerGain(k, b -> codes[at + b]);
                    }
                    p[j] += q;
                }
            }
        }
        return p;
    }

    /** One balance frame's mel side: the decode's log mel bands over its audible frames, and its codes. */
    private final class FrameFit {
        final int[] code = new int[Balance.BANDS];
        private final int count;
        private final int[] used;
        private final double[] logs;
        private final double[] melLoss;
        private final float[] target;
        private final double logFloor;
        private final int nMels = offsets.length - 1;

        FrameFit(Target input, float[] d, int stride, int from, int to) {
            logFloor = Math.log10(input.floor());
            target = input.logs();
            int c = 0;
            used = new int[Math.max(0, to - from)];
            for (int f = from; f < to; f++) if (input.audible()[f]) used[c++] = f;
            count = c;
            // the decode's log mel bands over the used frames, unfloored (-inf where empty), band-major
            logs = new double[nMels * count];
            melLoss = new double[nMels];
            if (count == 0) return;
            double[] sums = new double[count];
            for (int m = 0; m < nMels; m++) {
                java.util.Arrays.fill(sums, 0);
                for (int i = offsets[m]; i < offsets[m + 1]; i++) {
                    float w = bandWeights[i];
                    int base = bandBins[i] * stride;
                    for (int u = 0; u < count; u++) {
                        int j = (base + used[u]) * 2;
                        sums[u] += w * Math.sqrt((double) d[j] * d[j] + (double) d[j + 1] * d[j + 1]);
                    }
                }
                for (int u = 0; u < count; u++) logs[m * count + u] = sums[u] > 0 ? Math.log10(sums[u]) : Double.NEGATIVE_INFINITY;
            }
            for (int m = 0; m < nMels; m++) melLoss[m] = bandLoss(logs, target, m, count, used, nMels, 0, logFloor);
        }

        boolean audible() {
            return count > 0;
        }

        /** The mel error of the bands band b reaches, with the codes as they are. */
        double melNow(int b) {
            double v = 0;
            for (int m = 0; m < nMels; m++) if (melShares[m][b] > 0) v += melLoss[m];
            return v;
        }

        /** The mel error of the bands band b reaches with b's code at k; stops summing once past limit. */
        double melWith(int b, int k, double limit) {
            double v = 0;
            for (int m = 0; m < nMels && v < limit; m++) {
                if (melShares[m][b] <= 0) continue;
                v += bandLoss(logs, target, m, count, used, nMels, gammaOf(melShares[m], code, b, k), logFloor);
            }
            return v;
        }

        void set(int b, int k) {
            for (int m = 0; m < nMels; m++) {
                if (melShares[m][b] > 0) melLoss[m] = bandLoss(logs, target, m, count, used, nMels, gammaOf(melShares[m], code, b, k), logFloor);
            }
            code[b] = k;
        }

        /** Coordinate descent on mel_l1 alone, twice over the bands. */
        void descend() {
            if (count == 0) return;
            for (int pass = 0; pass < 2; pass++) {
                for (int b = 0; b < Balance.BANDS; b++) {
                    double best = melNow(b);
                    int bestCode = code[b];
                    for (int k = -Balance.MAX_CODE; k <= Balance.MAX_CODE; k++) {
                        if (k == code[b]) continue;
                        double v = melWith(b, k, best);
                        if (v < best - 1e-9) {
                            best = v;
                            bestCode = k;
                        }
                    }
                    if (bestCode != code[b]) set(b, bestCode);
                }
            }
        }
    }

    /**
     * The level side of {@link #balance(Target, float[], int, float[][], double, int[])}: per level band, the input's
     * power over all the frames; per balance frame and bin, the decode's power with that frame's codes.
     */
    private final class Levels {
        private static final int MAX_STEPS = 4000;
        private final double tolerance;
        /** Per level band: the input's power (the target), 0 where it is too little to hold a level. */
        final double[] inputPower;
        /** Per level band: the decode's power with the codes as they are. */
        private final double[] decodePower;
        /** [frame][bin]: the decode's power with that frame's codes as they are. */
        private final double[][] power;
        /** Band b's code one step up or down multiplies bin k's power by up[b][k] or 1 / up[b][k] (1 outside b's reach). */
        private final double[][] up;
        private final int[] level; // each bin's level band, -1 outside them

        Levels(float[][] x, float[] d, int stride, int[] bounds, boolean[] audible, double tolerance) {
            this.tolerance = tolerance;
            int n = bounds.length - 1;
            inputPower = new double[levelFrom.length];
            decodePower = new double[levelFrom.length];
            power = new double[n][bins];
            level = new int[bins];
            java.util.Arrays.fill(level, -1);
            for (int j = 0; j < levelFrom.length; j++) for (int k = levelFrom[j]; k < levelTo[j]; k++) level[k] = j;
            double total = 0;
            for (int k = 0; k < bins; k++) {
                double p = 0;
                for (int f = bounds[0]; f < bounds[n]; f++) if (audible[f]) p += (double) x[k][f] * x[k][f];
                if (level[k] >= 0) inputPower[level[k]] += p;
                total += p;
                for (int s = 0; s < n; s++) {
                    double q = 0;
                    for (int f = bounds[s]; f < bounds[s + 1]; f++) {
                        if (!audible[f]) continue; // digital silence, which the decoder mutes
                        int j = (k * stride + f) * 2;
                        q += (double) d[j] * d[j] + (double) d[j + 1] * d[j + 1];
                    }
                    power[s][k] = q;
                }
            }
            for (int j = 0; j < inputPower.length; j++) if (inputPower[j] < 1e-6 * total) inputPower[j] = 0;
            up = new double[Balance.BANDS][bins];
            for (int b = 0; b < Balance.BANDS; b++) {
                for (int k = 0; k < bins; k++) {
                    double pos = binPosition[k];
                    int i = (int) Math.floor(pos);
                    double share = pos - i;
                    double w = i == b ? 1 - share : i + 1 == b ? share : 0;
                    up[b][k] = Math.exp(w * Balance.STEP_DB * (Math.log(10) / 10));
                }
            }
        }

        /** Scales frame s's decode power to its codes and sums the level bands. */
        private void start(FrameFit[] frames) {
            for (int s = 0; s < frames.length; s++) {
                int[] code = frames[s].code;
                for (int k = 0; k < bins; k++) {
                    power[s][k] *= powerGain(k, b -> code[b]);
                    if (level[k] >= 0) decodePower[level[k]] += power[s][k];
                }
            }
        }

        /** Sum over the level bands of how far each lies past the tolerance, in dB. */
        private double excess(double[] p) {
            double e = 0;
            for (int j = 0; j < p.length; j++) {
                if (inputPower[j] == 0 || !(p[j] > 0)) continue; // no level to hold, or nothing decoded to bring there
                double err = Math.abs(10 * Math.log10(p[j] / inputPower[j]));
                if (err > tolerance) e += err - tolerance;
            }
            return e;
        }

        /**
         * What one step of frame s's band b in direction dir (+1 or -1) would change: the level bands' power, into
         * dPower[j], and the mel error, returned (NaN where the code is at the end of its range).
         */
        private double step(FrameFit frame, double[] p, int b, int dir, double[] dPower) {
            java.util.Arrays.fill(dPower, 0);
            int k = frame.code[b] + dir;
            if (k < -Balance.MAX_CODE || k > Balance.MAX_CODE) return Double.NaN;
            double[] u = up[b];
            for (int i = 0; i < bins; i++) {
                if (level[i] < 0 || u[i] == 1) continue;
                dPower[level[i]] += p[i] * ((dir > 0 ? u[i] : 1 / u[i]) - 1);
            }
            return frame.melWith(b, k, Double.POSITIVE_INFINITY) - frame.melNow(b);
        }

        /**
         * Adds code steps, cheapest in mel_l1 per dB of level error first, until the level holds or none helps. What
         * each possible step changes depends on its frame alone, so it is kept and worked out again only for the frame
         * a step changed.
         */
        void hold(FrameFit[] frames) {
            start(frames);
            int n = frames.length, bands = decodePower.length;
            double[][][] dPower = new double[n][Balance.BANDS * 2][bands]; // [frame][band * 2 + (dir > 0)][level band]
            double[][] dMel = new double[n][Balance.BANDS * 2];
            for (int s = 0; s < n; s++) steps(frames, s, dPower, dMel);
            double[] trial = new double[bands];
            double current = excess(decodePower);
            for (int step = 0; step < MAX_STEPS && current > 0; step++) {
                int bestS = -1, bestC = -1;
                double bestRatio = Double.POSITIVE_INFINITY;
                for (int s = 0; s < n; s++) {
                    if (!frames[s].audible()) continue;
                    for (int c = 0; c < Balance.BANDS * 2; c++) {
                        if (Double.isNaN(dMel[s][c])) continue;
                        for (int j = 0; j < bands; j++) trial[j] = decodePower[j] + dPower[s][c][j];
                        double helped = current - excess(trial);
                        if (helped <= 1e-9) continue;
                        double ratio = Math.max(0, dMel[s][c]) / helped;
                        if (ratio < bestRatio) {
                            bestRatio = ratio;
                            bestS = s;
                            bestC = c;
                        }
                    }
                }
                if (bestS < 0) break;
                int b = bestC / 2, dir = bestC % 2 == 1 ? 1 : -1;
                double[] u = up[b];
                double[] p = power[bestS];
                for (int k = 0; k < bins; k++) {
                    if (u[k] == 1) continue;
                    double before = p[k];
                    p[k] *= dir > 0 ? u[k] : 1 / u[k];
                    if (level[k] >= 0) decodePower[level[k]] += p[k] - before;
                }
                frames[bestS].set(b, frames[bestS].code[b] + dir);
                steps(frames, bestS, dPower, dMel);
                current = excess(decodePower);
            }
        }

        /** Every step of frame s: its power change and mel change ({@link #step}). */
        private void steps(FrameFit[] frames, int s, double[][][] dPower, double[][] dMel) {
            if (!frames[s].audible()) return;
            for (int b = 0; b < Balance.BANDS; b++) {
                dMel[s][b * 2] = step(frames[s], power[s], b, -1, dPower[s][b * 2]);
                dMel[s][b * 2 + 1] = step(frames[s], power[s], b, 1, dPower[s][b * 2 + 1]);
            }
        }
    }

    /** A mel band's gain in log10 units with band b's code set to k and the others as they are. */
    private static double gammaOf(double[] lambda, int[] code, int b, int k) {
        double db = 0;
        for (int j = 0; j < code.length; j++) db += lambda[j] * (j == b ? k : code[j]) * Balance.STEP_DB;
        return db / 20;
    }

    /** Mel band m's part of the objective with its decode moved by gamma (log10 units). */
    private static double bandLoss(double[] logs, float[] target, int m, int count, int[] used, int nMels, double gamma,
                                   double logFloor) {
        double loss = 0;
        int base = m * count;
        for (int u = 0; u < count; u++) loss += Math.abs(target[used[u] * nMels + m] - Math.max(logs[base + u] + gamma, logFloor));
        return loss;
    }

    private interface Objective {
        double at(double gain);
    }

    /** The Java objective above in C (src/main/native/siac_levelfit.c, in the library {@link NativeFft} loads). */
    private static native double nativeObjective(float[] tt, float[] cc, float[] tc, int frames, int bins, double g,
                                                 int[] offsets, int[] bandBins, float[] bandWeights, float[] targets,
                                                 int nMels, double floor);
}
