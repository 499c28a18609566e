package dev.siac.codec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.function.Predicate;

/**
 * The events of one encoded signal plus what is needed to decode them: sample rate, length, the gain the encoder
 * normalised away, the vector dimension, the id of the model that produced the vectors, and the precision at which
 * the list is (or will be) stored.
 *
 * <p>A value: nothing changes after construction (vectors are copied on the way in; callers must not modify the
 * arrays returned by {@link #events()}), and every editing operation returns a new list. Events are kept sorted by
 * time; events with equal times keep their relative order. Time ranges are half-open {@code [from, to)} in
 * seconds, with each bound rounded to the nearest sample. Operations change only what their name says: filters keep
 * length and header, shifts do not extend the length, and so on.
 */
public final class EventList {

    private static final Comparator<Event> BY_TIME = Comparator.comparingLong(Event::time);
    private static final String ZERO_ID = "0".repeat(64);

    private final int sampleRate;
    private final long lengthSamples;
    private final float gain;
    private final int vectorDim;
    private final String modelId;
    private final Precision precision;
    private final List<Event> events;
    /**
     * The grid of the Q8 file these vectors were read from, or null: a storage hint, not part of the value (see
     * {@link Q8Grid}). Kept by operations that create no new vector or amplitude values, dropped by the others.
     */
    private final Q8Grid q8Grid;
    /**
     * Where the encoded signal was digitally silent ({@link Silence}): the decoder outputs zeros there. Within [0,
     * length); kept by every edit, and cut short where an edit moves or adds an event into a span, so that a sound
     * placed in a gap is heard (the encoder's own onsets may lie in a span: their sound there is muted, as the input
     * was silent).
     */
    private final Silence silence;
    /**
     * The decoder's band balance ({@link Balance}): a gain per octave band for each stretch of time, applied to the
     * events' sum. Kept by every edit, as time-based state (an event moved elsewhere plays under that stretch's
     * balance); a stretch scales its frames with the onsets.
     */
    private final Balance balance;

    /**
     * @param sampleRate    samples per second, &gt; 0
     * @param lengthSamples length of the encoded signal, &ge; 0
     * @param gain          level the encoder normalised away (decoded audio is multiplied by it), finite, &ge; 0
     * @param vectorDim     length of every event vector, 1..65535
     * @param modelId       hex SHA-256 (64 digits) of the model weights, or "" (null and all zeros mean "")
     * @param precision     how the list is stored in a file
     * @param events        the events in any order; each vector must have {@code vectorDim} finite values and
     *                      each amplitude must be finite and &ge; 0
     * @throws IllegalArgumentException naming the first rule that is broken
     */
    public EventList(int sampleRate, long lengthSamples, float gain, int vectorDim, String modelId,
                     Precision precision, List<Event> events) {
        this(sampleRate, lengthSamples, gain, vectorDim, modelId, precision, copyVectors(events), null, Silence.NONE, Balance.NONE);
    }

    /**
     * Validates and sorts, but takes {@code ownedEvents} without copying their vectors: for lists whose vectors
     * nobody outside this package can reach. {@code q8Grid} (may be null) must have {@code vectorDim} ranges.
     */
    private EventList(int sampleRate, long lengthSamples, float gain, int vectorDim, String modelId,
                      Precision precision, List<Event> ownedEvents, Q8Grid q8Grid, Silence silence,
                      Balance balance) {
        if (sampleRate <= 0) throw new IllegalArgumentException("sample rate must be > 0, got " + sampleRate);
        if (lengthSamples < 0) throw new IllegalArgumentException("length must be >= 0 samples, got " + lengthSamples);
        if (!Float.isFinite(gain) || gain < 0) throw new IllegalArgumentException("gain must be finite and >= 0, got " + gain);
        if (vectorDim < 1 || vectorDim > 0xffff) {
            throw new IllegalArgumentException("vector dimension must be in 1..65535, got " + vectorDim);
        }
        this.sampleRate = sampleRate;
        this.lengthSamples = lengthSamples;
        this.gain = gain;
        this.vectorDim = vectorDim;
        this.modelId = normaliseModelId(modelId);
        this.precision = Objects.requireNonNull(precision, "precision");
        if (q8Grid != null && q8Grid.dim() != vectorDim) {
            throw new IllegalArgumentException("Q8 grid has " + q8Grid.dim() + " ranges, expected " + vectorDim);
        }
        this.q8Grid = q8Grid;
        for (int i = 0; i < ownedEvents.size(); i++) checkEvent(i, ownedEvents.get(i));
        List<Event> sorted = new ArrayList<>(ownedEvents);
        sorted.sort(BY_TIME); // stable: equal times keep their order
        this.events = Collections.unmodifiableList(sorted);
        this.silence = Objects.requireNonNull(silence, "silence").trimmedBy(new long[0], lengthSamples);
        this.balance = Objects.requireNonNull(balance, "balance").trimmed(lengthSamples);
    }

    /** For code in this package that built fresh vectors nobody else holds: validates, but does not copy them. */
    static EventList trusted(int sampleRate, long lengthSamples, float gain, int vectorDim, String modelId,
                             Precision precision, List<Event> events) {
        return trusted(sampleRate, lengthSamples, gain, vectorDim, modelId, precision, events, null);
    }

    /** As above, remembering the Q8 grid the events were read with (null for none). */
    static EventList trusted(int sampleRate, long lengthSamples, float gain, int vectorDim, String modelId,
                             Precision precision, List<Event> events, Q8Grid q8Grid) {
        return trusted(sampleRate, lengthSamples, gain, vectorDim, modelId, precision, events, q8Grid, Silence.NONE);
    }

    /** As above, with the silent spans and the band balance of the encoded signal. */
    static EventList trusted(int sampleRate, long lengthSamples, float gain, int vectorDim, String modelId,
                             Precision precision, List<Event> events, Q8Grid q8Grid, Silence silence, Balance balance) {
        return new EventList(sampleRate, lengthSamples, gain, vectorDim, modelId, precision, events, q8Grid, silence, balance);
    }

    /** As above, with the silent spans of the encoded signal. */
    static EventList trusted(int sampleRate, long lengthSamples, float gain, int vectorDim, String modelId,
                             Precision precision, List<Event> events, Q8Grid q8Grid, Silence silence) {
        return new EventList(sampleRate, lengthSamples, gain, vectorDim, modelId, precision, events, q8Grid, silence, Balance.NONE);
    }

    private static List<Event> copyVectors(List<Event> events) {
        Objects.requireNonNull(events, "events");
        List<Event> copy = new ArrayList<>(events.size());
        for (Event e : events) {
            if (e == null) throw new IllegalArgumentException("event " + copy.size() + " is null");
            copy.add(new Event(e.time(), e.amplitude(), e.vector().clone()));
        }
        return copy;
    }

    private void checkEvent(int i, Event e) {
        if (e == null) throw new IllegalArgumentException("event " + i + " is null");
        if (!(e.amplitude() >= 0) || e.amplitude() == Float.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("event " + i + ": amplitude must be finite and >= 0, got " + e.amplitude());
        }
        float[] v = e.vector();
        if (v.length != vectorDim) {
            throw new IllegalArgumentException("event " + i + ": vector has " + v.length + " values, expected " + vectorDim);
        }
        for (int d = 0; d < v.length; d++) {
            if (!Float.isFinite(v[d])) {
                throw new IllegalArgumentException("event " + i + ": vector value " + d + " is " + v[d]);
            }
        }
    }

    private static String normaliseModelId(String id) {
        if (id == null || id.isEmpty()) return "";
        String lower = id.toLowerCase(Locale.ROOT);
        if (lower.length() != 64 || !lower.chars().allMatch(ch -> (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) {
            throw new IllegalArgumentException("model id must be 64 hex digits (SHA-256) or empty, got '" + id + "'");
        }
        return lower.equals(ZERO_ID) ? "" : lower; // the file stores "no id" as 32 zero bytes
    }

    // ------------------------------------------------------------------------------------------ accessors

    public int sampleRate() {
        return sampleRate;
    }

    public long lengthSamples() {
        return lengthSamples;
    }

    /** The level the encoder normalised away; decoded audio is multiplied by it. */
    public float gain() {
        return gain;
    }

    public int vectorDim() {
        return vectorDim;
    }

    /** Hex SHA-256 of the model weights that produced the vectors, or "" when unknown. */
    public String modelId() {
        return modelId;
    }

    public Precision precision() {
        return precision;
    }

    /** The events sorted by time (unmodifiable; do not modify the vectors). */
    /** Where the encoded signal was digitally silent: the decoder outputs zeros there ({@link Silence}). */
    public Silence silence() {
        return silence;
    }

    /** The same events with other silent spans ({@link Silence#NONE}: the decoder mutes nothing). */
    public EventList withSilence(Silence spans) {
        return new EventList(sampleRate, lengthSamples, gain, vectorDim, modelId, precision, events, q8Grid, spans, balance);
    }

    /** The decoder's band balance ({@link Balance}; {@link Balance#NONE}: the events' sum is output as it is). */
    public Balance balance() {
        return balance;
    }

    /** The same events with another band balance ({@link Balance#NONE} for none). */
    public EventList withBalance(Balance b) {
        return new EventList(sampleRate, lengthSamples, gain, vectorDim, modelId, precision, events, q8Grid, silence, b);
    }

    public List<Event> events() {
        return events;
    }

    /** The Q8 grid remembered from the file these values came from, or null (the writer reuses it where it fits). */
    Q8Grid q8Grid() {
        return q8Grid;
    }

    public int size() {
        return events.size();
    }

    public double durationSeconds() {
        return lengthSamples / (double) sampleRate;
    }

    /** Events per second of signal; 0 for a zero-length list. */
    public double eventsPerSecond() {
        return lengthSamples == 0 ? 0 : events.size() / durationSeconds();
    }

    /** A time in samples expressed in seconds. */
    public double seconds(long samples) {
        return samples / (double) sampleRate;
    }

    /** The sample nearest to a time in seconds (saturating at the long range; infinities map to the extremes). */
    public long toSamples(double seconds) {
        if (Double.isNaN(seconds)) throw new IllegalArgumentException("time is NaN");
        return Math.round(seconds * sampleRate);
    }

    // ------------------------------------------------------------------------------------------ building

    /** The same header with other events (copied); arbitrary new values, so no Q8 grid is remembered. */
    public EventList withEvents(List<Event> newEvents) {
        return new EventList(sampleRate, lengthSamples, gain, vectorDim, modelId, precision, copyVectors(newEvents), null, silence, balance);
    }

    /** For operations that only remove, reorder or move events: their values stay on this list's Q8 grid. */
    private EventList withOwned(List<Event> owned) {
        return withOwned(owned, q8Grid);
    }

    private EventList withOwned(List<Event> owned, Q8Grid grid) {
        return new EventList(sampleRate, lengthSamples, gain, vectorDim, modelId, precision, owned, grid, silence, balance);
    }

    /** For operations that move or add events: a silent span is cut short at the first of these onsets inside it. */
    private EventList withMoved(List<Event> owned, Q8Grid grid, List<Event> moved) {
        long[] onsets = moved.stream().mapToLong(Event::time).sorted().toArray();
        return new EventList(sampleRate, lengthSamples, gain, vectorDim, modelId, precision, owned, grid,
                silence.trimmedBy(onsets, lengthSamples), balance);
    }

    private EventList filter(Predicate<Event> keep) {
        List<Event> kept = new ArrayList<>();
        for (Event e : events) if (keep.test(e)) kept.add(e);
        // vectors are shared with this list: both are immutable, so no copy is needed
        return withOwned(kept);
    }

    // ------------------------------------------------------------------------------------------ editing

    /** Keeps the events with onset in {@code [fromSec, toSec)}; length and header are unchanged. */
    public EventList keepTimeRange(double fromSec, double toSec) {
        Range r = range(fromSec, toSec);
        return filter(e -> r.contains(e.time()));
    }

    /** Removes the events with onset in {@code [fromSec, toSec)}; the others keep their times (no gap closing). */
    public EventList deleteTimeRange(double fromSec, double toSec) {
        Range r = range(fromSec, toSec);
        return filter(e -> !r.contains(e.time()));
    }

    /** Keeps the events whose amplitude is at least {@code min}. */
    public EventList keepAmplitudeAbove(float min) {
        if (Float.isNaN(min)) throw new IllegalArgumentException("minimum amplitude is NaN");
        return filter(e -> e.amplitude() >= min);
    }

    /** Removes the events whose amplitude is greater than {@code max} (keeps those at most {@code max}). */
    public EventList deleteAmplitudeAbove(float max) {
        if (Float.isNaN(max)) throw new IllegalArgumentException("maximum amplitude is NaN");
        return filter(e -> e.amplitude() <= max);
    }

    /** Moves every event by {@code seconds} (rounded to whole samples); the length is unchanged. */
    public EventList shift(double seconds) {
        return shift(seconds, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    /** Moves the events with onset in {@code [fromSec, toSec)} by {@code seconds}; the others stay. */
    public EventList shift(double seconds, double fromSec, double toSec) {
        if (!Double.isFinite(seconds)) throw new IllegalArgumentException("shift must be finite, got " + seconds);
        long delta = toSamples(seconds);
        Range r = range(fromSec, toSec);
        List<Event> out = new ArrayList<>(events.size());
        List<Event> moved = new ArrayList<>();
        for (Event e : events) {
            if (r.contains(e.time())) {
                Event m = new Event(addTime(e.time(), delta), e.amplitude(), e.vector());
                moved.add(m);
                out.add(m);
            } else {
                out.add(e);
            }
        }
        return withMoved(out, q8Grid, moved);
    }

    /** Multiplies every onset and the length by {@code factor} (&gt; 0), rounding to whole samples. */
    public EventList stretchTimes(double factor) {
        if (!(factor > 0) || !Double.isFinite(factor)) {
            throw new IllegalArgumentException("stretch factor must be finite and > 0, got " + factor);
        }
        List<Event> out = new ArrayList<>(events.size());
        for (Event e : events) out.add(new Event(scaleTime(e.time(), factor), e.amplitude(), e.vector()));
        return new EventList(sampleRate, scaleTime(lengthSamples, factor), gain, vectorDim, modelId, precision, out, q8Grid,
                silence.scaled(factor), balance.scaled(factor));
    }

    /** The smallest and largest value of each vector dimension over the list. */
    private record VectorRange(double[] min, double[] max) {}

    private VectorRange vectorRange() {
        double[] min = new double[vectorDim];
        double[] max = new double[vectorDim];
        Arrays.fill(min, Double.POSITIVE_INFINITY);
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (Event e : events) {
            float[] v = e.vector();
            for (int d = 0; d < vectorDim; d++) {
                min[d] = Math.min(min[d], v[d]);
                max[d] = Math.max(max[d], v[d]);
            }
        }
        return new VectorRange(min, max);
    }

    /**
     * Replaces every vector by one drawn uniformly, per dimension, between the smallest and largest value that
     * dimension has in this list (the seed's "random vectors" demonstration). Times and amplitudes stay.
     */
    public EventList randomizeVectors(Random rng) {
        Objects.requireNonNull(rng, "rng");
        if (events.isEmpty()) return this;
        VectorRange range = vectorRange();
        double[] min = range.min(), max = range.max();
        List<Event> out = new ArrayList<>(events.size());
        for (Event e : events) {
            float[] v = new float[vectorDim];
            for (int d = 0; d < vectorDim; d++) {
                double x = min[d] + rng.nextDouble() * (max[d] - min[d]);
                v[d] = (float) Math.max(min[d], Math.min(max[d], x)); // rounding must not leave the range
            }
            out.add(new Event(e.time(), e.amplitude(), v));
        }
        return withOwned(out, null); // new values: the writer must fit a grid to them
    }

    /**
     * Merges near-twins: events with the same onset whose vectors have cosine similarity above {@code cosine}
     * become one event with the sum of their amplitudes and their amplitude-weighted mean vector. The decoder is
     * linear in amplitude, so for equal vectors this changes nothing audible and saves an event; for near-equal
     * ones it renders the mean sound. Events keep their time order.
     */
    public EventList mergeTwins(double cosine) {
        return mergeTwins(cosine, 0);
    }

    /**
     * As {@link #mergeTwins(double)}, also for twins whose onsets are up to {@code withinSamples} apart: the merged
     * event sits at the louder one's time (not exact: the quieter one's sound moves by up to withinSamples; what it
     * costs is measured in models/default/MODEL_CARD.md).
     */
    public EventList mergeTwins(double cosine, int withinSamples) {
        List<Event> merged = mergeTwins(events, cosine, withinSamples);
        return merged.size() == events.size() ? this : withOwned(merged, null);
    }

    /** {@link #mergeTwins(double)} over a list of events in time order. */
    static List<Event> mergeTwins(List<Event> events, double cosine) {
        return mergeTwins(events, cosine, 0);
    }

    /** {@link #mergeTwins(double, int)} over a list of events in time order; the result is in time order. */
    static List<Event> mergeTwins(List<Event> events, double cosine, int withinSamples) {
        if (!(cosine >= -1 && cosine <= 1)) throw new IllegalArgumentException("cosine must be in [-1, 1], got " + cosine);
        if (withinSamples < 0) throw new IllegalArgumentException("twin distance must be >= 0 samples, got " + withinSamples);
        List<Event> out = new ArrayList<>(events.size());
        List<Long> firstTimes = new ArrayList<>();  // out's events' original onsets, in order (a merge may move one later)
        List<double[]> sums = new ArrayList<>();    // amplitude-weighted vector sums of out's events
        int groupStart = 0;                         // first event of out whose original onset is within reach
        for (Event e : events) {
            while (groupStart < out.size() && firstTimes.get(groupStart) < e.time() - withinSamples) groupStart++;
            int twin = -1;
            for (int i = groupStart; i < out.size() && twin < 0; i++) {
                Event o = out.get(i);
                if (Math.abs(o.time() - e.time()) <= withinSamples && e.amplitude() > 0 && o.amplitude() > 0
                        && cos(o.vector(), e.vector()) > cosine) {
                    twin = i;
                }
            }
            if (twin < 0) {
                double[] sum = new double[e.vector().length];
                for (int d = 0; d < sum.length; d++) sum[d] = (double) e.amplitude() * e.vector()[d];
                out.add(e);
                firstTimes.add(e.time());
                sums.add(sum);
                continue;
            }
            Event o = out.get(twin);
            double[] sum = sums.get(twin);
            double amp = (double) o.amplitude() + e.amplitude();
            float[] v = new float[sum.length];
            for (int d = 0; d < sum.length; d++) {
                sum[d] += (double) e.amplitude() * e.vector()[d];
                v[d] = (float) (sum[d] / amp);
            }
            long time = e.amplitude() > o.amplitude() ? e.time() : o.time();
            out.set(twin, new Event(time, (float) amp, v));
        }
        if (withinSamples > 0) out.sort(java.util.Comparator.comparingLong(Event::time)); // stable
        return out;
    }

    private static double cos(float[] a, float[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int d = 0; d < a.length; d++) {
            ab += (double) a[d] * b[d];
            aa += (double) a[d] * a[d];
            bb += (double) b[d] * b[d];
        }
        return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : Double.NaN; // a zero vector has no direction
    }

    /** Gives every event an onset drawn uniformly from {@code [0, length)}; amplitudes and vectors stay. */
    public EventList randomizeTimes(Random rng) {
        Objects.requireNonNull(rng, "rng");
        if (events.isEmpty()) return this;
        if (lengthSamples == 0) throw new IllegalArgumentException("cannot randomise times: the length is 0 samples");
        List<Event> out = new ArrayList<>(events.size());
        for (Event e : events) out.add(new Event(rng.nextLong(lengthSamples), e.amplitude(), e.vector()));
        return withMoved(out, q8Grid, out);
    }

    /** Adds {@code direction} to every vector (the seed's "perturbation" demonstration). */
    public EventList perturb(float[] direction) {
        Objects.requireNonNull(direction, "direction");
        if (direction.length != vectorDim) {
            throw new IllegalArgumentException("perturbation has " + direction.length + " values, expected " + vectorDim);
        }
        List<Event> out = new ArrayList<>(events.size());
        for (Event e : events) {
            float[] v = e.vector().clone();
            for (int d = 0; d < vectorDim; d++) v[d] += direction[d];
            out.add(new Event(e.time(), e.amplitude(), v));
        }
        return withOwned(out, null); // new values; the constructor rejects values that overflowed to infinity
    }

    /** Adds one direction drawn uniformly from {@code [-scale, scale)} per dimension to every vector. */
    public EventList perturbRandom(Random rng, float scale) {
        Objects.requireNonNull(rng, "rng");
        if (!(scale >= 0) || !Float.isFinite(scale)) {
            throw new IllegalArgumentException("perturbation scale must be finite and >= 0, got " + scale);
        }
        float[] direction = new float[vectorDim];
        for (int d = 0; d < vectorDim; d++) direction[d] = (float) ((rng.nextDouble() * 2 - 1) * scale);
        return perturb(direction);
    }

    /**
     * Adds copies of {@code other}'s events with onset in {@code [fromSec, toSec)}, moved so that {@code fromSec}
     * lands at {@code atSec}. Both lists must share sample rate and vector dimension, and their model ids must not
     * contradict (vectors of different models mean different sounds). This list's header is kept, and so is its
     * Q8 grid when no event is copied or {@code other} was read with the same grid.
     */
    public EventList transplant(EventList other, double fromSec, double toSec, double atSec) {
        Objects.requireNonNull(other, "other");
        if (other.sampleRate != sampleRate) {
            throw new IllegalArgumentException("cannot transplant: sample rates differ (" + other.sampleRate + " vs " + sampleRate + ")");
        }
        if (other.vectorDim != vectorDim) {
            throw new IllegalArgumentException("cannot transplant: vector dimensions differ (" + other.vectorDim + " vs " + vectorDim + ")");
        }
        if (!other.modelId.isEmpty() && !modelId.isEmpty() && !other.modelId.equals(modelId)) {
            throw new IllegalArgumentException("cannot transplant: the events come from a different model ("
                    + other.modelId.substring(0, 12) + " vs " + modelId.substring(0, 12) + ")");
        }
        if (!Double.isFinite(fromSec) || !Double.isFinite(atSec)) {
            throw new IllegalArgumentException("transplant source start and target must be finite");
        }
        Range r = range(fromSec, toSec);
        long offset;
        try {
            offset = Math.subtractExact(toSamples(atSec), toSamples(fromSec));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("transplant offset is out of range");
        }
        List<Event> out = new ArrayList<>(events);
        List<Event> added = new ArrayList<>();
        for (Event e : other.events) {
            if (r.contains(e.time())) added.add(new Event(addTime(e.time(), offset), e.amplitude(), e.vector()));
        }
        out.addAll(added);
        boolean sameGrid = added.isEmpty() || Objects.equals(q8Grid, other.q8Grid);
        return withMoved(out, sameGrid ? q8Grid : null, added);
    }

    /** This list stored at precision {@code p}: vectors and amplitudes are exactly what reading the file gives. */
    public EventList withPrecision(Precision p) {
        Objects.requireNonNull(p, "precision");
        EventList stored = SiacFormat.asStored(new EventList(sampleRate, lengthSamples, gain, vectorDim, modelId, p, events, q8Grid, silence, balance));
        // F32 keeps the values exactly, so a later return to Q8 can still reuse the grid; a Q8 result has its own
        return p == Precision.F32 && q8Grid != null ? stored.withOwned(stored.events, q8Grid) : stored;
    }

    // ------------------------------------------------------------------------------------------ selections
    // The same operations on a chosen set of events (indices into events()), for editors that select by hand.
    // With the indices of a time range they give exactly what the range forms give (and the range forms of
    // `siac edit`); randomising and perturbing draw from the generator in the same order as the whole-list forms.

    /** The indices of the events with onset in {@code [fromSec, toSec)}, ascending. */
    public int[] indicesInTimeRange(double fromSec, double toSec) {
        Range r = range(fromSec, toSec);
        int[] out = new int[events.size()];
        int n = 0;
        for (int i = 0; i < events.size(); i++) if (r.contains(events.get(i).time())) out[n++] = i;
        return Arrays.copyOf(out, n);
    }

    private boolean[] chosen(int[] indices) {
        Objects.requireNonNull(indices, "indices");
        boolean[] in = new boolean[events.size()];
        for (int i : indices) {
            if (i < 0 || i >= events.size()) {
                throw new IllegalArgumentException("event index " + i + " is out of range (the list has " + events.size() + " events)");
            }
            in[i] = true;
        }
        return in;
    }

    /** Removes the chosen events; the others keep their times. */
    public EventList deleteEvents(int[] indices) {
        boolean[] in = chosen(indices);
        List<Event> kept = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) if (!in[i]) kept.add(events.get(i));
        return withOwned(kept);
    }

    /** Moves the chosen events by {@code seconds} (rounded to whole samples); the length is unchanged. */
    public EventList shiftEvents(int[] indices, double seconds) {
        if (!Double.isFinite(seconds)) throw new IllegalArgumentException("shift must be finite, got " + seconds);
        boolean[] in = chosen(indices);
        long delta = toSamples(seconds);
        List<Event> out = new ArrayList<>(events.size());
        List<Event> moved = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            Event m = in[i] ? new Event(addTime(e.time(), delta), e.amplitude(), e.vector()) : e;
            if (in[i]) moved.add(m);
            out.add(m);
        }
        return withMoved(out, q8Grid, moved);
    }

    /** Adds copies of the chosen events, {@code seconds} later (rounded to whole samples). */
    public EventList duplicateEvents(int[] indices, double seconds) {
        if (!Double.isFinite(seconds)) throw new IllegalArgumentException("offset must be finite, got " + seconds);
        boolean[] in = chosen(indices);
        long delta = toSamples(seconds);
        List<Event> added = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            if (in[i]) added.add(new Event(addTime(e.time(), delta), e.amplitude(), e.vector()));
        }
        List<Event> out = new ArrayList<>(events);
        out.addAll(added);
        return withMoved(out, q8Grid, added);
    }

    /** Multiplies the amplitudes of the chosen events by {@code factor} (finite, &ge; 0). */
    public EventList scaleAmplitudes(int[] indices, float factor) {
        if (!(factor >= 0) || !Float.isFinite(factor)) {
            throw new IllegalArgumentException("amplitude factor must be finite and >= 0, got " + factor);
        }
        boolean[] in = chosen(indices);
        List<Event> out = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            out.add(in[i] ? new Event(e.time(), e.amplitude() * factor, e.vector()) : e);
        }
        return withOwned(out, null); // new amplitude values; the constructor rejects one that overflowed
    }

    /** {@link #perturbRandom(Random, float)} on the chosen events only: one direction, drawn the same way. */
    public EventList perturbRandom(Random rng, float scale, int[] indices) {
        Objects.requireNonNull(rng, "rng");
        if (!(scale >= 0) || !Float.isFinite(scale)) {
            throw new IllegalArgumentException("perturbation scale must be finite and >= 0, got " + scale);
        }
        boolean[] in = chosen(indices);
        float[] direction = new float[vectorDim];
        for (int d = 0; d < vectorDim; d++) direction[d] = (float) ((rng.nextDouble() * 2 - 1) * scale);
        return withChosenVectors(in, old -> {
            float[] v = old.clone();
            for (int d = 0; d < vectorDim; d++) v[d] += direction[d];
            return v;
        });
    }

    /**
     * {@link #randomizeVectors(Random)} on the chosen events only: each gets a uniform draw within the whole list's
     * per-dimension [min, max], so a selection takes sounds of the kind this file holds.
     */
    public EventList randomizeVectors(Random rng, int[] indices) {
        Objects.requireNonNull(rng, "rng");
        boolean[] in = chosen(indices);
        if (events.isEmpty()) return this;
        VectorRange range = vectorRange();
        double[] min = range.min(), max = range.max();
        return withChosenVectors(in, old -> {
            float[] v = new float[vectorDim];
            for (int d = 0; d < vectorDim; d++) {
                double x = min[d] + rng.nextDouble() * (max[d] - min[d]);
                v[d] = (float) Math.max(min[d], Math.min(max[d], x));
            }
            return v;
        });
    }

    /** The chosen events with new vectors (made in event order, so random draws keep their order); no grid kept. */
    private EventList withChosenVectors(boolean[] in, java.util.function.UnaryOperator<float[]> vector) {
        List<Event> out = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            out.add(in[i] ? new Event(e.time(), e.amplitude(), vector.apply(e.vector())) : e);
        }
        return withOwned(out, null); // new values; the constructor rejects values that overflowed to infinity
    }

    // ------------------------------------------------------------------------------------------ time helpers

    private record Range(long from, long to, boolean unboundedAbove) {
        boolean contains(long t) {
            return t >= from && (unboundedAbove || t < to);
        }
    }

    private Range range(double fromSec, double toSec) {
        if (Double.isNaN(fromSec) || Double.isNaN(toSec)) throw new IllegalArgumentException("time range has NaN");
        if (fromSec > toSec) throw new IllegalArgumentException("time range " + fromSec + ":" + toSec + " ends before it starts");
        long from = fromSec == Double.NEGATIVE_INFINITY ? Long.MIN_VALUE : toSamples(fromSec);
        boolean open = toSec == Double.POSITIVE_INFINITY;
        return new Range(from, open ? Long.MAX_VALUE : toSamples(toSec), open);
    }

    private static long addTime(long t, long delta) {
        try {
            return Math.addExact(t, delta);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("moving an event at sample " + t + " by " + delta + " leaves the time range");
        }
    }

    private static long scaleTime(long t, double factor) {
        double x = t * factor;
        if (!(Math.abs(x) < 0x1p63)) throw new IllegalArgumentException("stretching sample " + t + " by " + factor + " leaves the time range");
        return Math.round(x);
    }

    // ------------------------------------------------------------------------------------------ value semantics
    // The remembered Q8 grid is deliberately not compared: two lists with the same events are the same value.

    @Override
    public boolean equals(Object o) {
        return o instanceof EventList l
                && sampleRate == l.sampleRate
                && lengthSamples == l.lengthSamples
                && Float.floatToIntBits(gain) == Float.floatToIntBits(l.gain)
                && vectorDim == l.vectorDim
                && modelId.equals(l.modelId)
                && precision == l.precision
                && events.equals(l.events)
                && silence.equals(l.silence) && balance.equals(l.balance);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sampleRate, lengthSamples, gain, vectorDim, modelId, precision, events, silence, balance);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "EventList[%d events, %.3f s @ %d Hz, dim %d, %s, gain %s, model %s]",
                events.size(), durationSeconds(), sampleRate, vectorDim, precision, gain,
                modelId.isEmpty() ? "none" : modelId.substring(0, 12));
    }
}
