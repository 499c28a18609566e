package dev.siac.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.siac.dsp.Spectral;
import dev.siac.model.ModelConfig;
import dev.siac.model.Models;
import dev.siac.model.SiacModel;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Encode-time refinement (--refine) on the tiny model: its loss, its gradients and what it leaves in the residual. */
class RefinerTest {
    private static NDManager manager;
    private static SiacModel model;
    private static Codec codec;
    private static ModelConfig c;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        model = Models.create(TinyModel.config(), 1, manager);
        codec = new Codec(model, "");
        c = model.config;
    }

    @AfterAll
    static void close() {
        model.close();
        manager.close();
    }

    /** The spectrogram of a tone plus noise over a two-window canvas, as the codec's residual buffer holds it. */
    private static float[][] target() {
        int cols = 2 * c.frames();
        float[] x = TinyModel.noise(cols * c.stftHop, 0.05, 7);
        for (int i = 0; i < x.length; i++) x[i] += (float) (0.5 * Math.sin(2 * Math.PI * 440 * i / c.sampleRate) * Math.exp(-i / 6000.0));
        try (NDScope s = new NDScope(); NDManager m = manager.newSubManager()) {
            s.suppressNotUsedWarning();
            float[] v = Spectral.magnitude(m.create(x)).toFloatArray();
            float[][] r = new float[c.bins()][cols];
            for (int b = 0; b < c.bins(); b++) System.arraycopy(v, b * cols, r[b], 0, cols);
            return r;
        }
    }

    private static float[][] vectors(int count, long seed) {
        Random rng = new Random(seed);
        float[][] v = new float[count][c.vectorDim];
        for (float[] row : v) for (int j = 0; j < row.length; j++) row[j] = (float) rng.nextGaussian();
        return v;
    }

    private static float[] flat(float[][] v) {
        return codec.flatten(v);
    }

    private static float[] logs(float[] amps) {
        float[] u = new float[amps.length];
        for (int i = 0; i < u.length; i++) u[i] = (float) Math.log(amps[i]);
        return u;
    }

    @Test
    void refinementLowersTheWindowLossAndLeavesTheResidualOfWhatItKeeps() {
        float[][] r0 = target();
        float[][] v = vectors(3, 1);
        float[] amps = {0.3f, 0.2f, 0.1f};
        int[] starts = {-1, 4, 12};
        Refiner refiner = new Refiner(codec, 10, 0.05);
        double greedy = Refiner.loss(r0, refiner.placedSum(flat(v), logs(amps), starts, r0));
        float[][] residual = new float[r0.length][r0[0].length];
        Refiner.Outcome o = refiner.refine(r0, starts, v, amps, residual);

        assertEquals(greedy, o.lossBefore(), 1e-6 * greedy);
        // the energy the events remove (|r0| - loss) grows by a clear margin
        double none = Refiner.loss(r0, new float[r0.length][r0[0].length]);
        assertTrue(none - o.lossAfter() > 1.2 * (none - o.lossBefore()), "10 steps should lower the loss: " + o + ", |r0| " + none);
        assertTrue(o.bestStep() > 0);
        for (float a : amps) assertTrue(a > 0, "amplitudes stay positive");
        // the residual is the target minus the kept events as the decoder renders them
        float[][] placed = refiner.placedSum(flat(v), logs(amps), starts, r0);
        double err = 0, scale = 0;
        for (int b = 0; b < r0.length; b++) {
            for (int j = 0; j < r0[b].length; j++) {
                err = Math.max(err, Math.abs(residual[b][j] - (r0[b][j] - placed[b][j])));
                scale = Math.max(scale, Math.abs(r0[b][j]));
            }
        }
        assertTrue(err < 1e-4 * scale, "residual mismatch " + err);
        assertEquals(o.lossAfter(), Refiner.loss(r0, placed), 1e-4 * o.lossAfter());
    }

    /** What the codec subtracts for an event is the spectrogram of the event placed in silence, attack frames included. */
    @Test
    void placedSpectrogramIsTheSpectrogramOfThePlacedEvent() {
        int onset = 5;
        try (NDScope s = new NDScope(); NDManager m = manager.newSubManager()) {
            s.suppressNotUsedWarning();
            float[] row = codec.renderPlaced(m, vectors(1, 9), new float[] {0.7f})[0];
            int cols = 4 * c.frames();
            float[] x = new float[cols * c.stftHop];
            int at = onset * c.stftHop - codec.guardSamples();
            for (int j = 0; j < row.length; j++) if (at + j >= 0) x[at + j] = row[j];
            float[] full = Spectral.magnitude(m.create(x)).toFloatArray();
            float[] placed = codec.placedSpectrogram(m.create(row, new ai.djl.ndarray.types.Shape(1, row.length))).toFloatArray();
            int pc = codec.placedColumns();
            int start = codec.placedStartColumn(onset);
            double worst = 0, peak = 0, attack = 0;
            for (int b = 0; b < c.bins(); b++) {
                for (int col = 0; col < cols; col++) {
                    int j = col - start;
                    float want = full[b * cols + col];
                    float got = j >= 0 && j < pc ? placed[b * pc + j] : 0f;
                    worst = Math.max(worst, Math.abs(want - got));
                    peak = Math.max(peak, want);
                    if (col < onset) attack += want;
                }
            }
            assertTrue(attack > 0, "frames before the onset frame hold part of the attack");
            assertTrue(worst < 1e-4 * peak, "max difference " + worst + " of peak " + peak);
        }
    }

    @Test
    void zeroStepsKeepsTheGreedyEvents() {
        float[][] r0 = target();
        float[][] v = vectors(2, 2);
        float[][] before = {v[0].clone(), v[1].clone()};
        float[] amps = {0.3f, 0.2f};
        Refiner.Outcome o = new Refiner(codec, 0, 0.05).refine(r0, new int[] {0, 8}, v, amps, new float[r0.length][r0[0].length]);
        assertEquals(o.lossBefore(), o.lossAfter());
        assertEquals(0, o.bestStep());
        for (int i = 0; i < 2; i++) for (int j = 0; j < c.vectorDim; j++) assertEquals(before[i][j], v[i][j], 1e-6f);
    }

    /** The two-pass gradient against central differences of the loss itself. */
    @Test
    void gradientsMatchFiniteDifferencesOfTheLoss() {
        float[][] r0 = target();
        float[] v = flat(vectors(2, 3));
        float[] u = logs(new float[] {0.4f, 0.25f});
        int[] starts = {0, 6};
        Refiner refiner = new Refiner(codec, 1, 0.05);
        float[] gv, gu;
        float[][] sum;
        try (ai.djl.ndarray.NDManager m = codec.model().manager().newSubManager()) {
            ai.djl.ndarray.NDArray vl = m.create(v, new ai.djl.ndarray.types.Shape(u.length, c.vectorDim));
            ai.djl.ndarray.NDArray ul = m.create(u, new ai.djl.ndarray.types.Shape(u.length, 1));
            vl.setRequiresGradient(true);
            ul.setRequiresGradient(true);
            sum = refiner.recorded(vl, ul, starts, r0);
            gv = vl.getGradient().toFloatArray();
            gu = ul.getGradient().toFloatArray();
        }
        assertEquals(Refiner.loss(r0, refiner.placedSum(v, u, starts, r0)), Refiner.loss(r0, sum), 1e-5 * Refiner.loss(r0, sum));

        double h = 1e-2;
        for (int i = 0; i < u.length; i++) {
            float[] up = u.clone(), dn = u.clone();
            up[i] += (float) h;
            dn[i] -= (float) h;
            double fd = (Refiner.loss(r0, refiner.placedSum(v, up, starts, r0)) - Refiner.loss(r0, refiner.placedSum(v, dn, starts, r0))) / (2 * h);
            assertEquals(fd, gu[i], 0.05 * Math.abs(fd) + 1e-3, "amplitude " + i);
        }
        // the vector coordinates with the largest gradients
        for (int pick = 0; pick < 3; pick++) {
            int i = 0;
            for (int j = 0; j < gv.length; j++) if (Math.abs(gv[j]) > Math.abs(gv[i])) i = j;
            float[] up = v.clone(), dn = v.clone();
            up[i] += (float) h;
            dn[i] -= (float) h;
            double fd = (Refiner.loss(r0, refiner.placedSum(up, u, starts, r0)) - Refiner.loss(r0, refiner.placedSum(dn, u, starts, r0))) / (2 * h);
            assertEquals(fd, gv[i], 0.1 * Math.abs(fd) + 1e-3, "vector coordinate " + i);
            gv[i] = 0;
        }
    }

    @Test
    void encodingWithRefinementKeepsTimesAndCounts() throws IOException {
        float[] x = TinyModel.noise(20000, 0.5, 4);
        Codec.Options plain = new Codec.Options(c.eventsPerWindow, 0, Precision.F32);
        Codec.Result a = codec.encode(TinyModel.source(x), TinyModel.peak(x), plain, null);
        Codec.Result b = codec.encode(TinyModel.source(x), TinyModel.peak(x), plain.withRefine(4, 0.05), null);
        assertEquals(a.events().size(), b.events().size());
        boolean changed = false;
        for (int i = 0; i < a.events().size(); i++) {
            assertEquals(a.events().events().get(i).time(), b.events().events().get(i).time());
            changed |= a.events().events().get(i).amplitude() != b.events().events().get(i).amplitude();
        }
        assertTrue(changed, "refinement changed no amplitude");
        assertTrue(b.energyRemoved() > a.energyRemoved() - 0.02, a.energyRemoved() + " -> " + b.energyRemoved());
    }
}
