package dev.siac.train.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.util.List;
import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MetaMessage;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class TempoMapTest {

    static MidiEvent tempo(long tick, int microsPerQuarter) throws InvalidMidiDataException {
        byte[] d = {(byte) (microsPerQuarter >> 16), (byte) (microsPerQuarter >> 8), (byte) microsPerQuarter};
        return new MidiEvent(new MetaMessage(0x51, d, 3), tick);
    }

    @Test
    void withoutTempoEventsAQuarterIsHalfASecond() throws Exception {
        Sequence s = new Sequence(Sequence.PPQ, 480);
        s.createTrack();
        TempoMap m = TempoMap.of(s);
        assertEquals(500_000.0, m.micros(480));
        assertEquals(500_000.0 / 480, m.micros(1));
        assertEquals(1042, m.microsRounded(1));
        assertEquals(1, m.segments());
    }

    @Test
    void tempoChangesOnAnyTrackApplyFromTheirTick() throws Exception {
        Sequence s = new Sequence(Sequence.PPQ, 480);
        Track conductor = s.createTrack();
        Track other = s.createTrack();
        conductor.add(tempo(0, 500_000));
        conductor.add(tempo(480, 250_000));
        other.add(tempo(960, 1_000_000));
        TempoMap m = TempoMap.of(s);
        assertEquals(3, m.segments());
        assertEquals(500_000.0, m.micros(480));
        assertEquals(500_000 + 250_000 / 2.0, m.micros(720));
        assertEquals(750_000.0, m.micros(960));
        assertEquals(750_000 + 500_000.0, m.micros(1200));
        assertEquals(750_000 + 3 * 1_000_000.0, m.micros(960 + 3 * 480));
    }

    @Test
    void defaultTempoHoldsUntilTheFirstTempoEvent() throws Exception {
        Sequence s = new Sequence(Sequence.PPQ, 96);
        s.createTrack().add(tempo(192, 1_000_000));
        TempoMap m = TempoMap.of(s);
        assertEquals(1_000_000.0, m.micros(192));
        assertEquals(1_000_000.0 + 1_000_000.0, m.micros(288));
    }

    @Test
    void smpteDivisionIsFramesTimesTicks() throws Exception {
        Sequence s = new Sequence(Sequence.SMPTE_25, 40);
        s.createTrack().add(tempo(0, 250_000)); // ignored: SMPTE time does not follow tempo
        assertEquals(1_000_000.0, TempoMap.of(s).micros(1000));
    }

    /** Reference: add up tick by tick in exact integers, scaled by the resolution. */
    @Property(tries = 200)
    void equalsTickByTickSum(@ForAll @Size(min = 0, max = 6) List<@IntRange(min = 1, max = 400) Integer> gaps,
                             @ForAll @Size(min = 6, max = 6) List<@IntRange(min = 20_000, max = 2_000_000) Integer> tempos,
                             @ForAll @IntRange(min = 24, max = 960) int resolution) throws Exception {
        Sequence s = new Sequence(Sequence.PPQ, resolution);
        Track t = s.createTrack();
        long[] changeTick = new long[gaps.size()];
        long tick = 0;
        for (int i = 0; i < gaps.size(); i++) {
            tick += gaps.get(i);
            changeTick[i] = tick;
            t.add(tempo(tick, tempos.get(i)));
        }
        long end = tick + 500;
        TempoMap m = TempoMap.of(s);
        BigInteger scaled = BigInteger.ZERO;
        long current = TempoMap.DEFAULT_MICROS_PER_QUARTER;
        int next = 0;
        for (long k = 0; k <= end; k++) {
            while (next < changeTick.length && changeTick[next] == k) current = tempos.get(next++);
            double expected = scaled.doubleValue() / resolution;
            assertEquals(expected, m.micros(k), Math.ulp(expected) * 4, "tick " + k);
            long rounded = scaled.add(BigInteger.valueOf(resolution / 2)).divide(BigInteger.valueOf(resolution)).longValueExact();
            assertEquals(rounded, m.microsRounded(k), "tick " + k);
            scaled = scaled.add(BigInteger.valueOf(current));
        }
    }

    @Test
    void agreesWithTheJdkSequenceLength() throws Exception {
        Sequence s = new Sequence(Sequence.PPQ, 192);
        Track t = s.createTrack();
        t.add(tempo(0, 600_000));
        t.add(tempo(100, 300_000));
        t.add(tempo(1000, 450_000));
        t.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_ON, 0, 60, 64), 1500));
        t.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_OFF, 0, 60, 0), 2000));
        assertEquals(s.getMicrosecondLength(), TempoMap.of(s).microsRounded(s.getTickLength()), 1);
    }
}
