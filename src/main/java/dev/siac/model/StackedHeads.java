package dev.siac.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.LayerNorm;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link Heads#heads} for inference ({@link InferenceRender}): the heads' MLPs have the same shape up to their last
 * layer, so their weights are stacked once (heads x in x out, transposed) and each layer is one batched product for
 * all heads instead of one per head; the layer norm runs without its affine part, which is applied per head after
 * it; the last layers of the heads with at most {@link #SMALL} outputs are one product padded with zeros, the larger
 * ones (the resonances) have their own. About 45 libtorch calls an event render instead of 150; the same logits to
 * float rounding (InferenceRenderTest). Training keeps {@link Heads}.
 */
final class StackedHeads {
    /** Heads with at most this many outputs share one padded last layer. */
    static final int SMALL = 64;

    private final ModelConfig config;
    private final List<String> names = new ArrayList<>();
    private final List<int[]> shapes = new ArrayList<>();
    /** Index of each head in the padded last layer, or -1 for a head with its own. */
    private final List<Integer> smallIndex = new ArrayList<>();
    private final NDArray firstW, firstB, ones, zeros, smallW, smallB;
    private final NDArray[] innerW, innerB, outerW, outerB, gamma, beta;
    private final Map<String, NDArray[]> own = new LinkedHashMap<>(); // a large head's last layer: W^T, bias

    StackedHeads(ModelConfig c, Parameters p, NDManager manager) {
        this.config = c;
        int blocks = c.headBlocks, hh = c.headHidden;
        innerW = new NDArray[blocks];
        innerB = new NDArray[blocks];
        outerW = new NDArray[blocks];
        outerB = new NDArray[blocks];
        gamma = new NDArray[blocks];
        beta = new NDArray[blocks];
        List<NDArray> keep = new ArrayList<>();
        try (NDScope scope = new NDScope()) {
            int small = 0;
            for (var e : Heads.shapes(c).entrySet()) {
                if (Heads.UNUSED.contains(e.getKey())) continue;
                names.add(e.getKey());
                shapes.add(e.getValue());
                smallIndex.add(outputs(e.getValue()) <= SMALL ? small++ : -1);
            }
            firstW = stack(p, "0.weight", true);                          // (H, D, hh)
            firstB = stack(p, "0.bias", false).expandDims(1);              // (H, 1, hh)
            for (int j = 0; j < blocks; j++) {
                String blk = "1.net." + j + ".";
                innerW[j] = stack(p, blk + "l1.weight", true);
                innerB[j] = stack(p, blk + "l1.bias", false).expandDims(1);
                outerW[j] = stack(p, blk + "l2.weight", true);
                outerB[j] = stack(p, blk + "l2.bias", false).expandDims(1);
                gamma[j] = stack(p, blk + "norm.weight", false).expandDims(1);
                beta[j] = stack(p, blk + "norm.bias", false).expandDims(1);
            }
            ones = manager.ones(new Shape(hh));
            zeros = manager.zeros(new Shape(hh));
            NDList w = new NDList(), b = new NDList();
            for (int h = 0; h < names.size(); h++) {
                String pre = "multihead.mods." + names.get(h) + ".net.2.";
                int out = outputs(shapes.get(h));
                NDArray wt = p.get(pre + "weight").transpose();             // (hh, out)
                NDArray bias = p.has(pre + "bias") ? p.get(pre + "bias") : manager.zeros(new Shape(out));
                if (smallIndex.get(h) < 0) {
                    own.put(names.get(h), new NDArray[] {wt.duplicate(), bias.duplicate()});
                } else {
                    w.add(wt.pad(new Shape(0, SMALL - out), 0));               // (hh, SMALL)
                    b.add(bias.pad(new Shape(0, SMALL - out), 0));
                }
            }
            smallW = NDArrays.stack(w);                                      // (S, hh, SMALL)
            smallB = NDArrays.stack(b).expandDims(1);                        // (S, 1, SMALL)
            keep.addAll(List.of(firstW, firstB, ones, zeros, smallW, smallB));
            for (int j = 0; j < blocks; j++) keep.addAll(List.of(innerW[j], innerB[j], outerW[j], outerB[j], gamma[j], beta[j]));
            for (NDArray[] a : own.values()) keep.addAll(List.of(a));
            for (NDArray a : keep) {
                NDScope.unregister(a);
                a.attach(manager);
            }
        }
    }

    private static int outputs(int[] shape) {
        int out = 1;
        for (int d : shape) out *= d;
        return out;
    }

    /** The used heads' parameter named suffix, stacked over heads (transposed per head when it is a weight). */
    private NDArray stack(Parameters p, String suffix, boolean transpose) {
        NDList list = new NDList();
        for (String name : names) {
            NDArray a = p.get("multihead.mods." + name + ".net." + suffix);
            list.add(transpose ? a.transpose() : a);
        }
        return NDArrays.stack(list);
    }

    /** vectors (B, D) -> logits per head, shaped (B, ...), as {@link Heads#heads}. */
    Map<String, NDArray> heads(NDArray vectors) {
        long batch = vectors.getShape().get(0);
        NDArray z = vectors.expandDims(0).matMul(firstW).add(firstB);      // (H, B, hh)
        for (int j = 0; j < config.headBlocks; j++) {
            NDArray inner = Activation.leakyRelu(z.matMul(innerW[j]).add(innerB[j]), 0.2f);
            z = Activation.leakyRelu(z.add(inner.matMul(outerW[j]).add(outerB[j])), 0.2f);
            z = LayerNorm.layerNorm(z, new Shape(config.headHidden), ones, zeros, 1e-5f).singletonOrThrow()
                    .mul(gamma[j]).add(beta[j]);
        }
        NDArray small = null;
        List<Integer> rows = new ArrayList<>();
        for (int h = 0; h < names.size(); h++) if (smallIndex.get(h) >= 0) rows.add(h);
        if (!rows.isEmpty()) {
            NDArray zs = rows.size() == names.size() ? z : z.get(new ai.djl.ndarray.index.NDIndex("{}",
                    vectors.getManager().create(rows.stream().mapToLong(Integer::longValue).toArray())));
            small = zs.matMul(smallW).add(smallB);                         // (S, B, SMALL)
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int h = 0; h < names.size(); h++) {
            int[] shape = shapes.get(h);
            long[] full = new long[shape.length + 1];
            full[0] = batch;
            for (int i = 0; i < shape.length; i++) full[i + 1] = shape[i];
            int k = smallIndex.get(h);
            NDArray y;
            if (k >= 0) {
                y = small.get(k + ", :, 0:" + outputs(shape));
            } else {
                NDArray[] wb = own.get(names.get(h));
                y = z.get(h).matMul(wb[0]).add(wb[1]);
            }
            out.put(names.get(h), y.reshape(full));
        }
        return out;
    }
}
