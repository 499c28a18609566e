package dev.siac.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Activation;

/**
 * The codec's {@link Encoder#encodeOnsets} for inference (no gradients): the same values to float rounding, with fewer
 * and larger operations. The weight norm is applied once here; each gated block is one matrix product, its filter and
 * gate rows stacked over the frame and its dilated neighbour stacked as inputs, the blocks' scalar gains folded into
 * the rows; every block computes only the frames the onset half still depends on (the receptive field shrinks by the
 * block's dilation), so nothing is padded; the 1x1 output layers run on the onset half only, vectors and switch as one
 * product.
 *
 * <p>The weights must not change while this is used (see {@link InferenceRender}); training keeps to {@link Encoder}.
 */
public final class InferenceEncoder implements AutoCloseable {
    private final ModelConfig config;
    private final Encoder encoder;
    private final NDManager manager;
    private final NDArray projW, projB, ffW, ffB, outW, outB;
    private final NDArray[] blockW, blockB;

    InferenceEncoder(ModelConfig c, Parameters p, Encoder encoder) {
        this.config = c;
        this.encoder = encoder;
        this.manager = p.manager().newSubManager();
        int blocks = c.dilations.length;
        blockW = new NDArray[blocks];
        blockB = new NDArray[blocks];
        try (NDScope scope = new NDScope()) {
            projW = own(matrix(p.get("encoder.proj.weight")));
            projB = own(p.get("encoder.proj.bias").expandDims(1));
            ffW = own(matrix(p.get("encoder.stack.ff.weight")));
            ffB = own(p.get("encoder.stack.ff.bias").expandDims(1));
            outW = own(matrix(p.get("to_event_vectors.weight")).concat(matrix(p.get("to_event_switch.weight")), 0));
            outB = own(p.get("to_event_vectors.bias").concat(p.get("to_event_switch.bias"), 0).expandDims(1));
            for (int b = 0; b < blocks; b++) {
                String pre = "encoder.stack.blocks." + b + ".";
                NDArray tw = p.get(pre + "tanh_weight"), sw = p.get(pre + "sigmoid_weight");
                NDArray conv = Encoder.normalisedWeight(p, pre + "conv.conv").mul(tw);
                NDArray gate = Encoder.normalisedWeight(p, pre + "gate.conv").mul(sw);
                // rows: filter then gate; columns: the frame's channels then its dilated neighbour's
                NDArray rowsC = conv.get(":, :, 0").concat(conv.get(":, :, 1"), 1);
                NDArray rowsG = gate.get(":, :, 0").concat(gate.get(":, :, 1"), 1);
                blockW[b] = own(rowsC.concat(rowsG, 0));
                blockB[b] = own(p.get(pre + "conv.conv.bias").mul(tw).concat(p.get(pre + "gate.conv.bias").mul(sw), 0)
                        .expandDims(1));
            }
            NDScope.unregister(projW, projB, ffW, ffB, outW, outB);
            NDScope.unregister(blockW);
            NDScope.unregister(blockB);
        }
    }

    private static NDArray matrix(NDArray w) {
        return w.reshape(w.getShape().get(0), w.getShape().get(1));
    }

    private NDArray own(NDArray x) {
        NDArray y = x.duplicate();
        y.attach(manager);
        return y;
    }

    /** {@link Encoder#encodeOnsets}: the encoder's outputs on frames [0, T/2) of a (B, bins, T) spectrogram. */
    public SiacModel.Encoded encodeOnsets(NDArray spec) {
        long t = spec.getShape().get(2);
        long keep = t / 2;
        long len = keep + encoder.receptiveField() - 1;
        if (len > t) return encoder.encodeOnsets(spec); // the original pads the blocks' inputs with zeros
        NDManager m = spec.getManager();
        NDArray x = mine(projW.matMul(spec.get(":, :, 0:" + len)), m).add(projB);
        int h = config.hidden;
        NDArray sum = null;
        for (int b = 0; b < blockW.length; b++) {
            int d = config.dilations[b];
            long out = len - d;
            NDArray pair = x.get(":, :, 0:" + out).concat(x.get(":, :, " + d + ":" + len), 1);
            NDArray cg = mine(blockW[b].matMul(pair), m).add(blockB[b]);
            NDArray act = cg.get(":, 0:" + h + ", :").tanh().mul(Activation.sigmoid(cg.get(":, " + h + ":, :")));
            x = x.get(":, :, 0:" + out).add(act);
            NDArray onsets = x.get(":, :, 0:" + keep);
            sum = sum == null ? onsets : sum.add(onsets);
            len = out;
        }
        NDArray hidden = mine(ffW.matMul(sum), m).add(ffB);
        NDArray y = mine(outW.matMul(hidden), m).add(outB);                  // (B, D + 1, keep)
        int dim = config.vectorDim;
        return new SiacModel.Encoded(y.get(":, 0:" + dim + ", :"), y.get(":, " + dim + ", :"));
    }

    /** A product whose first operand is one of ours: its result belongs with the caller's arrays. */
    private static NDArray mine(NDArray y, NDManager m) {
        y.attach(m);
        return y;
    }

    @Override
    public void close() {
        manager.close();
    }
}
