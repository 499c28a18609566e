package dev.siac.model;

import static dev.siac.model.ModelTestSupport.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The anti-causal encoder (MODEL_SPEC §2.2) and the onset choice (§2.3). */
class EncoderTest {

    /** A model whose decoder banks are as small as the config allows; only the encoder matters here. */
    static ModelConfig encoderConfig(int hidden, int[] dilations, int windowSamples) {
        ModelConfig c = new ModelConfig();
        c.hidden = hidden;
        c.dilations = dilations;
        c.windowSamples = windowSamples;
        c.headHidden = 4;
        c.headBlocks = 1;
        c.nResonances = 2;
        c.resonanceExpressivity = 1;
        c.resonanceWindow = 512;
        c.nEnvelopes = 2;
        c.envelopeImpulses = 1;
        c.envelopeResolution = 16;
        c.envelopeSamples = 256;
        c.nDeformations = 2;
        c.nNoiseFilters = 2;
        c.noiseFilterTaps = 8;
        c.noiseExpressivity = 1;
        c.nNoiseDeformations = 2;
        c.nRoomIrs = 1;
        c.referenceUnused = false;
        c.validate("test");
        return c;
    }

    // ------------------------------------------------------------------ reference encoder, double precision

    /** out[o][t] = b[o] + sum_i (W[o][i][0] x[i][t] + W[o][i][1] x[i][t+d]) with x = 0 past the end. */
    static double[][] futureConv(double[][] x, double[] w, double[] b, int outCh, int taps, int d) {
        int in = x.length;
        int t = x[0].length;
        double[][] y = new double[outCh][t];
        for (int o = 0; o < outCh; o++) {
            for (int s = 0; s < t; s++) {
                double acc = b[o];
                for (int i = 0; i < in; i++) {
                    for (int k = 0; k < taps; k++) {
                        int at = s + k * d;
                        if (at < t) acc += w[(o * in + i) * taps + k] * x[i][at];
                    }
                }
                y[o][s] = acc;
            }
        }
        return y;
    }

    static double[] param(SiacModel model, String name) {
        return ModelTestSupport.doubles(model.parameters().get(name));
    }

    /** MODEL_SPEC §2.2 literally, for one batch row (bins x T): returns {vectors (D x T), switch (1 x T)}. */
    static double[][][] referenceEncode(SiacModel model, double[][] spec) {
        ModelConfig c = model.config;
        int h = c.hidden;
        double[][] x = futureConv(spec, param(model, "encoder.proj.weight"), param(model, "encoder.proj.bias"), h, 1, 1);
        int t = spec[0].length;
        double[][] sum = new double[h][t];
        for (int b = 0; b < c.dilations.length; b++) {
            int d = c.dilations[b];
            String pre = "encoder.stack.blocks." + b + ".";
            double[][][] branch = new double[2][][];
            String[] names = {"conv", "gate"};
            for (int j = 0; j < 2; j++) {
                String cn = pre + names[j] + ".conv.";
                double[] g = param(model, cn + "parametrizations.weight.original0");
                double[] v = param(model, cn + "parametrizations.weight.original1");
                double[] w = new double[v.length];
                int per = h * 2;
                for (int o = 0; o < h; o++) {
                    double norm = 0;
                    for (int q = 0; q < per; q++) norm += v[o * per + q] * v[o * per + q];
                    norm = Math.sqrt(norm);
                    for (int q = 0; q < per; q++) w[o * per + q] = g[o] * v[o * per + q] / norm;
                }
                branch[j] = futureConv(x, w, param(model, cn + "bias"), h, 2, d);
            }
            double alpha = param(model, pre + "tanh_weight")[0];
            double beta = param(model, pre + "sigmoid_weight")[0];
            double[][] next = new double[h][t];
            for (int o = 0; o < h; o++) {
                for (int s = 0; s < t; s++) {
                    double gate = 1 / (1 + Math.exp(-beta * branch[1][o][s]));
                    next[o][s] = x[o][s] + Math.tanh(alpha * branch[0][o][s]) * gate;
                    sum[o][s] += next[o][s];
                }
            }
            x = next;
        }
        double[][] hh = futureConv(sum, param(model, "encoder.stack.ff.weight"), param(model, "encoder.stack.ff.bias"), h, 1, 1);
        double[][] vec = futureConv(hh, param(model, "to_event_vectors.weight"), param(model, "to_event_vectors.bias"), c.vectorDim, 1, 1);
        double[][] sw = futureConv(hh, param(model, "to_event_switch.weight"), param(model, "to_event_switch.bias"), 1, 1, 1);
        return new double[][][] {vec, sw};
    }

    @Test
    void encodeMatchesTheSpecWrittenOut() {
        ModelConfig c = encoderConfig(6, new int[] {1, 2, 4, 1}, 8192);
        SplittableRandom r = new SplittableRandom(5);
        int batch = 2;
        int frames = 24;
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(c, 3, m)) {
            // the default init keeps every bias at 0 and the gate scalars at 0.5: give them values that would show a
            // wrong sign, a missing bias, or a swapped tanh/sigmoid scalar
            for (String name : model.parameters().params().keySet()) {
                if (name.endsWith(".bias")) ModelTestSupport.randomize(model, name, r, -0.3, 0.3);
                if (name.endsWith("tanh_weight")) ModelTestSupport.randomize(model, name, r, 0.3, 0.7);
                if (name.endsWith("sigmoid_weight")) ModelTestSupport.randomize(model, name, r, 1.2, 2.0);
                if (name.endsWith("original0")) ModelTestSupport.randomize(model, name, r, 0.5, 1.5);
            }
            ModelTestSupport.randomize(model, "encoder.stack.ff.weight", r, -0.5, 0.5);
            ModelTestSupport.randomize(model, "to_event_vectors.weight", r, -0.5, 0.5);
            ModelTestSupport.randomize(model, "to_event_switch.weight", r, -0.5, 0.5);
            ModelTestSupport.randomize(model, "encoder.proj.weight", r, -0.1, 0.1);
            float[] spec = uniform(r, batch * 1025 * frames, -0.5, 2);
            SiacModel.Encoded e = model.encode(m.create(spec, new Shape(batch, 1025, frames)));
            assertEquals(new Shape(batch, c.vectorDim, frames), e.vectors().getShape());
            assertEquals(new Shape(batch, frames), e.switches().getShape());
            float[] vec = e.vectors().toFloatArray();
            float[] sw = e.switches().toFloatArray();
            for (int b = 0; b < batch; b++) {
                double[][] row = new double[1025][frames];
                for (int k = 0; k < 1025; k++) for (int t = 0; t < frames; t++) row[k][t] = spec[(b * 1025 + k) * frames + t];
                double[][][] want = referenceEncode(model, row);
                for (int d = 0; d < c.vectorDim; d++) {
                    for (int t = 0; t < frames; t++) {
                        assertEquals(want[0][d][t], vec[(b * c.vectorDim + d) * frames + t], 1e-4, "vector " + d + " frame " + t);
                    }
                }
                for (int t = 0; t < frames; t++) assertEquals(want[1][0][t], sw[b * frames + t], 1e-4, "switch frame " + t);
            }
        }
    }

    @Test
    void paperDilationsSeeExactlyFramesTToTPlus128() {
        ModelConfig c = encoderConfig(8, new int[] {1, 2, 4, 8, 16, 32, 64, 1}, 131072);
        int frames = c.frames();
        assertTrue(frames >= 300);
        SplittableRandom r = new SplittableRandom(6);
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(c, 4, m)) {
            // with the default init the one path from frame t+128 to frame t (every block's future tap) is a product
            // of eight small factors that float32 can lose next to the residual sum; open the gates so that it is not
            for (String name : model.parameters().params().keySet()) {
                if (name.endsWith("tanh_weight")) ModelTestSupport.randomize(model, name, r, 0.5, 1.0);
                if (name.endsWith("sigmoid_weight")) ModelTestSupport.randomize(model, name, r, 1.5, 2.5);
                if (name.endsWith("original0")) ModelTestSupport.randomize(model, name, r, 1.5, 2.5);
                if (name.startsWith("encoder.stack.blocks") && name.endsWith(".bias")) ModelTestSupport.randomize(model, name, r, 0.5, 1.0);
            }
            float[] spec = uniform(r, 1025 * frames, 0, 1);
            float[][] base = encodeHost(model, m, spec, frames);
            int p = 300; // the perturbed frame
            float[] changed = spec.clone();
            for (int k = 0; k < 1025; k++) changed[k * frames + p] += 5f;
            float[][] pert = encodeHost(model, m, changed, frames);
            for (int t = 0; t < frames; t++) {
                boolean differs = differsAt(base, pert, t, frames);
                if (t < p - 128 || t > p) {
                    // t + 129 (and later) and t - 1 (and earlier) are outside frame t's view: bit-identical output
                    assertTrue(!differs, "frame " + t + " changed when frame " + p + " changed");
                } else if (t == p - 128 || t == p - 1 || t == p) {
                    assertTrue(differs, "frame " + t + " must see frame " + p);
                }
            }
        }
    }

    /** Pass 2 of a training step encodes only each onset's receptive field: same values, same gradients. */
    @Test
    void encodingTheReceptiveFieldOnlyEqualsPickingFromTheWholeEncoding() {
        ModelConfig c = encoderConfig(8, new int[] {1, 2, 4, 8, 16, 32, 64, 1}, 131072);
        int frames = c.frames();
        long[] onsets = {0, 77, 255};
        SplittableRandom r = new SplittableRandom(9);
        float[] spec = uniform(r, onsets.length * 1025 * frames, 0, 1);
        float[] weights = uniform(r, onsets.length * c.vectorDim, -1, 1);
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(c, 4, m)) {
            assertEquals(129, model.receptiveField());
            model.parameters().requireGradients();
            float[][][] out = new float[2][][];
            for (int way = 0; way < 2; way++) {
                try (NDManager sub = m.newSubManager(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray x = sub.create(spec, new Shape(onsets.length, 1025, frames));
                    SiacModel.Choice ch = way == 0 ? model.encodeAndPick(x, onsets) : model.pick(model.encode(x), onsets);
                    assertArrayEquals(onsets, ch.frames());
                    NDArray w = sub.create(weights, new Shape(onsets.length, c.vectorDim));
                    gc.backward(ch.vectors().mul(w).sum().add(ch.amplitudes().sum()));
                    NDArray g = model.parameters().get("encoder.proj.weight").getGradient();
                    out[way] = new float[][] {ch.vectors().toFloatArray(), ch.amplitudes().toFloatArray(), g.toFloatArray()};
                    ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) model.parameters().get("encoder.proj.weight"));
                }
            }
            for (int k = 0; k < 3; k++) {
                double scale = 0, err = 0;
                for (int i = 0; i < out[0][k].length; i++) {
                    scale = Math.max(scale, Math.abs(out[1][k][i]));
                    err = Math.max(err, Math.abs(out[0][k][i] - out[1][k][i]));
                }
                assertTrue(err <= 1e-5 * scale + 1e-7, "part " + k + " differs by " + err + " of " + scale);
            }
        }
    }

    /** The loop encodes only what the onset half needs: the same outputs there, the same onsets chosen. */
    @Test
    void encodingTheOnsetHalfEqualsTheWholeEncodingThere() {
        ModelConfig c = encoderConfig(8, new int[] {1, 2, 4, 8, 16, 32, 64, 1}, 131072);
        int frames = c.frames();
        int half = frames / 2;
        SplittableRandom r = new SplittableRandom(11);
        float[] spec = uniform(r, 2 * 1025 * frames, 0, 1);
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(c, 5, m)) {
            NDArray x = m.create(spec, new Shape(2, 1025, frames));
            SiacModel.Encoded all = model.encode(x);
            SiacModel.Encoded onsets = model.encodeOnsets(x);
            assertEquals(new Shape(2, c.vectorDim, half), onsets.vectors().getShape());
            float[] a = all.switches().get(":, 0:" + half).toFloatArray();
            float[] b = onsets.switches().toFloatArray();
            float[] va = all.vectors().get(":, :, 0:" + half).toFloatArray();
            float[] vb = onsets.vectors().toFloatArray();
            for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 1e-5 * (1 + Math.abs(a[i])), "switch " + i);
            for (int i = 0; i < va.length; i++) assertEquals(va[i], vb[i], 1e-5 * (1 + Math.abs(va[i])), "vector " + i);
            assertArrayEquals(model.choose(all).frames(), model.chooseOnset(onsets).frames());
            // a change just past the last frame the onset half can see leaves it alone
            float[] moved = spec.clone();
            int last = half + model.receptiveField() - 1;
            for (int bin = 0; bin < 1025; bin++) moved[bin * frames + last] += 5;
            float[] c2 = model.encodeOnsets(m.create(moved, new Shape(2, 1025, frames))).switches().toFloatArray();
            assertArrayEquals(b, c2);
        }
    }

    private static float[][] encodeHost(SiacModel model, NDManager m, float[] spec, int frames) {
        try (NDManager sub = m.newSubManager()) {
            SiacModel.Encoded e = model.encode(sub.create(spec, new Shape(1, 1025, frames)));
            return new float[][] {e.vectors().toFloatArray(), e.switches().toFloatArray()};
        }
    }

    private static boolean differsAt(float[][] a, float[][] b, int t, int frames) {
        if (a[1][t] != b[1][t]) return true;
        int dims = a[0].length / frames;
        for (int d = 0; d < dims; d++) if (a[0][d * frames + t] != b[0][d * frames + t]) return true;
        return false;
    }

    // ------------------------------------------------------------------ choose (MODEL_SPEC §2.3)

    @Test
    void chooseNeverPicksTheSecondHalfAndScalesByTheSwitch() {
        ModelConfig c = ModelTestSupport.tiny();
        SplittableRandom r = new SplittableRandom(7);
        int batch = 5;
        int frames = 64;
        int dims = 3;
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(c, 1, m)) {
            for (int trial = 0; trial < 200; trial++) {
                try (NDManager sub = m.newSubManager()) {
                    float[] sw = uniform(r, batch * frames, -1, 1);
                    // often make the global maximum sit in the second half
                    if (trial % 2 == 0) for (int b = 0; b < batch; b++) sw[b * frames + frames / 2 + r.nextInt(frames / 2)] = 5f;
                    if (trial % 7 == 0) for (int t = 0; t < frames; t++) sw[t] = -Math.abs(sw[t]) - 0.01f; // row 0 silent
                    float[] vec = uniform(r, batch * dims * frames, -1, 1);
                    SiacModel.Choice ch = model.choose(new SiacModel.Encoded(
                            sub.create(vec, new Shape(batch, dims, frames)), sub.create(sw, new Shape(batch, frames))));
                    float[] amps = ch.amplitudes().toFloatArray();
                    float[] vs = ch.vectors().toFloatArray();
                    assertEquals(new Shape(batch, dims), ch.vectors().getShape());
                    for (int b = 0; b < batch; b++) {
                        int best = 0;
                        for (int t = 1; t < frames / 2; t++) if (Math.max(0, sw[b * frames + t]) > Math.max(0, sw[b * frames + best])) best = t;
                        long got = ch.frames()[b];
                        assertTrue(got >= 0 && got < frames / 2, "onset " + got + " in the second half");
                        assertEquals(best, got, "trial " + trial + " row " + b);
                        assertEquals(Math.max(0f, sw[b * frames + (int) got]), amps[b], 0f);
                        for (int d = 0; d < dims; d++) assertEquals(vec[(b * dims + d) * frames + (int) got], vs[b * dims + d], 0f);
                    }
                    if (trial % 7 == 0) {
                        assertEquals(0, ch.frames()[0]);
                        assertEquals(0f, amps[0], 0f);
                    }
                }
            }
        }
    }

    @Test
    void amplitudeGradientReachesOnlyTheChosenSwitch() {
        checkChoiceGradient(2);
    }
    @Test
    void amplitudeGradientReachesOnlyTheChosenSwitchWithBatchOne() {
        checkChoiceGradient(1);
    }

    /** Row b's switches {0.1, 0.7, -2, 0.3 | 9, 9, 0, 0} shifted by b: the chosen frame is 1, the second half is masked. */
    private static void checkChoiceGradient(int batch) {
        ModelConfig c = ModelTestSupport.tiny();
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(c, 1, m)) {
            float[] row = {0.1f, 0.7f, -2f, 0.3f, 9f, 9f, 0f, 0f};
            float[] sw = new float[batch * 8];
            float[] vec = new float[batch * 8];
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < 8; t++) {
                    sw[b * 8 + t] = row[t] + 0.01f * b;
                    vec[b * 8 + t] = t + 1;
                }
            }
            NDArray s = m.create(sw, new Shape(batch, 8));
            NDArray v = m.create(vec, new Shape(batch, 1, 8));
            s.setRequiresGradient(true);
            v.setRequiresGradient(true);
            SiacModel.Choice ch;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                ch = model.choose(new SiacModel.Encoded(v, s));
                gc.backward(ch.amplitudes().mul(m.create(3f)).sum().add(ch.vectors().sum()));
            }
            float[] gs = s.getGradient().toFloatArray();
            float[] gv = v.getGradient().toFloatArray();
            for (int b = 0; b < batch; b++) {
                assertEquals(1, ch.frames()[b]);
                float[] rs = new float[8];
                float[] rv = new float[8];
                System.arraycopy(gs, b * 8, rs, 0, 8);
                System.arraycopy(gv, b * 8, rv, 0, 8);
                assertArrayEquals(new float[] {0, 3, 0, 0, 0, 0, 0, 0}, rs, 0f, "switch gradient, row " + b);
                assertArrayEquals(new float[] {0, 1, 0, 0, 0, 0, 0, 0}, rv, 0f, "vector gradient, row " + b);
            }
        }
    }
}
