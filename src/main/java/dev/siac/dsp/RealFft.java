package dev.siac.dsp;

/**
 * A real FFT of one power-of-two size in plain Java, for per-frame filtering outside libtorch (the decoder's band
 * balance: one short transform per frame, where a JNI call and an NDArray per frame would cost more than the
 * transform). The N real samples are packed as N/2 complex ones, transformed by an iterative radix-2 FFT and split
 * into the N/2 + 1 bins of the real spectrum (and back).
 */
public final class RealFft {
    private final int n;
    private final int half;
    /** exp(-2 pi i k / half) for the half-size complex FFT, k < half / 2. */
    private final double[] cos, sin;
    /** exp(-2 pi i k / n) for the split, k <= half. */
    private final double[] splitCos, splitSin;
    private final int[] reverse;
    private final double[] zr, zi;

    public RealFft(int n) {
        if (n < 4 || Integer.bitCount(n) != 1) throw new IllegalArgumentException("FFT size must be a power of two >= 4, got " + n);
        this.n = n;
        this.half = n / 2;
        cos = new double[half / 2];
        sin = new double[half / 2];
        for (int k = 0; k < half / 2; k++) {
            cos[k] = Math.cos(2 * Math.PI * k / half);
            sin[k] = -Math.sin(2 * Math.PI * k / half);
        }
        splitCos = new double[half + 1];
        splitSin = new double[half + 1];
        for (int k = 0; k <= half; k++) {
            splitCos[k] = Math.cos(2 * Math.PI * k / n);
            splitSin[k] = -Math.sin(2 * Math.PI * k / n);
        }
        reverse = new int[half];
        int bits = Integer.numberOfTrailingZeros(half);
        for (int i = 0; i < half; i++) reverse[i] = bits == 0 ? 0 : Integer.reverse(i) >>> (32 - bits);
        zr = new double[half];
        zi = new double[half];
    }

    public int size() {
        return n;
    }

    /** re[k] + i im[k] = sum_t x[t] exp(-2 pi i k t / n), k = 0 .. n/2 (n/2 + 1 bins). Not thread-safe. */
    public void forward(float[] x, double[] re, double[] im) {
        for (int t = 0; t < half; t++) {
            int r = reverse[t];
            zr[r] = x[2 * t];
            zi[r] = x[2 * t + 1];
        }
        butterflies();
        for (int k = 0; k <= half; k++) {
            int a = k % half, b = (half - k) % half;
            double ar = zr[a], ai = zi[a], br = zr[b], bi = -zi[b]; // Z[k], conj Z[half - k]
            double er = 0.5 * (ar + br), ei = 0.5 * (ai + bi);      // even samples' spectrum
            double or = 0.5 * (ai - bi), oi = -0.5 * (ar - br);     // odd samples' spectrum: (Z - conj)/(2i)
            double wr = splitCos[k], wi = splitSin[k];
            re[k] = er + wr * or - wi * oi;
            im[k] = ei + wr * oi + wi * or;
        }
    }

    /** The inverse of {@link #forward}: x[t] = (1/n) sum over the full Hermitian spectrum. Not thread-safe. */
    public void inverse(double[] re, double[] im, float[] x) {
        for (int k = 0; k < half; k++) {
            double ar = re[k], ai = im[k], br = re[half - k], bi = -im[half - k]; // X[k], conj X[half - k]
            double er = 0.5 * (ar + br), ei = 0.5 * (ai + bi);
            double dr = 0.5 * (ar - br), di = 0.5 * (ai - bi);
            // odd = d / W^k = d * conj(W^k)
            double wr = splitCos[k], wi = -splitSin[k];
            double or = dr * wr - di * wi, oi = dr * wi + di * wr;
            // Z[k] = even + i odd, conjugated for an inverse through the forward butterflies
            int r = reverse[k];
            zr[r] = er - oi;
            zi[r] = -(ei + or);
        }
        butterflies();
        double scale = 1.0 / half;
        for (int t = 0; t < half; t++) {
            x[2 * t] = (float) (zr[t] * scale);
            x[2 * t + 1] = (float) (-zi[t] * scale);
        }
    }

    /** In-place radix-2 decimation-in-time over zr/zi, already in bit-reversed order. */
    private void butterflies() {
        for (int size = 2; size <= half; size <<= 1) {
            int step = half / size, h = size / 2;
            for (int start = 0; start < half; start += size) {
                for (int j = 0; j < h; j++) {
                    double wr = cos[j * step], wi = sin[j * step];
                    int p = start + j, q = p + h;
                    double tr = zr[q] * wr - zi[q] * wi, ti = zr[q] * wi + zi[q] * wr;
                    zr[q] = zr[p] - tr;
                    zi[q] = zi[p] - ti;
                    zr[p] += tr;
                    zi[p] += ti;
                }
            }
        }
    }
}
