package dev.siac.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
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
        return outputs(sum);
    }

    /**
     * The encoder over one window's greedy steps: the input projection and every block's output are kept between
     * steps, and after an event changes some frames of the spectrogram only the frames that depend on them are
     * computed again (frames [lo, hi) of a block's input change frames [lo - d, hi) of its output). The outputs are
     * {@link #encodeOnsets}'s to float rounding. Its arrays live until it is closed, outside the callers' scopes.
     * Null when the window is shorter than the onset half's receptive field ({@link #encodeOnsets} pads it then).
     */
    public Window window(int frames) {
        long keep = frames / 2;
        long len = keep + encoder.receptiveField() - 1;
        return len > frames ? null : new Window(keep, len);
    }

    /** See {@link #window}. */
    public final class Window implements AutoCloseable {
        private final NDManager own = manager.newSubManager();
        private final long keep;
        private final int inputFrames;
        private NDArray proj;
        private final NDArray[] blocks = new NDArray[blockW.length];

        private Window(long keep, long len) {
            this.keep = keep;
            this.inputFrames = Math.toIntExact(len);
        }

        /** Spectrogram frames the onset half depends on: what {@link #start} takes, and the range of {@link #update}. */
        public int inputFrames() {
            return inputFrames;
        }

        /** The outputs for a window whose spectrogram's first {@link #inputFrames} frames are spec (B, bins, frames). */
        public SiacModel.Encoded start(NDArray spec) {
            proj = hold(mine(projW.matMul(spec.get(":, :, 0:" + inputFrames)), spec.getManager()).add(projB), proj);
            return recompute(0, inputFrames);
        }

        /**
         * The outputs after frames [from, from + W) of the spectrogram became columns (B, bins, W) (null or W = 0:
         * nothing changed in the first {@link #inputFrames} frames).
         */
        public SiacModel.Encoded update(long from, NDArray columns) {
            long width = columns == null ? 0 : columns.getShape().get(2);
            if (width == 0) return recompute(0, 0);
            NDArray fresh = mine(projW.matMul(columns), columns.getManager()).add(projB);
            proj = hold(splice(proj, fresh, from, from + width), proj);
            return recompute(from, from + width);
        }

        /** Blocks' outputs again where input frames [lo, hi) of the projection changed; then the outputs. */
        private SiacModel.Encoded recompute(long lo, long hi) {
            int h = config.hidden;
            NDArray in = proj;
            long len = inputFrames;
            for (int b = 0; b < blockW.length && lo < hi; b++) {
                int d = config.dilations[b];
                long out = len - d;
                long from = Math.max(0, lo - d), to = Math.min(hi, out);
                if (from < to) {
                    NDArray pair = in.get(":, :, " + from + ":" + to).concat(in.get(":, :, " + (from + d) + ":" + (to + d)), 1);
                    NDArray cg = mine(blockW[b].matMul(pair), in.getManager()).add(blockB[b]);
                    NDArray act = cg.get(":, 0:" + h + ", :").tanh().mul(Activation.sigmoid(cg.get(":, " + h + ":, :")));
                    NDArray fresh = in.get(":, :, " + from + ":" + to).add(act);
                    blocks[b] = hold(blocks[b] == null ? fresh : splice(blocks[b], fresh, from, to), blocks[b]);
                }
                lo = from;
                hi = to;
                in = blocks[b];
                len = out;
            }
            NDArray sum = null;
            for (NDArray x : blocks) {
                NDArray onsets = x.get(":, :, 0:" + keep);
                sum = sum == null ? onsets : sum.add(onsets);
            }
            return outputs(sum);
        }

        /** x with frames [from, to) replaced by fresh. */
        private NDArray splice(NDArray x, NDArray fresh, long from, long to) {
            long len = x.getShape().get(2);
            NDList parts = new NDList();
            if (from > 0) parts.add(x.get(":, :, 0:" + from));
            parts.add(fresh);
            if (to < len) parts.add(x.get(":, :, " + to + ":" + len));
            return parts.size() == 1 ? fresh : NDArrays.concat(parts, 2);
        }

        /** Takes x out of the caller's scope into this window's memory, and frees what it replaces. */
        private NDArray hold(NDArray x, NDArray old) {
            NDScope.unregister(x);
            x.attach(own);
            if (old != null && old != x) old.close();
            return x;
        }

        @Override
        public void close() {
            own.close();
        }
    }

    /** The 1x1 output layers on the onset half's summed block outputs (B, hidden, keep). */
    private SiacModel.Encoded outputs(NDArray sum) {
        NDManager m = sum.getManager();
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
