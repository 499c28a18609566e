package dev.siac.dsp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Linear interpolation along the last axis with PyTorch's align_corners=false convention
 * (src = (i + 0.5) * in / out - 0.5, clamped at 0, right neighbour clamped to the last index).
 *
 * <p>For an integer factor k every output sample depends on at most three neighbouring inputs, so the
 * upsampling is written as three weighted copies of the edge-replicated input: no gather, differentiable,
 * and exact (3-D linear interpolate is missing from the DJL engine).
 */
public final class Interpolation {
    private Interpolation() {}

    /** Upsamples (..., n) to (..., n*factor). */
    public static NDArray upsampleLinear(NDArray x, int factor) {
        Shape shape = x.getShape();
        int last = shape.dimension() - 1;
        long n = shape.get(last);
        float[][] w = weights(factor);
        NDManager m = x.getManager();
        NDArray first = x.get("..., 0:1");
        NDArray lastCol = x.get("..., " + (n - 1) + ":" + n);
        NDArray padded = ai.djl.ndarray.NDArrays.concat(new NDList(first, x, lastCol), last);
        NDArray prev = padded.get("..., 0:" + n).expandDims(-1);
        NDArray cur = padded.get("..., 1:" + (n + 1)).expandDims(-1);
        NDArray next = padded.get("..., 2:" + (n + 2)).expandDims(-1);
        NDArray out = prev.mul(m.create(w[0]))
                .add(cur.mul(m.create(w[1])))
                .add(next.mul(m.create(w[2])));
        return out.reshape(shape.slice(0, last).add(n * factor));
    }

    /** Weights on (previous, current, next) input for each of the factor output positions of one input cell. */
    static float[][] weights(int factor) {
        float[][] w = new float[3][factor];
        for (int r = 0; r < factor; r++) {
            double offset = (r + 0.5) / factor - 0.5; // position relative to the current input sample
            if (offset < 0) {
                w[0][r] = (float) -offset;
                w[1][r] = (float) (1 + offset);
            } else {
                w[1][r] = (float) (1 - offset);
                w[2][r] = (float) offset;
            }
        }
        return w;
    }

    /** Plain-Java reference of the same interpolation for any sizes (used by tests and for small arrays). */
    public static float[] reference(float[] x, int outLen) {
        int n = x.length;
        float[] y = new float[outLen];
        double scale = (double) n / outLen;
        for (int i = 0; i < outLen; i++) {
            double src = Math.max(0, (i + 0.5) * scale - 0.5);
            int i0 = (int) Math.floor(src);
            int i1 = Math.min(i0 + 1, n - 1);
            double l = src - i0;
            y[i] = (float) ((1 - l) * x[i0] + l * x[i1]);
        }
        return y;
    }
}
