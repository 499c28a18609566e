package dev.siac.train.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siac.audio.AudioIO;
import dev.siac.audio.Signal;
import dev.siac.audio.WavEncoding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Track;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusBuilderTest {

    @TempDir
    Path tmp;

    static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    static Signal tone(double hz, double seconds, int sr) {
        float[] x = new float[(int) (seconds * sr)];
        for (int i = 0; i < x.length; i++) x[i] = (float) (0.3 * Math.sin(2 * Math.PI * hz * i / sr));
        return new Signal(x, sr);
    }

    /** A short melody: notes of {@code keys}, a quarter (0.5 s) each. */
    static Sequence melody(int... keys) throws Exception {
        Sequence s = new Sequence(Sequence.PPQ, 96);
        Track t = s.createTrack();
        for (int i = 0; i < keys.length; i++) {
            t.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_ON, 0, keys[i], 90), i * 96L));
            t.add(new MidiEvent(new ShortMessage(ShortMessage.NOTE_OFF, 0, keys[i], 0), i * 96L + 90));
        }
        return s;
    }

    static void writeMidi(Sequence s, Path f) throws IOException {
        Files.createDirectories(f.getParent());
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        MidiSystem.write(s, 0, b);
        if (f.toString().endsWith(".gz")) {
            try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(f))) {
                o.write(b.toByteArray());
            }
        } else {
            Files.write(f, b.toByteArray());
        }
    }

    @Test
    void plansRendersAndSplitsPackagesEndToEnd() throws Exception {
        Path pkgA = tmp.resolve("pkgs/pkg-a"), pkgB = tmp.resolve("pkgs/pkg-b"), speech = tmp.resolve("pkgs/festvox");
        writeMidi(melody(60, 62, 64, 65, 67, 69, 71, 72), pkgA.resolve("usr/share/doc/01-Song1.mid"));
        writeMidi(melody(60, 62, 64, 65, 67, 69, 71, 72), pkgA.resolve("usr/share/other/copy.mid")); // same bytes
        writeMidi(melody(72, 71, 69, 67, 65, 64, 62, 60), pkgB.resolve("music/tune.mid.gz"));
        writeMidi(melody(60, 64), pkgB.resolve("music/short.mid"));
        Files.writeString(pkgB.resolve("music/broken.mid"), "not midi at all");
        for (int i = 1; i <= 45; i++) {
            Path f = speech.resolve(String.format("wav/ru_%04d.wav", i));
            Files.createDirectories(f.getParent());
            AudioIO.writeWav(f, tone(200 + i, 1.2, 16000), WavEncoding.PCM16);
        }

        List<String> warnings = new ArrayList<>();
        MidiRenderer renderer = new MidiRenderer(List.of());
        CorpusPlan.MidiOptions opt = new CorpusPlan.MidiOptions(2, 5, 3, 0.1, 60);
        List<WorkItem> items = new ArrayList<>(CorpusPlan.midi(Map.of("pkg-a", pkgA, "pkg-b", pkgB), renderer, opt, warnings));
        items.addAll(CorpusPlan.speech(speech, 5));
        assertEquals(2 * 2 + 45, items.size(), "duplicate, short and broken MIDI files are left out");
        assertTrue(warnings.stream().anyMatch(w -> w.contains("broken.mid")), warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("short.mid") && w.contains("left out")), warnings.toString());
        // Originals and program-change variants take turns (no drums here, so no percussion renders).
        assertEquals(List.of("music", "sustained", "music", "sustained"), items.subList(0, 4).stream().map(WorkItem::kind).toList());
        assertEquals(List.of("orig", "orig"), items.subList(0, 4).stream().map(WorkItem::variant).filter("orig"::equals).toList());

        Path out = tmp.resolve("corpus");
        CorpusBuilder.Summary summary = new CorpusBuilder(out, Double.POSITIVE_INFINITY, QUIET).build(items);
        assertEquals(0, summary.failed(), summary.warnings().toString());
        Manifest m = Manifest.read(out);
        assertEquals(49, m.entries().size());
        Map<String, String> splitOfPiece = new HashMap<>();
        for (Manifest.Entry e : m.entries()) {
            String rel = m.relative(e.file());
            assertTrue(rel.matches("audio/(midi|speech)/[^/]+__[^/]+\\.wav"), rel);
            AudioFileFormat ff = AudioSystem.getAudioFileFormat(e.file().toFile());
            AudioFormat f = ff.getFormat();
            assertEquals(22050f, f.getSampleRate());
            assertEquals(1, f.getChannels());
            assertEquals(16, f.getSampleSizeInBits());
            assertEquals(e.seconds(), ff.getFrameLength() / 22050.0, 1e-3);
            assertEquals(e.split(), splitOfPiece.computeIfAbsent(e.piece(), k -> e.split()), "one split per piece: " + e.piece());
        }
        assertTrue(m.valid().stream().anyMatch(e -> e.kind().equals("music")), "valid has music");
        assertTrue(m.valid().stream().anyMatch(e -> e.kind().equals("speech")), "valid has speech");
        assertEquals(3, m.entries().stream().filter(e -> e.source().equals("speech")).map(Manifest.Entry::piece).distinct().count(),
                "45 utterances make 3 groups of neighbours");
        assertTrue(m.entries().stream().anyMatch(e -> e.piece().equals("pkg-a.song") && e.file().getFileName().toString().startsWith("pkg-a.01-Song1__")));
        // Rendered and trimmed: the melody is 8 x 0.5 s; leading silence removed, the tail kept short.
        Manifest.Entry orig = m.entries().stream().filter(e -> e.file().getFileName().toString().equals("pkg-a.01-Song1__orig.wav")).findFirst().orElseThrow();
        assertTrue(orig.seconds() > 3.8 && orig.seconds() < 5.6, "duration " + orig.seconds());
        Signal speechClip = AudioIO.read(m.entries().stream().filter(e -> e.kind().equals("speech")).findFirst().orElseThrow().file());
        assertEquals(1.2, speechClip.durationSeconds(), 0.03, "16 kHz speech resampled to 22050 Hz keeps its length");
    }

    /** Items whose producer counts its calls. */
    static List<WorkItem> counted(AtomicInteger calls, int n, String source, String kind) {
        List<WorkItem> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double hz = 300 + 10 * i;
            items.add(new WorkItem(source, kind, source + ".p" + (i / 2), "clip" + i, "orig", () -> {
                calls.incrementAndGet();
                return tone(hz, 2.0, 22050);
            }));
        }
        return items;
    }

    @Test
    void rerunSkipsClipsThatAreWrittenAndListed() throws Exception {
        Path out = tmp.resolve("c");
        AtomicInteger calls = new AtomicInteger();
        List<WorkItem> items = counted(calls, 6, "midi", "music");
        new CorpusBuilder(out, Double.POSITIVE_INFINITY, QUIET).build(items);
        assertEquals(6, calls.get());
        String manifest = Files.readString(out.resolve("manifest.tsv"));

        CorpusBuilder.Summary again = new CorpusBuilder(out, Double.POSITIVE_INFINITY, QUIET).build(items);
        assertEquals(6, calls.get(), "nothing made twice");
        assertEquals(6, again.bySource().get("midi").reused);
        assertEquals(manifest, Files.readString(out.resolve("manifest.tsv")));

        // Temporary files of a run that was killed are cleaned up.
        Path stale = out.resolve("audio/midi/.clip1__orig.wav.123.part");
        Files.write(stale, new byte[100]);
        new CorpusBuilder(out, Double.POSITIVE_INFINITY, QUIET).build(items);
        assertFalse(Files.exists(stale));
        assertEquals(6, calls.get());

        // A missing file is made again; a file that the manifest does not list is not trusted either.
        Files.delete(out.resolve("audio/midi/clip2__orig.wav"));
        List<String> lines = new ArrayList<>(Files.readAllLines(out.resolve("manifest.tsv")));
        lines.removeIf(l -> l.startsWith("audio/midi/clip4__orig.wav"));
        Files.write(out.resolve("manifest.tsv"), lines);
        new CorpusBuilder(out, Double.POSITIVE_INFINITY, QUIET).build(items);
        assertEquals(8, calls.get());
        assertEquals(manifest, Files.readString(out.resolve("manifest.tsv")));
    }

    @Test
    void sizeLimitIsSharedBySources() throws Exception {
        Path out = tmp.resolve("c");
        AtomicInteger calls = new AtomicInteger();
        List<WorkItem> items = new ArrayList<>(counted(calls, 10, "midi", "music"));
        items.addAll(counted(calls, 10, "speech", "speech"));
        // 0.2 min = 12 s, 6 s per source: three 2-second clips each.
        CorpusBuilder.Summary s = new CorpusBuilder(out, 0.2, QUIET).build(items);
        assertEquals(3, s.bySource().get("midi").made);
        assertEquals(7, s.bySource().get("midi").overBudget);
        assertEquals(3, s.bySource().get("speech").made);
        assertEquals(6, calls.get());
        // A larger limit later adds to what is there.
        s = new CorpusBuilder(out, 0.4, QUIET).build(items);
        assertEquals(3, s.bySource().get("midi").reused);
        assertEquals(3, s.bySource().get("midi").made);
        assertEquals(12, Manifest.read(out).entries().size());
    }

    @Test
    void aFailingItemLeavesNoFileAndTheRestIsBuilt() throws Exception {
        Path out = tmp.resolve("c");
        AtomicInteger calls = new AtomicInteger();
        List<WorkItem> items = new ArrayList<>(counted(calls, 3, "midi", "music"));
        items.add(1, new WorkItem("midi", "music", "midi.bad", "bad", "orig", () -> {
            throw new IOException("bad.mid: not a readable MIDI file");
        }));
        items.add(new WorkItem("midi", "music", "midi.quiet", "quiet", "orig", () -> new Signal(new float[44100], 22050)));
        CorpusBuilder.Summary s = new CorpusBuilder(out, Double.POSITIVE_INFINITY, QUIET).build(items);
        assertEquals(1, s.failed());
        assertEquals(List.of("audio/midi/bad__orig.wav: bad.mid: not a readable MIDI file"), s.warnings());
        assertEquals(1, s.bySource().get("midi").silent);
        assertEquals(3, Manifest.read(out).entries().size());
        try (Stream<Path> files = Files.list(out.resolve("audio/midi"))) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("clip0__orig.wav", "clip1__orig.wav", "clip2__orig.wav"), names);
        }
        assertFalse(s.describe().isBlank());
    }

    @Test
    void pieceNamesGroupTakesAndTrackNumbers() {
        assertEquals("twinkle", CorpusPlan.pieceName("twinkle2"));
        assertEquals("clairdelalune", CorpusPlan.pieceName("04-ClairDeLaLune"));
        assertEquals("clairdelalune", CorpusPlan.pieceName("01-ClairDeLaLune"));
        assertEquals("bwv772", CorpusPlan.pieceName("bwv772"));
        assertEquals("1003", CorpusPlan.pieceName("1003"));
        assertEquals("midnight-express", CorpusPlan.pieceName("16-Midnight-Express2"));
        assertEquals("pkg.Song-A.B", "pkg." + CorpusPlan.fileStem(Path.of("/x/Song A.B.mid.gz")).replace(' ', '-'));
    }
}
