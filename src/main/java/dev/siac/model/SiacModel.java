package dev.siac.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import dev.siac.dsp.Interpolation;
import dev.siac.dsp.Ops;
import dev.siac.dsp.Spectral;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The seed's iterative-decomposition model (MODEL_SPEC.md): an anti-causal gated dilated encoder that picks one event
 * per step, a 12-head MLP that turns an event vector into choices over parameter banks, and a physics-inspired event
 * generator (energy impulse -> noise filters -> deforming resonances -> room impulse response -> scheduling).
 *
 * <p>Shapes: B = batch (or number of events rendered together), T = frames per window (512), N = window samples
 * (2^17), D = event vector size (32). All methods are pure functions of their inputs and the parameters; callers
 * own scopes and gradient recording.
 */
public final class SiacModel implements AutoCloseable {
    /** Heads of the multi-head transform, in the reference's order. */
    public static final List<String> HEADS = List.of("noise_resonance", "noise_deformations", "noise_mixes",
            "envelopes", "resonances", "deformations", "mixes", "room_choice", "room_mix", "fine", "res_filter", "amplitudes");
    /** Heads the reference computes but never uses (kept only when config.referenceUnused). */
    static final List<String> UNUSED_HEADS = List.of("res_filter", "amplitudes");

    public final ModelConfig config;
    final Parameters p;

    SiacModel(ModelConfig config, Parameters p) {
        this.config = config;
        this.p = p;
    }

    /** The same model on copies of the learned parameters (see {@link Parameters#replica}); close it after use. */
    public SiacModel replica(NDManager parent) {
        return new SiacModel(config, p.replica(parent));
    }

    public Parameters parameters() {
        return p;
    }

    public NDManager manager() {
        return p.manager();
    }

    @Override
    public void close() {
        p.close();
    }

    /** Output shape of each head (without the batch axis). */
    public Map<String, int[]> headShapes() {
        ModelConfig c = config;
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

    // ------------------------------------------------------------------------------------------------ encoder

    /** Encoder outputs for a (B, bins, T) spectrogram: vectors (B, D, T) and switch activations (B, T). */
    public record Encoded(NDArray vectors, NDArray switches) {}

    /** MODEL_SPEC §2.2. */
    public Encoded encode(NDArray spec) {
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
        return new Encoded(vectors, switches);
    }

    private NDArray conv1x1(NDArray x, String name) {
        return Conv1d.conv1d(x, p.get(name + ".weight"), p.get(name + ".bias"),
                new Shape(1), new Shape(0), new Shape(1), 1).singletonOrThrow();
    }

    private NDArray dilatedConv(NDArray x, String name, int dilation) {
        NDArray g = p.get(name + ".parametrizations.weight.original0");
        NDArray v = p.get(name + ".parametrizations.weight.original1");
        NDArray w = v.mul(g).div(v.square().sum(new int[] {1, 2}, true).sqrt());
        return Conv1d.conv1d(x, w, p.get(name + ".bias"),
                new Shape(1), new Shape(0), new Shape(dilation), 1).singletonOrThrow();
    }

    /** One event per batch row: onset frame (host), amplitude (B) and vector (B, D), both carrying gradients. */
    public record Choice(long[] frames, NDArray amplitudes, NDArray vectors) {}

    /**
     * MODEL_SPEC §2.3: ReLU of the switch, onsets only in the first half of the window, hard argmax (first index on
     * ties; an all-zero row picks frame 0 with amplitude 0).
     */
    public Choice choose(Encoded e) {
        return firstMax(e, (int) e.switches().getShape().get(1) / 2);
    }

    /**
     * {@code encode(spec)} on the onset half only: the outputs of frames [0, T/2), where §2.3 lets onsets fall,
     * computed from the input frames [0, T/2 + receptiveField() - 1) they depend on. Exact (those outputs never see the
     * frames left out) and a quarter cheaper than encoding the whole window.
     */
    public Encoded encodeOnsets(NDArray spec) {
        long t = spec.getShape().get(2);
        long keep = t / 2;
        long need = keep + receptiveField() - 1;
        Encoded e = encode(need < t ? spec.get(":, :, 0:" + need) : spec);
        return new Encoded(e.vectors().get(":, :, 0:" + keep), e.switches().get(":, 0:" + keep));
    }

    /** {@link #choose} over an {@link #encodeOnsets} output: every frame it holds is an allowed onset. */
    public Choice chooseOnset(Encoded onsets) {
        return firstMax(onsets, (int) onsets.switches().getShape().get(1));
    }

    /** Per row, the first frame of [0, allowed) with the largest ReLU(switch). */
    private Choice firstMax(Encoded e, int allowed) {
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
    public Choice pick(Encoded e, long[] frames) {
        NDArray act = Activation.relu(e.switches());
        NDList amps = new NDList();
        NDList vecs = new NDList();
        for (int b = 0; b < frames.length; b++) {
            long t = frames[b];
            amps.add(act.get(b + ", " + t + ":" + (t + 1)));
            vecs.add(e.vectors().get(b + ", :, " + t).expandDims(0));
        }
        return new Choice(frames, concat(amps), concat(vecs));
    }

    /** Frames the encoder's output at frame t depends on: t .. t + sum(dilations) (MODEL_SPEC §2.2, anti-causal). */
    public int receptiveField() {
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
    public Choice encodeAndPick(NDArray spec, long[] frames) {
        int field = receptiveField();
        long t = spec.getShape().get(2);
        for (long f : frames) if (f < 0 || f + field > t) return pick(encode(spec), frames);
        NDList rows = new NDList();
        for (int b = 0; b < frames.length; b++) {
            rows.add(spec.get(b + ":" + (b + 1) + ", :, " + frames[b] + ":" + (frames[b] + field)));
        }
        Choice at = pick(encode(concat(rows)), new long[frames.length]);
        return new Choice(frames, at.amplitudes(), at.vectors());
    }

    // ------------------------------------------------------------------------------------------------ heads

    /** MODEL_SPEC §4.1 for the heads the generator uses: vectors (B, D) -> logits per head, shaped (B, ...). */
    public Map<String, NDArray> heads(NDArray vectors) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        long batch = vectors.getShape().get(0);
        for (var e : headShapes().entrySet()) {
            if (UNUSED_HEADS.contains(e.getKey())) continue;
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

    // ------------------------------------------------------------------------------------------------ generator

    /**
     * One rendered event before scheduling (time 0, unit switch): out (B, N) and the sub-frame delay in samples (B).
     * Intermediates (null unless asked): impulse = filtered noise excitation, resonated = excitation through the
     * deforming resonances, dry, and deformations (B, C, T) = interpolation weights between resonances per frame.
     */
    public record Rendered(NDArray out, NDArray shiftSamples, NDArray impulse, NDArray resonated, NDArray dry,
                           NDArray deformations) {}

    /** MODEL_SPEC §4.4-4.7 steps 1-10, plus the fine-shift amount of step 12. Events are c.eventLength() samples long. */
    public Rendered render(NDArray vectors, boolean intermediates) {
        ModelConfig c = config;
        int n = c.eventLength();
        Map<String, NDArray> h = heads(vectors);

        NDArray env = envelope(h.get("envelopes"));                       // (B, envelopeSamples)

        // noise filters: short FIR filters, convolved only over the envelope's non-zero span (exact, see PERFORMANCE_NOTES)
        NDArray filters = Activation.relu(h.get("noise_resonance")).matMul(Spectral.unitNorm(p.get("resonance.n.items")));
        int span = c.envelopeSamples + c.noiseFilterTaps - 1;
        int fftSize = Integer.highestOneBit(span - 1) << 1;
        NDArray filtered = env.expandDims(1).rfft(fftSize, -1).mul(filters.rfft(fftSize, -1))
                .irfft(fftSize, -1).get("..., 0:" + span);                // (B, NE, span)
        NDArray noiseWarp = deformation(h.get("noise_deformations"), "resonance.noise_warp.items", c.noiseExpressivity);
        NDArray impulse = filtered.mul(upsampleFrames(noiseWarp).get("..., 0:" + span)).sum(new int[] {1});
        NDArray[] nm = split2(h.get("noise_mixes").softmax(-1));
        NDArray exc = env.pad(new Shape(0, span - c.envelopeSamples), 0).mul(nm[0]).add(impulse.mul(nm[1])); // (B, span)

        // resonances: one spectrum of the excitation shared by the C convolutions
        NDArray resonances = resonance(h.get("resonances"));               // (B, C, N)
        NDArray warp = deformation(h.get("deformations"), "resonance.warp.items", c.resonanceExpressivity);
        NDArray excSpec = exc.rfft(2L * n, -1).expandDims(1);
        NDArray resonated = excSpec.mul(resonances.rfft(2L * n, -1)).irfft(2L * n, -1).get("..., 0:" + n)
                .mul(upsampleFrames(warp)).sum(new int[] {1});             // (B, N)
        NDArray[] mx = split2(h.get("mixes").softmax(-1));
        NDArray excN = exc.pad(new Shape(0, n - span), 0);
        NDArray dry = excN.mul(mx[0]).add(resonated.mul(mx[1]));

        NDArray ir = Activation.relu(h.get("room_choice")).matMul(p.get("resonance.verb.items"));
        NDArray wet = Spectral.fftConvolve(ir, dry);
        NDArray[] rm = split2(h.get("room_mix").softmax(-1));
        NDArray out = wet.mul(rm[0]).add(dry.mul(rm[1]));

        // MODEL_SPEC §4.7 step 12: the reference's phase ramp uses N+1, a delay of tanh(fine)*256*N/(N+1) samples
        NDArray shift = Ops.mul(h.get("fine").reshape(-1).tanh(), (double) c.fineShiftSamples * n / (n + 1.0));
        if (!intermediates) return new Rendered(out, shift, null, null, null, null);
        return new Rendered(out, shift, impulse.pad(new Shape(0, n - span), 0), resonated, dry, warp);
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
        ModelConfig c = config;
        NDManager m = logits.getManager();
        int win = c.resonanceWindow;
        int k = win / 2 + 1;
        int frames = c.eventLength() / (win / 2);
        NDArray row = Activation.relu(logits).matMul(p.get("resonance.r.items"));   // (B, C, 3K)
        NDArray decay = Ops.add(Ops.mul(Activation.sigmoid(row.get("..., 0:" + k)), 0.9999f * (1 - c.baseResonance)), c.baseResonance);
        NDArray phase = Ops.mul(row.get("..., " + k + ":" + 2 * k).tanh(), Math.PI);
        NDArray start = Activation.sigmoid(row.get("..., " + 2 * k + ":" + 3 * k));

        float[] f = new float[frames];
        float[] f1 = new float[frames];
        for (int i = 0; i < frames; i++) {
            f[i] = i;
            f1[i] = i + 1;
        }
        float[] gamma = new float[k];
        for (int i = 0; i < k; i++) gamma[i] = (float) (Math.PI * i / (k - 1));
        NDArray fIdx = Ops.constant(m, f, new Shape(frames, 1));
        // magnitude a * m^f, computed in log space like the reference's cumulative sum of logs
        NDArray logMag = Ops.add(start, 1e-12).log().expandDims(2)
                .add(Ops.add(decay, 1e-12).log().expandDims(2).mul(fIdx));
        NDArray mag = logMag.exp();                                                    // (B, C, F, K)
        NDArray ph = Ops.constant(m, f1, new Shape(frames, 1)).mul(Ops.constant(m, gamma)).add(phase.expandDims(2));
        NDArray one = Ops.constant(m, new float[] {1, 0}).complex();
        NDArray i = Ops.constant(m, new float[] {0, 1}).complex();
        NDArray spec = mag.mul(ph.cos()).mul(one).add(mag.mul(ph.sin()).mul(i));
        NDArray frameAudio = spec.irfft(win, -1).mul(Ops.constant(m, Spectral.hann(win)));  // (B, C, F, win)
        NDArray audio = overlapAddHalf(frameAudio);
        return Spectral.unitNorm(Spectral.maxNorm(Spectral.keepFirst(audio, c.eventLength())));
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

    /** Concatenation along axis 0 that keeps the graph: DJL's concat of a single array returns a detached copy. */
    static NDArray concat(NDList parts) {
        return parts.size() == 1 ? parts.head() : ai.djl.ndarray.NDArrays.concat(parts, 0);
    }

    private static NDArray[] split2(NDArray w) {
        return new NDArray[] {w.get("..., 0:1"), w.get("..., 1:2")};
    }

    /**
     * MODEL_SPEC §4.7 steps 11-12 exactly: delay by hop*frame samples scaled by the amplitude (cropped to N), then the
     * fractional delay as a phase ramp on the 2N-zero-padded signal, keeping the first N samples.
     */
    public NDArray schedule(NDArray out, long[] frames, NDArray amplitudes, NDArray shiftSamples) {
        int n = config.windowSamples;
        NDManager m = out.getManager();
        NDList rows = new NDList();
        for (int b = 0; b < frames.length; b++) {
            int delay = (int) (frames[b] * config.stftHop);
            NDArray row = out.get(b + ", 0:" + (n - delay));
            rows.add(delay == 0 ? row.expandDims(0) : row.pad(new Shape(delay, 0), 0).expandDims(0));
        }
        NDArray y = concat(rows).mul(amplitudes.expandDims(1));
        return fractionalDelay(y, shiftSamples, m);
    }

    /** Delays each row of (B, N) by shiftSamples (B) samples (circular in a 2N buffer, cropped to N). */
    public static NDArray fractionalDelay(NDArray y, NDArray shiftSamples, NDManager m) {
        long n = y.getShape().get(y.getShape().dimension() - 1);
        return Spectral.phaseDelay(y, shiftSamples, 2 * n).get("..., 0:" + n);
    }

    /** The event audio (B, N) of vectors placed at onset frames with amplitudes (MODEL_SPEC §4.7). */
    public NDArray generate(NDArray vectors, long[] frames, NDArray amplitudes) {
        return generatePlaced(vectors, frames, amplitudes).audio();
    }

    /** Placed events: audio (B, N) and its magnitude spectrogram (B, bins, T). */
    public record Placed(NDArray audio, NDArray spectrogram) {}

    /**
     * Events placed at onset frames with amplitudes, with their spectrograms. Full-length events (the seed's model):
     * MODEL_SPEC §4.7's scheduling and the STFT of the placed window. Short events: {@link #placedRows} put at
     * onset - guard (the part before the window start cut off), and the spectrogram computed over the frames the row
     * can reach only; the others are exactly zero.
     */
    public Placed generatePlaced(NDArray vectors, long[] frames, NDArray amplitudes) {
        Rendered r = render(vectors, false);
        if (!config.shortEvents()) {
            NDArray audio = schedule(r.out(), frames, amplitudes, r.shiftSamples());
            return new Placed(audio, Spectral.magnitude(audio));
        }
        ModelConfig c = config;
        int n = c.windowSamples;
        int hop = c.stftHop;
        int span = c.eventLength() + 2 * c.guardSamples();
        int context = PLACED_CONTEXT_FRAMES * hop;
        NDArray rows = placedRows(r, amplitudes.expandDims(1));
        NDManager m = rows.getManager();
        int count = frames.length;
        int[] starts = new int[count], cuts = new int[count], keeps = new int[count];
        NDList kept = new NDList();
        for (int b = 0; b < count; b++) {
            // the part of the row inside the window [0, n): samples before or after it are not rendered
            // an onset at or past the window's end renders nothing (clamped so the int arithmetic cannot overflow)
            starts[b] = (int) Math.min(n, frames[b] * hop - c.guardSamples());
            cuts[b] = Math.max(0, -starts[b]);
            keeps[b] = Math.min(span - cuts[b], n - (starts[b] + cuts[b]));
            if (keeps[b] <= 0) {
                kept.add(m.zeros(new Shape(1, span)));
            } else {
                NDArray row = rows.get(b + ":" + (b + 1) + ", " + cuts[b] + ":" + (cuts[b] + keeps[b]));
                kept.add(row.pad(new Shape(cuts[b], span - cuts[b] - keeps[b]), 0));
            }
        }
        NDArray masked = concat(kept);
        NDArray spec = placedSpectrogram(masked);                                 // (B, bins, width)
        int width = (int) spec.getShape().get(2);
        int t = c.frames();
        NDList audio = new NDList();
        NDList specs = new NDList();
        for (int b = 0; b < count; b++) {
            if (keeps[b] <= 0) {
                audio.add(m.zeros(new Shape(1, n)));
            } else {
                int at = starts[b] + cuts[b];
                NDArray row = masked.get(b + ":" + (b + 1) + ", " + cuts[b] + ":" + (cuts[b] + keeps[b]));
                audio.add(row.pad(new Shape(at, n - at - keeps[b]), 0));
            }
            int first = (starts[b] - context) / hop;           // window frame of the row's spectrogram frame 0
            int lo = Math.max(0, -first);
            int hi = Math.min(width, t - first);
            if (hi <= lo) {
                specs.add(m.zeros(new Shape(1, c.bins(), t)));
            } else {
                NDArray part = spec.get(b + ":" + (b + 1) + ", :, " + lo + ":" + hi);
                specs.add(part.pad(new Shape(first + lo, t - first - hi), 0));
            }
        }
        return new Placed(concat(audio), concat(specs));
    }

    /**
     * STFT frames that start before a placed row yet overlap its first samples (frame f covers [hop f, hop f + window)):
     * they hold part of the event's attack.
     */
    public static final int PLACED_CONTEXT_FRAMES = (Spectral.WINDOW - Spectral.HOP) / Spectral.HOP;

    /**
     * The magnitude spectrogram of {@link #placedRows} rows (E, span), the {@link #PLACED_CONTEXT_FRAMES} frames that
     * start before each row first: (E, bins, context + span / hop).
     */
    public static NDArray placedSpectrogram(NDArray rows) {
        return Spectral.magnitude(rows.pad(new Shape((long) PLACED_CONTEXT_FRAMES * Spectral.HOP, 0), 0));
    }

    /**
     * Rows (B, L + 2G) of rendered events (L = c.eventLength(), G = c.guardSamples()) times their amplitudes (B, 1):
     * G zeros, then the event delayed by its sub-frame shift with a phase ramp in a 2L buffer (|shift| &lt;= G, so
     * nothing wraps into the row), cropped. Row r belongs at sample onset - G. The codec places every event this way;
     * the model does for short events.
     */
    public NDArray placedRows(Rendered r, NDArray amplitudes) {
        int n = config.eventLength();
        int g = config.guardSamples();
        NDArray buf = r.out().mul(amplitudes).pad(new Shape(g, n - g), 0);
        return Spectral.phaseDelay(buf, r.shiftSamples(), 2L * n).get("..., 0:" + (n + 2 * g));
    }

    // ------------------------------------------------------------------------------------------------ loop

    /** Result of the iterative loop: per step k, events (B, N), vectors (B, D), onset frames, amplitudes (B). */
    public record Iteration(List<NDArray> events, List<NDArray> eventSpectra, List<NDArray> vectors,
                            List<long[]> frames, List<NDArray> amplitudes, List<NDArray> residuals) {}

    /**
     * MODEL_SPEC §3 on a (B, N) batch of windows: steps times, encode the residual spectrogram, render the chosen
     * event, subtract its magnitude spectrogram (the residual is detached). Each step runs in its own scope, so only
     * what is returned stays allocated; gradients (when recording) flow through events and event spectra.
     */
    public Iteration iterative(NDArray audio, int steps, boolean keepResiduals) {
        NDArray residual = Spectral.magnitude(audio);
        return iterativeFromSpectrogram(residual, steps, keepResiduals);
    }

    public Iteration iterativeFromSpectrogram(NDArray residual, int steps, boolean keepResiduals) {
        List<NDArray> events = new ArrayList<>(), spectra = new ArrayList<>(), vectors = new ArrayList<>(),
                amps = new ArrayList<>(), residuals = new ArrayList<>();
        List<long[]> frames = new ArrayList<>();
        // While gradients are recorded, arrays the graph refers to must stay open until backward has run (closing
        // them early corrupted gradients in DJL 0.36), so per-step scopes are used only for inference; training
        // closes everything with the step's manager.
        boolean recording = JniUtils.isGradMode();
        for (int k = 0; k < steps; k++) {
            NDScope scope = recording ? null : new NDScope();
            try {
                Choice ch = chooseOnset(encodeOnsets(residual));
                Placed placed = generatePlaced(ch.vectors(), ch.frames(), ch.amplitudes());
                NDArray ev = placed.audio();
                NDArray spec = placed.spectrogram();
                NDArray next = residual.sub(spec).stopGradient();
                if (scope != null) NDScope.unregister(ev, spec, ch.vectors(), ch.amplitudes(), next);
                events.add(ev);
                spectra.add(spec);
                vectors.add(ch.vectors());
                amps.add(ch.amplitudes());
                frames.add(ch.frames());
                if (keepResiduals) residuals.add(next);
                else if (k > 0 && !recording) residual.close(); // our own previous residual; the first is the caller's
                residual = next;
            } finally {
                if (scope != null) scope.close();
            }
        }
        return new Iteration(events, spectra, vectors, frames, amps, residuals);
    }
}
