package dev.siac.train.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siac.audio.Signal;
import java.util.List;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Renders tiny sequences with Gervill's built-in bank: no soundfont file, no package needed. */
class MidiRendererTest {

    static final int SR = MidiRenderer.SAMPLE_RATE;
    static MidiRenderer renderer;

    @BeforeAll
    static void setUp() {
        renderer = new MidiRenderer(List.of());
    }

    /**
     * Flute on channel 1: A4 from tick 480 to 720 (0.5-0.75 s); the tempo doubles at tick 960 (1.0 s), so A5
     * at ticks 1920-2160 plays at 1.5-1.625 s (it would be at 2.0 s without the tempo change).
     */
    static Sequence twoNotes() throws Exception {
        Sequence s = new Sequence(Sequence.PPQ, 480);
        Track conductor = s.createTrack();
        conductor.add(TempoMapTest.tempo(0, 500_000));
        conductor.add(TempoMapTest.tempo(960, 250_000));
        Track t = s.createTrack();
        t.add(new MidiEvent(new ShortMessage(ShortMessage.PROGRAM_CHANGE, 0, 73, 0), 0));
        note(t, 0, 69, 480, 720);
        note(t, 0, 81, 1920, 2160);
        return s;
    }

    static void note(Track t, int ch, int key, long on, long off) throws Exception {
        t.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_ON, ch, key, 100), on));
        t.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_OFF, ch, key, 0), off));
    }

    static double rms(Signal s, double from, double to) {
        int a = (int) (from * SR), b = Math.min(s.length(), (int) (to * SR));
        double e = 0;
        for (int i = a; i < b; i++) e += s.samples()[i] * s.samples()[i];
        return Math.sqrt(e / Math.max(1, b - a));
    }

    /** First time after {@code from} at which the 5 ms RMS exceeds {@code level}. */
    static double onset(Signal s, double from, double level) {
        int w = SR / 200;
        for (int i = (int) (from * SR); i + w < s.length(); i += w / 4) {
            double e = 0;
            for (int k = i; k < i + w; k++) e += s.samples()[k] * s.samples()[k];
            if (Math.sqrt(e / w) > level) return i / (double) SR;
        }
        return Double.NaN;
    }

    /**
     * Fundamental frequency of a stretch by autocorrelation: the shortest lag whose correlation is within
     * 10% of the best one (a strong upper partial cannot win, as it would with a spectrum peak).
     */
    static double pitchHz(Signal s, double from, double seconds) {
        int a = (int) (from * SR), n = (int) (seconds * SR);
        int minLag = SR / 3000, maxLag = SR / 80;
        double[] r = new double[maxLag + 1];
        double best = 0;
        for (int lag = minLag; lag <= maxLag; lag++) {
            double c = 0, e0 = 0, e1 = 0;
            for (int i = 0; i + lag < n; i++) {
                float x = s.samples()[a + i], y = s.samples()[a + i + lag];
                c += x * y;
                e0 += x * x;
                e1 += y * y;
            }
            r[lag] = c / Math.sqrt(e0 * e1 + 1e-20);
            best = Math.max(best, r[lag]);
        }
        for (int lag = minLag + 1; lag < maxLag; lag++) {
            if (r[lag] >= 0.9 * best && r[lag] >= r[lag - 1] && r[lag] >= r[lag + 1]) {
                // Parabolic interpolation between integer lags.
                double d = 0.5 * (r[lag - 1] - r[lag + 1]) / (r[lag - 1] - 2 * r[lag] + r[lag + 1]);
                return SR / (lag + d);
            }
        }
        return Double.NaN;
    }

    @Test
    void notesSoundAtTheirTimesAndPitches() throws Exception {
        Signal s = renderer.render(twoNotes(), Variant.original(0), 10);
        assertEquals(SR, s.sampleRate());
        double loud1 = rms(s, 0.55, 0.72);
        assertTrue(loud1 > 0.01, "first note should be audible, rms " + loud1);
        assertTrue(rms(s, 0, 0.45) < loud1 / 100, "nothing before the first note");
        assertEquals(0.5, onset(s, 0, loud1 / 10), 0.02);
        assertEquals(440, pitchHz(s, 0.55, 0.18), 440 * 0.01);
        double loud2 = rms(s, 1.55, 1.62);
        assertTrue(rms(s, 1.2, 1.45) < loud2 / 20, "silence between the notes");
        assertEquals(1.5, onset(s, 1.2, loud2 / 10), 0.02);
        assertEquals(880, pitchHz(s, 1.52, 0.1), 880 * 0.01);
        // Length: last event (1.625 s) plus the release tail.
        assertEquals(1.625 + 1.5, s.durationSeconds(), 1.0 / SR + 1e-9);
    }

    @Test
    void transpositionAndTempoFactorMoveNotes() throws Exception {
        Signal s = renderer.render(twoNotes(), new Variant("v1-test", -1, 12, 2.0, 0), 10);
        double loud1 = rms(s, 0.27, 0.37);
        assertEquals(0.25, onset(s, 0, loud1 / 10), 0.02);
        assertEquals(880, pitchHz(s, 0.27, 0.1), 880 * 0.01);
        double loud2 = rms(s, 0.77, 0.81);
        assertEquals(0.75, onset(s, 0.6, loud2 / 10), 0.02);
        assertEquals(1760, pitchHz(s, 0.76, 0.05), 1760 * 0.01);
    }

    @Test
    void renderingStopsAtTheCap() throws Exception {
        Signal s = renderer.render(twoNotes(), Variant.original(0), 0.7);
        assertEquals(0.7, s.durationSeconds(), 1.0 / SR + 1e-9);
        assertTrue(rms(s, 0.6, 0.7) > 0.01);
    }

    @Test
    void programOverrideReplacesFileProgramsButNotDrums() throws Exception {
        Sequence seq = twoNotes();
        Track t = seq.createTrack();
        note(t, 9, 38, 0, 100);
        t.add(new MidiEvent(new ShortMessage(ShortMessage.CONTROL_CHANGE, 0, 0, 1), 0)); // bank select
        Variant harpsichord = new Variant("v1-harpsichord", Variant.Timbre.HARPSICHORD.program, 3, 1.0, 0);
        var events = MidiRenderer.schedule(seq, harpsichord, 100);
        int programs = 0;
        for (var e : events) {
            if (e.message() instanceof ShortMessage m) {
                if (m.getCommand() == ShortMessage.PROGRAM_CHANGE) {
                    programs++;
                    assertEquals(Variant.Timbre.HARPSICHORD.program, m.getData1());
                    assertFalse(m.getChannel() == 9, "drum channel keeps its kit");
                }
                assertFalse(m.getCommand() == ShortMessage.CONTROL_CHANGE && m.getData1() == 0, "bank select dropped");
                if (m.getCommand() == ShortMessage.NOTE_ON) {
                    if (m.getChannel() == 9) assertEquals(38, m.getData1(), "drums are not transposed");
                    else assertTrue(m.getData1() == 72 || m.getData1() == 84, "transposed by 3: " + m.getData1());
                }
            }
        }
        assertEquals(15, programs);
    }

    @Test
    void variantsAreReproducibleAndStartWithTheOriginal() {
        List<Variant> a = Variant.forPiece("pkg.piece", 5, 7, 4, 0.1, 2);
        assertEquals(a, Variant.forPiece("pkg.piece", 5, 7, 4, 0.1, 2));
        assertEquals(Variant.original(a.get(0).soundfont()), a.get(0));
        assertFalse(a.equals(Variant.forPiece("pkg.piece", 5, 8, 4, 0.1, 2)), "another seed gives other variants");
        for (Variant v : a.subList(1, a.size())) {
            assertTrue(Math.abs(v.transpose()) <= 4);
            assertTrue(v.tempo() >= 0.9 && v.tempo() <= 1.1);
            assertTrue(v.program() >= 0);
        }
        for (int i = 1; i < a.size(); i++) assertEquals(1 - a.get(i - 1).soundfont(), a.get(i).soundfont(), "soundfonts alternate");
        long onSecond = java.util.stream.IntStream.range(0, 40)
                .filter(i -> Variant.forPiece("piece" + i, 1, 7, 4, 0.1, 2).get(0).soundfont() == 1).count();
        assertTrue(onSecond > 5 && onSecond < 35, "originals use both soundfonts: " + onSecond);
        assertEquals(List.of(Variant.original(0)), Variant.forPiece("piece", 1, 7, 4, 0.1, 1));
    }
}
