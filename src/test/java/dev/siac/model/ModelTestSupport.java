package dev.siac.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/** Small helpers shared by the model tests. */
final class ModelTestSupport {
    private ModelTestSupport() {}

    /** Inference mode on this thread (the engine must be loaded before its JNI calls work). */
    static void gradModeOff() {
        ai.djl.engine.Engine.getInstance();
        ai.djl.pytorch.jni.JniUtils.setGradMode(false);
    }

    static ModelConfig tiny() {
        return ModelConfig.preset("tiny");
    }

    static float[] uniform(SplittableRandom r, int n, double lo, double hi) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return x;
    }

    /** Decaying noise bursts: audio with onsets, so that the encoder has something to choose. */
    static float[] audio(SplittableRandom r, int rows, int n) {
        float[] x = new float[rows * n];
        for (int row = 0; row < rows; row++) {
            int onset = r.nextInt(n / 4);
            for (int i = onset; i < n; i++) {
                x[row * n + i] = (float) ((r.nextDouble() * 2 - 1) * Math.exp(-(i - onset) / (0.1 * n)));
            }
        }
        return x;
    }

    /** Replaces a parameter with values drawn from U(lo, hi), keeping its shape. */
    static void randomize(SiacModel model, String name, SplittableRandom r, double lo, double hi) {
        Shape s = model.parameters().get(name).getShape();
        model.parameters().put(name, uniform(r, (int) s.size(), lo, hi), s, false);
    }

    /** Multiplies a parameter by a factor (to give the heads' small initial logits a useful range). */
    static void scale(SiacModel model, String name, float factor) {
        NDArray a = model.parameters().get(name);
        float[] v = a.toFloatArray();
        for (int i = 0; i < v.length; i++) v[i] *= factor;
        model.parameters().put(name, v, a.getShape(), false);
    }

    /**
     * The initial LayerNorm gains (U(-0.02, 0.02)) and output weights make every head's logits tiny; widen them so
     * that the tests exercise the curved parts of ReLU, softmax and tanh. Biases become non-zero too.
     */
    static void loudHeads(SiacModel model, SplittableRandom r) {
        for (String name : model.parameters().params().keySet()) {
            if (!name.startsWith("multihead.")) continue;
            if (name.endsWith("norm.weight")) randomize(model, name, r, 0.5, 1.5);
            else if (name.endsWith(".bias")) randomize(model, name, r, -0.2, 0.2);
            else if (name.endsWith(".2.weight")) randomize(model, name, r, -0.6, 0.6);
        }
    }

    static double[] doubles(NDArray a) {
        float[] f = a.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    static double maxAbs(float[] x) {
        double m = 0;
        for (float v : x) m = Math.max(m, Math.abs(v));
        return m;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) throw new AssertionError("lengths " + a.length + " and " + b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return m;
    }

    /** Resident set size of this process in bytes (VmRSS). */
    static long residentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.trim().split("\\s+");
                return Long.parseLong(parts[1]) * 1024;
            }
        }
        throw new IOException("/proc/self/status has no VmRSS line");
    }
}
