package dev.siac.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Damaged files (random bytes overwritten, random cuts) must give either audio or an AudioException with a
 * proper message: never another exception, an out-of-memory crash, or a hang. The third-party decoders
 * throw all sorts of things on such input; this pins down that none of it escapes.
 */
class CorruptInputTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"tone_stereo_44k.flac", "tone_stereo_44k.mp3", "tone_mono_22k.mp3", "tone_stereo_44k.ogg",
                            "tone_stereo_22k.aiff", "tone_pcm16_stereo_16k.wav", "tone_ext24_4ch_8k.wav", "tone_float32_stereo_44k.wav"})
    void damagedFilesFailCleanly(String fixture) throws Exception {
        byte[] original = Files.readAllBytes(TestSignals.fixture(fixture));
        SplittableRandom rnd = new SplittableRandom(fixture.hashCode());
        String ext = fixture.substring(fixture.lastIndexOf('.'));
        int failures = 0;
        for (int trial = 0; trial < 40; trial++) {
            byte[] b = original.clone();
            int hits = 1 + rnd.nextInt(20);
            for (int i = 0; i < hits; i++) b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
            if (trial % 3 == 0) b = Arrays.copyOf(b, rnd.nextInt(b.length));
            Path f = TestSignals.write(tmp.resolve("damaged-" + trial + ext), b);
            long start = System.nanoTime();
            try {
                Signal s = AudioIO.read(f);
                assertEquals(AudioIO.SAMPLE_RATE, s.sampleRate());
            } catch (AudioException e) {
                failures++;
                assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
            } catch (Throwable t) {
                fail(fixture + " trial " + trial + ": " + t, t);
            }
            assertTrue(System.nanoTime() - start < 5_000_000_000L, fixture + " trial " + trial + " took too long");
            Files.delete(f);
        }
        assertTrue(failures > 0, "some of the damage must be noticed");
    }
}
