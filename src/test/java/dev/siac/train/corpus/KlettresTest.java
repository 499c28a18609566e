package dev.siac.train.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siac.audio.AudioException;
import dev.siac.audio.AudioIO;
import dev.siac.audio.Signal;
import dev.siac.audio.TestSignals;
import dev.siac.audio.WavEncoding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KlettresTest {

    @TempDir
    Path tmp;

    static final int SR = AudioIO.SAMPLE_RATE;

    /** A 0.5 s tone between 0.4 s of silence before and 0.6 s after, at 16 kHz (so reading resamples it). */
    static Signal utterance(double hz) {
        int sr = 16000;
        float[] x = new float[(int) (1.5 * sr)];
        for (int i = (int) (0.4 * sr); i < (int) (0.9 * sr); i++) x[i] = (float) (0.3 * Math.sin(2 * Math.PI * hz * i / sr));
        return new Signal(x, sr);
    }

    /** {@code n} utterances in {@code root/lang/folder}, named so that file-name order differs from creation order. */
    static List<Path> folder(Path root, String lang, String folder, int n) throws Exception {
        List<Path> files = new ArrayList<>();
        for (int i = n - 1; i >= 0; i--) {
            Path f = root.resolve(lang).resolve(folder).resolve(String.format("%c.wav", (char) ('a' + i)));
            Files.createDirectories(f.getParent());
            AudioIO.writeWav(f, utterance(200 + 50 * i), WavEncoding.PCM16);
            files.add(0, f);
        }
        return files;
    }

    /** Start times (s) of the sounding stretches of {@code s}, and their ends, in 10 ms frames. */
    static List<double[]> stretches(Signal s) {
        List<double[]> out = new ArrayList<>();
        int frame = SR / 100;
        double start = -1;
        for (int f = 0; f * frame < s.length(); f++) {
            double e = 0;
            int a = f * frame, b = Math.min(s.length(), a + frame);
            for (int i = a; i < b; i++) e += s.samples()[i] * s.samples()[i];
            boolean on = Math.sqrt(e / (b - a)) > 0.01;
            if (on && start < 0) start = a / (double) SR;
            if (!on && start >= 0) {
                out.add(new double[] {start, a / (double) SR});
                start = -1;
            }
        }
        if (start >= 0) out.add(new double[] {start, s.length() / (double) SR});
        return out;
    }

    @Test
    void joinsTheFilesOfAFolderInNameOrderWithGaps() throws Exception {
        List<Path> files = folder(tmp, "en", "alpha", 4);
        Signal s = Klettres.join(files, Klettres.GAP_SECONDS);
        assertEquals(SR, s.sampleRate());
        List<double[]> parts = stretches(s);
        assertEquals(4, parts.size(), "four utterances");
        for (int i = 0; i < 4; i++) {
            assertEquals(0.5, parts.get(i)[1] - parts.get(i)[0], 0.03, "utterance " + i + " keeps its length");
            if (i > 0) {
                // Trimming keeps 0.1 s of tail and 0.02 s of lead around each utterance, then the gap.
                assertEquals(Klettres.GAP_SECONDS + 0.12, parts.get(i)[0] - parts.get(i - 1)[1], 0.03, "gap before " + i);
            }
        }
        // File-name order: a (200 Hz) first, d (350 Hz) last.
        for (int i = 0; i < 4; i++) assertEquals(200 + 50 * i, MidiRendererTest.pitchHz(s, parts.get(i)[0] + 0.05, 0.3), 2);
    }

    @Test
    void onePieceKeyPerLanguageAndPiecesOfAboutTheTargetLength() throws Exception {
        Path root = tmp.resolve("usr/share/klettres");
        folder(root, "en", "alpha", 26);
        folder(root, "en", "syllab", 5);
        folder(root, "fr", "alpha", 3);
        Files.createDirectories(root.resolve("pics/desert"));
        Files.writeString(root.resolve("en/sounds.xml"), "<sounds/>");
        List<String> warnings = new ArrayList<>();
        List<WorkItem> items = Klettres.plan(tmp, 1, warnings);
        assertEquals(List.of(), warnings);
        Map<String, List<String>> stemsByPiece = items.stream().collect(Collectors.groupingBy(WorkItem::piece,
                Collectors.mapping(WorkItem::stem, Collectors.toList())));
        assertEquals(List.of("klettres.en", "klettres.fr"), stemsByPiece.keySet().stream().sorted().toList());
        // en/alpha: 26 x (0.62 s trimmed + 0.3 s gap) = 24 s, one piece; en/syllab and fr/alpha are one short piece each.
        assertEquals(List.of("en.alpha.01", "en.syllab.01"), stemsByPiece.get("klettres.en").stream().sorted().toList());
        assertEquals(List.of("fr.alpha.01"), stemsByPiece.get("klettres.fr"));
        for (WorkItem i : items) {
            assertEquals(CorpusPlan.KLETTRES, i.source());
            assertEquals(Manifest.SPEECH, i.kind());
        }
        WorkItem enAlpha = items.stream().filter(i -> i.stem().equals("en.alpha.01")).findFirst().orElseThrow();
        assertEquals(26, stretches(enAlpha.producer().produce()).size());
    }

    @Test
    void chunksAreConsecutiveAndAboutTheTargetLength() {
        double[] seconds = new double[200];
        Arrays.fill(seconds, 0.7); // 200 s with gaps: five pieces of 40 s
        List<List<Integer>> c = Klettres.chunks(seconds);
        assertEquals(5, c.size());
        int next = 0;
        for (List<Integer> run : c) {
            assertEquals(40, run.size());
            for (int i : run) assertEquals(next++, i);
        }
        assertEquals(1, Klettres.chunks(new double[] {0.5, 0.5}).size(), "a short folder is one piece");
        double[] uneven = new double[90];
        for (int i = 0; i < uneven.length; i++) uneven[i] = i % 3 == 0 ? 2.0 : 0.4; // 90 s in all
        for (List<Integer> run : Klettres.chunks(uneven)) {
            double len = run.stream().mapToDouble(i -> uneven[i] + Klettres.GAP_SECONDS).sum();
            assertTrue(len >= 20 && len <= 60, "piece of " + len + " s");
        }
    }

    @Test
    void theSplitKeepsEachLanguageWholeAndHoldsOneOut() throws Exception {
        Path root = tmp.resolve("k");
        String[] langs = {"cs", "da", "de", "en", "es", "fr", "it", "ru"};
        for (String lang : langs) {
            folder(root, lang, "alpha", 4);
            folder(root, lang, "syllab", 3);
        }
        List<WorkItem> items = Klettres.plan(root, 3, new ArrayList<>());
        assertEquals(16, items.size());
        Manifest m = new CorpusBuilder(tmp.resolve("corpus"), Double.POSITIVE_INFINITY, CorpusBuilderTest.QUIET).build(items).manifest();
        assertEquals(16, m.entries().size());
        Map<String, String> splitOf = new HashMap<>();
        for (Manifest.Entry e : m.entries()) {
            assertEquals(e.split(), splitOf.computeIfAbsent(e.piece(), k -> e.split()), "one split per language: " + e.piece());
            assertEquals("klettres", e.source());
        }
        long valid = splitOf.values().stream().filter(Split.VALID::equals).count();
        assertTrue(valid >= 1 && valid < langs.length, "whole languages held out: " + splitOf);
        assertEquals(2, m.valid().size() / valid, "both folders of a held-out language are in validation");
    }

    @Test
    void anOggRecordingWithoutTheEndOfStreamFlagIsKept() throws Exception {
        byte[] b = Files.readAllBytes(TestSignals.fixture("tone_stereo_44k.ogg"));
        int last = -1;
        for (int i = 0; i + 4 <= b.length; i++) if (b[i] == 'O' && b[i + 1] == 'g' && b[i + 2] == 'g' && b[i + 3] == 'S') last = i;
        assertTrue((b[last + 5] & 4) != 0, "the fixture's last page ends the stream");
        b[last + 5] &= ~4;
        setOggCrc(b, last);
        Path f = tmp.resolve("no-eos.ogg");
        Files.write(f, b);
        AudioException e = assertThrows(AudioException.class, () -> AudioIO.read(f));
        assertTrue(e.getMessage().contains("end-of-stream"), e.getMessage());
        Signal whole = AudioIO.read(TestSignals.fixture("tone_stereo_44k.ogg"));
        Signal kept = Klettres.readUtterance(f);
        assertEquals(whole.durationSeconds(), kept.durationSeconds(), 0.01);

        // Damage inside still fails.
        byte[] d = b.clone();
        d[last / 2] ^= 0x55;
        Path g = tmp.resolve("damaged.ogg");
        Files.write(g, d);
        assertThrows(AudioException.class, () -> Klettres.readUtterance(g));
    }

    /** The Ogg page checksum (CRC-32, polynomial 0x04C11DB7, not reflected) of the page at {@code at}. */
    static void setOggCrc(byte[] b, int at) {
        int segments = b[at + 26] & 0xFF;
        int len = 27 + segments;
        for (int i = 0; i < segments; i++) len += b[at + 27 + i] & 0xFF;
        for (int i = 22; i < 26; i++) b[at + i] = 0;
        int crc = 0;
        for (int i = at; i < at + len; i++) {
            crc ^= (b[i] & 0xFF) << 24;
            for (int k = 0; k < 8; k++) crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
        }
        for (int i = 0; i < 4; i++) b[at + 22 + i] = (byte) (crc >>> (8 * i));
    }
}
