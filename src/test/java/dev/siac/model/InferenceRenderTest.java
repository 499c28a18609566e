package dev.siac.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The inference render against the original operations it replaces, on random weights and vectors. */
class InferenceRenderTest {
    @BeforeAll
    static void noGrad() {
        ModelTestSupport.gradModeOff();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "small-short"})
    void placedRowsMatchTheOriginalRender(String preset) {
        ModelConfig c = ModelConfig.preset(preset);
        c.init = "physical";
        SplittableRandom r = new SplittableRandom(7);
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(c, 3, m)) {
            ModelTestSupport.loudHeads(model, r);
            // dense resonance logits: some resonances ring to the event's end, so a convolution that wrapped would show
            ModelTestSupport.randomize(model, "resonance.r.items", r, -6, 6);
            int count = 5;
            NDArray vectors = m.create(ModelTestSupport.uniform(r, count * c.vectorDim, -1, 1), new Shape(count, c.vectorDim));
            NDArray amps = m.create(ModelTestSupport.uniform(r, count, 0.2, 2), new Shape(count, 1));
            float[] want = model.placedRows(model.render(vectors, false), amps).toFloatArray();
            float[] got;
            try (InferenceRender fast = model.inferenceRender()) {
                got = fast.placedRows(vectors, amps).toFloatArray();
            }
            assertEquals(want.length, got.length);
            double peak = ModelTestSupport.maxAbs(want);
            assertTrue(peak > 1e-3, "events are not silent: " + peak);
            double diff = ModelTestSupport.maxAbsDiff(want, got);
            assertTrue(diff <= 2e-5 * peak, preset + ": largest difference " + diff + " of peak " + peak);
        }
    }

    /** The stacked heads give every head's logits, shaped as the per-head MLPs do, to float rounding. */
    @ParameterizedTest
    @ValueSource(strings = {"tiny", "small-short", "paper"})
    void stackedHeadsGiveEachHeadsLogits(String preset) {
        ModelConfig c = ModelConfig.preset(preset);
        SplittableRandom r = new SplittableRandom(11);
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(c, 5, m)) {
            ModelTestSupport.loudHeads(model, r);
            for (int count : new int[] {1, 3}) {
                NDArray vectors = m.create(ModelTestSupport.uniform(r, count * c.vectorDim, -1, 1), new Shape(count, c.vectorDim));
                java.util.Map<String, NDArray> want = model.heads(vectors);
                java.util.Map<String, NDArray> got;
                try (InferenceRender fast = model.inferenceRender()) {
                    got = fast.heads(vectors);
                    for (String name : Heads.ALL) {
                        if (Heads.UNUSED.contains(name)) continue;
                        NDArray a = want.get(name), b = got.get(name);
                        assertEquals(a.getShape(), b.getShape(), name);
                        float[] x = a.toFloatArray(), y = b.toFloatArray();
                        double peak = ModelTestSupport.maxAbs(x);
                        assertTrue(peak > 0, name + " is not all zeros");
                        double diff = ModelTestSupport.maxAbsDiff(x, y);
                        assertTrue(diff <= 1e-5 * peak, preset + ", " + name + ", batch " + count + ": " + diff + " of " + peak);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 8319, 41086, 65536})
    void fastFftSizesHoldTheirArgumentWithFactorsTwoThreeFive(int min) {
        int n = InferenceRender.fastFftSize(min);
        assertTrue(n >= min && n < 2 * min + 1, min + " -> " + n);
        int k = n;
        for (int f : new int[] {2, 3, 5}) while (k % f == 0) k /= f;
        assertEquals(1, k, min + " -> " + n);
        for (int smaller = min; smaller < n; smaller++) {
            int s = smaller;
            for (int f : new int[] {2, 3, 5}) while (s % f == 0) s /= f;
            assertTrue(s != 1, smaller + " is smaller and has only factors 2, 3, 5");
        }
    }
}
