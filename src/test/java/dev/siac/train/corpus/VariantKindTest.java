package dev.siac.train.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siac.audio.Signal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.SysexMessage;
import javax.sound.midi.Track;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Percussion (drum-channel-only) renders and the manifest kind of every MIDI variant. */
class VariantKindTest {

    @TempDir
    Path tmp;

    /** A 6 s melody on channel 1 (index 0) plus, when {@code drums}, bass drum and snare in eighths on channel 10. */
    static Sequence song(boolean drums) throws Exception {
        Sequence s = CorpusBuilderTest.melody(60, 62, 64, 65, 67, 69, 71, 72, 71, 69, 67, 65);
        Track t = s.getTracks()[0];
        t.add(new MidiEvent(new ShortMessage(ShortMessage.PROGRAM_CHANGE, 0, 40, 0), 0));
        t.add(new MidiEvent(new ShortMessage(ShortMessage.CONTROL_CHANGE, 1, 7, 100), 0));
        byte[] gmReset = {(byte) 0xF0, 0x7E, 0x7F, 0x09, 0x01, (byte) 0xF7};
        t.add(new MidiEvent(new SysexMessage(gmReset, gmReset.length), 0));
        if (drums) {
            t.add(new MidiEvent(new ShortMessage(ShortMessage.CONTROL_CHANGE, 9, 7, 110), 0));
            for (int eighth = 0; eighth < 24; eighth++) {
                MidiRendererTest.note(t, 9, eighth % 2 == 0 ? 36 : 38, eighth * 48L, eighth * 48L + 30);
            }
        }
        return s;
    }

    @Test
    void drumOnlyVariantKeepsOnlyChannelTenEvents() throws Exception {
        Variant drums = Variant.drums("pkg.song", 1, 0.1, 1);
        assertTrue(drums.drumsOnly());
        List<MidiRenderer.Timed> events = MidiRenderer.schedule(song(true), drums, 100);
        int notes = 0;
        for (MidiRenderer.Timed e : events) {
            assertTrue(e.message() instanceof ShortMessage, "no sysex or meta message: " + e.message());
            ShortMessage m = (ShortMessage) e.message();
            assertEquals(MidiRenderer.DRUM_CHANNEL, m.getChannel(), "only channel 10 plays");
            if (m.getCommand() == ShortMessage.NOTE_ON) notes++;
        }
        assertEquals(24, notes, "every drum note is kept");
        assertEquals(24 + 24 + 1, events.size(), "note-ons, note-offs and the drum channel's volume");
        // The file's own rendering keeps everything.
        assertTrue(MidiRenderer.schedule(song(true), Variant.original(0), 100).size() > events.size() + 20);
    }

    @Test
    void drumOnlyRenderSoundsForDrumsAndIsDroppedWhenSilent() throws Exception {
        MidiRenderer renderer = new MidiRenderer(List.of());
        Variant drums = new Variant("drums-x1.00", -1, 0, 1.0, 0, true);
        Signal withDrums = CorpusPlan.audibleOrEmpty(renderer.render(song(true), drums, 60));
        assertTrue(withDrums.durationSeconds() > 4, "drum part kept: " + withDrums.durationSeconds() + " s");
        Signal melodyOnly = renderer.render(song(false), drums, 60);
        assertTrue(melodyOnly.rms() < 1e-4, "no melodic channel sounds in a drum-only render: rms " + melodyOnly.rms());
        assertEquals(0, CorpusPlan.audibleOrEmpty(melodyOnly).length());
    }

    @Test
    void nearlySilentDrumRendersGiveNoClip() {
        int sr = MidiRenderer.SAMPLE_RATE;
        float[] oneHit = new float[30 * sr];
        float[] steady = new float[30 * sr];
        for (int i = 0; i < sr / 5; i++) oneHit[i] = (float) (0.5 * Math.exp(-i / 500.0) * Math.sin(i * 0.3));
        oneHit[29 * sr] = 0.5f; // a last click: trimming keeps the 29 s between the two
        for (int beat = 0; beat < 60; beat++) {
            for (int i = 0; i < sr / 4; i++) steady[beat * sr / 2 + i] = (float) (0.5 * Math.exp(-i / 2000.0) * Math.sin(i * 0.3));
        }
        assertEquals(0, CorpusPlan.audibleOrEmpty(new Signal(oneHit, sr)).length(), "two hits 29 s apart are mostly silence");
        float[] quiet = steady.clone();
        for (int i = 0; i < quiet.length; i++) quiet[i] *= 0.002f;
        assertEquals(0, CorpusPlan.audibleOrEmpty(new Signal(quiet, sr)).length(), "-54 dB drums are nearly silent");
        assertTrue(CorpusPlan.audibleOrEmpty(new Signal(steady, sr)).durationSeconds() > 29);
    }

    @Test
    void programChangeVariantsAreSustainedOriginalsMusicDrumsPercussion() {
        List<Variant> vs = Variant.forPiece("pkg.piece", 8, 3, 4, 0.1, 1);
        assertEquals(Manifest.MUSIC, vs.get(0).kind());
        for (Variant v : vs.subList(1, vs.size())) assertEquals(Manifest.SUSTAINED, v.kind(), v.name());
        for (Variant.Timbre t : Variant.Timbre.values()) {
            assertEquals(Manifest.SUSTAINED, new Variant("v1-" + t.label(), t.program, 0, 1.0, 0).kind());
        }
        Variant d = Variant.drums("pkg.piece", 3, 0.1, 2);
        assertEquals(Manifest.PERCUSSION, d.kind());
        assertEquals(d, Variant.drums("pkg.piece", 3, 0.1, 2), "drawn deterministically");
        assertTrue(d.name().startsWith("drums"), d.name());
        Set<String> names = new HashSet<>();
        for (Variant v : vs) names.add(v.name());
        assertFalse(names.contains(d.name()), "its file name differs from the other variants'");
        assertThrows(IllegalArgumentException.class, () -> new Variant("drums", 0, 0, 1.0, 0, true));
        assertThrows(IllegalArgumentException.class, () -> new Variant("drums", -1, 2, 1.0, 0, true));
    }

    @Test
    void onlyPiecesWithDrumsGetAPercussionItemAndKindsTakeTurns() throws Exception {
        Path pkg = tmp.resolve("pkg");
        CorpusBuilderTest.writeMidi(song(true), pkg.resolve("with-drums.mid"));
        CorpusBuilderTest.writeMidi(song(false), pkg.resolve("melody.mid"));
        List<String> warnings = new ArrayList<>();
        CorpusPlan.MidiOptions opt = new CorpusPlan.MidiOptions(3, 5, 3, 0.1, 60);
        List<WorkItem> items = CorpusPlan.midi(Map.of("pkg", pkg), new MidiRenderer(List.of()), opt, warnings);
        assertEquals(List.of(), warnings);
        List<WorkItem> percussion = items.stream().filter(i -> i.kind().equals(Manifest.PERCUSSION)).toList();
        assertEquals(1, percussion.size(), "one drum-only render, for the piece with drums only");
        assertEquals("pkg.with-drums", percussion.get(0).stem());
        assertEquals("pkg.with-drums", percussion.get(0).piece(), "same split unit as the piece's other renders");
        assertEquals(2, items.stream().filter(i -> i.kind().equals(Manifest.MUSIC)).count());
        assertEquals(4, items.stream().filter(i -> i.kind().equals(Manifest.SUSTAINED)).count());
        for (WorkItem i : items) {
            assertEquals(i.kind(), i.variant().equals("orig") ? Manifest.MUSIC
                    : i.variant().startsWith("drums") ? Manifest.PERCUSSION : Manifest.SUSTAINED, i.variant());
        }
        // The three kinds take turns, so a size limit that stops early still has all of them.
        assertEquals(List.of(Manifest.MUSIC, Manifest.SUSTAINED, Manifest.PERCUSSION),
                items.subList(0, 3).stream().map(WorkItem::kind).toList());
        assertEquals(24, MidiRenderer.drumNotes(song(true), 100));
        assertEquals(11, MidiRenderer.drumNotes(song(true), 2.6), "only notes within the rendered stretch count");
        assertEquals(0, MidiRenderer.drumNotes(song(false), 100));
    }
}
