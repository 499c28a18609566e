package dev.siac.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.siac.dsp.Interpolation;
import dev.siac.dsp.Ops;
import dev.siac.dsp.Spectral;
import java.util.Map;

/**
 * The event generator (MODEL_SPEC §4.2-4.6): energy impulse (envelope) -> noise filters -> resonances that deform over
 * time -> room impulse response, for events at time 0 with unit amplitude. Its banks are declared here with their
 * initialisation; the generated room bank is a buffer ({@link RoomBank}).
 */
final class Generator {
    private final ModelConfig config;
    private final Parameters p;
    private final Heads heads;

    Generator(ModelConfig config, Parameters p, Heads heads) {
        this.config = config;
        this.p = p;
        this.heads = heads;
    }

    /** The generator's banks and shapes (MODEL_SPEC §8 names), in a stable order. */
    static void declare(ModelConfig c, Map<String, long[]> s) {
        int k = c.resonanceWindow / 2 + 1;
        s.put("resonance.r.items", new long[] {c.nResonances, 3L * k});
        s.put("resonance.n.items", new long[] {c.nNoiseFilters, c.noiseFilterTaps});
        s.put("resonance.e.items", new long[] {c.nEnvelopes, (long) c.envelopeImpulses * c.envelopeResolution});
        s.put("resonance.warp.items", new long[] {c.nDeformations, (long) c.resonanceExpressivity * c.eventFrames()});
        s.put("resonance.noise_warp.items", new long[] {c.nNoiseDeformations, (long) c.noiseExpressivity * c.eventFrames()});
        if (c.referenceUnused) s.put("resonance.scheduler.pos", new long[] {1, 1, c.frames()});
    }

    /** MODEL_SPEC §4.3: the resonance bank sparse in U(-6, 6) (1 %), noise filters U(-1, 1); null for the rest. */
    static float[] initial(ModelConfig c, long seed, String name, long[] shape) {
        int n = Math.toIntExact(new Shape(shape).size());
        switch (name) {
            case "resonance.r.items": {
                var r = Parameters.rng(seed, name);
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    double u = -6 + 12 * r.nextDouble();
                    v[i] = r.nextDouble() < 0.01 ? (float) u : 0f;
                }
                return v;
            }
            case "resonance.n.items":
                return Parameters.uniform(seed, name, n, -1, 1);
            default:
                return null;
        }
    }

    /** MODEL_SPEC §4.4-4.7 steps 1-10, plus the fine-shift amount of step 12. Events are c.eventLength() samples long. */
    SiacModel.Rendered render(NDArray vectors, boolean intermediates) {
        return render(vectors, intermediates, null);
    }

    /**
     * {@link #render(NDArray, boolean)} with fast != null: inference only ({@link InferenceRender}), the same values to
     * float rounding from what depends only on the weights computed once and convolutions on the smallest fast FFT
     * that holds them. null: the original operations (training: values and gradients).
     */
    SiacModel.Rendered render(NDArray vectors, boolean intermediates, InferenceRender fast) {
        ModelConfig c = config;
        int n = c.eventLength();
        Map<String, NDArray> h = fast != null ? fast.heads(vectors) : heads.heads(vectors);

        NDArray env = envelope(h.get("envelopes"));                       // (B, envelopeSamples)

        // noise filters: short FIR filters, convolved only over the envelope's non-zero span (exact, see PERFORMANCE_NOTES)
        NDArray filters = Activation.relu(h.get("noise_resonance"))
                .matMul(fast != null ? fast.noiseBank : Spectral.unitNorm(p.get("resonance.n.items")));
        int span = c.envelopeSamples + c.noiseFilterTaps - 1;
        int fftSize = fast != null ? fast.noiseFft : Integer.highestOneBit(span - 1) << 1;
        NDArray filtered = fast != null
                ? InferenceRender.irfft(InferenceRender.rfft(env.expandDims(1), fftSize)
                        .mul(InferenceRender.rfft(filters, fftSize)), fftSize, span)
                : env.expandDims(1).rfft(fftSize, -1).mul(filters.rfft(fftSize, -1))
                        .irfft(fftSize, -1).get("..., 0:" + span);        // (B, NE, span)
        NDArray noiseWarp = deformation(h.get("noise_deformations"), "resonance.noise_warp.items", c.noiseExpressivity);
        NDArray impulse = filtered.mul(upsampleFrames(noiseWarp).get("..., 0:" + span)).sum(new int[] {1});
        NDArray[] nm = split2(h.get("noise_mixes").softmax(-1));
        NDArray exc = env.pad(new Shape(0, span - c.envelopeSamples), 0).mul(nm[0]).add(impulse.mul(nm[1])); // (B, span)

        // resonances: one spectrum of the excitation shared by the C convolutions
        NDArray resonances = resonance(h.get("resonances"), fast);         // (B, C, N)
        NDArray warp = deformation(h.get("deformations"), "resonance.warp.items", c.resonanceExpressivity);
        long resFft = fast != null ? fast.resonanceFft : 2L * n;
        NDArray resonated = fast != null
                ? InferenceRender.irfft(InferenceRender.rfft(exc, resFft).expandDims(1)
                        .mul(InferenceRender.rfft(resonances, resFft)), resFft, n)
                : exc.rfft(resFft, -1).expandDims(1).mul(resonances.rfft(resFft, -1)).irfft(resFft, -1)
                        .get("..., 0:" + n);
        resonated = resonated.mul(upsampleFrames(warp)).sum(new int[] {1});  // (B, N)
        NDArray[] mx = split2(h.get("mixes").softmax(-1));
        NDArray excN = exc.pad(new Shape(0, n - span), 0);
        NDArray dry = excN.mul(mx[0]).add(resonated.mul(mx[1]));

        NDArray wet = fast != null ? fast.roomConvolve(Activation.relu(h.get("room_choice")), dry)
                : Spectral.fftConvolve(Activation.relu(h.get("room_choice")).matMul(p.get("resonance.verb.items")), dry);
        NDArray[] rm = split2(h.get("room_mix").softmax(-1));
        NDArray out = wet.mul(rm[0]).add(dry.mul(rm[1]));

        // MODEL_SPEC §4.7 step 12: the reference's phase ramp uses N+1, a delay of tanh(fine)*256*N/(N+1) samples
        NDArray shift = Ops.mul(h.get("fine").reshape(-1).tanh(), (double) c.fineShiftSamples * n / (n + 1.0));
        if (!intermediates) return new SiacModel.Rendered(out, shift, null, null, null, null);
        return new SiacModel.Rendered(out, shift, impulse.pad(new Shape(0, n - span), 0), resonated, dry, warp);
    }

    /** MODEL_SPEC §4.4: (B, nEnvelopes) logits -> (B, envelopeSamples) non-negative impulse train envelope. */
    NDArray envelope(NDArray logits) {
        ModelConfig c = config;
        NDArray mixed = Activation.relu(logits).matMul(p.get("resonance.e.items"))
                .reshape(-1, c.envelopeImpulses, c.envelopeResolution);
        NDArray spikes = Ops.sparseSoftmax(mixed, false).sum(new int[] {1});
        return Interpolation.upsampleLinear(spikes, c.envelopeSamples / c.envelopeResolution);
    }

    /** MODEL_SPEC §4.6 before upsampling: (B, C, T) weights that sum to 1 over C at every frame. */
    NDArray deformation(NDArray logits, String bank, int channels) {
        NDArray q = Activation.relu(logits).matMul(p.get(bank)).reshape(-1, channels, config.eventFrames());
        return q.cumSum(2).softmax(1);
    }

    NDArray upsampleFrames(NDArray x) {
        return Interpolation.upsampleLinear(x, config.stftHop);
    }

    /** MODEL_SPEC §4.5: (B, C, nResonances) logits -> (B, C, N) unit-energy resonances. */
    NDArray resonance(NDArray logits) {
        return resonance(logits, null);
    }

    /** {@link #resonance(NDArray)}; fast != null: constants cached, the spectrum made by {@link InferenceRender#complex}. */
    NDArray resonance(NDArray logits, InferenceRender fast) {
        ModelConfig c = config;
        NDManager m = logits.getManager();
        int win = c.resonanceWindow;
        int k = win / 2 + 1;
        int frames = c.eventLength() / (win / 2);
        NDArray row = Activation.relu(logits).matMul(p.get("resonance.r.items"));   // (B, C, 3K)
        NDArray decay = Ops.add(Ops.mul(Activation.sigmoid(row.get("..., 0:" + k)), 0.9999f * (1 - c.baseResonance)), c.baseResonance);
        NDArray phase = Ops.mul(row.get("..., " + k + ":" + 2 * k).tanh(), Math.PI);
        NDArray start = Activation.sigmoid(row.get("..., " + 2 * k + ":" + 3 * k));

        NDArray fIdx = fast != null ? fast.frameIndex : Ops.constant(m, frameIndex(frames, 0), new Shape(frames, 1));
        // magnitude a * m^f, computed in log space like the reference's cumulative sum of logs
        NDArray logMag = Ops.add(start, 1e-12).log().expandDims(2)
                .add(Ops.add(decay, 1e-12).log().expandDims(2).mul(fIdx));
        NDArray mag = logMag.exp();                                                    // (B, C, F, K)
        NDArray ph = phase.expandDims(2).add(fast != null ? fast.framePhase : framePhase(m, frames, k));
        NDArray frameAudio;
        if (fast != null) {
            NDArray spec = fast.complex(mag.mul(ph.cos()), mag.mul(ph.sin()));
            frameAudio = InferenceRender.irfft(spec, win, win).mul(fast.resonanceWindow);
        } else {
            NDArray one = Ops.constant(m, new float[] {1, 0}).complex();
            NDArray i = Ops.constant(m, new float[] {0, 1}).complex();
            NDArray spec = mag.mul(ph.cos()).mul(one).add(mag.mul(ph.sin()).mul(i));
            frameAudio = spec.irfft(win, -1).mul(Ops.constant(m, Spectral.hann(win)));  // (B, C, F, win)
        }
        NDArray audio = overlapAddHalf(frameAudio);
        return Spectral.unitNorm(Spectral.maxNorm(Spectral.keepFirst(audio, c.eventLength())));
    }

    /** 0 + offset, 1 + offset, ... frames - 1 + offset. */
    static float[] frameIndex(int frames, int offset) {
        float[] f = new float[frames];
        for (int i = 0; i < frames; i++) f[i] = i + offset;
        return f;
    }

    /** The resonances' phase advance (f + 1) * gamma_k, (F, K): gamma_k = pi k / (K - 1). */
    static NDArray framePhase(NDManager m, int frames, int k) {
        float[] gamma = new float[k];
        for (int i = 0; i < k; i++) gamma[i] = (float) (Math.PI * i / (k - 1));
        return Ops.constant(m, frameIndex(frames, 1), new Shape(frames, 1)).mul(Ops.constant(m, gamma));
    }

    /** Overlap-add of frames with hop = half the frame: (..., F, W) -> (..., (F+1) W/2). */
    static NDArray overlapAddHalf(NDArray frames) {
        Shape s = frames.getShape();
        int nd = s.dimension();
        long f = s.get(nd - 2);
        long w = s.get(nd - 1);
        long hop = w / 2;
        Shape lead = s.slice(0, nd - 2);
        NDArray first = frames.get("..., 0:" + hop).reshape(lead.add(f * hop));
        NDArray second = frames.get("..., " + hop + ":").reshape(lead.add(f * hop));
        return first.pad(new Shape(0, hop), 0).add(second.pad(new Shape(hop, 0), 0));
    }

    private static NDArray[] split2(NDArray w) {
        return new NDArray[] {w.get("..., 0:1"), w.get("..., 1:2")};
    }
}
