package dev.siac.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.siac.dsp.Spectral;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The iterative energy-removal loss (MODEL_SPEC §5A) in its per-step form, and the target fade. */
class LossesTest {
    private static final int N = 8192;
    private static final int BINS = 1025;
    private static final int FRAMES = N / 256;

    @Test
    void fadeIsOneThenLinspacePowerEight() {
        float[] w8 = Losses.fade(8);
        // linspace(1, 0, 4) = 1, 2/3, 1/3, 0
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, (float) (256.0 / 6561), (float) (1.0 / 6561), 0}, w8, 1e-7f);
        float[] w = Losses.fade(N);
        int half = N / 2;
        for (int i = 0; i < half; i++) assertEquals(1f, w[i], 0f);
        assertEquals(1f, w[half], 1e-7f);
        assertEquals(0f, w[N - 1], 0f);
        for (int i : new int[] {1, 100, 1000, 2047, 3000, 4094}) {
            assertEquals(Math.pow(1 - i / 4095.0, 8), w[half + i], 1e-7, "index " + (half + i));
        }
        assertEquals(Math.pow(2048.0 / 4095, 8), w[half + 2047], 1e-9); // just past the middle of the fade: ~2^-8
    }

    /** Per step k, with the spectra of each example sorted by descending L1 norm: |r - C_k|_1 - |r|_1, r -= C_k. */
    private static double perStepLoss(float[] target, List<float[]> spectra, int batch) {
        int per = BINS * FRAMES;
        double loss = 0;
        for (int b = 0; b < batch; b++) {
            final int off = b * per;
            double[] r = new double[per];
            for (int i = 0; i < per; i++) r[i] = target[off + i];
            List<Integer> order = new ArrayList<>(IntStream.range(0, spectra.size()).boxed().toList());
            order.sort(Comparator.comparingDouble((Integer k) -> {
                double s = 0;
                for (int i = 0; i < per; i++) s += Math.abs(spectra.get(k)[off + i]);
                return -s;
            }));
            for (int k : order) {
                float[] c = spectra.get(k);
                double before = 0, after = 0;
                for (int i = 0; i < per; i++) {
                    before += Math.abs(r[i]);
                    r[i] -= c[off + i];
                    after += Math.abs(r[i]);
                }
                loss += after - before;
            }
        }
        return loss;
    }

    @Test
    void closedFormEqualsThePerStepEnergyRemovalSum() {
        SplittableRandom rng = new SplittableRandom(51);
        int batch = 2;
        float[] audio = new float[batch * N];
        for (int i = 0; i < audio.length; i++) audio[i] = (float) (rng.nextDouble() * 2 - 1);
        float[] fade = new float[N];
        for (int i = 0; i < N; i++) fade[i] = i < N / 2 ? 1f : (float) Math.pow(1 - (i - N / 2) / (N / 2 - 1.0), 8);
        float[] faded = new float[audio.length];
        for (int i = 0; i < audio.length; i++) faded[i] = audio[i] * fade[i % N];
        try (NDManager m = NDManager.newBaseManager()) {
            float[] target = Spectral.magnitude(m.create(faded, new Shape(batch, N))).toFloatArray();
            // event spectra of very different sizes, some larger than the target so that residuals go negative
            List<float[]> spectra = new ArrayList<>();
            List<NDArray> arrays = new ArrayList<>();
            double[] scales = {0.05, 1.5, 0.3, 0.8};
            for (double s : scales) {
                float[] c = new float[target.length];
                for (int i = 0; i < c.length; i++) c[i] = (float) (s * rng.nextDouble() * target[i] * 2);
                spectra.add(c);
                NDArray a = m.create(c, new Shape(batch, BINS, FRAMES));
                a.setRequiresGradient(true);
                arrays.add(a);
            }
            NDArray loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                loss = Losses.iterativeLoss(m.create(audio, new Shape(batch, N)), arrays);
                gc.backward(loss);
            }
            double want = perStepLoss(target, spectra, batch);
            double scale = 0;
            for (float t : target) scale += Math.abs(t);
            assertEquals(want, loss.getFloat(), 1e-5 * scale, "loss");
            assertTrue(Math.abs(want) > 0.01 * scale, "degenerate test: loss " + want);

            // d loss / d C_k = -sign(T - sum C) for every k: the telescoped L1 distance
            for (int k : new int[] {0, 2}) {
                float[] g = arrays.get(k).getGradient().toFloatArray();
                for (int i = 0; i < target.length; i += 13) {
                    double res = target[i];
                    for (float[] c : spectra) res -= c[i];
                    if (Math.abs(res) > 1e-4) assertEquals(-Math.signum(res), g[i], 0, "gradient of C_" + k + " at " + i);
                }
            }
        }
    }

    @Test
    void perfectAndEmptyReconstructions() {
        SplittableRandom rng = new SplittableRandom(52);
        float[] audio = new float[N];
        for (int i = 0; i < N; i++) audio[i] = (float) (rng.nextDouble() * 2 - 1);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(audio, new Shape(1, N));
            NDArray target = Spectral.magnitude(x.mul(m.create(Losses.fade(N))));
            double energy = target.abs().sum().getFloat();
            // explaining the target exactly in two events gives -|T|_1, explaining nothing gives 0
            NDArray half = target.mul(m.create(0.5f));
            assertEquals(-energy, Losses.iterativeLoss(x, List.of(half, half)).getFloat(), 1e-4 * energy);
            assertEquals(0, Losses.iterativeLoss(x, List.of(target.zerosLike())).getFloat(), 1e-4 * energy);
            assertEquals(1, Losses.energyRemoved(x, List.of(half, half)), 1e-5);
            assertEquals(0, Losses.energyRemoved(x, List.of(target.zerosLike())), 1e-6);
            // the fade: a click near the end is (almost) absent from the target, so reproducing it costs its full energy
            float[] late = new float[N];
            late[N - 300] = 1;
            NDArray click = m.create(late, new Shape(1, N));
            NDArray clickSpec = Spectral.magnitude(click);
            double clickEnergy = clickSpec.sum().getFloat();
            assertEquals(clickEnergy, Losses.iterativeLoss(click, List.of(clickSpec)).getFloat(), 1e-3 * clickEnergy);
        }
    }

    /** Half-octave bands from 40 Hz: every bin in exactly one band, none empty, widths doubling every two bands. */
    @Test
    void bandEdgesCoverEveryBinInHalfOctaves() {
        int[] e = Losses.bandEdges(BINS, 22050);
        assertEquals(0, e[0]);
        assertEquals(BINS, e[e.length - 1]);
        for (int j = 0; j + 1 < e.length; j++) assertTrue(e[j + 1] > e[j], "band " + j + " is empty");
        double binHz = 22050 / 2.0 / (BINS - 1);
        assertEquals(Math.ceil(40 / binHz), e[1], 0);
        // high up, where rounding no longer matters, two bands make an octave
        int j = e.length - 4;
        assertEquals(2.0, (double) e[j + 2] / e[j], 0.1);
        assertTrue(e.length > 15 && e.length < 25, "bands: " + (e.length - 1));
    }

    /** The band-level term is 0 with no gradient where S = T, and pushes a quiet band up, a loud one down. */
    @Test
    void bandLevelPullsEachBandTowardTheInputsPower() {
        int bins = 5, frames = 2;
        int[] edges = {0, 2, 5};
        float[] t = new float[bins * frames], g = new float[t.length];
        for (int i = 0; i < t.length; i++) t[i] = 1 + i % 3;
        assertEquals(0, Losses.addBandLevelGradient(t, t.clone(), g, 1, bins, frames, edges, 1), 0);
        assertArrayEquals(new float[t.length], g);
        float[] quiet = new float[t.length];
        for (int i = 0; i < t.length; i++) quiet[i] = t[i] / 2;
        double v = Losses.addBandLevelGradient(t, quiet, g, 1, bins, frames, edges, 2);
        assertTrue(v > 0);
        for (float x : g) assertTrue(x < 0, "a quiet band is pushed up (negative dL/dS)");
        g = new float[t.length];
        float[] loud = new float[t.length];
        for (int i = 0; i < t.length; i++) loud[i] = t[i] * 3;
        Losses.addBandLevelGradient(t, loud, g, 1, bins, frames, edges, 2);
        for (float x : g) assertTrue(x > 0, "a loud band is pushed down");
        // the term's value: lambda sqrt(n) |rms(T) - rms(S)|, with rms(S) = rms(T) / 2 in every band and frame
        double want = 0;
        for (int f = 0; f < frames; f++) {
            for (int j = 0; j < 2; j++) {
                double p = 0;
                for (int k = edges[j]; k < edges[j + 1]; k++) p += t[k * frames + f] * t[k * frames + f];
                int n = edges[j + 1] - edges[j];
                want += 2 * Math.sqrt(n) * Math.sqrt(p / n) / 2;
            }
        }
        assertEquals(want, v, 1e-9 * want);
    }

    /** One event costs less than two twins that add up to it; a weaker event gets a larger per-cell push to zero. */
    @Test
    void eventCostPrefersOneEventToTwins() {
        double[] one = {0}, twins = {0};
        float[][] w1 = Losses.eventCostWeights(new double[][] {{2}, {0}}, new double[] {8}, 0.2, one);
        float[][] w2 = Losses.eventCostWeights(new double[][] {{1}, {1}}, new double[] {8}, 0.2, twins);
        assertTrue(one[0] < twins[0], one[0] + " vs " + twins[0]);
        assertEquals(0.2 * Math.sqrt(2 * 4), one[0], 1e-12);
        assertEquals(0.1 * Math.sqrt(4.0 / 2), w1[0][0], 1e-6);
        assertTrue(w2[0][0] > w1[0][0]);
        assertEquals(Losses.EVENT_COST_CAP * 0.2, w1[1][0], 1e-6); // a silent event: capped, and multiplies zeros
    }

    /** The log term weighs relative errors: a band at half the input's level is pushed up, harder the quieter it is. */
    @Test
    void logBandPushesQuietBandsHarderPerUnitOfLevel() {
        int bins = 4, frames = 1;
        int[] edges = {0, 2, 4};
        float[] t = {10, 10, 1, 1};                 // a loud band and a quiet one
        float[] s = {5, 5, 0.5f, 0.5f};             // both at half the input's level
        float[] g = new float[4];
        double v = Losses.addLogBandGradient(t, s, g, 1, bins, frames, edges, 1);
        assertTrue(v > 0);
        for (float x : g) assertTrue(x < 0, "both bands are pushed up");
        // per unit of the band's own level, the quiet band's push is the larger one
        assertTrue(-g[2] / 1f > -g[0] / 10f, g[2] + " vs " + g[0]);
        float[] same = new float[4];
        assertEquals(0, Losses.addLogBandGradient(t, t.clone(), same, 1, bins, frames, edges, 1), 1e-12);
        assertArrayEquals(new float[4], same);
    }

    /**
     * The log-mel term: 0 with no gradient where S = T; its gradient is the value's derivative (central differences on
     * a random spectrum); a spectrum missing one mel band's worth of energy is pushed up there and nowhere else.
     */
    @Test
    void logMelGradientIsTheDerivativeOfItsValue() {
        int bins = 65, frames = 3, batch = 2;
        float[][] mel = Losses.melFilterbank(bins, 22050);
        assertEquals(Losses.LOG_MEL_BANDS, mel.length);
        SplittableRandom rng = new SplittableRandom(7);
        float[] t = new float[batch * bins * frames], s = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = (float) (0.1 + rng.nextDouble());
            s[i] = (float) (0.1 + rng.nextDouble());
        }
        float[] same = new float[t.length];
        assertEquals(0, Losses.addLogMelGradient(t, t.clone(), same, batch, bins, frames, mel, 1), 1e-12);
        assertArrayEquals(new float[t.length], same);

        float[] g = new float[t.length];
        double v = Losses.addLogMelGradient(t, s, g, batch, bins, frames, mel, 1.5);
        assertTrue(v > 0);
        for (int i = 1; i < t.length; i += 7) {
            double h = 1e-3;
            float[] up = s.clone(), down = s.clone();
            up[i] += (float) h;
            down[i] -= (float) h;
            double vu = Losses.addLogMelGradient(t, up, new float[t.length], batch, bins, frames, mel, 1.5);
            double vd = Losses.addLogMelGradient(t, down, new float[t.length], batch, bins, frames, mel, 1.5);
            assertEquals((vu - vd) / (up[i] - down[i]), g[i], 2e-3 * (1 + Math.abs(g[i])), "cell " + i);
        }

        // a dip in a few high bins of one frame: pushed up there, and not at all in bins no dipped band covers
        float[] dip = t.clone();
        for (int k = 50; k < 53; k++) dip[k * frames + 1] *= 0.1f;
        float[] gd = new float[t.length];
        Losses.addLogMelGradient(t, dip, gd, batch, bins, frames, mel, 1);
        for (int k = 50; k < 53; k++) assertTrue(gd[k * frames + 1] < 0, "bin " + k);
        assertEquals(0, gd[10 * frames + 1], 0);
        assertEquals(0, gd[51 * frames], 0);
        // the faded second half of the window (frame 2 of 3) counts for nothing
        float[] late = t.clone();
        for (int k = 0; k < bins; k++) late[k * frames + 2] *= 0.1f;
        float[] gl = new float[t.length];
        assertEquals(0, Losses.addLogMelGradient(t, late, gl, 1, bins, frames, mel, 1), 0);
        assertArrayEquals(new float[t.length], gl);
    }
}
