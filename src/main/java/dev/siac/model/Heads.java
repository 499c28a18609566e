package dev.siac.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The multi-head transform (MODEL_SPEC §4.1): for each head an MLP from the event vector to logits over one of the
 * generator's banks. Its parameters are declared here; they all take the default initialisation.
 */
final class Heads {
    /** Heads of the multi-head transform, in the reference's order. */
    static final List<String> ALL = List.of("noise_resonance", "noise_deformations", "noise_mixes",
            "envelopes", "resonances", "deformations", "mixes", "room_choice", "room_mix", "fine", "res_filter", "amplitudes");
    /** Heads the reference computes but never uses (kept only when config.referenceUnused). */
    static final List<String> UNUSED = List.of("res_filter", "amplitudes");

    private final ModelConfig config;
    private final Parameters p;

    Heads(ModelConfig config, Parameters p) {
        this.config = config;
        this.p = p;
    }

    /** Output shape of each head (without the batch axis). */
    static Map<String, int[]> shapes(ModelConfig c) {
        Map<String, int[]> m = new LinkedHashMap<>();
        m.put("noise_resonance", new int[] {c.noiseExpressivity, c.nNoiseFilters});
        m.put("noise_deformations", new int[] {c.nNoiseDeformations});
        m.put("noise_mixes", new int[] {2});
        m.put("envelopes", new int[] {c.nEnvelopes});
        m.put("resonances", new int[] {c.resonanceExpressivity, c.nResonances});
        m.put("deformations", new int[] {c.nDeformations});
        m.put("mixes", new int[] {2});
        m.put("room_choice", new int[] {c.nRoomIrs});
        m.put("room_mix", new int[] {2});
        m.put("fine", new int[] {1});
        if (c.referenceUnused) {
            m.put("res_filter", new int[] {c.noiseExpressivity, c.nNoiseFilters});
            m.put("amplitudes", new int[] {1});
        }
        return m;
    }

    /** The heads' parameters and shapes (MODEL_SPEC §8 names), in a stable order. */
    static void declare(ModelConfig c, Map<String, long[]> s) {
        int hh = c.headHidden;
        for (var e : shapes(c).entrySet()) {
            String pre = "multihead.mods." + e.getKey() + ".net.";
            s.put(pre + "0.weight", new long[] {hh, c.vectorDim});
            s.put(pre + "0.bias", new long[] {hh});
            for (int j = 0; j < c.headBlocks; j++) {
                String blk = pre + "1.net." + j + ".";
                s.put(blk + "l1.weight", new long[] {hh, hh});
                s.put(blk + "l1.bias", new long[] {hh});
                s.put(blk + "l2.weight", new long[] {hh, hh});
                s.put(blk + "l2.bias", new long[] {hh});
                s.put(blk + "norm.weight", new long[] {hh});
                s.put(blk + "norm.bias", new long[] {hh});
            }
            long out = 1;
            for (int d : e.getValue()) out *= d;
            s.put(pre + "2.weight", new long[] {out, hh});
            if (out > 1) s.put(pre + "2.bias", new long[] {out});
        }
    }

    /** MODEL_SPEC §4.1 for the heads the generator uses: vectors (B, D) -> logits per head, shaped (B, ...). */
    Map<String, NDArray> heads(NDArray vectors) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        long batch = vectors.getShape().get(0);
        for (var e : shapes(config).entrySet()) {
            if (UNUSED.contains(e.getKey())) continue;
            String pre = "multihead.mods." + e.getKey() + ".net.";
            NDArray z = linear(vectors, pre + "0");
            for (int j = 0; j < config.headBlocks; j++) {
                String blk = pre + "1.net." + j + ".";
                NDArray inner = Activation.leakyRelu(linear(z, blk + "l1"), 0.2f);
                z = Activation.leakyRelu(z.add(linear(inner, blk + "l2")), 0.2f);
                z = LayerNorm.layerNorm(z, new Shape(config.headHidden), p.get(blk + "norm.weight"),
                        p.get(blk + "norm.bias"), 1e-5f).singletonOrThrow();
            }
            NDArray y = linear(z, pre + "2");
            long[] shape = new long[e.getValue().length + 1];
            shape[0] = batch;
            for (int i = 0; i < e.getValue().length; i++) shape[i + 1] = e.getValue()[i];
            out.put(e.getKey(), y.reshape(shape));
        }
        return out;
    }

    private NDArray linear(NDArray x, String name) {
        NDArray bias = p.has(name + ".bias") ? p.get(name + ".bias") : null;
        return Linear.linear(x, p.get(name + ".weight"), bias).singletonOrThrow();
    }
}
