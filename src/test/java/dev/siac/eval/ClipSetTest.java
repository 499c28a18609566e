package dev.siac.eval;

import dev.siac.audio.AudioIO;
import dev.siac.audio.Signal;
import dev.siac.audio.WavEncoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipSetTest {
    private static final int SR = AudioIO.SAMPLE_RATE;

    /** Sample i holds a value that identifies i, so an excerpt shows exactly where it was cut. */
    private static Path ramp(Path dir, String name, int samples, float offset) throws IOException {
        float[] x = new float[samples];
        for (int i = 0; i < samples; i++) x[i] = offset + i / (float) (1 << 24);
        Path p = dir.resolve(name);
        AudioIO.writeWav(p, new Signal(x, SR), WavEncoding.FLOAT32);
        return p;
    }

    @Test
    void clipIisSamplesFromIToIPlusOneTimesTheLength(@TempDir Path dir) throws Exception {
        int n = SR / 10; // 0.1 s clips
        Path f = ramp(dir, "a.wav", 3 * n + n / 2, 0f);
        ClipSet.Selection s = ClipSet.cut(List.of(new ClipSet.Source(f, "a.wav", "music")), 0.1, 0);
        assertEquals(3, s.clips().size(), "the half clip at the end is left out");
        assertEquals(0, s.shortFiles());
        float[] whole = AudioIO.read(f).samples();
        for (int i = 0; i < 3; i++) {
            Evaluation.Clip c = s.clips().get(i);
            Signal x = c.source().load();
            assertEquals(SR, x.sampleRate());
            float[] expected = java.util.Arrays.copyOfRange(whole, i * n, (i + 1) * n);
            assertArrayEquals(expected, x.samples(), 0f, "clip " + i);
            assertEquals("music", c.group());
        }
        assertEquals("a.wav@0-0.1s", s.clips().get(0).name());
        assertEquals("a.wav@0.2-0.3s", s.clips().get(2).name());
    }

    @Test
    void aFileShorterThanOneClipIsUsedWholeAndEmptyFilesAreSkipped(@TempDir Path dir) throws Exception {
        Path shortFile = ramp(dir, "s.wav", 1000, 0.1f);
        Path empty = ramp(dir, "e.wav", 0, 0f);
        ClipSet.Selection s = ClipSet.cut(List.of(new ClipSet.Source(shortFile, "s", "speech"),
                new ClipSet.Source(empty, "e", "speech")), 6, 0);
        assertEquals(1, s.clips().size());
        assertEquals(1, s.shortFiles());
        assertEquals("s", s.clips().get(0).name());
        assertEquals(1000, s.clips().get(0).source().load().length());
    }

    @Test
    void aLimitedSetAlternatesGroupsAndFiles(@TempDir Path dir) throws Exception {
        int n = SR / 10;
        List<ClipSet.Source> src = new ArrayList<>();
        src.add(new ClipSet.Source(ramp(dir, "m1.wav", 4 * n, 0f), "m1", "music"));
        src.add(new ClipSet.Source(ramp(dir, "m2.wav", 4 * n, 0f), "m2", "music"));
        src.add(new ClipSet.Source(ramp(dir, "s1.wav", 2 * n, 0f), "s1", "speech"));
        ClipSet.Selection all = ClipSet.cut(src, 0.1, 0);
        assertEquals(10, all.clips().size());
        List<String> names = all.clips().stream().map(c -> c.name().substring(0, c.name().indexOf('@'))).toList();
        // music: m1#0 m2#0 m1#1 m2#1 ...; speech: s1#0 s1#1; interleaved music, speech, music, speech, music...
        assertEquals(List.of("m1", "s1", "m2", "s1", "m1", "m2", "m1", "m2", "m1", "m2"), names);

        ClipSet.Selection four = ClipSet.cut(src, 0.1, 4);
        assertEquals(all.clips().stream().limit(4).map(Evaluation.Clip::name).toList(),
                four.clips().stream().map(Evaluation.Clip::name).toList());
        assertTrue(four.clips().stream().anyMatch(c -> c.group().equals("speech")));
    }

    @Test
    void badArgumentsAndVanishedFilesAreNamed(@TempDir Path dir) throws Exception {
        Path f = ramp(dir, "a.wav", SR, 0f);
        List<ClipSet.Source> src = List.of(new ClipSet.Source(f, "a", ""));
        assertThrows(IllegalArgumentException.class, () -> ClipSet.cut(src, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> ClipSet.cut(src, 1, -1));
        Path missing = dir.resolve("missing.wav");
        IOException e = assertThrows(IOException.class,
                () -> ClipSet.cut(List.of(new ClipSet.Source(missing, "m", "")), 1, 0));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }
}
