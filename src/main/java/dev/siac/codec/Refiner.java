package dev.siac.codec;

import java.util.Map;
import java.util.LinkedHashMap;
import dev.siac.model.Adam;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.siac.dsp.Ops;
import dev.siac.model.ModelConfig;
import dev.siac.model.Placement;

/**
 * Encode-time refinement ({@code siac encode --refine K}): after a window's events have been chosen greedily, K Adam
 * steps on their vectors and log-amplitudes against the training loss of that window,
 * L = |R0 - sum_k S_k|_1, where R0 is the residual magnitude spectrogram before the window's events and S_k the
 * magnitude spectrogram of event k as the decoder renders and places it. The decoder's weights and the onset frames
 * stay fixed; an event's sub-frame time moves through its vector (the fine-shift head), so vectors, times and
 * amplitudes are all refined.
 *
 * <p>Each step renders the window's events once with recording: their spectrograms give the sum and the loss, whose
 * gradient with respect to every S_k is the same sign(sum - R0), and one backward of the surrogate
 * sum_k &lt;sign(sum - R0), S_k&gt; gives the gradient with respect to the vectors and amplitudes. The same pass
 * evaluates the set it differentiates, so K steps cost K recorded passes and one plain render. The best of the K + 1
 * evaluated sets (the greedy one included) is kept, so refinement never increases a window's loss.
 */
final class Refiner {
    /** The window loss before and after refinement, and the step that gave the kept set (0 = the greedy one). */
    record Outcome(double lossBefore, double lossAfter, int bestStep) {}

    private static final int CHUNK = 8;
    private static final double BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;

    private final Codec codec;
    private final ModelConfig c;
    private final int steps;
    private final double lr;

    Refiner(Codec codec, int steps, double lr) {
        this.codec = codec;
        this.c = codec.model().config;
        this.steps = steps;
        this.lr = lr;
    }

    /**
     * Refines vectors (E x D) and amps (E, all positive) in place. r0 is the residual before the events (bins x
     * columns); event k's spectrogram starts at column startCols[k] (columns outside r0 do not count). residual
     * receives r0 minus the kept events' spectrograms.
     */
    Outcome refine(float[][] r0, int[] startCols, float[][] vectors, float[] amps, float[][] residual) {
        int e = vectors.length;
        int d = c.vectorDim;
        float[] logAmps = new float[e];
        for (int i = 0; i < e; i++) logAmps[i] = (float) Math.log(amps[i]);

        double first = Double.NaN, best = Double.POSITIVE_INFINITY;
        int bestStep = 0;
        float[] bestV = null, bestU = null;
        float[][] bestSum = null;
        try (NDManager m = codec.model().manager().newSubManager()) {
            // the refined quantities as leaves that collect gradients, stepped by the training's optimiser
            NDArray vl = Ops.constant(m, codec.flatten(vectors), new Shape(e, d));
            NDArray ul = Ops.constant(m, logAmps, new Shape(e, 1));
            vl.setRequiresGradient(true);
            ul.setRequiresGradient(true);
            Map<String, NDArray> leaves = new LinkedHashMap<>();
            leaves.put("vectors", vl);
            leaves.put("log_amplitudes", ul);
            try (Adam adam = new Adam(m, leaves, lr, BETA1, BETA2, EPS)) {
                for (int step = 0; step <= steps; step++) {
                    float[] v = vl.toFloatArray(), u = ul.toFloatArray();
                    // the set of this step is evaluated by the pass that also gives its gradient; the last needs none
                    float[][] sum = step < steps ? recorded(vl, ul, startCols, r0) : placedSum(v, u, startCols, r0);
                    double l = loss(r0, sum);
                    if (step == 0) first = l;
                    if (l < best) {
                        best = l;
                        bestStep = step;
                        bestV = v;
                        bestU = u;
                        bestSum = sum;
                    }
                    if (step == steps) break;
                    adam.update(leaves);
                }
            }
        }
        for (int i = 0; i < e; i++) {
            System.arraycopy(bestV, i * d, vectors[i], 0, d);
            amps[i] = (float) Math.exp(bestU[i]);
        }
        for (int b = 0; b < r0.length; b++) {
            for (int j = 0; j < r0[b].length; j++) residual[b][j] = r0[b][j] - bestSum[b][j];
        }
        return new Outcome(first, best, bestStep);
    }

    static double loss(float[][] r0, float[][] sum) {
        double l = 0;
        for (int b = 0; b < r0.length; b++) for (int j = 0; j < r0[b].length; j++) l += Math.abs(r0[b][j] - sum[b][j]);
        return l;
    }

    /** The events' placed magnitude spectrograms summed over a canvas shaped like r0 (no gradients recorded). */
    float[][] placedSum(float[] v, float[] u, int[] startCols, float[][] r0) {
        float[][] sum = new float[r0.length][r0[0].length];
        for (int from = 0; from < u.length; from += CHUNK) {
            int to = Math.min(u.length, from + CHUNK);
            try (NDScope scope = new NDScope(); NDManager m = codec.model().manager().newSubManager()) {
                scope.suppressNotUsedWarning();
                NDArray mag = codec.placedSpectrogram(codec.placedRows(vectors(m, v, from, to), amplitudes(m, u, from, to)));
                addPlaced(sum, mag.toFloatArray(), startCols, from, to, codec.placedColumns());
            }
        }
        return sum;
    }

    /**
     * One recorded pass over all events: returns their placed spectrograms summed over a canvas shaped like r0 and
     * leaves dL/dv, dL/du of L = |r0 - sum|_1 on the leaves vl (E, D) and ul (E, 1, log amplitudes). Every event's graph stays alive until the one backward,
     * which needs the sign of the complete sum.
     */
    float[][] recorded(NDArray vl, NDArray ul, int[] startCols, float[][] r0) {
        int e = (int) ul.getShape().get(0);
        int bins = r0.length;
        int width = r0[0].length;
        int cols = codec.placedColumns();
        float[][] sum = new float[bins][width];
        try (NDScope scope = new NDScope(); NDManager m = codec.model().manager().newSubManager();
             GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            scope.suppressNotUsedWarning();
            java.util.List<NDArray> mags = new java.util.ArrayList<>();
            for (int from = 0; from < e; from += CHUNK) {
                int to = Math.min(e, from + CHUNK);
                NDArray mag = codec.placedSpectrogram(codec.placedRows(vl.get(from + ":" + to), ul.get(from + ":" + to).exp()));
                mags.add(mag);
                addPlaced(sum, mag.toFloatArray(), startCols, from, to, cols);
            }
            NDArray surrogate = null;
            for (int ci = 0, from = 0; from < e; from += CHUNK, ci++) {
                int to = Math.min(e, from + CHUNK);
                float[] w = new float[(to - from) * bins * cols];
                Placement.forEachCell(bins, width, startCols, from, to, cols, (b, col, i) -> w[i] = Math.signum(sum[b][col] - r0[b][col]));
                NDArray part = mags.get(ci).mul(Ops.constant(m, w, mags.get(ci).getShape())).sum();
                surrogate = surrogate == null ? part : surrogate.add(part);
            }
            gc.backward(surrogate);
        }
        return sum;
    }

    /** Adds the host copy of events from..to-1's placed spectrograms (E', bins, cols) onto the canvas. */
    private static void addPlaced(float[][] canvas, float[] host, int[] startCols, int from, int to, int cols) {
        Placement.forEachCell(canvas.length, canvas[0].length, startCols, from, to, cols, (b, col, i) -> canvas[b][col] += host[i]);
    }

    private NDArray vectors(NDManager m, float[] v, int from, int to) {
        int d = c.vectorDim;
        return Ops.constant(m, java.util.Arrays.copyOfRange(v, from * d, to * d), new Shape(to - from, d));
    }

    private static NDArray amplitudes(NDManager m, float[] u, int from, int to) {
        float[] a = new float[to - from];
        for (int i = from; i < to; i++) a[i - from] = (float) Math.exp(u[i]);
        return Ops.constant(m, a, new Shape(to - from, 1));
    }
}
