package dev.siac.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.siac.dsp.Ops;
import dev.siac.dsp.Spectral;
import dev.siac.model.ModelConfig;
import dev.siac.model.Models;
import dev.siac.model.SiacModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The eventSamples option: events shorter than the window are rendered at their own length and placed. Their
 * spectrogram is computed over the frames the event can reach only; it must equal the STFT of the placed window,
 * in values and in gradients, and the codec must render what the model places.
 */
class ShortEventsTest {
    private static NDManager manager;
    private static SiacModel model;
    private static ModelConfig c;

    static ModelConfig config() {
        ModelConfig t = ModelConfig.preset("tiny");
        t.eventSamples = 2048;     // window 8192: the event and its 256-sample guards fit in half of it
        t.init = "physical";
        return t;
    }

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        model = Models.create(config(), 3, manager);
        c = model.config;
    }

    @AfterAll
    static void close() {
        model.close();
        manager.close();
    }

    private static float[] vectors(int count, long seed) {
        Random r = new Random(seed);
        float[] v = new float[count * c.vectorDim];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    /** Onset frames at the window's start, inside, at the end of the onset half, past it and past the window. */
    private static final long[] FRAMES = {0, 1, 5, 15, 31, 40};

    @Test
    void bankShapesFollowTheEventLength() {
        assertEquals(2048, c.eventLength());
        assertEquals(8, c.eventFrames());
        assertTrue(c.shortEvents());
        assertEquals(new Shape(c.nRoomIrs, 2048), model.parameters().get("resonance.verb.items").getShape());
        assertEquals(new Shape(c.nDeformations, (long) c.resonanceExpressivity * 8), model.parameters().get("resonance.warp.items").getShape());
        ModelConfig bad = config();
        bad.eventSamples = 4096; // 4096 + 2 x 256 does not fit in half of 8192
        assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromJson(bad.toJson(), "test"));
        bad.eventSamples = 3000;
        assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromJson(bad.toJson(), "test"));
    }

    @Test
    void spectrogramOfTheReachableFramesIsTheStftOfThePlacedWindow() {
        try (NDScope s = new NDScope(); NDManager m = manager.newSubManager()) {
            s.suppressNotUsedWarning();
            int b = FRAMES.length;
            float[] amps = new float[b];
            java.util.Arrays.fill(amps, 0.8f);
            SiacModel.Placed p = model.generatePlaced(m.create(vectors(b, 1), new Shape(b, c.vectorDim)), FRAMES, m.create(amps));
            assertEquals(new Shape(b, c.windowSamples), p.audio().getShape());
            assertEquals(new Shape(b, c.bins(), c.frames()), p.spectrogram().getShape());
            float[] want = Spectral.magnitude(p.audio()).toFloatArray();
            float[] got = p.spectrogram().toFloatArray();
            double peak = 0, worst = 0;
            for (int i = 0; i < want.length; i++) {
                peak = Math.max(peak, want[i]);
                worst = Math.max(worst, Math.abs(want[i] - got[i]));
            }
            assertTrue(peak > 0);
            assertTrue(worst < 1e-5 * peak, "max difference " + worst + " of " + peak);
            // nothing before the guard, nothing past the event
            float[] audio = p.audio().toFloatArray();
            int n = c.windowSamples;
            for (int row = 0; row < b; row++) {
                long from = FRAMES[row] * c.stftHop - c.guardSamples();
                long to = from + c.eventLength() + 2L * c.guardSamples();
                for (int j = 0; j < n; j++) if (j < from || j >= to) assertEquals(0f, audio[row * n + j], "row " + row + " sample " + j);
            }
            assertEquals(0.0, p.audio().get("5, :").abs().sum().getFloat(), "an onset past the window renders nothing");
        }
    }

    @Test
    void gradientsThroughTheReachableFramesEqualThoseThroughTheWholeStft() {
        float[][] grads = new float[2][];
        for (int way = 0; way < 2; way++) {
            try (NDScope s = new NDScope(); NDManager m = manager.newSubManager();
                 GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                s.suppressNotUsedWarning();
                int b = 4;
                NDArray v = Ops.constant(m, vectors(b, 2), new Shape(b, c.vectorDim));
                NDArray a = Ops.constant(m, new float[] {0.5f, 0.7f, 0.9f, 0.3f});
                v.setRequiresGradient(true);
                a.setRequiresGradient(true);
                SiacModel.Placed p = model.generatePlaced(v, new long[] {0, 2, 9, 15}, a);
                NDArray spec = way == 0 ? p.spectrogram() : Spectral.magnitude(p.audio());
                float[] w = new float[(int) spec.getShape().size()];
                Random r = new Random(4);
                for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
                gc.backward(spec.mul(Ops.constant(m, w, spec.getShape())).sum());
                float[] gv = v.getGradient().toFloatArray(), ga = a.getGradient().toFloatArray();
                float[] all = java.util.Arrays.copyOf(gv, gv.length + ga.length);
                System.arraycopy(ga, 0, all, gv.length, ga.length);
                grads[way] = all;
            }
        }
        double scale = 0, err = 0;
        for (int i = 0; i < grads[0].length; i++) {
            scale = Math.max(scale, Math.abs(grads[1][i]));
            err = Math.max(err, Math.abs(grads[0][i] - grads[1][i]));
        }
        assertTrue(scale > 0);
        assertTrue(err < 1e-4 * scale, "gradient difference " + err + " of " + scale);
    }

    @Test
    void theCodecRendersWhatTheModelPlaces() {
        Codec codec = new Codec(model, "");
        long[] frames = {1, 6, 15};
        try (NDScope s = new NDScope(); NDManager m = manager.newSubManager()) {
            s.suppressNotUsedWarning();
            float[] flat = vectors(frames.length, 5);
            float[] amps = {0.4f, 0.6f, 1.1f};
            float[] placed = model.generatePlaced(m.create(flat, new Shape(frames.length, c.vectorDim)), frames, m.create(amps))
                    .audio().toFloatArray();
            float[][] vs = new float[frames.length][c.vectorDim];
            for (int i = 0; i < frames.length; i++) System.arraycopy(flat, i * c.vectorDim, vs[i], 0, c.vectorDim);
            float[][] rows = codec.renderPlaced(m, vs, amps);
            int n = c.windowSamples;
            for (int i = 0; i < frames.length; i++) {
                float[] want = new float[n];
                long at = frames[i] * c.stftHop - codec.guardSamples();
                for (int j = 0; j < rows[i].length; j++) if (at + j >= 0 && at + j < n) want[(int) (at + j)] = rows[i][j];
                float[] got = java.util.Arrays.copyOfRange(placed, i * n, (i + 1) * n);
                assertArrayEquals(want, got, 1e-6f, "event " + i);
            }
        }
    }

    @Test
    void encodeDecodeAndSaveLoad(@TempDir Path tmp) throws IOException {
        Codec codec = new Codec(model, "");
        float[] x = TinyModel.noise(30000, 0.5, 8);
        Codec.Result r = codec.encode(TinyModel.source(x), TinyModel.peak(x), new Codec.Options(c.eventsPerWindow, 0, Precision.F32), null);
        assertTrue(r.events().size() > 0);
        TinyModel.Collector out = new TinyModel.Collector();
        codec.decode(r.events(), out, null);
        assertEquals(x.length, out.samples().length);
        Models.save(model, tmp.resolve("m"), dev.siac.model.Safetensors.DType.F32);
        try (NDManager m = NDManager.newBaseManager(); SiacModel back = Models.load(tmp.resolve("m"), m)) {
            assertEquals(2048, back.config.eventLength());
            TinyModel.Collector again = new TinyModel.Collector();
            new Codec(back, "").decode(r.events(), again, null);
            assertArrayEquals(out.samples(), again.samples());
        }
    }
}
