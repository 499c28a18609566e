package dev.siac.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.siac.dsp.Spectral;

/**
 * Placing rendered events in a window (MODEL_SPEC §4.7): the onset delay, the amplitude, the sub-frame shift, and the
 * magnitude spectrogram of what was placed. No parameters of its own.
 */
final class Placement {
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
        SiacModel.Rendered r = generator.render(vectors, false);
        if (!config.shortEvents()) {
            NDArray audio = schedule(r.out(), frames, amplitudes, r.shiftSamples());
            return new SiacModel.Placed(audio, Spectral.magnitude(audio));
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
    static NDArray placedSpectrogram(NDArray rows) {
        return Spectral.magnitude(rows.pad(new Shape((long) PLACED_CONTEXT_FRAMES * Spectral.HOP, 0), 0));
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
}
