package dev.siac.dsp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The model's spectral transforms (MODEL_SPEC §2.1 and §4.7), written with libtorch ops so that they carry
 * gradients. All functions take time along the last axis.
 */
public final class Spectral {
    public static final int WINDOW = 2048;
    public static final int HOP = 256;
    public static final int BINS = WINDOW / 2 + 1;

    private Spectral() {}

    /** Periodic Hann window w[n] = 0.5 - 0.5 cos(2 pi n / size). */
    public static float[] hann(int size) {
        float[] w = new float[size];
        for (int n = 0; n < size; n++) w[n] = (float) (0.5 - 0.5 * Math.cos(2 * Math.PI * n / size));
        return w;
    }

    /**
     * Magnitude STFT, MODEL_SPEC §2.1: frames F = floor(L/256); the signal is zero-padded at the end by 2048,
     * frame f = samples [256f, 256f+2048), periodic Hann, real FFT scaled by 1/sqrt(2048), magnitude.
     * Input (..., L) -> output (..., 1025, F).
     */
    public static NDArray magnitude(NDArray audio) {
        Shape shape = audio.getShape();
        long length = shape.get(shape.dimension() - 1);
        long frames = length / HOP;
        Shape lead = shape.slice(0, shape.dimension() - 1);
        NDArray flat = audio.reshape(-1, length);
        NDArray padded = flat.pad(new Shape(0, WINDOW), 0);
        NDManager m = audio.getManager();
        NDArray window = Ops.constant(m, hann(WINDOW));
        NDArray spec = padded.stft(WINDOW, HOP, false, window, false, true);
        NDArray mag = spec.abs();
        if (mag.getShape().get(2) != frames) mag = mag.get(":, :, 0:" + frames);
        mag = Ops.mul(mag, 1.0 / Math.sqrt(WINDOW));
        return mag.reshape(lead.addAll(new Shape(BINS, frames)));
    }

    /** {@link #hann}(WINDOW), for the native path (never written). */
    private static final float[] HANN = hann(WINDOW);

    /**
     * {@link #magnitude} of one signal that starts after lead zeros: (1025, F) bin-major in a float array, F = (lead +
     * x.length) / 256. Through {@link NativeFft} where it is available (one call: frames, transforms, magnitudes; the
     * same values to float rounding), else {@link #magnitude} on an array of m's.
     */
    public static float[] magnitude(NDManager m, float[] x, int lead) {
        if (NativeFft.available()) return NativeFft.magnitude(x, lead, WINDOW, HOP, HANN, (float) (1.0 / Math.sqrt(WINDOW)));
        float[] padded = new float[lead + x.length];
        System.arraycopy(x, 0, padded, lead, x.length);
        try (NDManager sub = m.newSubManager()) {
            return magnitude(sub.create(padded)).toFloatArray();
        }
    }

    /** The floor of mel_l1's logarithm (docs/METRICS.md), on librosa's STFT scale (not divided by sqrt(2048)). */
    public static final double LOG_FLOOR = 1e-5;

    /**
     * The complex STFT of {@link #magnitude}'s frames, without its end padding: a (L) signal gives frames
     * f = samples [256f, 256f+2048) for f = 0 .. (L - 2048)/256, as (1025, frames, 2) real and imaginary parts,
     * scaled by 1/sqrt(2048) like {@link #magnitude}.
     */
    public static NDArray complexFrames(NDArray audio) {
        NDArray window = Ops.constant(audio.getManager(), hann(WINDOW));
        NDArray spec = audio.stft(WINDOW, HOP, false, window, false, true).real();
        return Ops.mul(spec, 1.0 / Math.sqrt(WINDOW));
    }

    /**
     * Truncated linear convolution of two length-N signals (MODEL_SPEC §4.7): zero-pad to 2N, multiply spectra,
     * invert, keep the first N samples. Operands broadcast over leading axes.
     */
    public static NDArray fftConvolve(NDArray a, NDArray b) {
        long n = a.getShape().get(a.getShape().dimension() - 1);
        NDArray spec = a.rfft(2 * n, -1).mul(b.rfft(2 * n, -1));
        return keepFirst(spec.irfft(2 * n, -1), n);
    }

    /**
     * Delays each row of (B, L) by shiftSamples (B) samples with a linear phase ramp over an fftLength-point real
     * FFT (zero-padding when fftLength > L): circular within fftLength, band-limited for fractional shifts. Returns
     * (B, fftLength). The model's fine shift (MODEL_SPEC §4.7 step 12) and the codec's event placement both use it.
     */
    public static NDArray phaseDelay(NDArray y, NDArray shiftSamples, long fftLength) {
        NDManager m = y.getManager();
        float[] k = new float[(int) (fftLength / 2 + 1)];
        for (int i = 0; i < k.length; i++) k[i] = i;
        NDArray ang = Ops.mul(Ops.constant(m, k).mul(shiftSamples.expandDims(1)), -2 * Math.PI / fftLength);
        NDArray spec = y.rfft(fftLength, -1);
        NDArray i = Ops.constant(m, new float[] {0, 1}).complex();
        return spec.mul(ang.cos()).add(spec.mul(i).mul(ang.sin())).irfft(fftLength, -1);
    }

    /** Keeps the first n samples along the last axis. */
    public static NDArray keepFirst(NDArray x, long n) {
        long len = x.getShape().get(x.getShape().dimension() - 1);
        if (len == n) return x;
        return x.get("..., 0:" + n);
    }

    /** Divides by the maximum absolute value along the last axis (+1e-8), as the reference's max_norm. */
    public static NDArray maxNorm(NDArray x) {
        return x.div(Ops.add(x.abs().max(new int[] {-1}, true), 1e-8));
    }

    /** Divides by the L2 norm along the last axis (+1e-8), as the reference's unit_norm. */
    public static NDArray unitNorm(NDArray x) {
        return x.div(Ops.add(x.square().sum(new int[] {-1}, true).sqrt(), 1e-8));
    }
}
