package dev.siac.train;

import dev.siac.model.Adam;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.siac.model.ModelConfig;
import dev.siac.model.Models;
import dev.siac.model.SiacModel;
import java.util.Arrays;
import java.util.Random;

/** Measures the two figures the model is judged by: one `iterative` window and one training step (batch B). */
public final class StepTimer {
    private StepTimer() {}

    public record Timing(double medianSeconds, double minSeconds, double maxSeconds, long peakRssMb) {}

    public static Timing iterative(ModelConfig c, int warmup, int repeats) {
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(c, 0, m)) {
            float[] x = noise(c.windowSamples, 1);
            double[] t = new double[repeats];
            for (int i = -warmup; i < repeats; i++) {
                long t0 = System.nanoTime();
                try (NDScope s = new NDScope(); NDManager sub = m.newSubManager()) {
                    s.suppressNotUsedWarning();
                    model.iterative(sub.create(x, new Shape(1, c.windowSamples)), c.eventsPerWindow, false);
                }
                if (i >= 0) t[i] = (System.nanoTime() - t0) / 1e9;
            }
            return summary(t);
        }
    }

    public static Timing trainStep(ModelConfig c, int batch, int chunk, int warmup, int repeats) {
        return trainStep(c, batch, chunk, Trainer.Options.DEFAULT_WORKERS, warmup, repeats);
    }

    public static Timing trainStep(ModelConfig c, int batch, int chunk, int workers, int warmup, int repeats) {
        Random rng = new Random(3);
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(c, 0, m);
             Adam adam = new Adam(m, model.parameters().params(), 1e-4, 0.9, 0.999, 1e-8)) {
            model.parameters().requireGradients();
            float[] x = noise(c.windowSamples * batch, 2);
            double[] t = new double[repeats];
            for (int i = -warmup; i < repeats; i++) {
                long t0 = System.nanoTime();
                TrainStep.run(model, adam, null, m, x, batch, rng, chunk, c.eventsPerWindow, workers, Losses.Terms.SEED);
                if (i >= 0) t[i] = (System.nanoTime() - t0) / 1e9;
            }
            return summary(t);
        }
    }

    private static float[] noise(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextGaussian() * 0.1);
        return x;
    }

    private static Timing summary(double[] t) {
        double[] s = t.clone();
        Arrays.sort(s);
        return new Timing(s[s.length / 2], s[0], s[s.length - 1], peakRssMb());
    }

    public static long peakRssMb() {
        long kb = dev.siac.eval.Bench.peakResidentKb();
        return kb < 0 ? -1 : kb / 1024;
    }
}
