package dev.siac.train;

import dev.siac.model.Adam;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.Dropout;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.siac.dsp.Ops;
import dev.siac.dsp.Spectral;
import dev.siac.model.ModelConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The seed's adversarial recipe (MODEL_SPEC §5B): a small down-sampling discriminator on the magnitude spectrogram
 * of the first half of the window, trained in parallel; the generator's term sees a random half of the events
 * (Bernoulli(0.5) mask per event) so each event must stand on its own as a realistic sound.
 */
public final class Discriminator implements AutoCloseable {
    static final int CHANNELS = 128;
    static final int BLOCKS = 6;
    static final double GENERATOR_WEIGHT = 1000;
    static final int JUDGE_WIDTH = 4;

    private final NDManager manager;
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private final Adam adam;
    private final ModelConfig config;

    public Discriminator(NDManager parent, ModelConfig c, long seed) {
        this.config = c;
        this.manager = parent.newSubManager();
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        put("proj.weight", uniform(r, CHANNELS * c.bins(), 0.02), CHANNELS, c.bins(), 1);
        put("proj.bias", new float[CHANNELS], CHANNELS);
        for (int b = 0; b < BLOCKS; b++) {
            float[] v = uniform(r, CHANNELS * CHANNELS * 3, 1 / Math.sqrt(CHANNELS * 3));
            put("blocks." + b + ".v", v, CHANNELS, CHANNELS, 3);
            put("blocks." + b + ".g", norms(v, CHANNELS, CHANNELS * 3), CHANNELS, 1, 1);
            put("blocks." + b + ".bias", new float[CHANNELS], CHANNELS);
        }
        put("judge.weight", uniform(r, CHANNELS * JUDGE_WIDTH, 0.02), 1, CHANNELS, JUDGE_WIDTH);
        put("judge.bias", new float[1], 1);
        for (NDArray p : params.values()) p.setRequiresGradient(true);
        adam = new Adam(manager, params, 1e-3, 0.9, 0.999, 1e-8);
    }

    public Map<String, NDArray> params() {
        return params;
    }

    public Adam adam() {
        return adam;
    }

    private void put(String name, float[] v, long... shape) {
        NDArray a = manager.create(v, new Shape(shape));
        params.put(name, a.duplicate());
        a.close();
    }

    private static float[] uniform(SplittableRandom r, int n, double bound) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) ((r.nextDouble() * 2 - 1) * bound);
        return v;
    }

    private static float[] norms(float[] v, int rows, int per) {
        float[] g = new float[rows];
        for (int o = 0; o < rows; o++) {
            double s = 0;
            for (int j = 0; j < per; j++) s += (double) v[o * per + j] * v[o * per + j];
            g[o] = (float) Math.sqrt(s);
        }
        return g;
    }

    /** One judgement per example of (B, N) audio: only its first N/2 samples are looked at. */
    NDArray judge(NDArray audio) {
        int half = config.windowSamples / 2;
        NDArray x = Spectral.magnitude(audio.get("..., 0:" + half));        // (B, bins, frames/2)
        x = conv(x, params.get("proj.weight"), params.get("proj.bias"), 1, 0);
        for (int b = 0; b < BLOCKS; b++) {
            x = Dropout.dropout(x, 0.1f, true).singletonOrThrow();
            NDArray v = params.get("blocks." + b + ".v");
            NDArray w = v.mul(params.get("blocks." + b + ".g")).div(v.square().sum(new int[] {1, 2}, true).sqrt());
            x = Activation.leakyRelu(conv(x, w, params.get("blocks." + b + ".bias"), 2, 1), 0.2f);
        }
        // The 2^17 window leaves 4 frames here; shorter windows (the tiny preset's 8192 leaves 1) would fail the
        // kernel-4 convolution, so they are zero-padded to one judgement's width. A no-op for the seed's sizes.
        long frames = x.getShape().get(2);
        if (frames < JUDGE_WIDTH) x = x.pad(new Shape(0, JUDGE_WIDTH - frames), 0);
        x = conv(x, params.get("judge.weight"), params.get("judge.bias"), JUDGE_WIDTH, 0);
        return x.reshape(x.getShape().get(0), -1).mean(new int[] {1});
    }

    /**
     * torch's conv1d (dilation 1) of x (B, in, T) with w (out, in, K), bias b (out), stride and zero padding pad on
     * both sides, as one matrix product: the K shifted, strided views of the padded input stacked to (B, in * K, L)
     * (w's own (in, K) order) and multiplied by w as (out, in * K). libtorch's convolution asks NNPACK whether it is
     * available on every call, which on CPUs NNPACK does not support (some AMD EPYC) prints "Could not initialize
     * NNPACK! Reason: Unsupported hardware" each time; a matrix product never asks. The same values to float rounding,
     * the same gradients; the result belongs to x's manager, as a convolution's would.
     */
    static NDArray conv(NDArray x, NDArray w, NDArray b, int stride, int pad) {
        long batch = x.getShape().get(0), in = x.getShape().get(1);
        long out = w.getShape().get(0), k = w.getShape().get(2);
        NDArray padded = pad == 0 ? x : x.pad(new Shape(pad, pad), 0);
        long length = (padded.getShape().get(2) - k) / stride + 1;
        NDArray columns;
        if (k == 1 && stride == 1) {
            columns = padded;
        } else {
            NDList views = new NDList();
            for (int j = 0; j < k; j++) views.add(padded.get(":, :, " + j + ":" + (j + stride * (length - 1) + 1) + ":" + stride));
            columns = NDArrays.stack(views, 2).reshape(batch, in * k, length);
        }
        NDArray y = w.reshape(out, in * k).matMul(columns).add(b.expandDims(1));
        y.attach(x.getManager());
        return y;
    }

    /** 1000 * mean|1 - D(masked)| for the sum of a random half of the events: the generator's adversarial term. */
    NDArray generatorTerm(NDArray masked) {
        NDArray d = judge(masked);
        return Ops.mul(Ops.add(d.neg(), 1).abs().mean(), GENERATOR_WEIGHT);
    }

    /** L_D = mean|D(fake)| + mean|1 - D(real)| with real = faded target, fake = detached sum of all events. */
    double discriminatorStep(ai.djl.training.GradientCollector gc, NDArray x, NDArray allEvents) {
        for (NDArray p : params.values()) JniUtils.zeroGrad((PtNDArray) p);
        NDArray fake = allEvents.stopGradient();
        int n = config.windowSamples;
        NDArray real = x.mul(Ops.constant(x.getManager(), Losses.fade(n)));
        NDArray loss = judge(fake).abs().mean().add(Ops.add(judge(real).neg(), 1).abs().mean());
        float value = loss.getFloat();
        gc.backward(loss);
        return value;
    }

    void update() {
        adam.update(params);
    }

    @Override
    public void close() {
        adam.close();
        manager.close();
    }
}
