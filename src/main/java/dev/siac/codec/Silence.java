package dev.siac.codec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The stretches of an encoded signal that were digitally silent: sorted, disjoint sample ranges [start, end) in
 * which the decoder outputs exact zeros. Events render sounds that decay over 1.49 s (and more for other models);
 * where the input stops dead (the gaps of a speech recording, a track's silent lead-in and run-out) their tails
 * would leave a faint floor that a listener hears as noise and that log-spectral measures weigh heavily (an empty
 * input cell against a -60 dB one). Storing where the input was silent costs a few bytes per gap.
 *
 * <p>Detection ({@link Detector}): a run of at least {@link #MIN_SAMPLES} consecutive samples whose magnitude is at
 * most {@link #THRESHOLD} (one step of 16-bit audio, -90.3 dBFS), measured on the signal the encoder reads (before
 * its gain normalisation). Where an edit moves or adds an event into a span, the span is cut short at its onset
 * ({@link #trimmedBy}), so a sound placed in a gap is heard.
 */
public final class Silence {

    /** The largest magnitude that counts as silent: one least significant bit of 16-bit audio (2^-15, -90.3 dBFS). */
    public static final float THRESHOLD = 1f / 32768f;

    /** The shortest silent run stored, in samples (46 ms at 22050 Hz): shorter gaps are left to the events. */
    public static final int MIN_SAMPLES = 1024;

    public static final Silence NONE = new Silence(new long[0], new long[0]);

    private final long[] starts;
    private final long[] ends;

    private Silence(long[] starts, long[] ends) {
        this.starts = starts;
        this.ends = ends;
    }

    /**
     * Spans from their starts and ends.
     *
     * @throws IllegalArgumentException unless every span is non-empty, starts at sample 0 or later, and starts at or
     *                                  after the previous span's end (sorted and disjoint)
     */
    public static Silence of(long[] starts, long[] ends) {
        if (starts.length != ends.length) throw new IllegalArgumentException("silence: " + starts.length + " starts, " + ends.length + " ends");
        long previousEnd = 0;
        for (int i = 0; i < starts.length; i++) {
            if (starts[i] < previousEnd) {
                throw new IllegalArgumentException("silence span " + i + " starts at sample " + starts[i]
                        + (i == 0 ? ", before 0" : ", before the previous span ends (" + previousEnd + ")"));
            }
            if (ends[i] <= starts[i]) {
                throw new IllegalArgumentException("silence span " + i + " is empty (" + starts[i] + ".." + ends[i] + ")");
            }
            previousEnd = ends[i];
        }
        return starts.length == 0 ? NONE : new Silence(starts.clone(), ends.clone());
    }

    public int count() {
        return starts.length;
    }

    public boolean isEmpty() {
        return starts.length == 0;
    }

    public long start(int i) {
        return starts[i];
    }

    public long end(int i) {
        return ends[i];
    }

    /** Samples covered by all spans. */
    public long totalSamples() {
        long t = 0;
        for (int i = 0; i < starts.length; i++) t += ends[i] - starts[i];
        return t;
    }

    /** Sets to zero the samples of buf[off, off+len), which hold signal samples from absStart on, that lie in a span. */
    public void mute(float[] buf, int off, int len, long absStart) {
        long absEnd = absStart + len;
        // the first span that ends after absStart
        int i = Arrays.binarySearch(ends, absStart);
        i = i >= 0 ? i + 1 : -i - 1;
        for (; i < starts.length && starts[i] < absEnd; i++) {
            int from = (int) (Math.max(starts[i], absStart) - absStart);
            int to = (int) (Math.min(ends[i], absEnd) - absStart);
            if (to > from) Arrays.fill(buf, off + from, off + to, 0f);
        }
    }

    /**
     * These spans within [0, length), each cut short at the first onset inside it (sorted onsets): what an event
     * list with these onsets and length keeps. A span that an onset opens is dropped.
     */
    public Silence trimmedBy(long[] sortedOnsets, long length) {
        if (starts.length == 0) return this;
        List<long[]> kept = new ArrayList<>(starts.length);
        boolean changed = false;
        for (int i = 0; i < starts.length; i++) {
            long s = starts[i];
            long e = Math.min(ends[i], length);
            int k = Arrays.binarySearch(sortedOnsets, s);
            if (k < 0) k = -k - 1;
            else while (k > 0 && sortedOnsets[k - 1] == s) k--; // the first onset at s
            if (k < sortedOnsets.length && sortedOnsets[k] < e) e = sortedOnsets[k];
            if (e != ends[i]) changed = true;
            if (e > s) kept.add(new long[] {s, e});
        }
        if (!changed) return this;
        long[] ns = new long[kept.size()];
        long[] ne = new long[kept.size()];
        for (int i = 0; i < ns.length; i++) {
            ns[i] = kept.get(i)[0];
            ne[i] = kept.get(i)[1];
        }
        return ns.length == 0 ? NONE : new Silence(ns, ne);
    }

    /** The parts of these spans that lie within [from, to), moved by shift samples (they must land at 0 or later). */
    public Silence clipped(long from, long to, long shift) {
        List<long[]> kept = new ArrayList<>();
        for (int i = 0; i < starts.length; i++) {
            long s = Math.max(starts[i], from), e = Math.min(ends[i], to);
            if (e > s) kept.add(new long[] {s + shift, e + shift});
        }
        return of(kept.stream().mapToLong(p -> p[0]).toArray(), kept.stream().mapToLong(p -> p[1]).toArray());
    }

    /** The spans of consecutive stretches of one signal, in order, as one: a span that ends where the next begins joins it. */
    public static Silence concat(List<Silence> parts) {
        List<long[]> spans = new ArrayList<>();
        for (Silence p : parts) {
            for (int i = 0; i < p.starts.length; i++) {
                long[] last = spans.isEmpty() ? null : spans.get(spans.size() - 1);
                if (last != null && last[1] == p.starts[i]) last[1] = p.ends[i];
                else spans.add(new long[] {p.starts[i], p.ends[i]});
            }
        }
        return of(spans.stream().mapToLong(p -> p[0]).toArray(), spans.stream().mapToLong(p -> p[1]).toArray());
    }

    /** Every boundary multiplied by factor (&gt; 0) and rounded, as {@link EventList#stretchTimes} does with onsets. */
    public Silence scaled(double factor) {
        if (starts.length == 0) return this;
        List<long[]> kept = new ArrayList<>(starts.length);
        long previousEnd = 0;
        for (int i = 0; i < starts.length; i++) {
            long s = Math.max(previousEnd, Math.round(starts[i] * factor));
            long e = Math.round(ends[i] * factor);
            if (e > s) {
                kept.add(new long[] {s, e});
                previousEnd = e;
            }
        }
        long[] ns = kept.stream().mapToLong(p -> p[0]).toArray();
        long[] ne = kept.stream().mapToLong(p -> p[1]).toArray();
        return ns.length == 0 ? NONE : new Silence(ns, ne);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Silence s && Arrays.equals(starts, s.starts) && Arrays.equals(ends, s.ends);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(starts) + Arrays.hashCode(ends);
    }

    @Override
    public String toString() {
        return "Silence[" + starts.length + " spans, " + totalSamples() + " samples]";
    }

    /** Finds the silent runs of a signal fed to it in order, in any pieces. */
    public static final class Detector {
        private final List<long[]> spans = new ArrayList<>();
        private long position = 0;
        /** Start of the current run of silent samples, or -1. */
        private long runStart = -1;

        /** The next n samples of the signal. */
        public void feed(float[] samples, int off, int n) {
            for (int i = 0; i < n; i++) {
                float x = samples[off + i];
                if (x <= THRESHOLD && x >= -THRESHOLD) {
                    if (runStart < 0) runStart = position + i;
                } else if (runStart >= 0) {
                    close(position + i);
                }
            }
            position += n;
        }

        private void close(long end) {
            if (end - runStart >= MIN_SAMPLES) spans.add(new long[] {runStart, end});
            runStart = -1;
        }

        /**
         * The spans found so far, the run now open included once it is long enough to be one: what the decoder will
         * mute of the signal read so far.
         */
        public Silence found() {
            int n = spans.size() + (runStart >= 0 && position - runStart >= MIN_SAMPLES ? 1 : 0);
            if (n == 0) return NONE;
            long[] s = new long[n], e = new long[n];
            for (int i = 0; i < spans.size(); i++) {
                s[i] = spans.get(i)[0];
                e[i] = spans.get(i)[1];
            }
            if (n > spans.size()) {
                s[n - 1] = runStart;
                e[n - 1] = position;
            }
            return new Silence(s, e);
        }

        /** The spans found, a run that reaches the end included; the detector must not be fed afterwards. */
        public Silence finish() {
            if (runStart >= 0) close(position);
            return found();
        }
    }
}
