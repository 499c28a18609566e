package dev.siac.train.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {

    @TempDir
    Path dir;

    @Test
    void roundTrip() throws IOException {
        List<Manifest.Entry> entries = List.of(
                new Manifest.Entry(dir.resolve("audio/midi/sfront.bach__orig.wav"), "train", "music", "midi", "bach-bwv772", 66.125),
                new Manifest.Entry(dir.resolve("audio/speech/ru_0001__orig.wav"), "valid", "speech", "speech", "festvox-ru.g000", 3.5));
        new Manifest(dir, entries).write();
        assertEquals(Manifest.HEADER, Files.readAllLines(dir.resolve("manifest.tsv")).get(0));
        assertTrue(Files.readString(dir.resolve("manifest.tsv")).contains("audio/midi/sfront.bach__orig.wav\ttrain\tmusic\tmidi\tbach-bwv772\t66.125\n"));

        Manifest m = Manifest.read(dir);
        assertEquals(entries, m.entries());
        assertEquals(List.of(entries.get(0)), m.train());
        assertEquals(List.of(entries.get(1)), m.valid());
        assertEquals(69.625, Manifest.seconds(m.entries()), 1e-9);
        // No temporary file is left beside it.
        try (var s = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("manifest.tsv")), s.toList());
        }
    }

    @Test
    void badLinesAreReportedWithTheirNumber() throws IOException {
        Path f = dir.resolve("manifest.tsv");
        Files.writeString(f, Manifest.HEADER + "\naudio/a.wav\ttrain\tmusic\tmidi\tp\t1.0\naudio/b.wav\ttest\tmusic\tmidi\tp\t1.0\n",
                StandardCharsets.UTF_8);
        IOException e = assertThrows(IOException.class, () -> Manifest.read(dir));
        assertTrue(e.getMessage().startsWith(f + ": line 3: split must be train or valid"), e.getMessage());

        Files.writeString(f, Manifest.HEADER + "\naudio/a.wav\ttrain\tmusic\n");
        e = assertThrows(IOException.class, () -> Manifest.read(dir));
        assertTrue(e.getMessage().contains("line 2: expected 6 tab-separated fields, got 3"), e.getMessage());

        Files.writeString(f, Manifest.HEADER + "\n../../etc/passwd\ttrain\tmusic\tmidi\tp\t1.0\n");
        e = assertThrows(IOException.class, () -> Manifest.read(dir));
        assertTrue(e.getMessage().contains("leaves the corpus directory"), e.getMessage());

        Files.writeString(f, "something else\n");
        e = assertThrows(IOException.class, () -> Manifest.read(dir));
        assertTrue(e.getMessage().contains("line 1: expected the header"), e.getMessage());

        Files.delete(f);
        e = assertThrows(NoSuchFileException.class, () -> Manifest.read(dir));
        assertTrue(e.getMessage().contains("siac corpus --out"), e.getMessage());
    }

    @Test
    void everyKindReadsBackAndAnUnknownKindIsRefused() throws IOException {
        List<Manifest.Entry> entries = new java.util.ArrayList<>();
        for (String kind : List.of("music", "sustained", "percussion", "speech")) {
            entries.add(new Manifest.Entry(dir.resolve("audio/x/" + kind + ".wav"), "train", kind, "x", kind, 1.0));
        }
        new Manifest(dir, entries).write();
        assertEquals(entries, Manifest.read(dir).entries());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Manifest.Entry(dir.resolve("a.wav"), "train", "drums", "x", "p", 1.0));
        assertTrue(e.getMessage().contains("music, sustained, percussion, speech"), e.getMessage());
    }
}
