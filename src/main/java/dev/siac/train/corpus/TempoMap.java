package dev.siac.train.corpus;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.Sequence;
import javax.sound.midi.Track;

/**
 * Converts MIDI ticks to microseconds through all tempo changes of a sequence.
 *
 * <p>Gervill schedules timestamped messages in microseconds, so every tick position must go through
 * the tempo map. Positions are kept as exact rationals (numerator over the division) until the last
 * step, so long pieces with many tempo changes do not accumulate rounding drift.
 */
public final class TempoMap {

    /** The MIDI default when a file sets no tempo: 120 quarter notes per minute. */
    public static final int DEFAULT_MICROS_PER_QUARTER = 500_000;

    private final boolean ppq;
    private final long ticksPerQuarter;
    /** Only for SMPTE division: ticks per second as frames/s times ticks/frame. */
    private final double ticksPerSecond;
    private final long[] segmentTick;
    private final long[] segmentTempo;
    /** Microseconds at each segment start, times ticksPerQuarter (exact integer arithmetic). */
    private final long[] segmentScaledMicros;

    private TempoMap(Sequence sequence) {
        float division = sequence.getDivisionType();
        this.ppq = division == Sequence.PPQ;
        this.ticksPerQuarter = sequence.getResolution();
        if (ticksPerQuarter <= 0) {
            throw new IllegalArgumentException("MIDI resolution must be positive, got " + ticksPerQuarter);
        }
        this.ticksPerSecond = ppq ? 0 : division * sequence.getResolution();

        // Tempo events may sit on any track; when two share a tick the later-listed one wins, as in a player.
        TreeMap<Long, Long> tempos = new TreeMap<>();
        for (Track track : sequence.getTracks()) {
            for (int i = 0; i < track.size(); i++) {
                MidiEvent e = track.get(i);
                if (e.getMessage() instanceof MetaMessage m && m.getType() == 0x51) {
                    byte[] d = m.getData();
                    if (d.length < 3) continue;
                    long tempo = ((d[0] & 0xFFL) << 16) | ((d[1] & 0xFFL) << 8) | (d[2] & 0xFFL);
                    if (tempo > 0) tempos.put(e.getTick(), tempo);
                }
            }
        }
        List<long[]> segments = new ArrayList<>();
        if (tempos.isEmpty() || tempos.firstKey() > 0) segments.add(new long[] {0, DEFAULT_MICROS_PER_QUARTER});
        tempos.forEach((tick, tempo) -> segments.add(new long[] {tick, tempo}));
        int n = segments.size();
        segmentTick = new long[n];
        segmentTempo = new long[n];
        segmentScaledMicros = new long[n];
        for (int i = 0; i < n; i++) {
            segmentTick[i] = segments.get(i)[0];
            segmentTempo[i] = segments.get(i)[1];
            if (i > 0) {
                segmentScaledMicros[i] = segmentScaledMicros[i - 1]
                        + (segmentTick[i] - segmentTick[i - 1]) * segmentTempo[i - 1];
            }
        }
    }

    public static TempoMap of(Sequence sequence) {
        return new TempoMap(sequence);
    }

    /** Microseconds from the start of the sequence to {@code tick}. */
    public double micros(long tick) {
        if (tick < 0) throw new IllegalArgumentException("negative tick " + tick);
        if (!ppq) return tick * 1e6 / ticksPerSecond;
        int i = segmentIndex(tick);
        long scaled = segmentScaledMicros[i] + (tick - segmentTick[i]) * segmentTempo[i];
        return scaled / (double) ticksPerQuarter;
    }

    /** Microseconds as a whole number, rounded to nearest; exact when the rational value is whole. */
    public long microsRounded(long tick) {
        if (!ppq) return Math.round(micros(tick));
        int i = segmentIndex(tick);
        long scaled = segmentScaledMicros[i] + (tick - segmentTick[i]) * segmentTempo[i];
        return Math.floorDiv(scaled + ticksPerQuarter / 2, ticksPerQuarter);
    }

    /** Number of tempo segments (1 + the number of effective tempo changes after tick 0). */
    public int segments() {
        return segmentTick.length;
    }

    private int segmentIndex(long tick) {
        int lo = 0, hi = segmentTick.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (segmentTick[mid] <= tick) lo = mid; else hi = mid - 1;
        }
        return lo;
    }
}
