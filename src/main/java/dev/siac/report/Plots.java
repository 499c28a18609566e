package dev.siac.report;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * The report's pictures: log-frequency spectrograms (84 bins, 12 per octave from C1, like the seed's constant-Q
 * plots) and matrix heat maps, rendered to exact pixel sizes with Java2D and written as PNG.
 */
public final class Plots {

    /** STFT size for the pictures: 4096 at 22050 Hz resolves 5.4 Hz, enough for the octaves above C2. */
    public static final int N_FFT = 4096;
    public static final int HOP = 512;
    public static final int LOG_BINS = 84;
    public static final int BINS_PER_OCTAVE = 12;
    /** C1, librosa's default lowest constant-Q frequency. */
    public static final double F_MIN = 32.703195662574764;

    private Plots() {
    }

    /** Centre frequency in Hz of log-frequency bin {@code k}. */
    public static double binFrequency(int k) {
        return F_MIN * Math.pow(2, k / (double) BINS_PER_OCTAVE);
    }

    /**
     * Magnitude spectrogram on the log-frequency axis, computed with the engine's STFT (DJL, the project's only FFT).
     *
     * @return {@link #LOG_BINS} rows (lowest frequency first) x frames
     */
    public static float[][] logFrequencySpectrogram(NDManager manager, float[] audio, int sampleRate) {
        if (audio.length == 0) throw new IllegalArgumentException("Plots: cannot compute the spectrogram of an empty signal");
        // torch's centred STFT reflect-pads by N_FFT/2 and fails on anything shorter than that: zero-pad short clips.
        float[] padded = audio.length >= N_FFT ? audio : java.util.Arrays.copyOf(audio, N_FFT);
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.create(padded);
            NDArray window = m.hanningWindow(N_FFT);
            NDArray mag = x.stft(N_FFT, HOP, true, window, false, true).abs();
            if (mag.getDataType() != DataType.FLOAT32) mag = mag.toType(DataType.FLOAT32, false);
            long[] shape = mag.getShape().getShape();
            int bins = (int) shape[0];
            int frames = (int) shape[1];
            return toLogFrequency(mag.toFloatArray(), bins, frames, sampleRate);
        }
    }

    /**
     * Maps a linear-frequency magnitude spectrogram (bins spanning 0..sampleRate/2, row-major bins x frames) onto
     * the log-frequency axis: each output bin is a triangular, semitone-wide weighted mean of the linear bins; where
     * the linear bins are too coarse to have any inside the triangle, it interpolates at the centre frequency.
     */
    public static float[][] toLogFrequency(float[] linear, int bins, int frames, int sampleRate) {
        if (linear.length != (long) bins * frames) {
            throw new IllegalArgumentException("Plots: spectrogram has " + linear.length + " values, expected " + bins + "x" + frames);
        }
        double binHz = sampleRate / 2.0 / (bins - 1);
        float[][] out = new float[LOG_BINS][frames];
        for (int k = 0; k < LOG_BINS; k++) {
            double fk = binFrequency(k);
            if (fk >= sampleRate / 2.0) continue;
            double lo = fk * Math.pow(2, -1.0 / BINS_PER_OCTAVE);
            double hi = fk * Math.pow(2, 1.0 / BINS_PER_OCTAVE);
            int j0 = Math.max(1, (int) Math.ceil(lo / binHz));
            int j1 = Math.min(bins - 1, (int) Math.floor(hi / binHz));
            double weightSum = 0;
            int count = Math.max(0, j1 - j0 + 1);
            double[] weights = new double[count];
            for (int j = j0; j <= j1; j++) {
                double octaves = Math.abs(Math.log(j * binHz / fk) / Math.log(2));
                weights[j - j0] = Math.max(0, 1 - octaves * BINS_PER_OCTAVE);
                weightSum += weights[j - j0];
            }
            float[] row = out[k];
            if (weightSum >= 1.0) {
                for (int j = j0; j <= j1; j++) {
                    double w = weights[j - j0] / weightSum;
                    if (w == 0) continue;
                    int base = j * frames;
                    for (int t = 0; t < frames; t++) row[t] += (float) (w * linear[base + t]);
                }
            } else {
                double pos = fk / binHz;
                int a = Math.min((int) pos, bins - 2);
                double f = pos - a;
                for (int t = 0; t < frames; t++) {
                    row[t] = (float) ((1 - f) * linear[a * frames + t] + f * linear[(a + 1) * frames + t]);
                }
            }
        }
        return out;
    }

    /** Largest value in a matrix (0 for an all-zero or empty one). */
    public static double max(float[][] m) {
        double max = 0;
        for (float[] row : m) for (float v : row) max = Math.max(max, v);
        return max;
    }

    /**
     * A spectrogram picture: low frequencies at the bottom, decibels relative to {@code reference} over
     * {@code rangeDb} mapped through {@code cmap}, smoothly resampled to exactly {@code width x height}.
     *
     * @param magnitudes rows = frequency bins (lowest first), columns = frames; negative values count as silence
     * @param reference  the magnitude drawn at full colour; pass one reference to several pictures to compare them
     */
    public static BufferedImage spectrogram(float[][] magnitudes, int width, int height, Colormap cmap,
                                            double reference, double rangeDb) {
        if (!(rangeDb > 0)) throw new IllegalArgumentException("Plots: rangeDb must be > 0, got " + rangeDb);
        int rows = magnitudes.length;
        double ref = reference > 0 ? reference : 1;
        double floor = ref * Math.pow(10, -rangeDb / 20);
        double[][] values = new double[rows][];
        for (int r = 0; r < rows; r++) {
            float[] src = magnitudes[rows - 1 - r];
            double[] dst = new double[src.length];
            for (int t = 0; t < src.length; t++) {
                double db = 20 * Math.log10(Math.max(src[t], floor) / ref);
                dst[t] = (db + rangeDb) / rangeDb;
            }
            values[r] = dst;
        }
        return render(values, width, height, cmap, true);
    }

    /**
     * A matrix as a heat map: rows top to bottom, min-max normalised, each cell a crisp block (matrices are
     * discrete; smoothing would invent structure).
     */
    public static BufferedImage heatmap(float[][] rows, int width, int height, Colormap cmap) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (float[] row : rows) {
            for (float v : row) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        double range = hi - lo;
        double[][] values = new double[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            values[r] = new double[rows[r].length];
            for (int c = 0; c < rows[r].length; c++) values[r][c] = range > 0 ? (rows[r][c] - lo) / range : 0.5;
        }
        return render(values, width, height, cmap, false);
    }

    /**
     * Resamples a matrix of values in [0, 1] (row 0 at the top) to {@code width x height} pixels.
     *
     * @param smooth bilinear interpolation between cell centres, else nearest cell
     */
    public static BufferedImage render(double[][] values, int width, int height, Colormap cmap, boolean smooth) {
        if (width < 1 || height < 1) throw new IllegalArgumentException("Plots: image size " + width + "x" + height + " is empty");
        int rows = values.length;
        if (rows == 0 || values[0].length == 0) throw new IllegalArgumentException("Plots: matrix is empty");
        int cols = values[0].length;
        for (double[] row : values) {
            if (row.length != cols) throw new IllegalArgumentException("Plots: matrix rows differ in length");
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] pixels = new int[width * height];
        for (int y = 0; y < height; y++) {
            double ry = (y + 0.5) * rows / height - 0.5;
            for (int x = 0; x < width; x++) {
                double cx = (x + 0.5) * cols / width - 0.5;
                double v;
                if (smooth) {
                    v = bilinear(values, ry, cx);
                } else {
                    int r = Math.min(rows - 1, Math.max(0, (int) Math.floor(ry + 0.5)));
                    int c = Math.min(cols - 1, Math.max(0, (int) Math.floor(cx + 0.5)));
                    v = values[r][c];
                }
                pixels[y * width + x] = cmap.rgb(v);
            }
        }
        image.setRGB(0, 0, width, height, pixels, 0, width);
        return image;
    }

    private static double bilinear(double[][] m, double r, double c) {
        int rows = m.length;
        int cols = m[0].length;
        r = Math.max(0, Math.min(rows - 1, r));
        c = Math.max(0, Math.min(cols - 1, c));
        int r0 = Math.min((int) r, rows - 1);
        int c0 = Math.min((int) c, cols - 1);
        int r1 = Math.min(r0 + 1, rows - 1);
        int c1 = Math.min(c0 + 1, cols - 1);
        double fr = r - r0;
        double fc = c - c0;
        double top = m[r0][c0] * (1 - fc) + m[r0][c1] * fc;
        double bottom = m[r1][c0] * (1 - fc) + m[r1][c1] * fc;
        return top * (1 - fr) + bottom * fr;
    }

    /** Writes {@code image} as a PNG file. */
    public static void writePng(BufferedImage image, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            if (!ImageIO.write(image, "png", out)) throw new IOException(file + ": no PNG writer available");
        }
    }
}
