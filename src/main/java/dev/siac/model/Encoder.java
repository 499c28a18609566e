package dev.siac.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The encoder (MODEL_SPEC §2): a 1x1 projection of the spectrogram, anti-causal gated dilated blocks, and the 1x1
 * outputs to event vectors and switches; then the choice of one onset per row (§2.3). Its parameters are declared
 * here, with their shapes and initialisation.
 */
final class Encoder {
    private final ModelConfig config;
    private final Parameters p;

    Encoder(ModelConfig config, Parameters p) {
        this.config = config;
        this.p = p;
    }

    /** The encoder's parameters and shapes (MODEL_SPEC §8 names), in a stable order. */
    static void declare(ModelConfig c, Map<String, long[]> s) {
        int h = c.hidden;
        s.put("encoder.proj.weight", new long[] {h, c.bins(), 1});
        s.put("encoder.proj.bias", new long[] {h});
        for (int b = 0; b < c.dilations.length; b++) {
            String pre = "encoder.stack.blocks." + b + ".";
            for (String conv : new String[] {"conv", "gate"}) {
                s.put(pre + conv + ".conv.parametrizations.weight.original0", new long[] {h, 1, 1});
                s.put(pre + conv + ".conv.parametrizations.weight.original1", new long[] {h, h, 2});
                s.put(pre + conv + ".conv.bias", new long[] {h});
            }
            s.put(pre + "tanh_weight", new long[] {1});
            s.put(pre + "sigmoid_weight", new long[] {1});
            if (c.referenceUnused) {
                s.put(pre + "norm.weight", new long[] {h});
                s.put(pre + "norm.bias", new long[] {h});
            }
        }
        s.put("encoder.stack.ff.weight", new long[] {h, h, 1});
        s.put("encoder.stack.ff.bias", new long[] {h});
        s.put("to_event_vectors.weight", new long[] {c.vectorDim, h, 1});
        s.put("to_event_vectors.bias", new long[] {c.vectorDim});
        s.put("to_event_switch.weight", new long[] {1, h, 1});
        s.put("to_event_switch.bias", new long[] {1});
    }

    /**
     * MODEL_SPEC §5A for the encoder: gate scalars 0.5; weight-normalised convs as PyTorch's default (kaiming-uniform
     * v, g = |v| per output channel); null for the rest (biases 0, weights U(-0.02, 0.02): {@link Models#create}).
     */
    static float[] initial(ModelConfig c, long seed, String name, long[] shape) {
        int n = Math.toIntExact(new Shape(shape).size());
        if (name.endsWith("tanh_weight") || name.endsWith("sigmoid_weight")) {
            float[] a = new float[n];
            java.util.Arrays.fill(a, 0.5f);
            return a;
        }
        if (name.endsWith("original1")) {
            long fanIn = shape[1] * shape[2];
            double bound = 1.0 / Math.sqrt(fanIn); // kaiming_uniform(a=sqrt(5))
            return Parameters.uniform(seed, name, n, -bound, bound);
        }
        if (name.endsWith("original0")) {
            String v = name.substring(0, name.length() - 1) + "1";
            Map<String, long[]> own = new LinkedHashMap<>();
            declare(c, own);
            long[] vs = own.get(v);
            float[] vv = initial(c, seed, v, vs);
            int per = (int) (vs[1] * vs[2]);
            float[] g = new float[n];
            for (int o = 0; o < n; o++) {
                double s = 0;
                for (int j = 0; j < per; j++) s += (double) vv[o * per + j] * vv[o * per + j];
                g[o] = (float) Math.sqrt(s);
            }
            return g;
        }
        return null;
    }

    /** MODEL_SPEC §2.2. */
    SiacModel.Encoded encode(NDArray spec) {
        NDArray x = conv1x1(spec, "encoder.proj");
        NDArray sum = null;
        for (int b = 0; b < config.dilations.length; b++) {
            int d = config.dilations[b];
            String pre = "encoder.stack.blocks." + b + ".";
            // anti-causal: pad the future side so out[t] = W0 x[t] + W1 x[t+d]
            NDArray padded = x.pad(new Shape(0, d), 0);
            NDArray c = dilatedConv(padded, pre + "conv.conv", d);
            NDArray g = dilatedConv(padded, pre + "gate.conv", d);
            NDArray act = c.mul(p.get(pre + "tanh_weight")).tanh()
                    .mul(Activation.sigmoid(g.mul(p.get(pre + "sigmoid_weight"))));
            x = x.add(act);
            sum = sum == null ? x : sum.add(x);
        }
        NDArray h = conv1x1(sum, "encoder.stack.ff");
        NDArray vectors = conv1x1(h, "to_event_vectors");
        NDArray switches = conv1x1(h, "to_event_switch").squeeze(1);
        return new SiacModel.Encoded(vectors, switches);
    }

    /**
     * A 1x1 convolution (out, in, 1) as a matrix product: (out, in) x (B, in, T) + bias. libtorch's convolution asks
     * NNPACK whether it is available on every call, and on CPUs NNPACK does not support (some AMD EPYC) that prints
     * "Could not initialize NNPACK! Reason: Unsupported hardware" each time, hundreds of times a training step; a
     * matrix product never asks. The same values to float rounding.
     */
    private NDArray conv1x1(NDArray x, String name) {
        NDArray w = p.get(name + ".weight");
        NDArray w2 = w.reshape(w.getShape().get(0), w.getShape().get(1));
        return onInputsManager(w2.matMul(x).add(p.get(name + ".bias").expandDims(1)), x);
    }

    /**
     * DJL attaches an operation's result to its first operand's manager, here a parameter's (the model's, which lives
     * as long as the model): the result goes to the input's manager instead, with whatever the caller made, so that it
     * is freed with the caller's work (the intermediates are closed by the caller's scope).
     */
    private static NDArray onInputsManager(NDArray y, NDArray x) {
        y.attach(x.getManager());
        return y;
    }

    /**
     * The weight-normalised kernel-2 convolution with dilation d over an input already padded by d on the future side:
     * out[t] = W0 x[t] + W1 x[t + d] + b, as two matrix products (see {@link #conv1x1} for why not a convolution).
     */
    private NDArray dilatedConv(NDArray x, String name, int dilation) {
        NDArray w = normalisedWeight(p, name);                                       // (out, in, 2)
        long t = x.getShape().get(2) - dilation;
        NDArray w0 = w.get(":, :, 0"), w1 = w.get(":, :, 1");
        return onInputsManager(w0.matMul(x.get(":, :, 0:" + t)).add(w1.matMul(x.get(":, :, " + dilation + ":" + (dilation + t))))
                .add(p.get(name + ".bias").expandDims(1)), x);
    }

    /** The weight-normalised kernel (out, in, 2) of a block's convolution: v g / |v| per output channel. */
    static NDArray normalisedWeight(Parameters p, String name) {
        NDArray g = p.get(name + ".parametrizations.weight.original0");
        NDArray v = p.get(name + ".parametrizations.weight.original1");
        return v.mul(g).div(v.square().sum(new int[] {1, 2}, true).sqrt());
    }

    /**
     * MODEL_SPEC §2.3: ReLU of the switch, onsets only in the first half of the window, hard argmax (first index on
     * ties; an all-zero row picks frame 0 with amplitude 0).
     */
    SiacModel.Choice choose(SiacModel.Encoded e) {
        return firstMax(e, (int) e.switches().getShape().get(1) / 2);
    }

    /**
     * {@code encode(spec)} on the onset half only: the outputs of frames [0, T/2), where §2.3 lets onsets fall,
     * computed from the input frames [0, T/2 + receptiveField() - 1) they depend on. Exact (those outputs never see the
     * frames left out) and a quarter cheaper than encoding the whole window.
     */
    SiacModel.Encoded encodeOnsets(NDArray spec) {
        long t = spec.getShape().get(2);
        long keep = t / 2;
        long need = keep + receptiveField() - 1;
        SiacModel.Encoded e = encode(need < t ? spec.get(":, :, 0:" + need) : spec);
        return new SiacModel.Encoded(e.vectors().get(":, :, 0:" + keep), e.switches().get(":, 0:" + keep));
    }

    /** {@link #choose} over an {@link #encodeOnsets} output: every frame it holds is an allowed onset. */
    SiacModel.Choice chooseOnset(SiacModel.Encoded onsets) {
        return firstMax(onsets, (int) onsets.switches().getShape().get(1));
    }

    /** Per row, the first frame of [0, allowed) with the largest ReLU(switch). */
    private SiacModel.Choice firstMax(SiacModel.Encoded e, int allowed) {
        NDArray act = Activation.relu(e.switches());
        int batch = (int) act.getShape().get(0);
        int frames = (int) act.getShape().get(1);
        float[] host = act.toFloatArray();
        long[] chosen = new long[batch];
        for (int b = 0; b < batch; b++) {
            int best = 0;
            for (int t = 1; t < allowed; t++) if (host[b * frames + t] > host[b * frames + best]) best = t;
            chosen[b] = best;
        }
        return pick(e, chosen);
    }

    /** The amplitude (ReLU of the switch) and vector at given onset frames. */
    SiacModel.Choice pick(SiacModel.Encoded e, long[] frames) {
        NDArray act = Activation.relu(e.switches());
        NDList amps = new NDList();
        NDList vecs = new NDList();
        for (int b = 0; b < frames.length; b++) {
            long t = frames[b];
            amps.add(act.get(b + ", " + t + ":" + (t + 1)));
            vecs.add(e.vectors().get(b + ", :, " + t).expandDims(0));
        }
        return new SiacModel.Choice(frames, concat(amps), concat(vecs));
    }

    /** Frames the encoder's output at frame t depends on: t .. t + sum(dilations) (MODEL_SPEC §2.2, anti-causal). */
    int receptiveField() {
        int f = 1;
        for (int d : config.dilations) f += d;
        return f;
    }

    /**
     * {@code pick(encode(spec), frames)} computed from each row's receptive field only: the frames
     * [t, t + receptiveField()) of row b, t = frames[b]. Exact in values and gradients (position 0 of the cropped
     * input sees exactly what frame t sees), and T / receptiveField() times cheaper; rows whose field runs past the
     * spectrogram's end fall back to the whole spectrogram.
     */
    SiacModel.Choice encodeAndPick(NDArray spec, long[] frames) {
        int field = receptiveField();
        long t = spec.getShape().get(2);
        for (long f : frames) if (f < 0 || f + field > t) return pick(encode(spec), frames);
        NDList rows = new NDList();
        for (int b = 0; b < frames.length; b++) {
            rows.add(spec.get(b + ":" + (b + 1) + ", :, " + frames[b] + ":" + (frames[b] + field)));
        }
        SiacModel.Choice at = pick(encode(concat(rows)), new long[frames.length]);
        return new SiacModel.Choice(frames, at.amplitudes(), at.vectors());
    }

    private static NDArray concat(NDList parts) {
        return SiacModel.concat(parts);
    }
}
