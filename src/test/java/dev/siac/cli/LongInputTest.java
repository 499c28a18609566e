package dev.siac.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siac.audio.AudioIO;
import dev.siac.codec.Codec;
import dev.siac.codec.Event;
import dev.siac.codec.EventList;
import dev.siac.codec.TinyModel;
import dev.siac.eval.Metrics;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bundled model on real music longer than the reader's look-ahead: what a user's song goes through. (A defect
 * that put every event of a window on its first frame while the file's end was unknown lost all but the last ~20 s of
 * every long file; the short clips the other tests use never reached it.)
 */
class LongInputTest {
    private static final Path EXAMPLE = Path.of("examples", "example.wav");
    private static CodecSupport cs;
    private static float[] piano;

    @BeforeAll
    static void load() throws IOException {
        cs = CodecSupport.open(null);
        piano = AudioIO.read(EXAMPLE).samples();
    }

    @AfterAll
    static void close() {
        cs.close();
    }



    /** Through a source that hands out 0.2 s pieces and says nothing of its length, as a pipe would. */
    private static EventList encode(float[] x) throws IOException {
        return cs.codec.encode(TinyModel.source(x, 4410), TinyModel.peak(x), Codec.Options.defaults(cs.model.config), null)
                .events();
    }

    private static float[] decode(EventList list) throws IOException {
        return cs.codec.decode(list);
    }

    /**
     * Decoding renders batches of events on two threads at once (one libtorch thread each) on a 2-core machine: the
     * same audio as one thread rendering them in turn, to float rounding, on the bundled model's events of real piano.
     */
    @Test
    void decodingOnTwoThreadsGivesTheSameAudio() throws IOException {
        EventList list = encode(piano);
        try {
            cs.codec.setDecodeThreads(1);
            float[] one = decode(list);
            cs.codec.setDecodeThreads(2);
            float[] two = decode(list);
            assertEquals(one.length, two.length);
            float peak = 0, worst = 0;
            for (int i = 0; i < one.length; i++) {
                peak = Math.max(peak, Math.abs(one[i]));
                worst = Math.max(worst, Math.abs(one[i] - two[i]));
            }
            assertTrue(peak > 0.01f, "the decode is not silent");
            assertTrue(worst <= 1e-5f * peak, "largest difference " + worst + " of peak " + peak);
        } finally {
            cs.codec.setDecodeThreads(2);
        }
    }

    /**
     * Each full window of the 9 s piano clip (three onset halves of 2.97 s) places its 32 onsets across its onset half,
     * as the model chooses them, the same from a source that knows the length at once as from one that does not.
     */
    @Test
    void onsetsSpreadOverEveryFullWindowOfRealMusic() throws IOException {
        // the model's own events: merging twins (on by default) would leave fewer than 32 a window
        Codec.Options own = Codec.Options.unmerged(cs.model.config);
        EventList streamed = cs.codec.encode(TinyModel.source(piano, 4410), TinyModel.peak(piano), own, null).events();
        EventList known = cs.codec.encode(Codec.SampleSource.of(piano), piano.length, TinyModel.peak(piano),
                own, null).events();
        assertEquals(known, streamed);
        int half = cs.model.config.windowSamples / 2;
        int hop = cs.model.config.stftHop;
        int advance = half / hop;
        for (int w = 0; (w + 1L) * half <= piano.length; w++) {
            TreeMap<Long, Integer> perFrame = new TreeMap<>();
            for (Event e : streamed.events()) {
                if (e.time() / half == w) perFrame.merge((e.time() - (long) w * half) / hop, 1, Integer::sum);
            }
            int count = perFrame.values().stream().mapToInt(Integer::intValue).sum();
            String where = String.format(Locale.ROOT, "window %d: %d events on frames %s", w, count, perFrame);
            assertEquals(cs.model.config.eventsPerWindow, count, where);
            assertTrue(perFrame.size() >= 12, where);
            assertTrue(perFrame.lastKey() - perFrame.firstKey() >= 3 * advance / 4, where);
            assertTrue(perFrame.values().stream().mapToInt(Integer::intValue).max().orElse(0) <= count / 4, where);
        }
    }

    /**
     * A file made of the clip three times over decodes, cut back into its three parts, as well as the clip encoded on
     * its own: the streaming windows do not care where in a file a sound lies.
     */
    @Test
    void aLongFileDecodesLikeItsPartsEncodedAlone() throws IOException {
        int parts = 3;
        float[] joined = new float[parts * piano.length];
        for (int p = 0; p < parts; p++) System.arraycopy(piano, 0, joined, p * piano.length, piano.length);
        float[] whole = decode(encode(joined));
        double alone = Metrics.melL1(piano, decode(encode(piano)), AudioIO.SAMPLE_RATE);
        double[] part = new double[parts];
        for (int p = 0; p < parts; p++) {
            float[] y = Arrays.copyOfRange(whole, p * piano.length, (p + 1) * piano.length);
            part[p] = Metrics.melL1(piano, y, AudioIO.SAMPLE_RATE);
        }
        String what = String.format(Locale.ROOT, "mel_l1 alone %.4f, parts of the long file %s", alone, Arrays.toString(part));
        for (double m : part) assertTrue(m <= alone * 1.10, what);
        assertTrue(Arrays.stream(part).average().orElseThrow() <= alone * 1.05, what);
    }
}
