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
        int frame = frameLength(s);
        boolean[] active = activeFrames(s);
        int first = -1, last = -1;
        for (int f = 0; f < active.length; f++) {
            if (active[f]) {
                if (first < 0) first = f;
                last = f;
            }
        }
        if (first < 0) return new Signal(new float[0], s.sampleRate());
        float[] x = s.samples();
        int start = Math.max(0, first * frame - (int) Math.round(LEAD_SECONDS * s.sampleRate()));
        int end = Math.min(x.length, (last + 1) * frame + (int) Math.round(TAIL_SECONDS * s.sampleRate()));
        if (start == 0 && end == x.length) return s;
        return new Signal(Arrays.copyOfRange(x, start, end), s.sampleRate());
    }

    /** Share of the 10 ms frames of {@code s} that are not silent; 0 for an empty signal. */
    public static double activeFraction(Signal s) {
        boolean[] active = activeFrames(s);
        int n = 0;
        for (boolean a : active) if (a) n++;
        return active.length == 0 ? 0 : n / (double) active.length;
    }

    private static int frameLength(Signal s) {
        return Math.max(1, (int) Math.round(FRAME_SECONDS * s.sampleRate()));
    }

    /** Per 10 ms frame: is its RMS at least {@link #SILENCE_RMS}? */
    private static boolean[] activeFrames(Signal s) {
        int frame = frameLength(s);
        float[] x = s.samples();
        boolean[] out = new boolean[(x.length + frame - 1) / frame];
        for (int f = 0; f < out.length; f++) {
            int a = f * frame, b = Math.min(x.length, a + frame);
            double e = 0;
            for (int i = a; i < b; i++) e += (double) x[i] * x[i];
            out[f] = Math.sqrt(e / (b - a)) >= SILENCE_RMS;
        }
        return out;
    }
}
