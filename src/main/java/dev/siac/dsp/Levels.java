package dev.siac.dsp;

/** Sample levels of plain arrays: the peak and where a sound has decayed below a fraction of it. No libtorch. */
public final class Levels {
    private Levels() {}

    /** The largest |x[i]|; 0 for an empty array. */
    public static float peak(float[] x) {
        return peak(x, 0, x.length);
    }

    /** The largest |x[i]| for i in [from, to). */
    public static float peak(float[] x, int from, int to) {
        float p = 0;
        for (int i = from; i < to; i++) p = Math.max(p, Math.abs(x[i]));
        return p;
    }

    /**
     * The last index i &gt;= from with |x[i]| &gt; fraction * (the peak of x from `from` on), or `from` when there is
     * none (silence): where a sound has decayed below the fraction for good, e.g. 1e-3 for -60 dB.
     */
    public static int lastAbove(float[] x, int from, float fraction) {
        float threshold = peak(x, from, x.length) * fraction;
        for (int i = x.length - 1; i >= from; i--) {
            if (Math.abs(x[i]) > threshold) return i;
        }
        return from;
    }
}
