package dev.siac.dsp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Linear upsampling (MODEL_SPEC §4.4 step 4, §4.6) against PyTorch's align_corners=false rule, written here from
 * PyTorch's definition (area_pixel_compute_source_index + linear weights), independently of Interpolation.reference.
 */
class InterpolationTest {

    /** Output sample i of F.interpolate(x, size=out, mode='linear', align_corners=False), as (index, weight) pairs. */
    static double[][] torchTaps(int in, int out, int i) {
        double scale = (double) in / out;
        double src = scale * (i + 0.5) - 0.5;
        if (src < 0) src = 0;
        int i0 = (int) src; // truncation, src >= 0
        int step = i0 < in - 1 ? 1 : 0;
        double l1 = src - i0;
        return new double[][] {{i0, 1 - l1}, {i0 + step, l1}};
    }

    static double torchLinear(float[] x, int out, int i) {
        double s = 0;
        for (double[] t : torchTaps(x.length, out, i)) s += t[1] * x[(int) t[0]];
        return s;
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 64, 256})
    void matchesPyTorchRuleAndReference(int factor) {
        SplittableRandom r = new SplittableRandom(factor);
        int rows = 3;
        int n = 40;
        float[] x = new float[rows * n];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 4 - 2);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray y = Interpolation.upsampleLinear(m.create(x, new Shape(1, rows, n)), factor);
            assertEquals(new Shape(1, rows, (long) n * factor), y.getShape());
            float[] got = y.toFloatArray();
            int out = n * factor;
            for (int row = 0; row < rows; row++) {
                float[] xr = new float[n];
                System.arraycopy(x, row * n, xr, 0, n);
                float[] ref = Interpolation.reference(xr, out);
                for (int i = 0; i < out; i++) {
                    double want = torchLinear(xr, out, i);
                    assertEquals(want, got[row * out + i], 1e-5, "factor " + factor + " row " + row + " i " + i);
                    assertEquals(want, ref[i], 1e-5, "reference, factor " + factor + " i " + i);
                }
                // edges: the first and last half-cell repeat the end samples exactly
                for (int i = 0; i < factor / 2; i++) {
                    assertEquals(xr[0], got[row * out + i], 1e-6);
                    assertEquals(xr[n - 1], got[row * out + out - 1 - i], 1e-6);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 64, 256})
    void gradientReachesInputWithTheTransposedWeights(int factor) {
        SplittableRandom r = new SplittableRandom(100 + factor);
        int n = 12;
        int out = n * factor;
        float[] x = new float[n];
        float[] w = new float[out];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextDouble();
        for (int i = 0; i < out; i++) w[i] = (float) (r.nextDouble() * 2 - 1);
        double[] want = new double[n];
        for (int i = 0; i < out; i++) for (double[] t : torchTaps(n, out, i)) want[(int) t[0]] += t[1] * w[i];
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray xa = m.create(x, new Shape(1, n));
            xa.setRequiresGradient(true);
            NDArray wa = Ops.constant(m, w, new Shape(1, out));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = Interpolation.upsampleLinear(xa, factor).mul(wa).sum();
                gc.backward(loss);
            }
            float[] g = xa.getGradient().toFloatArray();
            for (int i = 0; i < n; i++) assertEquals(want[i], g[i], 1e-4, "d/dx[" + i + "]");
        }
    }
}
