package dev.siac.dsp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** sparse_softmax (MODEL_SPEC §4.2): one-hot-like forward, full-softmax backward; and the scalar helpers. */
class OpsTest {

    static double[] softmax(float[] z, int off, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) max = Math.max(max, z[off + i]);
        double[] s = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) sum += s[i] = Math.exp(z[off + i] - max);
        for (int i = 0; i < k; i++) s[i] /= sum;
        return s;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void sparseSoftmaxForwardAndStraightThroughGradient(boolean normalize) {
        SplittableRandom r = new SplittableRandom(normalize ? 1 : 2);
        int rows = 6;
        int k = 128;
        float[] z = new float[rows * k];
        for (int i = 0; i < z.length; i++) z[i] = (float) (r.nextDouble() * 6 - 3);
        float[] w = new float[rows * k];
        for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextDouble() * 2 - 1);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray za = m.create(z, new Shape(2, 3, k));
            za.setRequiresGradient(true);
            NDArray y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                y = Ops.sparseSoftmax(za, normalize);
                gc.backward(y.mul(Ops.constant(m, w, new Shape(2, 3, k))).sum());
            }
            float[] fwd = y.toFloatArray();
            float[] grad = za.getGradient().toFloatArray();
            for (int row = 0; row < rows; row++) {
                int off = row * k;
                double[] s = softmax(z, off, k);
                int arg = 0;
                for (int i = 1; i < k; i++) if (z[off + i] > z[off + arg]) arg = i;
                for (int i = 0; i < k; i++) {
                    if (i == arg) {
                        assertEquals(normalize ? 1.0 : s[arg], fwd[off + i], normalize ? 0 : 1e-6, "row " + row);
                    } else {
                        assertEquals(0f, fwd[off + i], 0f, "row " + row + " position " + i + " must be exactly 0");
                    }
                }
                // d/dz_i sum_j w_j softmax_j = s_i (w_i - sum_j s_j w_j)
                double mean = 0;
                for (int j = 0; j < k; j++) mean += s[j] * w[off + j];
                for (int i = 0; i < k; i++) {
                    assertEquals(s[i] * (w[off + i] - mean), grad[off + i], 1e-6, "gradient row " + row + " i " + i);
                }
            }
        }
    }

    @Test
    void maxProbabilityLiesBetweenUniformAndOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] flat = Ops.sparseSoftmax(m.zeros(new Shape(1, 128)), false).toFloatArray();
            double sum = 0;
            int nonZero = 0;
            for (float v : flat) {
                sum += v;
                if (v != 0) nonZero++;
            }
            assertEquals(1, nonZero); // ties pick one position
            assertEquals(1.0 / 128, sum, 1e-7);
        }
    }

    @Test
    void scalarHelpersAreDifferentiableAndExact() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, -2, 3});
            x.setRequiresGradient(true);
            NDArray y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                y = Ops.add(Ops.mul(x, 0.25), 1.5);
                gc.backward(y.square().sum());
            }
            float[] v = y.toFloatArray();
            assertEquals(1.75f, v[0], 0f);
            assertEquals(1.0f, v[1], 0f);
            assertEquals(2.25f, v[2], 0f);
            float[] g = x.getGradient().toFloatArray();
            for (int i = 0; i < 3; i++) assertEquals(2 * v[i] * 0.25, g[i], 1e-6);
            NDArray c = Ops.constant(m, new float[] {1, 2, 3, 4}, new Shape(2, 2));
            assertEquals(new Shape(2, 2), c.getShape());
            assertTrue(c.getFloat(1, 0) == 3f);
        }
    }
}
