package dev.siac.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavRoundTripTest {

    @TempDir
    Path tmp;

    @Test
    void pcm16RoundTripIsExactOnTheGridAndWithinHalfAStepOtherwise() throws Exception {
        float[] x = TestSignals.noise(22050, 0.99, 1);
        float[] grid = new float[x.length];
        for (int i = 0; i < x.length; i++) grid[i] = Math.round(x[i] * 32768) / 32768f;

        Path f = tmp.resolve("grid.wav");
        AudioIO.writeWav(f, new Signal(grid, AudioIO.SAMPLE_RATE), WavEncoding.PCM16);
        assertArrayEquals(grid, AudioIO.read(f).samples(), "samples on the 16-bit grid come back exactly");

        AudioIO.writeWav(f, new Signal(x, AudioIO.SAMPLE_RATE), WavEncoding.PCM16);
        float[] y = AudioIO.read(f).samples();
        assertEquals(x.length, y.length);
        for (int i = 0; i < x.length; i++) assertEquals(x[i], y[i], 0.5f / 32768 + 1e-7f, "sample " + i);
        assertEquals(44 + 2L * x.length, Files.size(f), "canonical 44-byte header");
    }

    @Test
    void pcm16ClipsAtFullScale() throws Exception {
        float[] x = {1.5f, 1f, -1f, -3f, 0.99999f, Float.MAX_VALUE, -Float.MAX_VALUE, 0f};
        Path f = tmp.resolve("clip.wav");
        AudioIO.writeWav(f, new Signal(x, AudioIO.SAMPLE_RATE), WavEncoding.PCM16);
        float[] y = AudioIO.read(f).samples();
        float top = 32767 / 32768f;
        assertArrayEquals(new float[] {top, top, -1f, -1f, top, top, -1f, 0f}, y);
    }

    @Property(tries = 50)
    void float32RoundTripIsBitExact(@ForAll @Size(min = 0, max = 300) List<@FloatRange(min = -4, max = 4) Float> values) throws Exception {
        float[] x = new float[values.size()];
        for (int i = 0; i < x.length; i++) x[i] = values.get(i);
        Path dir = Files.createTempDirectory("siac-wav");
        try {
            Path f = dir.resolve("x.wav");
            AudioIO.writeWav(f, new Signal(x, AudioIO.SAMPLE_RATE), WavEncoding.FLOAT32);
            assertArrayEquals(x, AudioIO.read(f).samples());
        } finally {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.collect(Collectors.toList())) Files.delete(p);
            }
            Files.delete(dir);
        }
    }

    @Test
    void headersAreStandardAndReadableByJavaSound() throws Exception {
        float[] x = TestSignals.sine(440, 0.5, 44100, 4410);
        Path pcm = tmp.resolve("pcm.wav");
        Path flt = tmp.resolve("float.wav");
        AudioIO.writeWav(pcm, new Signal(x, 44100), WavEncoding.PCM16);
        AudioIO.writeWav(flt, new Signal(x, 44100), WavEncoding.FLOAT32);

        // An independent reader agrees on the layout.
        AudioFileFormat a = AudioSystem.getAudioFileFormat(pcm.toFile());
        assertEquals(4410, a.getFrameLength());
        assertEquals(44100f, a.getFormat().getSampleRate());
        assertEquals(16, a.getFormat().getSampleSizeInBits());
        assertEquals(1, a.getFormat().getChannels());
        AudioFileFormat b = AudioSystem.getAudioFileFormat(flt.toFile());
        assertEquals(AudioFormat.Encoding.PCM_FLOAT, b.getFormat().getEncoding());
        assertEquals(4410, b.getFrameLength());

        ByteBuffer h = ByteBuffer.wrap(Files.readAllBytes(flt)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(Files.size(flt) - 8, h.getInt(4), "RIFF size");
        assertEquals(3, h.getShort(20), "IEEE float tag");
        assertEquals("fact", new String(Files.readAllBytes(flt), 38, 4, "US-ASCII"));
        assertEquals(4410, h.getInt(46), "fact frame count");

        try (AudioReader r = AudioIO.open(pcm)) {
            assertEquals(44100, r.sourceSampleRate());
            assertEquals(4410, r.sourceFrames());
        }
        assertEquals(2205, AudioIO.read(pcm).length(), "read resamples to 22050 Hz");
    }

    @Test
    void streamingWriterOnlyShowsTheFileAfterCommit() throws Exception {
        Path f = tmp.resolve("long.wav");
        float[] block = TestSignals.sine(1000, 0.25, AudioIO.SAMPLE_RATE, 1000);
        try (WavWriter w = AudioIO.createWav(f, AudioIO.SAMPLE_RATE, WavEncoding.FLOAT32)) {
            for (int i = 0; i < 10; i++) w.write(block, 0, block.length);
            w.write(block, 100, 5);
            assertFalse(Files.exists(f), "nothing at the target before commit");
            assertEquals(1, listing().size(), "one hidden temporary file: " + listing());
            assertEquals(10005, w.framesWritten());
            w.commit();
            w.commit();        // idempotent
            assertThrows(AudioException.class, () -> w.write(block, 0, 1));
        }
        assertEquals(List.of("long.wav"), listing(), "temporary file is gone");
        float[] y = AudioIO.read(f).samples();
        assertEquals(10005, y.length);
        assertEquals(block[7], y[1007]);
        assertEquals(block[104], y[10004]);
    }

    @Test
    void closeWithoutCommitLeavesNothing() throws Exception {
        Path f = tmp.resolve("abandoned.wav");
        try (WavWriter w = AudioIO.createWav(f, 16000, WavEncoding.PCM16)) {
            w.write(new float[500], 0, 500);
        }
        assertEquals(List.of(), listing());
    }

    @Test
    void failedWriteKeepsTheOldFileAndLeavesNoTemporary() throws Exception {
        Path f = tmp.resolve("keep.wav");
        AudioIO.writeWav(f, new Signal(new float[] {0.5f, -0.5f}, 8000), WavEncoding.FLOAT32);
        byte[] before = Files.readAllBytes(f);
        float[] bad = {0.1f, 0.2f, Float.NaN, 0.3f};
        AudioException e = assertThrows(AudioException.class,
                () -> AudioIO.writeWav(f, new Signal(bad, 8000), WavEncoding.PCM16));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("NaN/Inf sample at frame 2"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(f));
        assertEquals(List.of("keep.wav"), listing());
    }

    @Test
    void commitReplacesAnExistingFile() throws Exception {
        Path f = tmp.resolve("replace.wav");
        AudioIO.writeWav(f, new Signal(new float[100], 22050), WavEncoding.PCM16);
        AudioIO.writeWav(f, new Signal(new float[10], 22050), WavEncoding.PCM16);
        assertEquals(10, AudioIO.read(f).length());
    }

    @Test
    void emptyAndSilentSignalsAreValid() throws Exception {
        Path e = tmp.resolve("empty.wav");
        AudioIO.writeWav(e, new Signal(new float[0], 22050), WavEncoding.PCM16);
        assertEquals(0, AudioIO.read(e).length());
        Path s = tmp.resolve("silence.wav");
        AudioIO.writeWav(s, new Signal(new float[3000], 22050), WavEncoding.FLOAT32);
        Signal y = AudioIO.read(s);
        assertEquals(3000, y.length());
        assertEquals(0f, y.peak());
    }

    @Test
    void badTargetsAreReportedWithTheFileName() {
        Path noDir = tmp.resolve("missing-dir").resolve("x.wav");
        AudioException a = assertThrows(AudioException.class,
                () -> AudioIO.writeWav(noDir, new Signal(new float[1], 22050), WavEncoding.PCM16));
        assertTrue(a.getMessage().startsWith(noDir + ": ") && a.getMessage().contains("directory does not exist"), a.getMessage());
        AudioException b = assertThrows(AudioException.class,
                () -> AudioIO.writeWav(tmp, new Signal(new float[1], 22050), WavEncoding.PCM16));
        assertTrue(b.getMessage().contains("is a directory"), b.getMessage());
        assertThrows(AudioException.class, () -> AudioIO.createWav(tmp.resolve("r.wav"), 0, WavEncoding.PCM16));
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
