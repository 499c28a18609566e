package dev.siac;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siac.audio.AudioIO;
import dev.siac.codec.EventList;
import dev.siac.codec.TinyModel;
import dev.siac.eval.Metrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The front door as a program uses it (the README's example), on the bundled model and a tiny one. */
class SiacTest {
    @TempDir
    Path dir;

    @Test
    void theReadmeExampleEncodesEditsAndDecodesAFile() throws IOException {
        Path song = Files.copy(Path.of("examples", "example.wav"), dir.resolve("song.wav"));
        try (Siac siac = Siac.load(Path.of("models", "default"))) {
            EventList events = siac.encode(song);
            Siac.write(events.deleteTimeRange(3, 6), dir.resolve("song.siac"));
            EventList back = Siac.read(dir.resolve("song.siac"));
            assertEquals(siac.modelId(), back.modelId());
            assertTrue(back.size() < events.size() && back.events().stream().noneMatch(e -> e.time() >= 3 * 22050 && e.time() < 6 * 22050));
            siac.decode(back, dir.resolve("song.decoded.wav"));
            float[] x = AudioIO.read(song).samples(), y = AudioIO.read(dir.resolve("song.decoded.wav")).samples();
            assertEquals(x.length, y.length);
            // the untouched first 3 s sound like the input; the deleted part does not
            float[] x3 = Arrays.copyOf(x, 3 * 22050), y3 = Arrays.copyOf(y, 3 * 22050);
            assertTrue(Metrics.melL1(x3, y3, 22050) < 0.8, "first 3 s: " + Metrics.melL1(x3, y3, 22050));
        }
    }

    @Test
    void samplesInSamplesOutAndTheModelChecks() throws IOException {
        float[] x = TinyModel.noise(30_000, 0.5, 3);
        try (Siac tiny = Siac.load(TinyModel.save(dir.resolve("tiny"), 1));
             Siac other = Siac.load(TinyModel.save(dir.resolve("other"), 2))) {
            EventList events = tiny.encode(x);
            assertEquals(x.length, events.lengthSamples());
            assertTrue(events.size() > 0);
            float[] y = tiny.decode(events);
            assertEquals(x.length, y.length);
            assertArrayEquals(y, tiny.decode(events), "decoding is deterministic");
            IOException e = assertThrows(IOException.class, () -> other.decode(events));
            assertTrue(e.getMessage().contains("encoded with model"), e.getMessage());
        }
        IOException missing = assertThrows(IOException.class, () -> Siac.load(dir.resolve("nothing")));
        assertTrue(missing.getMessage().contains("not a siac model directory"), missing.getMessage());
    }
}
