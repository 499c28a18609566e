package dev.siac.codec;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static dev.siac.codec.TestLists.event;
import static dev.siac.codec.TestLists.of;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventListTest {

    /** Events at 0, 1, 2, 3 s (22050 Hz) with amplitudes 0.5, 1, 2, 4 and 2-d vectors (i, -i). */
    private static EventList fourSeconds() {
        return of(2, 4 * 22050,
                event(0, 0.5f, 0, 0),
                event(22050, 1f, 1, -1),
                event(44100, 2f, 2, -2),
                event(66150, 4f, 3, -3));
    }

    private static void assertSameHeader(EventList a, EventList b) {
        assertEquals(a.sampleRate(), b.sampleRate());
        assertEquals(a.lengthSamples(), b.lengthSamples());
        assertEquals(a.gain(), b.gain());
        assertEquals(a.vectorDim(), b.vectorDim());
        assertEquals(a.modelId(), b.modelId());
        assertEquals(a.precision(), b.precision());
    }

    @Test
    void constructorSortsStablyAndCopiesVectors() {
        float[] shared = {7, 8};
        EventList l = of(2, 100, event(50, 1, 1, 1), event(10, 2, shared), event(50, 3, 3, 3), event(-5, 0, 0, 0));
        assertEquals(List.of(-5L, 10L, 50L, 50L), l.events().stream().map(Event::time).toList());
        assertEquals(1f, l.events().get(2).amplitude(), "equal times keep their input order");
        assertEquals(3f, l.events().get(3).amplitude());
        shared[0] = 99;
        assertEquals(7f, l.events().get(1).vector()[0], "the list must not see later changes to the caller's array");
        assertThrows(UnsupportedOperationException.class, () -> l.events().add(event(0, 0, 0, 0)));
    }

    @Test
    void constructorRejectsInvalidContent() {
        assertThrows(IllegalArgumentException.class, () -> of(2, 10, event(0, 1, 1)));
        assertThrows(IllegalArgumentException.class, () -> of(2, 10, event(0, 1, 1, Float.NaN)));
        assertThrows(IllegalArgumentException.class, () -> of(2, 10, event(0, 1, Float.POSITIVE_INFINITY, 0)));
        assertThrows(IllegalArgumentException.class, () -> of(2, 10, event(0, -1, 1, 1)));
        assertThrows(IllegalArgumentException.class, () -> of(2, 10, event(0, Float.NaN, 1, 1)));
        assertThrows(IllegalArgumentException.class, () -> of(2, 10, event(0, Float.POSITIVE_INFINITY, 1, 1)));
        assertThrows(IllegalArgumentException.class, () -> of(2, -1));
        assertThrows(IllegalArgumentException.class, () -> new EventList(0, 1, 1, 2, "", Precision.F32, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new EventList(1, 1, Float.NaN, 2, "", Precision.F32, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new EventList(1, 1, 1, 0, "", Precision.F32, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new EventList(1, 1, 1, 65536, "", Precision.F32, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new EventList(1, 1, 1, 2, "abc", Precision.F32, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new EventList(1, 1, 1, 2, "g".repeat(64), Precision.F32, List.of()));
    }

    @Test
    void modelIdIsNormalised() {
        assertEquals(TestLists.MODEL_ID,
                new EventList(1, 1, 1, 1, TestLists.MODEL_ID.toUpperCase(), Precision.F32, List.of()).modelId());
        assertEquals("", new EventList(1, 1, 1, 1, "0".repeat(64), Precision.F32, List.of()).modelId());
        assertEquals("", new EventList(1, 1, 1, 1, null, Precision.F32, List.of()).modelId());
    }

    @Test
    void durationAndRate() {
        EventList l = fourSeconds();
        assertEquals(4.0, l.durationSeconds(), 1e-12);
        assertEquals(1.0, l.eventsPerSecond(), 1e-12);
        assertEquals(0, of(2, 0).eventsPerSecond());
        assertEquals(22050, l.toSamples(1.0));
        assertEquals(1.0, l.seconds(22050));
    }

    @Test
    void keepTimeRangeIsHalfOpenAndKeepsEverythingElse() {
        EventList l = fourSeconds();
        EventList kept = l.keepTimeRange(1.0, 3.0);
        assertSameHeader(l, kept);
        assertEquals(List.of(l.events().get(1), l.events().get(2)), kept.events());
        assertEquals(l.events(), l.keepTimeRange(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY).events());
        assertEquals(0, l.keepTimeRange(1.5, 1.5).size());
        // a bound within half a sample of an onset means that onset
        assertEquals(2, l.keepTimeRange(1.0 + 0.4 / 22050, 3.0).size());
        assertEquals(1, l.keepTimeRange(1.0 + 0.6 / 22050, 3.0).size());
        assertThrows(IllegalArgumentException.class, () -> l.keepTimeRange(3, 1));
        assertThrows(IllegalArgumentException.class, () -> l.keepTimeRange(Double.NaN, 1));
    }

    @Test
    void deleteTimeRangeIsTheComplementOfKeep() {
        EventList l = TestLists.encoderLike(1, 200, 4, Precision.F32);
        EventList deleted = l.deleteTimeRange(3.0, 7.5);
        EventList kept = l.keepTimeRange(3.0, 7.5);
        assertSameHeader(l, deleted);
        assertEquals(l.size(), deleted.size() + kept.size());
        for (Event e : deleted.events()) assertTrue(e.time() < 3 * 22050 || e.time() >= 7.5 * 22050);
        List<Event> union = new ArrayList<>(deleted.events());
        union.addAll(kept.events());
        union.sort(Comparator.comparingLong(Event::time));
        assertEquals(l.events(), l.withEvents(union).events());
    }

    @Test
    void amplitudeFiltersIncludeTheirBound() {
        EventList l = fourSeconds();
        assertEquals(List.of(1f, 2f, 4f), amplitudes(l.keepAmplitudeAbove(1f)));
        assertEquals(List.of(0.5f, 1f, 2f), amplitudes(l.deleteAmplitudeAbove(2f)));
        assertEquals(List.of(2f), amplitudes(l.keepAmplitudeAbove(2f).deleteAmplitudeAbove(2f)));
        assertSameHeader(l, l.keepAmplitudeAbove(1f));
        assertEquals(l.events().subList(1, 4), l.keepAmplitudeAbove(1f).events());
    }

    private static List<Float> amplitudes(EventList l) {
        return l.events().stream().map(Event::amplitude).toList();
    }

    @Test
    void shiftMovesEveryOnsetAndNothingElse() {
        EventList l = fourSeconds();
        EventList s = l.shift(-0.5);
        assertSameHeader(l, s);
        for (int i = 0; i < l.size(); i++) {
            Event a = l.events().get(i);
            Event b = s.events().get(i);
            assertEquals(a.time() - 11025, b.time());
            assertEquals(a.amplitude(), b.amplitude());
            assertArrayEquals(a.vector(), b.vector());
        }
        assertEquals(-11025, s.events().get(0).time(), "times may become negative");
        assertEquals(l, s.shift(0.5));
        EventList extreme = of(1, 10, event(Long.MAX_VALUE - 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> extreme.shift(1.0));
        assertThrows(IllegalArgumentException.class, () -> l.shift(Double.NaN));
    }

    @Test
    void shiftRangeMovesOnlyThatRangeAndResorts() {
        EventList l = fourSeconds();
        EventList s = l.shift(2.5, 0.0, 1.5); // events at 0 s and 1 s move to 2.5 s and 3.5 s
        assertSameHeader(l, s);
        assertEquals(List.of(44100L, 55125L, 66150L, 77175L), s.events().stream().map(Event::time).toList());
        assertEquals(List.of(2f, 0.5f, 4f, 1f), amplitudes(s));
        assertArrayEquals(new float[]{0, 0}, s.events().get(1).vector());
    }

    @Test
    void stretchScalesOnsetsAndLength() {
        EventList l = fourSeconds();
        EventList s = l.stretchTimes(1.5);
        assertEquals(6 * 22050, s.lengthSamples());
        assertEquals(List.of(0L, 33075L, 66150L, 99225L), s.events().stream().map(Event::time).toList());
        assertEquals(amplitudes(l), amplitudes(s));
        for (int i = 0; i < l.size(); i++) assertArrayEquals(l.events().get(i).vector(), s.events().get(i).vector());
        assertEquals(l.gain(), s.gain());
        assertEquals(l.stretchTimes(0.5).lengthSamples(), 2 * 22050);
        assertThrows(IllegalArgumentException.class, () -> l.stretchTimes(0));
        assertThrows(IllegalArgumentException.class, () -> l.stretchTimes(-1));
        assertThrows(IllegalArgumentException.class, () -> l.stretchTimes(Double.POSITIVE_INFINITY));
    }

    @Test
    void randomizeVectorsStaysWithinEachDimensionsRange() {
        EventList l = TestLists.encoderLike(2, 500, 8, Precision.F32);
        EventList r = l.randomizeVectors(new Random(5));
        assertSameHeader(l, r);
        float[] min = new float[8];
        float[] max = new float[8];
        java.util.Arrays.fill(min, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
        for (Event e : l.events()) {
            for (int d = 0; d < 8; d++) {
                min[d] = Math.min(min[d], e.vector()[d]);
                max[d] = Math.max(max[d], e.vector()[d]);
            }
        }
        float[] rMin = new float[8];
        float[] rMax = new float[8];
        java.util.Arrays.fill(rMin, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(rMax, Float.NEGATIVE_INFINITY);
        int changed = 0;
        for (int i = 0; i < l.size(); i++) {
            Event a = l.events().get(i);
            Event b = r.events().get(i);
            assertEquals(a.time(), b.time());
            assertEquals(a.amplitude(), b.amplitude());
            for (int d = 0; d < 8; d++) {
                assertTrue(b.vector()[d] >= min[d] && b.vector()[d] <= max[d]);
                rMin[d] = Math.min(rMin[d], b.vector()[d]);
                rMax[d] = Math.max(rMax[d], b.vector()[d]);
                if (b.vector()[d] != a.vector()[d]) changed++;
            }
        }
        assertEquals(500 * 8, changed);
        for (int d = 0; d < 8; d++) {
            // 500 uniform draws come within 2% of both ends of their interval (failure odds ~1e-4 per end)
            double span = max[d] - min[d];
            assertTrue(rMin[d] - min[d] < 0.02 * span && max[d] - rMax[d] < 0.02 * span, "dimension " + d);
        }
        assertEquals(r, l.randomizeVectors(new Random(5)), "the same seed gives the same vectors");
        assertNotEquals(r, l.randomizeVectors(new Random(6)));
        EventList empty = of(3, 10);
        assertSame(empty, empty.randomizeVectors(new Random(1)));
    }

    @Test
    void randomizeTimesDrawsOnsetsWithinTheLength() {
        EventList l = TestLists.encoderLike(3, 300, 4, Precision.F32);
        EventList r = l.randomizeTimes(new Random(9));
        assertSameHeader(l, r);
        assertEquals(l.size(), r.size());
        long previous = Long.MIN_VALUE;
        for (Event e : r.events()) {
            assertTrue(e.time() >= 0 && e.time() < l.lengthSamples());
            assertTrue(e.time() >= previous, "sorted");
            previous = e.time();
        }
        // the same events (amplitude + vector), only at other times
        assertEquals(sortedContent(l), sortedContent(r));
        assertNotEquals(l.events().stream().map(Event::time).toList(), r.events().stream().map(Event::time).toList());
        long notOnFrameGrid = r.events().stream().filter(e -> e.time() % 256 != 0).count();
        assertTrue(notOnFrameGrid > 250, "onsets are uniform over samples, not frames");
        assertEquals(r, l.randomizeTimes(new Random(9)));
        assertThrows(IllegalArgumentException.class, () -> of(1, 0, event(0, 1, 1)).randomizeTimes(new Random(1)));
    }

    private static List<String> sortedContent(EventList l) {
        return l.events().stream().map(e -> e.amplitude() + java.util.Arrays.toString(e.vector())).sorted().toList();
    }

    @Test
    void perturbAddsTheDirectionToEveryVector() {
        EventList l = fourSeconds();
        EventList p = l.perturb(new float[]{0.5f, -2f});
        assertSameHeader(l, p);
        for (int i = 0; i < l.size(); i++) {
            Event a = l.events().get(i);
            Event b = p.events().get(i);
            assertEquals(a.time(), b.time());
            assertEquals(a.amplitude(), b.amplitude());
            assertArrayEquals(new float[]{a.vector()[0] + 0.5f, a.vector()[1] - 2f}, b.vector());
        }
        assertArrayEquals(new float[]{1, -1}, l.events().get(1).vector(), "the original is unchanged");
        assertThrows(IllegalArgumentException.class, () -> l.perturb(new float[3]));
        EventList big = of(1, 10, event(0, 1, Float.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> big.perturb(new float[]{Float.MAX_VALUE}));
    }

    @Test
    void perturbRandomAddsOneSharedDirectionWithinScale() {
        EventList l = TestLists.encoderLike(4, 50, 16, Precision.F32);
        EventList p = l.perturbRandom(new Random(3), 10f);
        float[] direction = new float[16];
        for (int d = 0; d < 16; d++) direction[d] = p.events().get(0).vector()[d] - l.events().get(0).vector()[d];
        for (int d = 0; d < 16; d++) assertTrue(Math.abs(direction[d]) <= 10f);
        for (int i = 0; i < l.size(); i++) {
            assertEquals(l.events().get(i).time(), p.events().get(i).time());
            for (int d = 0; d < 16; d++) {
                float delta = p.events().get(i).vector()[d] - l.events().get(i).vector()[d];
                assertEquals(direction[d], delta, 1e-5f, "the same direction for every event");
            }
        }
        assertEquals(l, l.perturbRandom(new Random(3), 0f));
        assertThrows(IllegalArgumentException.class, () -> l.perturbRandom(new Random(3), -1f));
    }

    @Test
    void transplantCopiesARangeToAPosition() {
        EventList target = fourSeconds();
        EventList donor = of(2, 10 * 22050, event(22050 * 5, 7f, 70, 70), event(22050 * 6, 8f, 80, 80), event(22050 * 7, 9f, 90, 90));
        EventList t = target.transplant(donor, 5.0, 7.0, 0.5);
        assertSameHeader(target, t);
        assertEquals(6, t.size());
        assertEquals(List.of(0L, 11025L, 22050L, 33075L, 44100L, 66150L), t.events().stream().map(Event::time).toList());
        assertEquals(List.of(0.5f, 7f, 1f, 8f, 2f, 4f), amplitudes(t));
        assertArrayEquals(new float[]{80, 80}, t.events().get(3).vector());
        assertEquals(target.events().size(), 4, "the target is unchanged");

        EventList otherDim = of(3, 100);
        assertThrows(IllegalArgumentException.class, () -> target.transplant(otherDim, 0, 1, 0));
        EventList otherRate = new EventList(16000, 100, 1, 2, "", Precision.F32, List.of());
        assertThrows(IllegalArgumentException.class, () -> target.transplant(otherRate, 0, 1, 0));
        EventList modelA = new EventList(22050, 100, 1, 2, TestLists.MODEL_ID, Precision.F32, List.of());
        EventList modelB = new EventList(22050, 100, 1, 2, "1" + TestLists.MODEL_ID.substring(1), Precision.F32, List.of());
        assertThrows(IllegalArgumentException.class, () -> modelA.transplant(modelB, 0, 1, 0));
        modelA.transplant(target, 0, 1, 0); // an unknown id does not contradict a known one
    }

    @Test
    void withPrecisionF32IsIdentity() {
        EventList l = TestLists.encoderLike(5, 40, 32, Precision.F16);
        EventList f = l.withPrecision(Precision.F32);
        assertEquals(Precision.F32, f.precision());
        assertEquals(l.events(), f.events());
    }

    @Test
    void withPrecisionF16RoundsEachValueToHalf() {
        EventList l = TestLists.encoderLike(6, 100, 32, Precision.F32);
        EventList h = l.withPrecision(Precision.F16);
        assertEquals(Precision.F16, h.precision());
        for (int i = 0; i < l.size(); i++) {
            Event a = l.events().get(i);
            Event b = h.events().get(i);
            assertEquals(a.time(), b.time());
            assertEquals(a.amplitude(), b.amplitude(), Math.abs(a.amplitude()) * 0x1p-11f + 0x1p-25f);
            for (int d = 0; d < 32; d++) {
                assertEquals(a.vector()[d], b.vector()[d], Math.abs(a.vector()[d]) * 0x1p-11f + 0x1p-25f);
            }
        }
        assertEquals(h, h.withPrecision(Precision.F16), "quantising twice changes nothing");
    }

    @Test
    void withPrecisionQ8StaysWithinHalfAStep() {
        EventList l = TestLists.encoderLike(7, 300, 32, Precision.F32);
        EventList q = l.withPrecision(Precision.Q8);
        assertEquals(Precision.Q8, q.precision());
        float[] min = new float[32];
        float[] max = new float[32];
        java.util.Arrays.fill(min, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
        float aMax = 0;
        float aMin = Float.POSITIVE_INFINITY;
        for (Event e : l.events()) {
            aMax = Math.max(aMax, e.amplitude());
            aMin = Math.min(aMin, e.amplitude());
            for (int d = 0; d < 32; d++) {
                min[d] = Math.min(min[d], e.vector()[d]);
                max[d] = Math.max(max[d], e.vector()[d]);
            }
        }
        double logHalfStep = Math.log(aMax / aMin) / 254 / 2;
        for (int i = 0; i < l.size(); i++) {
            Event a = l.events().get(i);
            Event b = q.events().get(i);
            assertEquals(a.time(), b.time());
            assertEquals(0, Math.log(b.amplitude() / a.amplitude()), logHalfStep + 1e-6, "amplitude is on a log grid");
            for (int d = 0; d < 32; d++) {
                double halfStep = (max[d] - min[d]) / 255.0 / 2;
                assertEquals(a.vector()[d], b.vector()[d], halfStep * 1.0001 + 1e-6);
            }
        }
        assertEquals(q, q.withPrecision(Precision.Q8), "quantising twice changes nothing");
    }

    @Test
    void equalsComparesContent() {
        assertEquals(fourSeconds(), fourSeconds());
        assertEquals(fourSeconds().hashCode(), fourSeconds().hashCode());
        assertNotEquals(fourSeconds(), fourSeconds().shift(1e-3));
        assertEquals(new Event(1, 2, new float[]{3}), new Event(1, 2, new float[]{3}));
    }

    /** Same-onset events with near-parallel vectors merge; others (another onset, another direction) stay. */
    @Test
    void mergeTwinsJoinsSameOnsetNearParallelEvents() {
        List<Event> events = List.of(
                new Event(512, 1.5f, new float[] {1, 0, 0}),
                new Event(512, 0.5f, new float[] {1, 0.2f, 0}),   // cos 0.98 with the first: merged
                new Event(512, 1.0f, new float[] {0, 1, 0}),      // another direction: kept
                new Event(512, 2.0f, new float[] {2, 0, 0}),      // parallel to the first: merged too
                new Event(768, 1.0f, new float[] {1, 0, 0}),      // same vector, next frame: kept
                new Event(1024, 0f, new float[] {1, 0, 0}),       // zero amplitude: never a twin
                new Event(1024, 1f, new float[] {1, 0, 0}));
        EventList l = new EventList(22050, 4096, 1f, 3, "", Precision.F32, events);
        EventList m = l.mergeTwins(0.9);
        assertEquals(5, m.size());
        Event first = m.events().get(0);
        assertEquals(512, first.time());
        assertEquals(4.0f, first.amplitude(), 1e-6f);
        // amplitude-weighted mean: (1.5*1 + 0.5*1 + 2*2) / 4 = 1.5 in d0, 0.5*0.2 / 4 = 0.025 in d1
        assertArrayEquals(new float[] {1.5f, 0.025f, 0}, first.vector(), 1e-6f);
        assertArrayEquals(new float[] {0, 1, 0}, m.events().get(1).vector());
        assertEquals(List.of(512L, 512L, 768L, 1024L, 1024L), m.events().stream().map(Event::time).toList());
        assertEquals(6, l.mergeTwins(0.999).size(), "at 0.999 only the parallel pair merges");
        assertSame(l, l.mergeTwins(1), "no cosine exceeds 1");
        assertThrows(IllegalArgumentException.class, () -> l.mergeTwins(Double.NaN));
    }

    /** Within 256 samples, the next frame's twin merges at the louder one's time; farther ones and others stay. */
    @Test
    void mergeTwinsWithinADistanceJoinsNeighbouringFrames() {
        List<Event> events = List.of(
                new Event(512, 1.0f, new float[] {1, 0, 0}),
                new Event(768, 3.0f, new float[] {1, 0.1f, 0}),   // next frame, louder: the merged event moves here
                new Event(800, 1.0f, new float[] {0, 1, 0}),      // another direction: kept
                new Event(1400, 1.0f, new float[] {1, 0, 0}));    // 632 samples after 768: too far
        EventList l = new EventList(22050, 4096, 1f, 3, "", Precision.F32, events);
        assertSame(l, l.mergeTwins(0.9), "same onset only: nothing to merge");
        EventList m = l.mergeTwins(0.9, 256);
        assertEquals(List.of(768L, 800L, 1400L), m.events().stream().map(Event::time).toList());
        assertEquals(4.0f, m.events().get(0).amplitude(), 1e-6f);
        assertArrayEquals(new float[] {1, 0.075f, 0}, m.events().get(0).vector(), 1e-6f);
        assertEquals(2, l.mergeTwins(0.9, 1000).size(), "within 1000 samples the last one joins too");
        assertThrows(IllegalArgumentException.class, () -> l.mergeTwins(0.9, -1));
    }
}
