package dev.siac.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.siac.dsp.Ops;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Adam against torch.optim.Adam's update written out in double precision (no weight decay, no amsgrad). */
class AdamTest {

    @Test
    void updatesFollowTorchAdam() {
        double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
        int steps = 6;
        SplittableRandom r = new SplittableRandom(41);
        int[] sizes = {6, 4};
        Shape[] shapes = {new Shape(2, 3), new Shape(4)};
        String[] names = {"a", "b"};
        double[][] p = new double[2][];
        double[][] m1 = new double[2][];
        double[][] m2 = new double[2][];
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> params = new LinkedHashMap<>();
            for (int j = 0; j < 2; j++) {
                float[] init = new float[sizes[j]];
                for (int i = 0; i < init.length; i++) init[i] = (float) (r.nextDouble() * 2 - 1);
                p[j] = new double[sizes[j]];
                for (int i = 0; i < init.length; i++) p[j][i] = init[i];
                m1[j] = new double[sizes[j]];
                m2[j] = new double[sizes[j]];
                NDArray a = m.create(init, shapes[j]);
                a.setRequiresGradient(true);
                params.put(names[j], a);
            }
            try (Adam adam = new Adam(m, params, lr, beta1, beta2, eps)) {
                for (int t = 1; t <= steps; t++) {
                    // gradient G: the loss sum(p * G); one element's gradient is always 0, one is large
                    float[][] g = new float[2][];
                    try (NDManager step = m.newSubManager()) {
                        NDArray loss = null;
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            for (int j = 0; j < 2; j++) {
                                g[j] = new float[sizes[j]];
                                for (int i = 0; i < sizes[j]; i++) g[j][i] = (float) (r.nextGaussian() * (i == 1 ? 100 : 1));
                                g[j][0] = 0;
                                NDArray term = params.get(names[j]).mul(Ops.constant(step, g[j], shapes[j])).sum();
                                loss = loss == null ? term : loss.add(term);
                            }
                            gc.backward(loss);
                        }
                        adam.update(params);
                    }
                    double bc1 = 1 - Math.pow(beta1, t);
                    double bc2 = 1 - Math.pow(beta2, t);
                    for (int j = 0; j < 2; j++) {
                        float[] got = params.get(names[j]).toFloatArray();
                        float[] gotM = adam.firstMoments().get(names[j]).toFloatArray();
                        float[] gotV = adam.secondMoments().get(names[j]).toFloatArray();
                        float[] grad = params.get(names[j]).getGradient().toFloatArray();
                        for (int i = 0; i < sizes[j]; i++) {
                            m1[j][i] = beta1 * m1[j][i] + (1 - beta1) * g[j][i];
                            m2[j][i] = beta2 * m2[j][i] + (1 - beta2) * g[j][i] * g[j][i];
                            double denom = Math.sqrt(m2[j][i]) / Math.sqrt(bc2) + eps;
                            double before = p[j][i];
                            p[j][i] -= lr / bc1 * m1[j][i] / denom;
                            String at = names[j] + "[" + i + "] step " + t;
                            assertEquals(m1[j][i], gotM[i], 1e-6 * Math.max(1, Math.abs(m1[j][i])), "m " + at);
                            assertEquals(m2[j][i], gotV[i], 1e-6 * Math.max(1, Math.abs(m2[j][i])), "v " + at);
                            // the update itself to 0.1 %, the value to float precision
                            assertEquals(p[j][i] - before, got[i] - before, 1e-3 * Math.abs(p[j][i] - before) + 2e-7, "update " + at);
                            assertEquals(0f, grad[i], 0f, "gradient cleared, " + at);
                            p[j][i] = got[i]; // continue from the float value, as the implementation does
                        }
                    }
                    assertEquals(t, adam.step());
                }
            }
        }
    }

    @Test
    void firstStepMovesByLearningRateAgainstTheGradientSign() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(new float[] {0.5f, -0.25f, 2f, 0f});
            w.setRequiresGradient(true);
            Map<String, NDArray> params = Map.of("w", w);
            try (Adam adam = new Adam(m, params, 1e-3, 0.9, 0.999, 1e-8)) {
                float[] g = {3f, -0.001f, 1e4f, 0f};
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(w.mul(Ops.constant(m, g)).sum());
                }
                adam.update(params);
                float[] got = w.toFloatArray();
                // m/bc1 = g and sqrt(v/bc2) = |g| on the first step: the update is lr * sign(g) (eps aside)
                assertEquals(0.5 - 1e-3, got[0], 1e-7);
                assertEquals(-0.25 + 1e-3 * (0.001 / (0.001 + 1e-8)), got[1], 1e-7);
                assertEquals(2 - 1e-3, got[2], 1e-7);
                assertEquals(0f, got[3], 0f);
            }
        }
    }

    @Test
    void aParameterThatNeverGetsAGradientStaysPut() {
        // the paper preset keeps the reference's unused heads; torch.optim.Adam skips them (grad None), so must this
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray used = m.create(new float[] {1f, 2f});
            NDArray unused = m.create(new float[] {0.25f, -0.5f});
            used.setRequiresGradient(true);
            unused.setRequiresGradient(true);
            Map<String, NDArray> params = new LinkedHashMap<>();
            params.put("used", used);
            params.put("unused", unused);
            try (Adam adam = new Adam(m, params, 1e-3, 0.9, 0.999, 1e-8)) {
                for (int t = 0; t < 3; t++) {
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(used.square().sum());
                    }
                    adam.update(params);
                }
                assertArrayEquals(new float[] {0.25f, -0.5f}, unused.toFloatArray(), 0f);
                assertArrayEquals(new float[] {0, 0}, adam.firstMoments().get("unused").toFloatArray(), 0f);
                assertTrue(used.toFloatArray()[0] < 1f);
            }
        }
    }
}
