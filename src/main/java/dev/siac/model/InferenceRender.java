package dev.siac.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.siac.dsp.NativeFft;
import dev.siac.dsp.Ops;
import dev.siac.dsp.Spectral;

/**
 * The codec's event render for inference (no gradients): {@link SiacModel#placedRows} of {@link SiacModel#render}, the
 * same values to float rounding, cheaper. What depends only on the weights is computed once here (the unit-norm noise
 * filters, the spectra of the room impulse responses, the resonances' and the phase ramp's constants); the
 * convolutions run on the smallest FFT length with factors 2, 3 and 5 that holds their linear result (which is then
 * truncated as before, so nothing wraps); the room's impulse response is mixed in the frequency domain (the spectrum
 * is linear in the IRs); complex spectra are built with one product by i instead of two.
 *
 * <p>The weights must not change while this is used: make it after loading (or training) and close it, or the model,
 * when done. Training keeps to the original operations ({@link Generator#render(NDArray, boolean)}), whose values and
 * gradients this does not touch. Safe to use from several threads at once (its arrays are only read).
 */
public final class InferenceRender implements AutoCloseable {
    private final ModelConfig config;
    private final Generator generator;
    private final NDManager manager;
    final NDArray noiseBank;
    final int noiseFft;
    final long resonanceFft;
    /** rfft(room IRs, 2N) as (rooms, (N + 1) * 2) real numbers, (re, im) pairs. */
    private final NDArray roomSpectra;
    final NDArray frameIndex;
    final NDArray framePhase;
    final NDArray resonanceWindow;
    private final NDArray rampBins;
    private final NDArray rampScale;
    private final NDArray imaginaryUnit;
    private final StackedHeads heads;

    InferenceRender(ModelConfig c, Parameters p, Generator generator) {
        this.config = c;
        this.generator = generator;
        this.manager = p.manager().newSubManager();
        try (NDScope scope = new NDScope()) {
            int n = c.eventLength();
            int span = c.envelopeSamples + c.noiseFilterTaps - 1;
            noiseFft = fastFftSize(span);
            resonanceFft = fastFftSize(span + n - 1L);
            int win = c.resonanceWindow;
            int frames = n / (win / 2);
            noiseBank = own(Spectral.unitNorm(p.get("resonance.n.items")));
            NDArray rooms = p.get("resonance.verb.items");
            long count = rooms.getShape().get(0);
            roomSpectra = own(rooms.rfft(2L * n, -1).real().reshape(count, 2L * (n + 1)));
            frameIndex = Ops.constant(manager, Generator.frameIndex(frames, 0), new Shape(frames, 1));
            framePhase = own(Generator.framePhase(manager, frames, win / 2 + 1));
            resonanceWindow = Ops.constant(manager, Spectral.hann(win));
            float[] k = new float[n + 1];
            for (int i = 0; i < k.length; i++) k[i] = i;
            rampBins = Ops.constant(manager, k);
            rampScale = Ops.scalar(manager, -2 * Math.PI / (2.0 * n));
            imaginaryUnit = Ops.constant(manager, new float[] {0, 1}).complex();
            NDScope.unregister(noiseBank, roomSpectra, frameIndex, framePhase, resonanceWindow, rampBins, rampScale,
                    imaginaryUnit);
        }
        heads = new StackedHeads(c, p, manager);
    }

    /** {@link Heads#heads}: the same logits to float rounding, one product per layer for all heads. */
    java.util.Map<String, NDArray> heads(NDArray vectors) {
        return heads.heads(vectors);
    }

    /** A copy of a derived array in this object's own memory (the intermediates close with the constructor's scope). */
    private NDArray own(NDArray x) {
        NDArray y = x.duplicate();
        y.attach(manager);
        return y;
    }

    /** The smallest length >= min whose only prime factors are 2, 3 and 5 (fast for libtorch's FFT). */
    static int fastFftSize(long min) {
        long best = Long.MAX_VALUE;
        for (long a = 1; a < 2 * min; a *= 2) {
            for (long b = a; b < 2 * min; b *= 3) {
                for (long v = b; v < 2 * min; v *= 5) {
                    if (v >= min && v < best) best = v;
                }
            }
        }
        return Math.toIntExact(best);
    }

    /**
     * {@link Spectral#fftConvolve} of the rooms mixed by weights (B, rooms) with signals (B, N): the mixed IR's
     * spectrum is the same mix of the rooms' spectra.
     */
    NDArray roomConvolve(NDArray weights, NDArray signal) {
        long n = signal.getShape().get(signal.getShape().dimension() - 1);
        long batch = weights.getShape().get(0);
        NDArray irSpec = weights.matMul(roomSpectra).reshape(batch, n + 1, 2).complex();
        return irfft(rfft(signal, 2 * n).mul(irSpec), 2 * n, n);
    }

    /**
     * Rows (E, L + 2G) of events (vectors (E, D)) times amplitudes (E, 1), as
     * {@code model.placedRows(model.render(vectors, false), amplitudes)} (MODEL_SPEC §4.7's phase ramp, in a 2L buffer).
     */
    public NDArray placedRows(NDArray vectors, NDArray amplitudes) {
        SiacModel.Rendered r = generator.render(vectors, false, this);
        int n = config.eventLength();
        int g = config.guardSamples();
        long fft = 2L * n;
        NDArray buf = r.out().mul(amplitudes).pad(new Shape(g, n - g), 0);
        // Spectral.phaseDelay's ramp with the same float operations, applied as one complex product
        NDArray ang = r.shiftSamples().expandDims(1).mul(rampBins).mul(rampScale);
        NDArray ramp = complex(ang.cos(), ang.sin());
        return irfft(rfft(buf, fft).mul(ramp), fft, n + 2L * g);
    }

    /**
     * Rows up to which {@link NativeFft} is used: where libtorch's per-call setup dominates (the encoder renders one
     * event a step). A decode's batches of eight events ran faster on libtorch's (1.2x the wall time natively).
     */
    static final long NATIVE_MAX_ROWS = 2;

    /** rfft along the last axis ({@link NativeFft} for a few rows when it is available, else libtorch's). */
    static NDArray rfft(NDArray x, long n) {
        return fewRows(x) ? NativeFft.rfft(x, Math.toIntExact(n)) : x.rfft(n, -1);
    }

    /** irfft along the last axis to n samples, the first keep kept ({@link NativeFft} as {@link #rfft}). */
    static NDArray irfft(NDArray x, long n, long keep) {
        if (fewRows(x)) return NativeFft.irfft(x, Math.toIntExact(n), Math.toIntExact(keep));
        return Spectral.keepFirst(x.irfft(n, -1), keep);
    }

    private static boolean fewRows(NDArray x) {
        Shape s = x.getShape();
        return NativeFft.available() && s.size() / s.get(s.dimension() - 1) <= NATIVE_MAX_ROWS;
    }

    /**
     * re + i im as a complex array, the same values as the products by 1 and i it replaces: re converted (imaginary
     * part 0) plus im times i. Several times faster than interleaving the two with stack.
     */
    NDArray complex(NDArray re, NDArray im) {
        return re.toType(DataType.COMPLEX64, false).add(im.mul(imaginaryUnit));
    }

    @Override
    public void close() {
        manager.close();
    }
}
