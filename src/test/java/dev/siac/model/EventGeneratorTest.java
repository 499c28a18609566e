package dev.siac.model;

import static dev.siac.model.ModelTestSupport.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The vector-to-choices heads (MODEL_SPEC §4.1) and the event generator (§4.4-4.7), each against the spec written out
 * independently in the test.
 */
class EventGeneratorTest {

    /** The tiny preset with every bank and head widened to non-trivial values. */
    private static SiacModel model(NDManager m, long seed) {
        SiacModel model = Models.create(ModelTestSupport.tiny(), seed, m);
        SplittableRandom r = new SplittableRandom(seed + 100);
        ModelTestSupport.loudHeads(model, r);
        ModelTestSupport.randomize(model, "resonance.e.items", r, -4, 4);
        ModelTestSupport.randomize(model, "resonance.warp.items", r, -1, 1);
        ModelTestSupport.randomize(model, "resonance.noise_warp.items", r, -1, 1);
        ModelTestSupport.randomize(model, "resonance.r.items", r, -3, 3);
        return model;
    }

    private static double[] row(float[] x, int index, int len) {
        double[] d = new double[len];
        for (int i = 0; i < len; i++) d[i] = x[index * len + i];
        return d;
    }

    /** relu(logits) @ bank for one row of logits, double precision. */
    private static double[] mix(double[] logits, float[] bank, int cols) {
        double[] out = new double[cols];
        for (int i = 0; i < logits.length; i++) {
            double w = Math.max(0, logits[i]);
            if (w == 0) continue;
            for (int j = 0; j < cols; j++) out[j] += w * bank[i * cols + j];
        }
        return out;
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** PyTorch's linear interpolation, align_corners=False. */
    private static double[] interpolate(double[] x, int out) {
        int in = x.length;
        double[] y = new double[out];
        for (int i = 0; i < out; i++) {
            double src = Math.max(0, (double) in / out * (i + 0.5) - 0.5);
            int i0 = (int) src;
            int i1 = i0 < in - 1 ? i0 + 1 : i0;
            double l = src - i0;
            y[i] = (1 - l) * x[i0] + l * x[i1];
        }
        return y;
    }

    // ------------------------------------------------------------------ heads

    @Test
    void headsAreTheSpecsResidualMlps() {
        SplittableRandom r = new SplittableRandom(31);
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = model(m, 2)) {
            ModelConfig c = model.config;
            for (String name : model.parameters().params().keySet()) {
                if (name.startsWith("multihead.") && name.contains(".1.net.") && name.endsWith(".bias")) {
                    ModelTestSupport.randomize(model, name, r, -0.3, 0.3);
                }
            }
            int batch = 3;
            float[] v = uniform(r, batch * c.vectorDim, -2, 2);
            Map<String, NDArray> heads = model.heads(m.create(v, new Shape(batch, c.vectorDim)));
            assertEquals(List.of("noise_resonance", "noise_deformations", "noise_mixes", "envelopes", "resonances",
                    "deformations", "mixes", "room_choice", "room_mix", "fine"), List.copyOf(heads.keySet()));
            for (var e : heads.entrySet()) {
                int[] shape = model.headShapes().get(e.getKey());
                long[] want = new long[shape.length + 1];
                want[0] = batch;
                for (int i = 0; i < shape.length; i++) want[i + 1] = shape[i];
                assertEquals(new Shape(want), e.getValue().getShape(), e.getKey());
                float[] got = e.getValue().toFloatArray();
                int outSize = got.length / batch;
                for (int b = 0; b < batch; b++) {
                    double[] y = referenceHead(model, e.getKey(), row(v, b, c.vectorDim));
                    for (int j = 0; j < outSize; j++) assertEquals(y[j], got[b * outSize + j], 1e-4, e.getKey() + "[" + j + "]");
                }
            }
        }
    }

    private static double[] linear(SiacModel model, String name, double[] x) {
        float[] w = model.parameters().get(name + ".weight").toFloatArray();
        int out = w.length / x.length;
        float[] b = model.parameters().has(name + ".bias") ? model.parameters().get(name + ".bias").toFloatArray() : null;
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            double acc = b == null ? 0 : b[o];
            for (int i = 0; i < x.length; i++) acc += w[o * x.length + i] * x[i];
            y[o] = acc;
        }
        return y;
    }

    private static double lrelu(double x) {
        return x >= 0 ? x : 0.2 * x;
    }

    /** Linear -> [LReLU(z + L2(LReLU(L1 z))) -> LayerNorm] x blocks -> Linear. */
    private static double[] referenceHead(SiacModel model, String head, double[] v) {
        String pre = "multihead.mods." + head + ".net.";
        double[] z = linear(model, pre + "0", v);
        for (int j = 0; j < model.config.headBlocks; j++) {
            String blk = pre + "1.net." + j + ".";
            double[] inner = linear(model, blk + "l1", z);
            for (int i = 0; i < inner.length; i++) inner[i] = lrelu(inner[i]);
            double[] l2 = linear(model, blk + "l2", inner);
            for (int i = 0; i < z.length; i++) z[i] = lrelu(z[i] + l2[i]);
            double mean = 0, var = 0;
            for (double x : z) mean += x;
            mean /= z.length;
            for (double x : z) var += (x - mean) * (x - mean);
            var /= z.length; // biased, as LayerNorm
            float[] g = model.parameters().get(blk + "norm.weight").toFloatArray();
            float[] bb = model.parameters().get(blk + "norm.bias").toFloatArray();
            for (int i = 0; i < z.length; i++) z[i] = (z[i] - mean) / Math.sqrt(var + 1e-5) * g[i] + bb[i];
        }
        return linear(model, pre + "2", z);
    }

    // ------------------------------------------------------------------ envelope (§4.4)

    @Test
    void envelopeIsAtMostOneSpikePerImpulseRowInterpolated() {
        SplittableRandom r = new SplittableRandom(32);
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = model(m, 3)) {
            ModelConfig c = model.config;
            int batch = 4;
            float[] logits = uniform(r, batch * c.nEnvelopes, -1, 1);
            float[] env = model.envelope(m.create(logits, new Shape(batch, c.nEnvelopes))).toFloatArray();
            assertEquals(batch * c.envelopeSamples, env.length);
            float[] bank = model.parameters().get("resonance.e.items").toFloatArray();
            int res = c.envelopeResolution;
            for (int b = 0; b < batch; b++) {
                double[] mixed = mix(row(logits, b, c.nEnvelopes), bank, c.envelopeImpulses * res);
                double[] spikes = new double[res];
                for (int i = 0; i < c.envelopeImpulses; i++) {
                    int arg = 0;
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int j = 0; j < res; j++) {
                        if (mixed[i * res + j] > max) {
                            max = mixed[i * res + j];
                            arg = j;
                        }
                    }
                    for (int j = 0; j < res; j++) sum += Math.exp(mixed[i * res + j] - max);
                    spikes[arg] += 1 / sum; // the max softmax probability
                }
                int nonZero = 0;
                for (double s : spikes) if (s > 0) nonZero++;
                assertTrue(nonZero >= 1 && nonZero <= c.envelopeImpulses);
                double[] want = interpolate(spikes, c.envelopeSamples);
                for (int i = 0; i < c.envelopeSamples; i++) {
                    float got = env[b * c.envelopeSamples + i];
                    assertTrue(got >= 0, "negative envelope at " + i);
                    assertEquals(want[i], got, 1e-5, "row " + b + " sample " + i);
                }
            }
        }
    }

    // ------------------------------------------------------------------ deformations (§4.6)

    @Test
    void deformationWeightsAreCumulativeSoftmaxesSummingToOne() {
        SplittableRandom r = new SplittableRandom(33);
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = model(m, 4)) {
            ModelConfig c = model.config;
            int t = c.frames();
            int batch = 2;
            String[][] banks = {{"resonance.warp.items", "" + c.resonanceExpressivity, "" + c.nDeformations},
                                {"resonance.noise_warp.items", "" + c.noiseExpressivity, "" + c.nNoiseDeformations}};
            for (String[] bk : banks) {
                int ch = Integer.parseInt(bk[1]);
                int count = Integer.parseInt(bk[2]);
                float[] logits = uniform(r, batch * count, -1, 1);
                NDArray d = model.deformation(m.create(logits, new Shape(batch, count)), bk[0], ch);
                assertEquals(new Shape(batch, ch, t), d.getShape());
                float[] got = d.toFloatArray();
                float[] up = model.upsampleFrames(d).toFloatArray();
                int n = c.windowSamples;
                assertEquals(batch * ch * n, up.length);
                float[] bank = model.parameters().get(bk[0]).toFloatArray();
                for (int b = 0; b < batch; b++) {
                    double[] q = mix(row(logits, b, count), bank, ch * t);
                    double[][] w = new double[ch][t];
                    for (int f = 0; f < t; f++) {
                        double max = Double.NEGATIVE_INFINITY;
                        double[] cum = new double[ch];
                        for (int k = 0; k < ch; k++) {
                            for (int g = 0; g <= f; g++) cum[k] += q[k * t + g];
                            max = Math.max(max, cum[k]);
                        }
                        double sum = 0;
                        for (int k = 0; k < ch; k++) sum += Math.exp(cum[k] - max);
                        for (int k = 0; k < ch; k++) {
                            w[k][f] = Math.exp(cum[k] - max) / sum;
                            assertEquals(w[k][f], got[(b * ch + k) * t + f], 1e-5, bk[0] + " channel " + k + " frame " + f);
                        }
                    }
                    for (int k = 0; k < ch; k++) {
                        double[] want = interpolate(w[k], n);
                        for (int i = 0; i < n; i += 7) assertEquals(want[i], up[(b * ch + k) * n + i], 1e-5);
                    }
                    for (int i = 0; i < n; i++) {
                        double s = 0;
                        for (int k = 0; k < ch; k++) s += up[(b * ch + k) * n + i];
                        assertEquals(1, s, 1e-5, bk[0] + " weights at sample " + i);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ resonances (§4.5)

    /** One resonance from a mixed parameter row p (3K values), as MODEL_SPEC §4.5 states it. */
    static double[] referenceResonance(double[] p, int win, int n, double base) {
        int k = win / 2 + 1;
        int hop = win / 2;
        int frames = n / hop;
        double[] decay = new double[k], phi = new double[k], start = new double[k];
        for (int j = 0; j < k; j++) {
            decay[j] = base + (1 - base) * 0.9999 * sigmoid(p[j]);
            phi[j] = Math.PI * Math.tanh(p[k + j]);
            start[j] = sigmoid(p[2 * k + j]);
        }
        double[] cos = new double[win], sin = new double[win];
        for (int i = 0; i < win; i++) {
            cos[i] = Math.cos(2 * Math.PI * i / win);
            sin[i] = Math.sin(2 * Math.PI * i / win);
        }
        double[] audio = new double[(frames + 1) * hop];
        for (int f = 0; f < frames; f++) {
            double[] re = new double[k], im = new double[k];
            for (int j = 0; j < k; j++) {
                double mag = start[j] * Math.pow(decay[j], f);
                double ph = (f + 1) * Math.PI * j / (k - 1) + phi[j];
                re[j] = mag * Math.cos(ph);
                im[j] = mag * Math.sin(ph);
            }
            for (int s = 0; s < win; s++) {
                // C2R inverse: DC and Nyquist contribute their real parts only
                double acc = re[0] + re[k - 1] * (s % 2 == 0 ? 1 : -1);
                for (int j = 1; j < k - 1; j++) {
                    int idx = (int) ((long) j * s % win);
                    acc += 2 * (re[j] * cos[idx] - im[j] * sin[idx]);
                }
                double hann = 0.5 - 0.5 * Math.cos(2 * Math.PI * s / win);
                audio[f * hop + s] += acc / win * hann;
            }
        }
        double max = 0;
        for (int i = 0; i < n; i++) max = Math.max(max, Math.abs(audio[i]));
        double[] out = new double[n];
        double energy = 0;
        for (int i = 0; i < n; i++) {
            out[i] = audio[i] / (max + 1e-8);
            energy += out[i] * out[i];
        }
        double norm = Math.sqrt(energy) + 1e-8;
        for (int i = 0; i < n; i++) out[i] /= norm;
        return out;
    }

    @Test
    void resonancesAreTheSpecsDecayingSpectraWithUnitEnergy() {
        SplittableRandom r = new SplittableRandom(34);
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = model(m, 5)) {
            ModelConfig c = model.config;
            int batch = 2;
            int ch = c.resonanceExpressivity;
            int n = c.windowSamples;
            float[] logits = uniform(r, batch * ch * c.nResonances, -0.5, 1);
            NDArray res = model.resonance(m.create(logits, new Shape(batch, ch, c.nResonances)));
            assertEquals(new Shape(batch, ch, n), res.getShape());
            float[] got = res.toFloatArray();
            float[] bank = model.parameters().get("resonance.r.items").toFloatArray();
            int k3 = 3 * (c.resonanceWindow / 2 + 1);
            for (int q = 0; q < batch * ch; q++) {
                double energy = 0;
                for (int i = 0; i < n; i++) energy += (double) got[q * n + i] * got[q * n + i];
                assertEquals(1, energy, 1e-4, "energy of resonance " + q);
                double[] want = referenceResonance(mix(row(logits, q, c.nResonances), bank, k3), c.resonanceWindow, n,
                        c.baseResonance);
                for (int i = 0; i < n; i++) assertEquals(want[i], got[q * n + i], 2e-5, "resonance " + q + " sample " + i);
            }
        }
    }

    // ------------------------------------------------------------------ full chain (§4.7 steps 1-10)

    private static NDArray f64(NDArray x) {
        return x.toType(DataType.FLOAT64, false);
    }

    private static NDArray padTo(NDArray x, long n) {
        long len = x.getShape().get(x.getShape().dimension() - 1);
        return x.pad(new Shape(0, n - len), 0);
    }

    /** MODEL_SPEC's conv(a, b): both length N, zero-pad to 2N, multiply spectra, invert, first N samples. */
    private static NDArray conv(NDArray a, NDArray b, long n) {
        return a.rfft(2 * n, -1).mul(b.rfft(2 * n, -1)).irfft(2 * n, -1).get("..., 0:" + n);
    }

    private static void assertClose(NDArray want, NDArray got, double rel, String what) {
        assertEquals(want.getShape(), got.getShape(), what);
        double[] w = ModelTestSupport.doubles(want.toType(DataType.FLOAT32, false));
        float[] g = got.toFloatArray();
        double peak = 0;
        for (double v : w) peak = Math.max(peak, Math.abs(v));
        assertTrue(peak > 0, what + " is silent");
        for (int i = 0; i < w.length; i++) {
            assertTrue(Float.isFinite(g[i]), what + " not finite at " + i);
            assertEquals(w[i], g[i], rel * peak, what + " at " + i);
        }
    }

    @Test
    void renderEqualsTheLiteralSignalChain() {
        SplittableRandom r = new SplittableRandom(35);
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = model(m, 6)) {
            ModelConfig c = model.config;
            int batch = 3;
            long n = c.windowSamples;
            NDArray v = m.create(uniform(r, batch * c.vectorDim, -2, 2), new Shape(batch, c.vectorDim));
            SiacModel.Rendered got = model.render(v, true);
            assertEquals(new Shape(batch, n), got.out().getShape());
            assertEquals(new Shape(batch), got.shiftSamples().getShape());
            assertEquals(new Shape(batch, n), got.impulse().getShape());
            assertEquals(new Shape(batch, n), got.resonated().getShape());
            assertEquals(new Shape(batch, n), got.dry().getShape());
            assertEquals(new Shape(batch, c.resonanceExpressivity, c.frames()), got.deformations().getShape());
            SiacModel.Rendered plain = model.render(v, false);
            assertEquals(0, ModelTestSupport.maxAbsDiff(got.out().toFloatArray(), plain.out().toFloatArray()));

            Map<String, NDArray> h = model.heads(v);
            // 1. envelope, zero-padded to N
            NDArray env = padTo(f64(model.envelope(h.get("envelopes"))), n);                               // (B, N)
            // 2. noise filters: ReLU(weights) @ unit-norm rows, zero-padded to N
            NDArray bank = f64(model.parameters().get("resonance.n.items"));
            NDArray unit = bank.div(bank.square().sum(new int[] {1}, true).sqrt().add(1e-8));
            NDArray filters = padTo(f64(h.get("noise_resonance")).maximum(0).matMul(unit), n);           // (B, 2, N)
            // 3.-4. filtered = sum_c conv(env, F_c) * D^n_c
            NDArray dn = f64(model.upsampleFrames(model.deformation(h.get("noise_deformations"),
                    "resonance.noise_warp.items", c.noiseExpressivity)));
            NDArray filtered = conv(env.expandDims(1), filters, n).mul(dn).sum(new int[] {1});
            // 5. excitation
            NDArray nm = f64(h.get("noise_mixes")).softmax(-1);
            NDArray exc = env.mul(nm.get(":, 0:1")).add(filtered.mul(nm.get(":, 1:2")));
            // 6.-7. deforming resonances
            NDArray res = f64(model.resonance(h.get("resonances")));
            NDArray warp = f64(model.upsampleFrames(model.deformation(h.get("deformations"), "resonance.warp.items",
                    c.resonanceExpressivity)));
            NDArray resonated = conv(exc.expandDims(1), res, n).mul(warp).sum(new int[] {1});
            // 8. dry
            NDArray mx = f64(h.get("mixes")).softmax(-1);
            NDArray dry = exc.mul(mx.get(":, 0:1")).add(resonated.mul(mx.get(":, 1:2")));
            // 9.-10. room
            NDArray ir = f64(h.get("room_choice")).maximum(0).matMul(f64(model.parameters().get("resonance.verb.items")));
            NDArray wet = conv(ir, dry, n);
            NDArray rm = f64(h.get("room_mix")).softmax(-1);
            NDArray out = wet.mul(rm.get(":, 0:1")).add(dry.mul(rm.get(":, 1:2")));

            // the shortcut (noise filters convolved over the envelope span only) must equal the full-N convolution
            assertClose(filtered, got.impulse(), 1e-5, "impulse");
            assertClose(resonated, got.resonated(), 1e-4, "resonated");
            assertClose(dry, got.dry(), 1e-4, "dry");
            assertClose(out, got.out(), 1e-4, "out");
        }
    }
}
