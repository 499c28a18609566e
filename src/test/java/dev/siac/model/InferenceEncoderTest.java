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

    /** A window's encoder, updated after changes of a few frames each, against encoding the whole input afresh. */
    @ParameterizedTest
    @CsvSource({"tiny, 64", "small-short, 512"})
    void windowUpdatesMatchEncodingAfresh(String preset, int frames) {
        ModelConfig c = ModelConfig.preset(preset);
        SplittableRandom r = new SplittableRandom(9);
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(c, 6, m);
             InferenceEncoder fast = model.inferenceEncoder()) {
            float[] spec = ModelTestSupport.uniform(r, c.bins() * frames, 0, 2);
            try (InferenceEncoder.Window w = fast.window(frames)) {
                int in = w.inputFrames();
                SiacModel.Encoded got = w.start(m.create(spec, new Shape(1, c.bins(), frames)));
                // changes at the start, in the middle, past the end of the input, and across its end
                int[][] changes = {{-3, 5}, {in / 3, in / 3 + 7}, {in + 2, in + 9}, {in - 4, in + 6}, {0, 1}};
                for (int step = 0; ; step++) {
                    SiacModel.Encoded want = model.encodeOnsets(m.create(spec, new Shape(1, c.bins(), frames)));
                    assertClose(want.vectors(), got.vectors(), preset + " step " + step);
                    assertClose(want.switches(), got.switches(), preset + " step " + step);
                    if (step == changes.length) break;
                    int from = Math.max(0, changes[step][0]), to = Math.min(frames, changes[step][1]);
                    for (int b = 0; b < c.bins(); b++) {
                        for (int t = from; t < to; t++) spec[b * frames + t] *= (float) r.nextDouble();
                    }
                    int lo = Math.min(from, in), hi = Math.min(to, in);
                    float[] cols = new float[c.bins() * (hi - lo)];
                    for (int b = 0; b < c.bins(); b++) System.arraycopy(spec, b * frames + lo, cols, b * (hi - lo), hi - lo);
                    got = w.update(lo, hi > lo ? m.create(cols, new Shape(1, c.bins(), hi - lo)) : null);
                }
            }
        }
    }

    private static void assertClose(NDArray want, NDArray got, String what) {
        assertArrayEquals(want.getShape().getShape(), got.getShape().getShape());
        float[] a = want.toFloatArray(), b = got.toFloatArray();
        double peak = ModelTestSupport.maxAbs(a);
        double diff = ModelTestSupport.maxAbsDiff(a, b);
        assertTrue(peak > 1e-4 && diff <= 1e-5 * peak, what + ": largest difference " + diff + " of peak " + peak);
    }
}
