package dev.siac.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.siac.dsp.Ops;
import dev.siac.dsp.Spectral;
import dev.siac.train.Losses;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The iterative loop (MODEL_SPEC §3): step semantics, the detached residual, gradients, determinism. */
class IterativeTest {

    private static NDArray audio(NDManager m, ModelConfig c, int batch, long seed) {
        float[] x = ModelTestSupport.audio(new SplittableRandom(seed), batch, c.windowSamples);
        return m.create(x, new Shape(batch, c.windowSamples));
    }

    @Test
    void eachStepEncodesTheResidualRendersTheChoiceAndSubtractsItsMagnitudes() {
        ModelConfig c = ModelTestSupport.tiny();
        int batch = 2;
        int steps = c.eventsPerWindow;
        ModelTestSupport.gradModeOff();
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(c, 7, m)) {
            NDArray x = audio(m, c, batch, 1);
            SiacModel.Iteration it = model.iterative(x, steps, true);
            assertEquals(steps, it.events().size());
            assertEquals(steps, it.residuals().size());
            NDArray residual = Spectral.magnitude(x);
            for (int k = 0; k < steps; k++) {
                NDArray ev = it.events().get(k);
                assertEquals(new Shape(batch, c.windowSamples), ev.getShape());
                assertEquals(new Shape(batch, c.vectorDim), it.vectors().get(k).getShape());
                assertEquals(new Shape(batch), it.amplitudes().get(k).getShape());
                assertEquals(new Shape(batch, c.bins(), c.frames()), it.residuals().get(k).getShape());

                SiacModel.Choice ch = model.choose(model.encode(residual));
                assertArrayEquals(ch.frames(), it.frames().get(k), "step " + k);
                for (long f : ch.frames()) assertTrue(f >= 0 && f < c.onsetFrames());
                assertArrayEquals(ch.vectors().toFloatArray(), it.vectors().get(k).toFloatArray(), 1e-6f);
                assertArrayEquals(ch.amplitudes().toFloatArray(), it.amplitudes().get(k).toFloatArray(), 1e-6f);
                float[] amps = ch.amplitudes().toFloatArray();
                for (float a : amps) assertTrue(a >= 0);

                NDArray want = model.generate(ch.vectors(), ch.frames(), ch.amplitudes());
                float[] got = ev.toFloatArray();
                double peak = ModelTestSupport.maxAbs(got);
                assertTrue(ModelTestSupport.maxAbsDiff(want.toFloatArray(), got) <= 1e-5 * Math.max(peak, 1e-3), "event " + k);
                // the event sits at its onset: nothing before 256*t minus the largest fine shift
                for (int b = 0; b < batch; b++) {
                    int start = (int) (it.frames().get(k)[b] * c.stftHop) - c.fineShiftSamples - 1;
                    for (int i = 0; i < start; i++) assertEquals(0, got[b * c.windowSamples + i], 1e-4 * Math.max(peak, 1e-3));
                }

                NDArray spec = Spectral.magnitude(ev);
                assertArrayEquals(spec.toFloatArray(), it.eventSpectra().get(k).toFloatArray(), 0f);
                NDArray next = residual.sub(it.eventSpectra().get(k));
                assertArrayEquals(next.toFloatArray(), it.residuals().get(k).toFloatArray(), 0f, "residual " + k);
                residual = it.residuals().get(k);
            }
            // without keepResiduals the same events come out
            SiacModel.Iteration again = model.iterative(x, steps, false);
            assertTrue(again.residuals().isEmpty());
            for (int k = 0; k < steps; k++) {
                assertArrayEquals(it.events().get(k).toFloatArray(), again.events().get(k).toFloatArray(), 0f);
            }
        }
    }

    /** Parameter gradients of the loss sum(C_2 * w) (the second step's spectrogram only). */
    private static Map<String, float[]> secondStepGradients(SiacModel model, NDManager m, NDArray x, boolean viaLoop) {
        ModelConfig c = model.config;
        model.parameters().requireGradients();
        float[] w = ModelTestSupport.uniform(new SplittableRandom(3), (int) (2L * c.bins() * c.frames()), 0, 1);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray spec2;
            if (viaLoop) {
                spec2 = model.iterative(x, 2, false).eventSpectra().get(1);
            } else {
                // the residual after step 1 as a constant: what step 2 sees if the loop detaches it
                // (computed on the recording path, as the loop's own step 1: without gradients the loop runs the
                // inference paths, equal only to float rounding)
                float[] host = model.iterative(x, 1, true).residuals().get(0).toFloatArray();
                NDArray s1 = m.create(host, new Shape(2, c.bins(), c.frames()));
                SiacModel.Choice ch = model.choose(model.encode(s1));
                spec2 = Spectral.magnitude(model.generate(ch.vectors(), ch.frames(), ch.amplitudes()));
            }
            gc.backward(spec2.mul(Ops.constant(m, w, spec2.getShape())).sum());
        }
        Map<String, float[]> grads = new LinkedHashMap<>();
        for (var e : model.parameters().params().entrySet()) grads.put(e.getKey(), e.getValue().getGradient().toFloatArray());
        return grads;
    }

    /**
     * Without gradients the loop runs the inference paths (InferenceEncoder, InferenceRender): the same onsets, and
     * vectors, amplitudes, events and residuals equal to float rounding, for full-window and short events.
     */
    @Test
    void withoutGradientsTheLoopRunsTheInferencePathsToTheSameValues() {
        for (int eventSamples : new int[] {0, ModelTestSupport.tiny().windowSamples / 4}) {
            ModelConfig c = ModelTestSupport.tiny();
            c.eventSamples = eventSamples;
            try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(c, 4, m)) {
                NDArray x = audio(m, c, 1, 5);
                ai.djl.engine.Engine.getInstance();
                JniUtils.setGradMode(true);
                SiacModel.Iteration training;
                try {
                    training = model.iterative(x, 4, true);
                } finally {
                    ModelTestSupport.gradModeOff();
                }
                SiacModel.Iteration inference = model.iterative(x, 4, true);
                for (int k = 0; k < 4; k++) {
                    String at = "eventSamples " + eventSamples + ", step " + k;
                    assertArrayEquals(training.frames().get(k), inference.frames().get(k), at);
                    close(training.vectors().get(k), inference.vectors().get(k), 1e-4, at + " vectors");
                    close(training.amplitudes().get(k), inference.amplitudes().get(k), 1e-4, at + " amplitudes");
                    close(training.events().get(k), inference.events().get(k), 1e-4, at + " events");
                    close(training.residuals().get(k), inference.residuals().get(k), 1e-4, at + " residuals");
                }
            }
        }
    }

    private static void close(NDArray a, NDArray b, double relative, String what) {
        float[] x = a.toFloatArray(), y = b.toFloatArray();
        double scale = Math.max(ModelTestSupport.maxAbs(x), 1e-12);
        assertTrue(ModelTestSupport.maxAbsDiff(x, y) <= relative * scale,
                what + ": max diff " + ModelTestSupport.maxAbsDiff(x, y) + " of " + scale);
    }

    @Test
    void theResidualIsDetachedBetweenSteps() {
        ModelConfig c = ModelTestSupport.tiny();
        try (NDManager m = NDManager.newBaseManager();
             SiacModel a = Models.create(c, 8, m);
             SiacModel b = Models.create(c, 8, m)) {
            // at initialisation the encoder's weights are so small that a gradient leaking through the residual would
            // hide below float noise: make the residual -> encoder -> choice path strong, identically in both models
            for (SiacModel model : List.of(a, b)) {
                SplittableRandom r = new SplittableRandom(99);
                ModelTestSupport.randomize(model, "encoder.proj.weight", r, -0.2, 0.2);
                ModelTestSupport.randomize(model, "encoder.stack.ff.weight", r, -0.5, 0.5);
                ModelTestSupport.randomize(model, "to_event_vectors.weight", r, -1, 1);
                ModelTestSupport.randomize(model, "to_event_switch.weight", r, -1, 1);
                ModelTestSupport.loudHeads(model, r);
            }
            NDArray x = audio(m, c, 2, 2);
            Map<String, float[]> loop = secondStepGradients(a, m, x, true);
            Map<String, float[]> constant = secondStepGradients(b, m, x, false);
            for (String name : loop.keySet()) {
                float[] g1 = loop.get(name);
                float[] g2 = constant.get(name);
                double scale = Math.max(ModelTestSupport.maxAbs(g2), 1e-12);
                assertTrue(ModelTestSupport.maxAbsDiff(g1, g2) <= 1e-5 * scale,
                        name + ": step 2's gradient depends on step 1 (max diff " + ModelTestSupport.maxAbsDiff(g1, g2) + ")");
            }
        } finally {
            ModelTestSupport.gradModeOff();
        }
    }

    private static void checkEveryParameterLearns(int batch) {
        ModelConfig c = ModelTestSupport.tiny();
        assertFalse(c.referenceUnused);
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(c, 9, m)) {
            NDArray x = audio(m, c, batch, 3);
            model.parameters().requireGradients();
            SiacModel.Iteration it;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                it = model.iterative(x, c.eventsPerWindow, false);
                NDArray loss = Losses.iterativeLoss(x, it.eventSpectra());
                assertTrue(Float.isFinite(loss.getFloat()));
                gc.backward(loss);
            }
            for (NDArray amp : it.amplitudes()) for (float a : amp.toFloatArray()) assertTrue(a > 0, "silent event: test input too weak");
            List<String> dead = new ArrayList<>();
            for (var e : model.parameters().params().entrySet()) {
                float[] g = e.getValue().getGradient().toFloatArray();
                boolean nonZero = false;
                for (float v : g) {
                    assertTrue(Float.isFinite(v), e.getKey() + " has a non-finite gradient");
                    nonZero |= v != 0;
                }
                if (!nonZero) dead.add(e.getKey());
            }
            assertTrue(dead.isEmpty(), "no gradient reaches " + dead.size() + " of " + model.parameters().params().size()
                    + " parameters, e.g. " + dead.subList(0, Math.min(4, dead.size())));
        } finally {
            ModelTestSupport.gradModeOff();
        }
    }

    @Test
    void gradientsReachEveryLearnedParameter() {
        checkEveryParameterLearns(2);
    }
    @Test
    void gradientsReachEveryLearnedParameterWithBatchOne() {
        checkEveryParameterLearns(1);
    }

    // ------------------------------------------------------------------ determinism

    private static List<float[]> run(SiacModel model, NDArray x) {
        SiacModel.Iteration it = model.iterative(x, model.config.eventsPerWindow, false);
        List<float[]> out = new ArrayList<>();
        for (int k = 0; k < it.events().size(); k++) {
            out.add(it.events().get(k).toFloatArray());
            out.add(it.vectors().get(k).toFloatArray());
            out.add(it.amplitudes().get(k).toFloatArray());
            long[] f = it.frames().get(k);
            float[] ff = new float[f.length];
            for (int i = 0; i < f.length; i++) ff[i] = f[i];
            out.add(ff);
        }
        return out;
    }

    @Test
    void sameSeedIsBitIdenticalOtherSeedDiffers() {
        ModelConfig c = ModelTestSupport.tiny();
        ModelTestSupport.gradModeOff();
        try (NDManager m = NDManager.newBaseManager();
             SiacModel a = Models.create(c, 42, m);
             SiacModel b = Models.create(c, 42, m);
             SiacModel d = Models.create(c, 43, m)) {
            int differing = 0;
            for (String name : a.parameters().params().keySet()) {
                float[] pa = a.parameters().get(name).toFloatArray();
                assertArrayEquals(pa, b.parameters().get(name).toFloatArray(), 0f, name);
                if (!java.util.Arrays.equals(pa, d.parameters().get(name).toFloatArray())) differing++;
            }
            // biases (0) and gate scalars (0.5) are seed-independent; every drawn tensor must differ
            long drawn = a.parameters().params().keySet().stream()
                    .filter(n -> !n.endsWith(".bias") && !n.endsWith("_weight")).count();
            assertEquals(drawn, differing);
            assertArrayEquals(a.parameters().get("resonance.verb.items").toFloatArray(),
                    d.parameters().get("resonance.verb.items").toFloatArray(), 0f, "room bank depends on roomSeed only");

            NDArray x = audio(m, c, 2, 4);
            List<float[]> ra = run(a, x);
            List<float[]> rb = run(b, x);
            List<float[]> rd = run(d, x);
            for (int i = 0; i < ra.size(); i++) assertArrayEquals(ra.get(i), rb.get(i), 0f, "output " + i);
            assertFalse(java.util.Arrays.equals(ra.get(0), rd.get(0)), "another seed gave the same first event");
        }
    }
}
