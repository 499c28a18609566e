package dev.siac.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The inference encoder against {@link Encoder#encodeOnsets}, on random weights and spectrograms. */
class InferenceEncoderTest {
    @BeforeAll
    static void noGrad() {
        ModelTestSupport.gradModeOff();
    }

    /** frames: the spectrogram's length; tiny's receptive field (9 frames) outgrows 10 frames and the original runs. */
    @ParameterizedTest
    @CsvSource({"tiny, 10", "tiny, 32", "tiny, 400", "small-short, 512", "small-short, 300"})
    void onsetOutputsMatchTheOriginal(String preset, int frames) {
        ModelConfig c = ModelConfig.preset(preset);
        SplittableRandom r = new SplittableRandom(5);
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(c, 4, m)) {
            // gains away from their initial 0.5, and non-zero biases, so that folding them in is exercised
            for (String name : model.parameters().params().keySet()) {
                if (name.endsWith("_weight")) ModelTestSupport.randomize(model, name, r, 0.2, 2);
                else if (name.startsWith("encoder") && name.endsWith(".bias")) ModelTestSupport.randomize(model, name, r, -0.3, 0.3);
            }
            NDArray spec = m.create(ModelTestSupport.uniform(r, 2 * c.bins() * frames, 0, 2), new Shape(2, c.bins(), frames));
            SiacModel.Encoded want = model.encodeOnsets(spec);
            SiacModel.Encoded got;
            try (InferenceEncoder fast = model.inferenceEncoder()) {
                got = fast.encodeOnsets(spec);
            }
            assertArrayEquals(want.vectors().getShape().getShape(), got.vectors().getShape().getShape());
            assertArrayEquals(want.switches().getShape().getShape(), got.switches().getShape().getShape());
            for (NDArray[] pair : new NDArray[][] {{want.vectors(), got.vectors()}, {want.switches(), got.switches()}}) {
                float[] a = pair[0].toFloatArray(), b = pair[1].toFloatArray();
                double peak = ModelTestSupport.maxAbs(a);
                double diff = ModelTestSupport.maxAbsDiff(a, b);
                assertTrue(peak > 1e-3 && diff <= 1e-5 * peak, preset + ": largest difference " + diff + " of peak " + peak);
            }
        }
    }
}
