package dev.siac.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.siac.dsp.Spectral;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The seed's iterative-decomposition model (MODEL_SPEC.md): an anti-causal gated dilated encoder that picks one event
 * per step ({@link Encoder}), a 12-head MLP that turns an event vector into choices over parameter banks
 * ({@link Heads}), and a physics-inspired event generator (energy impulse -> noise filters -> deforming resonances ->
 * room impulse response: {@link Generator}) whose events are placed in the window ({@link Placement}). Each component
 * declares its parameters and their initialisation next to its forward code; this class holds the parameters, the
 * records the components exchange, and the iterative loop (MODEL_SPEC §3).
 *
 * <p>Shapes: B = batch (or number of events rendered together), T = frames per window (512), N = window samples
 * (2^17), D = event vector size (32). All methods are pure functions of their inputs and the parameters; callers
 * own scopes and gradient recording.
 */
public final class SiacModel implements AutoCloseable {
    /** Heads of the multi-head transform, in the reference's order. */
    public static final List<String> HEADS = Heads.ALL;
    /** Heads the reference computes but never uses (kept only when config.referenceUnused). */
    static final List<String> UNUSED_HEADS = Heads.UNUSED;

    public final ModelConfig config;
    final Parameters p;
    private final Encoder encoder;
    private final Heads heads;
    private final Generator generator;
    private final Placement placement;

    SiacModel(ModelConfig config, Parameters p) {
        this.config = config;
        this.p = p;
        this.encoder = new Encoder(config, p);
        this.heads = new Heads(config, p);
        this.generator = new Generator(config, p, heads);
        this.placement = new Placement(config, generator);
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
        return Heads.shapes(config);
    }

    // ------------------------------------------------------------------------------------------------ encoder

    /** Encoder outputs for a (B, bins, T) spectrogram: vectors (B, D, T) and switch activations (B, T). */
    public record Encoded(NDArray vectors, NDArray switches) {}

    /** MODEL_SPEC §2.2 ({@link Encoder}). */
    public Encoded encode(NDArray spec) {
        return encoder.encode(spec);
    }

    /** One event per batch row: onset frame (host), amplitude (B) and vector (B, D), both carrying gradients. */
    public record Choice(long[] frames, NDArray amplitudes, NDArray vectors) {}

    /** MODEL_SPEC §2.3: onsets only in the first half of the window, hard argmax of ReLU(switch) ({@link Encoder}). */
    public Choice choose(Encoded e) {
        return encoder.choose(e);
    }

    /** The encoder's outputs of the onset half only, exact and a quarter cheaper ({@link Encoder#encodeOnsets}). */
    public Encoded encodeOnsets(NDArray spec) {
        return encoder.encodeOnsets(spec);
    }

    /** {@link #choose} over an {@link #encodeOnsets} output: every frame it holds is an allowed onset. */
    public Choice chooseOnset(Encoded onsets) {
        return encoder.chooseOnset(onsets);
    }

    /** {@link #encodeOnsets} for inference on these weights ({@link InferenceEncoder}); freed with the model's memory. */
    public InferenceEncoder inferenceEncoder() {
        return new InferenceEncoder(config, p, encoder);
    }

    /** The amplitude (ReLU of the switch) and vector at given onset frames. */
    public Choice pick(Encoded e, long[] frames) {
        return encoder.pick(e, frames);
    }

    /** Frames the encoder's output at frame t depends on: t .. t + sum(dilations) (MODEL_SPEC §2.2, anti-causal). */
    public int receptiveField() {
        return encoder.receptiveField();
    }

    /** {@code pick(encode(spec), frames)} from each row's receptive field only ({@link Encoder#encodeAndPick}). */
    public Choice encodeAndPick(NDArray spec, long[] frames) {
        return encoder.encodeAndPick(spec, frames);
    }

    // ------------------------------------------------------------------------------------------------ heads

    /** MODEL_SPEC §4.1 for the heads the generator uses: vectors (B, D) -> logits per head ({@link Heads}). */
    public Map<String, NDArray> heads(NDArray vectors) {
        return heads.heads(vectors);
    }

    // ------------------------------------------------------------------------------------------------ generator

    /**
     * One rendered event before scheduling (time 0, unit switch): out (B, N) and the sub-frame delay in samples (B).
     * Intermediates (null unless asked): impulse = filtered noise excitation, resonated = excitation through the
     * deforming resonances, dry, and deformations (B, C, T) = interpolation weights between resonances per frame.
     */
    public record Rendered(NDArray out, NDArray shiftSamples, NDArray impulse, NDArray resonated, NDArray dry,
                           NDArray deformations) {}

    /** MODEL_SPEC §4.4-4.7 steps 1-10, plus the fine-shift amount of step 12 ({@link Generator}). */
    public Rendered render(NDArray vectors, boolean intermediates) {
        return generator.render(vectors, intermediates);
    }

    /**
     * The event render for inference on these weights ({@link InferenceRender}), computing what depends only on them
     * now; its memory is freed with the model's, or by closing it.
     */
    public InferenceRender inferenceRender() {
        return new InferenceRender(config, p, generator);
    }

    NDArray envelope(NDArray logits) {
        return generator.envelope(logits);
    }

    NDArray deformation(NDArray logits, String bank, int channels) {
        return generator.deformation(logits, bank, channels);
    }

    NDArray upsampleFrames(NDArray x) {
        return generator.upsampleFrames(x);
    }

    NDArray resonance(NDArray logits) {
        return generator.resonance(logits);
    }

    /** Concatenation along axis 0 that keeps the graph: DJL's concat of a single array returns a detached copy. */
    static NDArray concat(NDList parts) {
        return parts.size() == 1 ? parts.head() : ai.djl.ndarray.NDArrays.concat(parts, 0);
    }

    /** MODEL_SPEC §4.7 steps 11-12: onset delay, amplitude, fractional delay ({@link Placement}). */
    public NDArray schedule(NDArray out, long[] frames, NDArray amplitudes, NDArray shiftSamples) {
        return placement.schedule(out, frames, amplitudes, shiftSamples);
    }

    /** Delays each row of (B, N) by shiftSamples (B) samples (circular in a 2N buffer, cropped to N). */
    public static NDArray fractionalDelay(NDArray y, NDArray shiftSamples, NDManager m) {
        return Placement.fractionalDelay(y, shiftSamples, m);
    }

    /** The event audio (B, N) of vectors placed at onset frames with amplitudes (MODEL_SPEC §4.7). */
    public NDArray generate(NDArray vectors, long[] frames, NDArray amplitudes) {
        return placement.generate(vectors, frames, amplitudes);
    }

    /** Placed events: audio (B, N) and its magnitude spectrogram (B, bins, T). */
    public record Placed(NDArray audio, NDArray spectrogram) {}

    /** Events placed at onset frames with amplitudes, with their spectrograms ({@link Placement#generatePlaced}). */
    public Placed generatePlaced(NDArray vectors, long[] frames, NDArray amplitudes) {
        return placement.generatePlaced(vectors, frames, amplitudes);
    }

    /** Rows (B, L + 2G) of rendered events times their amplitudes, shifted ({@link Placement#placedRows}). */
    public NDArray placedRows(Rendered r, NDArray amplitudes) {
        return placement.placedRows(r, amplitudes);
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
        // While gradients are recorded, arrays the graph refers to must stay open until backward has run (closing
        // them early corrupted gradients in DJL 0.36), so per-step scopes are used only for inference; training
        // closes everything with the step's manager.
        boolean recording = JniUtils.isGradMode();
        // without gradients the loop runs the inference paths (the same values to float rounding, faster), made for
        // this call: training changes the weights between calls, and they compute what depends on the weights once
        InferenceEncoder loopEncoder = recording ? null : inferenceEncoder();
        InferenceRender loopRender = recording ? null : inferenceRender();
        try {
            return loop(residual, steps, keepResiduals, recording, loopEncoder, loopRender);
        } finally {
            if (loopEncoder != null) loopEncoder.close();
            if (loopRender != null) loopRender.close();
        }
    }

    private Iteration loop(NDArray residual, int steps, boolean keepResiduals, boolean recording,
                           InferenceEncoder loopEncoder, InferenceRender loopRender) {
        List<NDArray> events = new ArrayList<>(), spectra = new ArrayList<>(), vectors = new ArrayList<>(),
                amps = new ArrayList<>(), residuals = new ArrayList<>();
        List<long[]> frames = new ArrayList<>();
        for (int k = 0; k < steps; k++) {
            NDScope scope = recording ? null : new NDScope();
            try {
                Choice ch = chooseOnset(recording ? encodeOnsets(residual) : loopEncoder.encodeOnsets(residual));
                Placed placed = placement.generatePlaced(ch.vectors(), ch.frames(), ch.amplitudes(),
                        recording ? null : loopRender);
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
