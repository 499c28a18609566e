package dev.siac.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Detection, muting and the edits' rules for the silent spans of an event list. */
class SilenceTest {

    private static final int M = Silence.MIN_SAMPLES;

    private static Silence detect(float[] x, int chunk) {
        Silence.Detector d = new Silence.Detector();
        for (int off = 0; off < x.length; off += chunk) d.feed(x, off, Math.min(chunk, x.length - off));
        return d.finish();
    }

    private static long[][] spans(Silence s) {
        long[][] out = new long[s.count()][];
        for (int i = 0; i < s.count(); i++) out[i] = new long[] {s.start(i), s.end(i)};
        return out;
    }

    /** Noise of magnitude 0.005..0.015 with silent runs: exact zeros, at the threshold, one sample short, at the end. */
    private static float[] signal() {
        Random r = new Random(3);
        float[] x = new float[20000];
        for (int i = 0; i < x.length; i++) x[i] = (i % 2 == 0 ? 1 : -1) * (0.005f + 0.01f * r.nextFloat());
        Arrays.fill(x, 1000, 1000 + M, 0f);
        for (int i = 5000; i < 5000 + M - 1; i++) x[i] = i % 2 == 0 ? Silence.THRESHOLD : -Silence.THRESHOLD; // one short
        for (int i = 9000; i < 9000 + 2 * M; i++) x[i] = (i % 3 - 1) * Silence.THRESHOLD; // at the threshold: silent
        x[9000 + M] = 1.5f * Silence.THRESHOLD; // ... but for one sample above it, which splits the run
        Arrays.fill(x, 19000, x.length, 0f);
        return x;
    }

    @Test
    void detectorFindsRunsOfAtLeastTheMinimumInAnyChunking() {
        float[] x = signal();
        // the run after the split (9001+M .. 9000+2M) and the tail (1000 samples) are shorter than M: not stored
        long[][] expected = {{1000, 1000 + M}, {9000, 9000 + M}};
        for (int chunk : new int[] {1, 7, 1000, 4096, x.length}) {
            Silence s = detect(x, chunk);
            assertEquals(expected.length, s.count(), "chunk " + chunk);
            for (int i = 0; i < expected.length; i++) assertArrayEquals(expected[i], spans(s)[i], "chunk " + chunk);
        }
        float[] end = new float[3 * M];
        end[0] = 0.5f;
        assertArrayEquals(new long[] {1, 3L * M}, spans(detect(end, 100))[0], "a run reaching the end is closed there");
        assertSame(Silence.NONE, detect(new float[M - 1], 10));
    }

    @Test
    void muteZeroesExactlyTheSpansInAnyPiece() {
        Silence s = Silence.of(new long[] {10, 50}, new long[] {20, 51});
        float[] whole = new float[64];
        Arrays.fill(whole, 1f);
        s.mute(whole, 0, whole.length, 0);
        for (int i = 0; i < whole.length; i++) {
            boolean silent = (i >= 10 && i < 20) || i == 50;
            assertEquals(silent ? 0f : 1f, whole[i], "sample " + i);
        }
        // the same through pieces placed at an offset inside a larger buffer
        float[] buf = new float[100];
        for (int from = 0; from < 64; from += 13) {
            Arrays.fill(buf, 1f);
            int len = Math.min(13, 64 - from);
            s.mute(buf, 30, len, from);
            for (int j = 0; j < len; j++) assertEquals(whole[from + j], buf[30 + j], "piece at " + from + ", sample " + j);
            assertEquals(1f, buf[29]);
            assertEquals(1f, buf[30 + len]);
        }
    }

    @Test
    void theDetectorMutesWhatTheDecoderWillWhileTheSignalIsStillComing() {
        // a closed run of 2M (a span), a closed run of M - 1 (too short) and an open run of M at the read point (it
        // will be a span whatever follows); mute a stretch starting at sample 100 that reaches all three
        int m = Silence.MIN_SAMPLES;
        float[] x = new float[6 * m];
        Arrays.fill(x, 0.5f);
        Arrays.fill(x, 200, 200 + 2 * m, 0f);
        Arrays.fill(x, 3 * m, 4 * m - 1, 0f);
        Arrays.fill(x, 5 * m, 6 * m, 0f);
        Silence.Detector d = new Silence.Detector();
        d.feed(x, 0, x.length);
        float[] y = Arrays.copyOfRange(x, 100, x.length);
        Arrays.fill(y, 1f);
        d.found().mute(y, 0, y.length, 100);
        for (int i = 0; i < y.length; i++) {
            long t = i + 100;
            boolean muted = (t >= 200 && t < 200 + 2 * m) || t >= 5 * m;
            assertEquals(muted ? 0f : 1f, y[i], "sample " + t);
        }
        // the open run shorter than M is left alone
        Silence.Detector e = new Silence.Detector();
        e.feed(x, 0, 5 * m + m / 2);
        float[] z = new float[m];
        Arrays.fill(z, 1f);
        e.found().mute(z, 0, z.length, 5 * m);
        for (float v : z) assertEquals(1f, v);
    }

    @Test
    void spansAreCutAtOnsetsInsideThemClippedToTheLengthAndScaled() {
        Silence s = Silence.of(new long[] {100, 300, 500}, new long[] {200, 400, 900});
        assertSame(s, s.trimmedBy(new long[] {50, 250, 450}, 1000), "no onset inside: unchanged");
        Silence t = s.trimmedBy(new long[] {150, 160, 300, 950}, 800);
        assertEquals(2, t.count());
        assertArrayEquals(new long[] {100, 150}, spans(t)[0]);   // cut at the first onset inside
        assertArrayEquals(new long[] {500, 800}, spans(t)[1]);   // span opened by an onset: dropped; end clipped
        Silence half = s.scaled(0.5);
        assertArrayEquals(new long[] {50, 100}, spans(half)[0]);
        assertArrayEquals(new long[] {250, 450}, spans(half)[2]);
        assertEquals(100 + 100 + 400, s.totalSamples());
    }

    @Test
    void ofRefusesEmptyUnsortedOrOverlappingSpans() {
        assertThrows(IllegalArgumentException.class, () -> Silence.of(new long[] {5}, new long[] {5}));
        assertThrows(IllegalArgumentException.class, () -> Silence.of(new long[] {-1}, new long[] {5}));
        assertThrows(IllegalArgumentException.class, () -> Silence.of(new long[] {0, 9}, new long[] {10, 20}));
        assertThrows(IllegalArgumentException.class, () -> Silence.of(new long[] {0}, new long[] {1, 2}));
        assertTrue(Silence.of(new long[] {0, 10}, new long[] {10, 20}).count() == 2, "touching spans are fine");
    }

    @Test
    void editsKeepSpansAndCutThemWhereAnEventIsMovedIn() {
        EventList l = TestLists.of(2, 10000, TestLists.event(0, 1f, 1, 0), TestLists.event(4000, 1f, 0, 1))
                .withSilence(Silence.of(new long[] {1000, 6000}, new long[] {3000, 9000}));
        assertEquals(l.silence(), l.deleteTimeRange(0, 0.1).silence(), "deleting keeps the spans");
        assertEquals(l.silence(), l.withPrecision(Precision.Q4).silence());
        EventList moved = l.shift(2000.0 / l.sampleRate(), 0.1, 1); // the event at 4000 moves to 6000: opens span 2
        assertEquals(1, moved.silence().count());
        assertArrayEquals(new long[] {1000, 3000}, spans(moved.silence())[0]);
        EventList inside = l.shiftEvents(new int[] {0}, 1500.0 / l.sampleRate());
        assertArrayEquals(new long[] {1000, 1500}, spans(inside.silence())[0]);
        EventList copied = l.duplicateEvents(new int[] {1}, 3000.0 / l.sampleRate()); // a copy at 7000
        assertArrayEquals(new long[] {6000, 7000}, spans(copied.silence())[1]);
        EventList stretched = l.stretchTimes(0.5);
        assertArrayEquals(new long[] {500, 1500}, spans(stretched.silence())[0]);
        assertEquals(5000, stretched.lengthSamples());
        assertTrue(!l.equals(l.withSilence(Silence.NONE)), "the spans are part of the value");
        assertEquals(l, SiacFormat.asStored(l));
    }

    @Test
    void clippedKeepsWhatLiesInTheRangeAndConcatJoinsTouchingSpans() {
        Silence s = Silence.of(new long[] {100, 3000, 9000}, new long[] {2000, 5000, 9500});
        assertEquals(Silence.of(new long[] {1500, 3000}, new long[] {2000, 4000}), s.clipped(1500, 4000, 0));
        assertEquals(Silence.of(new long[] {500, 2000}, new long[] {1000, 3000}), s.clipped(1500, 4000, -1000));
        assertEquals(Silence.NONE, s.clipped(6000, 8000, 0));
        // two stretches cut at 4000: the span across the cut comes out whole
        Silence a = s.clipped(0, 4000, 0), b = s.clipped(4000, Long.MAX_VALUE, 0);
        assertEquals(s, Silence.concat(java.util.List.of(a, b)));
        assertEquals(s, Silence.concat(java.util.List.of(Silence.NONE, s, Silence.NONE)));
    }
}
