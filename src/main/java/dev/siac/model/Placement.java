package dev.siac.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.siac.dsp.Spectral;

/**
 * Placing rendered events (MODEL_SPEC §4.7): the onset delay, the amplitude, the sub-frame shift, and the magnitude
 * spectrogram of what was placed. No parameters of its own.
 *
 * <p>The one definition of where an event of onset t lands and how it is added, for the model and for everything on
 * the host that sums events (the codec's decoder and encoder, refinement, the report, the studio): its placed row
 * ({@link #placedRows}, {@link #rowLength} samples) starts at sample {@link #rowStart} = t - guard and is added sample
 * by sample where it overlaps ({@link #addRow}); its placed spectrogram ({@link #placedSpectrogram}) starts at frame
 * {@link #firstColumn} and is added cell by cell ({@link #forEachCell}). Only the seed's full-window schedule
 * ({@link #schedule}, the {@code paper} preset's training) keeps the reference's own form: the event delayed within the
 * window, then shifted by a phase ramp over the whole window.
 */
public final class Placement {
    private final ModelConfig config;
    private final Generator generator;

    Placement(ModelConfig config, Generator generator) {
        this.config = config;
        this.generator = generator;
    }

    /**
     * MODEL_SPEC §4.7 steps 11-12 exactly: delay by hop*frame samples scaled by the amplitude (cropped to N), then the
     * fractional delay as a phase ramp on the 2N-zero-padded signal, keeping the first N samples.
     */
    NDArray schedule(NDArray out, long[] frames, NDArray amplitudes, NDArray shiftSamples) {
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
    static NDArray fractionalDelay(NDArray y, NDArray shiftSamples, NDManager m) {
        long n = y.getShape().get(y.getShape().dimension() - 1);
        return Spectral.phaseDelay(y, shiftSamples, 2 * n).get("..., 0:" + n);
    }

    /** The event audio (B, N) of vectors placed at onset frames with amplitudes (MODEL_SPEC §4.7). */
    NDArray generate(NDArray vectors, long[] frames, NDArray amplitudes) {
        return generatePlaced(vectors, frames, amplitudes).audio();
    }

    /**
     * Events placed at onset frames with amplitudes, with their spectrograms. Full-length events (the seed's model):
     * MODEL_SPEC §4.7's scheduling and the STFT of the placed window. Short events: {@link #placedRows} put at
     * onset - guard (the part before the window start cut off), and the spectrogram computed over the frames the row
     * can reach only; the others are exactly zero.
     */
    SiacModel.Placed generatePlaced(NDArray vectors, long[] frames, NDArray amplitudes) {
        return generatePlaced(vectors, frames, amplitudes, null);
    }

    /** {@link #generatePlaced(NDArray, long[], NDArray)}, rendered by fast when not null (inference only). */
    SiacModel.Placed generatePlaced(NDArray vectors, long[] frames, NDArray amplitudes, InferenceRender fast) {
        SiacModel.Rendered r = generator.render(vectors, false, fast);
        if (!config.shortEvents()) {
            NDArray audio = schedule(r.out(), frames, amplitudes, r.shiftSamples());
            return new SiacModel.Placed(audio, Spectral.magnitude(audio));
        }
        ModelConfig c = config;
        int n = c.windowSamples;
        int hop = c.stftHop;
        int span = rowLength(c);
        NDArray rows = placedRows(r, amplitudes.expandDims(1));
        NDManager m = rows.getManager();
        int count = frames.length;
        int[] starts = new int[count], cuts = new int[count], keeps = new int[count];
        NDList kept = new NDList();
        for (int b = 0; b < count; b++) {
            // the part of the row inside the window [0, n): samples before or after it are not rendered
            // an onset at or past the window's end renders nothing (clamped so the int arithmetic cannot overflow)
            starts[b] = (int) Math.min(n, rowStart(c, frames[b] * hop));
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
            int first = firstColumn(starts[b], hop);            // window frame of the row's spectrogram frame 0
            int lo = Math.max(0, -first);
            int hi = Math.min(width, t - first);
            if (hi <= lo) {
                specs.add(m.zeros(new Shape(1, c.bins(), t)));
            } else {
                NDArray part = spec.get(b + ":" + (b + 1) + ", :, " + lo + ":" + hi);
                specs.add(part.pad(new Shape(first + lo, t - first - hi), 0));
            }
        }
        return new SiacModel.Placed(concat(audio), concat(specs));
    }

    /**
     * STFT frames that start before a placed row yet overlap its first samples (frame f covers [hop f, hop f + window)):
     * they hold part of the event's attack.
     */
    static final int PLACED_CONTEXT_FRAMES = (Spectral.WINDOW - Spectral.HOP) / Spectral.HOP;

    /**
     * The magnitude spectrogram of {@link #placedRows} rows (E, span), the {@link #PLACED_CONTEXT_FRAMES} frames that
     * start before each row first: (E, bins, context + span / hop).
     */
    public static NDArray placedSpectrogram(NDArray rows) {
        return Spectral.magnitude(rows.pad(new Shape((long) PLACED_CONTEXT_FRAMES * Spectral.HOP, 0), 0));
    }

    /** {@link #placedSpectrogram(NDArray)} of one row, as (bins, columns) floats ({@link Spectral#magnitude(NDManager, float[], int)}). */
    public static float[] placedSpectrogram(NDManager m, float[] row) {
        return Spectral.magnitude(m, row, PLACED_CONTEXT_FRAMES * Spectral.HOP);
    }

    /**
     * Rows (B, L + 2G) of rendered events (L = c.eventLength(), G = c.guardSamples()) times their amplitudes (B, 1):
     * G zeros, then the event delayed by its sub-frame shift with a phase ramp in a 2L buffer (|shift| &lt;= G, so
     * nothing wraps into the row), cropped. Row r belongs at sample onset - G. The codec places every event this way;
     * the model does for short events.
     */
    NDArray placedRows(SiacModel.Rendered r, NDArray amplitudes) {
        int n = config.eventLength();
        int g = config.guardSamples();
        NDArray buf = r.out().mul(amplitudes).pad(new Shape(g, n - g), 0);
        return Spectral.phaseDelay(buf, r.shiftSamples(), 2L * n).get("..., 0:" + (n + 2 * g));
    }

    private static NDArray concat(NDList parts) {
        return SiacModel.concat(parts);
    }

    // ------------------------------------------------------------------------------------------------ on the host

    /** The first sample of the placed row of an event with onset at sample onsetSample: the guard before it. */
    public static long rowStart(ModelConfig c, long onsetSample) {
        return onsetSample - c.guardSamples();
    }

    /** Samples of a placed row: guard, event, guard. */
    public static int rowLength(ModelConfig c) {
        return c.eventLength() + 2 * c.guardSamples();
    }

    /** Frames of a placed row's spectrogram ({@link #placedSpectrogram}): the context frames, then the row's. */
    public static int spectrogramColumns(ModelConfig c) {
        return PLACED_CONTEXT_FRAMES + rowLength(c) / c.stftHop;
    }

    /**
     * The frame of a placed spectrogram's first column, for a row starting at sample rowStart (a whole number of hops,
     * as every {@link #rowStart} is: the guard is whole hops), both counted from the same sample 0.
     */
    public static int firstColumn(long rowStart, int hop) {
        return Math.toIntExact(Math.floorDiv(rowStart, hop) - PLACED_CONTEXT_FRAMES);
    }

    /**
     * Adds a placed row that starts at sample rowStart onto canvas, whose element 0 is sample canvasStart; the parts
     * of the row outside the canvas are dropped.
     */
    public static void addRow(float[] canvas, long canvasStart, float[] row, long rowStart) {
        addRow(canvas, canvasStart, row, rowStart, 1f);
    }

    /** {@link #addRow(float[], long, float[], long)} of the row times scale. */
    public static void addRow(float[] canvas, long canvasStart, float[] row, long rowStart, float scale) {
        long off = rowStart - canvasStart;
        int from = (int) Math.max(0, Math.min(row.length, -off));
        int to = (int) Math.max(from, Math.min(row.length, canvas.length - off));
        for (int j = from; j < to; j++) canvas[(int) (off + j)] += scale * row[j];
    }

    /**
     * canvas[b][firstColumn + j] -= scale * spec[b * cols + j] for one event's placed spectrogram (bins x cols, host
     * copy), the cells {@link #forEachCell} visits, without a call per cell.
     */
    public static void subtractCells(float[][] canvas, float[] spec, int firstColumn, int cols, float scale) {
        int width = canvas[0].length;
        int from = Math.max(0, -firstColumn), to = Math.min(cols, width - firstColumn);
        for (int b = 0; b < canvas.length; b++) {
            float[] row = canvas[b];
            int base = b * cols;
            for (int j = from; j < to; j++) row[firstColumn + j] -= scale * spec[base + j];
        }
    }

    /** A (bin, canvas column) cell of a placed spectrogram and its index in the host copy (E', bins, columns). */
    public interface Cell {
        void at(int bin, int column, int index);
    }

    /**
     * Visits every cell of events from..to-1's placed spectrograms, host copy (to - from, bins, cols), that lies on a
     * canvas of bins x width: event k's first column at canvas column firstColumns[k] ({@link #firstColumn}).
     */
    public static void forEachCell(int bins, int width, int[] firstColumns, int from, int to, int cols, Cell cell) {
        for (int k = from; k < to; k++) {
            int base = (k - from) * bins * cols;
            for (int b = 0; b < bins; b++) {
                for (int j = Math.max(0, -firstColumns[k]); j < cols && firstColumns[k] + j < width; j++) {
                    cell.at(b, firstColumns[k] + j, base + b * cols + j);
                }
            }
        }
    }
}
