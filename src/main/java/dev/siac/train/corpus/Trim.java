package dev.siac.train.corpus;

import dev.siac.audio.Signal;
import java.util.Arrays;

/** Removes leading and trailing silence, which would only teach the model to emit nothing. */
public final class Trim {

    /** Frames quieter than this RMS (-60 dBFS) count as silence. */
    public static final double SILENCE_RMS = 1e-3;
    private static final double FRAME_SECONDS = 0.01;
    /** Kept before the first sound so onsets keep their attack. */
    private static final double LEAD_SECONDS = 0.02;
    /** Kept after the last sound so decays fade out instead of being cut. */
    private static final double TAIL_SECONDS = 0.1;

    private Trim() {
    }

    /** The part of {@code s} from its first to its last non-silent 10 ms frame, with short margins; empty if all silent. */
    public static Signal silence(Signal s) {
        int frame = Math.max(1, (int) Math.round(FRAME_SECONDS * s.sampleRate()));
        float[] x = s.samples();
        int frames = (x.length + frame - 1) / frame;
        int first = -1, last = -1;
        for (int f = 0; f < frames; f++) {
            int a = f * frame, b = Math.min(x.length, a + frame);
            double e = 0;
            for (int i = a; i < b; i++) e += (double) x[i] * x[i];
            if (Math.sqrt(e / (b - a)) >= SILENCE_RMS) {
                if (first < 0) first = f;
                last = f;
            }
        }
        if (first < 0) return new Signal(new float[0], s.sampleRate());
        int start = Math.max(0, first * frame - (int) Math.round(LEAD_SECONDS * s.sampleRate()));
        int end = Math.min(x.length, (last + 1) * frame + (int) Math.round(TAIL_SECONDS * s.sampleRate()));
        if (start == 0 && end == x.length) return s;
        return new Signal(Arrays.copyOfRange(x, start, end), s.sampleRate());
    }
}
