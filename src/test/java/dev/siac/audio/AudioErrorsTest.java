package dev.siac.audio;

import static dev.siac.audio.TestSignals.ascii;
import static dev.siac.audio.TestSignals.chunk;
import static dev.siac.audio.TestSignals.chunkDeclaring;
import static dev.siac.audio.TestSignals.fixture;
import static dev.siac.audio.TestSignals.fmt;
import static dev.siac.audio.TestSignals.riff;
import static dev.siac.audio.TestSignals.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input: each case must give an AudioException with a one-line message naming the file and the problem. */
class AudioErrorsTest {

    @TempDir
    Path tmp;

    /** Reads {@code file} both ways and returns the (identical in kind) failure of the whole-file read. */
    private static AudioException failure(Path file, String... expectedWords) {
        AudioException e = assertThrows(AudioException.class, () -> AudioIO.read(file));
        AudioException streamed = assertThrows(AudioException.class, () -> {
            try (AudioReader r = AudioIO.open(file)) {
                float[] buf = new float[4096];
                while (r.read(buf, 0, buf.length) >= 0) {
                    // drain: some problems only show when the data is reached
                }
            }
        });
        for (AudioException x : new AudioException[] {e, streamed}) {
            String m = x.getMessage();
            assertFalse(m.contains("\n") || m.contains("\r"), "one line: " + m);
            assertTrue(m.startsWith(file.toString() + ": "), "names the file first: " + m);
            assertEquals(file, x.file());
            for (String w : expectedWords) {
                assertTrue(m.toLowerCase(Locale.ROOT).contains(w.toLowerCase(Locale.ROOT)), "'" + w + "' in: " + m);
            }
        }
        return e;
    }

    private Path copyCut(String fixture, int keep) throws Exception {
        byte[] all = Files.readAllBytes(fixture(fixture));
        assertTrue(keep < all.length);
        String ext = fixture.substring(fixture.lastIndexOf('.'));
        return write(tmp.resolve("cut-" + keep + "-" + fixture.replace(ext, "") + ext), Arrays.copyOf(all, keep));
    }

    @Test
    void missingFile() {
        failure(tmp.resolve("nope.wav"), "not found");
    }

    @Test
    void directory() {
        failure(tmp, "directory");
    }

    @Test
    void emptyFile() throws Exception {
        failure(Files.createFile(tmp.resolve("empty.flac")), "empty", "0 bytes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"notes.wav", "notes.mp3", "notes.flac", "notes.ogg", "notes.aiff"})
    void textFileWithAnAudioName(String name) throws Exception {
        Path f = write(tmp.resolve(name), ascii("This is a text file, not audio.\nSecond line.\n"));
        failure(f, "not an audio file");
    }

    @Test
    void randomBytesAreNotAudio() throws Exception {
        byte[] b = TestSignals.pcm16(TestSignals.noise(3000, 1, 99)).bytes();  // random-looking but no MPEG sync runs
        for (int i = 0; i < b.length; i++) if ((b[i] & 0xFF) == 0xFF) b[i] = 0x7F;
        failure(write(tmp.resolve("random.mp3"), b), "not an audio file");
    }

    @Test
    void id3TagWithoutAudio() throws Exception {
        byte[] b = new byte[200];
        System.arraycopy(ascii("ID3"), 0, b, 0, 3);
        b[3] = 3;
        b[9] = 50;         // tag of 50 bytes, then zeros
        failure(write(tmp.resolve("tag-only.mp3"), b), "ID3");
    }

    @Test
    void truncatedWavData() throws Exception {
        failure(copyCut("tone_pcm16_stereo_16k.wav", 20000), "truncated", "declares 32000 data bytes", "19956");
    }

    @Test
    void wavCutInsideTheHeader() throws Exception {
        failure(copyCut("tone_pcm16_stereo_16k.wav", 30), "truncated");
        failure(copyCut("tone_pcm16_stereo_16k.wav", 8), "truncated");
        failure(copyCut("tone_float32_stereo_44k.wav", 40), "truncated");
    }

    @Test
    void wavChunkLargerThanTheFile() throws Exception {
        byte[] b = riff(chunk("fmt ", fmt(1, 1, 8000, 16)), chunkDeclaring("LIST", 1_000_000, new byte[10]));
        failure(write(tmp.resolve("biglist.wav"), b), "truncated", "LIST");
    }

    @Test
    void truncatedFlac() throws Exception {
        failure(copyCut("tone_stereo_44k.flac", 9000), "truncated", "FLAC", "of 22050 frames");
    }

    @Test
    void flacCutInsideItsHeader() throws Exception {
        failure(copyCut("tone_stereo_44k.flac", 30), "truncated FLAC file", "metadata");
        failure(copyCut("tone_stereo_44k.flac", 4), "truncated FLAC file", "metadata");
    }

    @Test
    void flacWhoseHeaderPromisesMoreThanThereIs() throws Exception {
        byte[] b = Files.readAllBytes(fixture("tone_stereo_44k.flac"));
        // STREAMINFO's 36-bit total-samples field (low nibble of byte 21, bytes 22..25): 22050 -> 220500.
        assertEquals(22050, ((b[21] & 0x0FL) << 32) | (ByteBuffer.wrap(b, 22, 4).getInt() & 0xFFFFFFFFL));
        ByteBuffer.wrap(b, 22, 4).putInt(220500);
        failure(write(tmp.resolve("liar.flac"), b), "truncated", "FLAC file", "decoded 22050 of 220500 frames");
    }

    @Test
    void truncatedMp3() throws Exception {
        // The LAME tag says how long the file is, so the shortfall is detected.
        failure(copyCut("tone_stereo_44k.mp3", 5000), "truncated", "MP3");
    }

    @Test
    void truncatedOgg() throws Exception {
        failure(copyCut("tone_stereo_44k.ogg", 5000), "truncated", "Ogg");
        failure(copyCut("tone_stereo_44k.ogg", 1000), "truncated", "Ogg");
    }

    @Test
    void truncatedAiff() throws Exception {
        failure(copyCut("tone_stereo_22k.aiff", 12000), "AIFF");
    }

    @Test
    void unsupportedWavEncoding() throws Exception {
        failure(fixture("tone_imaadpcm_8k.wav"), "unsupported", "IMA ADPCM");
        byte[] f12 = riff(chunk("fmt ", fmt(3, 1, 8000, 16)), chunk("data", new byte[64]));
        failure(write(tmp.resolve("float16.wav"), f12), "unsupported", "16-bit float");
    }

    @Test
    void bigEndianRifxIsUnsupported() throws Exception {
        byte[] b = riff(chunk("fmt ", fmt(1, 1, 8000, 16)), chunk("data", new byte[64]));
        System.arraycopy(ascii("RIFX"), 0, b, 0, 4);
        failure(write(tmp.resolve("rifx.wav"), b), "unsupported", "RIFX");
    }

    @Test
    void otherRiffContainersAreUnsupported() throws Exception {
        byte[] b = riff(chunk("hdrl", new byte[16]));
        System.arraycopy(ascii("AVI "), 0, b, 8, 4);
        failure(write(tmp.resolve("movie.wav"), b), "unsupported", "AVI");
    }

    @Test
    void corruptFmt() throws Exception {
        failure(write(tmp.resolve("nochan.wav"), riff(chunk("fmt ", fmt(1, 0, 8000, 16)), chunk("data", new byte[8]))), "corrupt", "0 channels");
        failure(write(tmp.resolve("norate.wav"), riff(chunk("fmt ", fmt(1, 1, 0, 16)), chunk("data", new byte[8]))), "corrupt", "sample rate 0");
        failure(write(tmp.resolve("nofmt.wav"), riff(chunk("data", new byte[8]))), "no fmt chunk");
        failure(write(tmp.resolve("shortfmt.wav"), riff(chunk("fmt ", new byte[8]), chunk("data", new byte[8]))), "fmt chunk");
    }

    @Test
    void nanAndInfinityInFloatWav() throws Exception {
        float[] x = TestSignals.sine(440, 0.5, 8000, 8000);
        x[5000] = Float.NaN;
        AudioException e = failure(TestSignals.writeWav(tmp, "nan.wav", x, 8000), "contains NaN/Inf samples at frame 5000", "0.625 s");
        assertTrue(e.problem().startsWith("contains NaN/Inf"));
        x[5000] = 0;
        x[7] = Float.NEGATIVE_INFINITY;
        failure(TestSignals.writeWav(tmp, "inf.wav", x, 8000), "contains NaN/Inf samples at frame 7");
        // 64-bit float too
        ByteBuffer d = ByteBuffer.allocate(8 * 4).order(ByteOrder.LITTLE_ENDIAN);
        d.putDouble(0.1).putDouble(Double.POSITIVE_INFINITY).putDouble(0).putDouble(0);
        failure(write(tmp.resolve("inf64.wav"), riff(chunk("fmt ", fmt(3, 1, 8000, 64)), chunk("data", d.array()))),
                "NaN/Inf samples at frame 1");
    }

    @Test
    void samplesBeforeABadSampleAreDeliveredByTheStreamingReaderFirst() throws Exception {
        float[] x = new float[22050 * 3];
        x[22050 * 2] = Float.NaN;
        Path f = TestSignals.writeWav(tmp, "late-nan.wav", x, 22050);
        int n = 0;
        try (AudioReader r = AudioIO.open(f)) {
            float[] buf = new float[1000];
            AudioException e = null;
            try {
                int k;
                while ((k = r.read(buf, 0, buf.length)) >= 0) n += k;
            } catch (AudioException ex) {
                e = ex;
            }
            assertTrue(e != null && e.getMessage().contains("frame 44100"), String.valueOf(e));
        }
        assertTrue(n >= 22050, "the first seconds were readable: " + n);
    }

    @Test
    void readingAfterCloseFails() throws Exception {
        AudioReader r = AudioIO.open(fixture("tone_pcm8_mono_8k.wav"));
        r.close();
        r.close();          // idempotent
        AudioException e = assertThrows(AudioException.class, () -> r.read(new float[10], 0, 10));
        assertTrue(e.getMessage().contains("closed"));
    }

    // ---- unusual but valid WAV layouts must not be rejected

    @Test
    void wavWithExtraChunksOddSizesAndFmtAfterData() throws Exception {
        float[] x = TestSignals.sine(500, 0.5, 8000, 801);
        byte[] data = TestSignals.pcm16(x).bytes();
        byte[] b = riff(chunk("LIST", ascii("INFOodd")), chunk("data", data), chunk("junk", new byte[3]),
                chunk("fmt ", fmt(1, 1, 8000, 16)));
        Signal s = AudioIO.read(write(tmp.resolve("layout.wav"), b));
        Signal ref = AudioIO.read(TestSignals.writePcm16Wav(tmp, "plain.wav", 8000, x));
        assertArrayEquals(ref.samples(), s.samples());
        assertEquals(Math.ceil(801 * 22050 / 8000.0), s.length());
    }

    @Test
    void streamedWavWithUnknownDataSizeReadsToTheEnd() throws Exception {
        float[] x = TestSignals.sine(500, 0.5, 22050, 2205);
        byte[] b = riff(chunk("fmt ", fmt(1, 1, 22050, 16)), chunkDeclaring("data", 0xFFFFFFFFL, TestSignals.pcm16(x).bytes()));
        Signal s = AudioIO.read(write(tmp.resolve("streamed.wav"), b));
        assertEquals(2205, s.length());
        assertEquals(0.5, TestSignals.fit(s.samples(), 22050, 0, 2205, 500).amplitude()[0], 1e-3);
    }

    @Test
    void rf64IsRead() throws Exception {
        float[] x = TestSignals.sine(500, 0.5, 22050, 1000);
        byte[] data = TestSignals.pcm16(x).bytes();
        ByteBuffer ds64 = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
        ds64.putLong(0).putLong(data.length).putLong(1000).putInt(0);
        byte[] b = riff(chunk("ds64", ds64.array()), chunk("fmt ", fmt(1, 1, 22050, 16)), chunkDeclaring("data", 0xFFFFFFFFL, data));
        System.arraycopy(ascii("RF64"), 0, b, 0, 4);
        Signal s = AudioIO.read(write(tmp.resolve("big.wav"), b));
        assertEquals(1000, s.length());
        assertEquals(x[123], s.samples()[123], 1.0 / 32768);
    }

    @Test
    void trailingPartialFrameIsIgnored() throws Exception {
        byte[] data = Arrays.copyOf(TestSignals.pcm16(new float[100], new float[100]).bytes(), 401);
        byte[] b = riff(chunk("fmt ", fmt(1, 2, 22050, 16)), chunk("data", data));
        try (AudioReader r = AudioIO.open(write(tmp.resolve("partial.wav"), b))) {
            assertEquals(100, r.sourceFrames());
        }
    }
}
