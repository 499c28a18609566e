package dev.siac.codec;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Editing a Q8 file must not re-quantise the events it keeps (issue 3: an edit changes what it should only). */
class SiacFormatQ8GridTest {

    private static EventList read(byte[] data) {
        try {
            return SiacFormat.fromBytes(data, "t.siac");
        } catch (SiacFormatException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static EventList q8File(long seed, int n) {
        return read(SiacFormat.toBytes(TestLists.encoderLike(seed, n, 32, Precision.Q8)));
    }

    /** The stored amplitude scale and vector ranges: the 8 + 8 D bytes after the two header varints. */
    private static byte[] headerGrid(byte[] file, int dim) {
        int pos = SiacFormat.FIXED_HEADER_BYTES;
        for (int k = 0; k < 2; k++) {
            while ((file[pos] & 0x80) != 0) pos++;
            pos++;
        }
        return Arrays.copyOfRange(file, pos, pos + 8 + 8 * dim);
    }

    /** Times of the events holding the smallest and largest value of dimension 0 (so deleting them shrinks its range). */
    private static long[] extremeTimes(EventList l) {
        Event lo = l.events().get(0);
        Event hi = lo;
        for (Event e : l.events()) {
            if (e.vector()[0] < lo.vector()[0]) lo = e;
            if (e.vector()[0] > hi.vector()[0]) hi = e;
        }
        return new long[]{lo.time(), hi.time()};
    }

    @Test
    void rewritingAnUneditedQ8FileIsByteIdentical() {
        for (long seed = 1; seed <= 20; seed++) {
            byte[] first = SiacFormat.toBytes(TestLists.encoderLike(seed, 150, 32, Precision.Q8));
            byte[] second = SiacFormat.toBytes(read(first));
            assertArrayEquals(first, second, "seed " + seed);
            assertArrayEquals(second, SiacFormat.toBytes(read(second)), "seed " + seed);
        }
    }

    @Test
    void deletingEventsKeepsTheOthersBitIdenticalAndTheGrid() {
        EventList in = q8File(3, 200);
        long[] extremes = extremeTimes(in);
        EventList edited = in;
        for (long t : extremes) edited = edited.deleteTimeRange(in.seconds(t), in.seconds(t + 1));
        assertTrue(edited.size() < in.size());

        byte[] out = SiacFormat.toBytes(edited);
        EventList back = read(out);
        assertEquals(edited.events(), back.events(), "kept events: times, amplitudes and vectors bit-identical");
        assertArrayEquals(headerGrid(SiacFormat.toBytes(in), 32), headerGrid(out, 32));
        assertArrayEquals(out, SiacFormat.toBytes(back), "writing the edited file again changes nothing");

        // without the remembered grid the writer fits a narrower range and moves the kept vectors: the case fixed here
        EventList refitted = read(SiacFormat.toBytes(edited.withEvents(edited.events())));
        assertNotEquals(edited.events(), refitted.events());
    }

    @Test
    void editsThatOnlyMoveOrSelectEventsKeepTheirValues() {
        EventList in = q8File(5, 120);
        float medianAmp = in.events().stream().map(Event::amplitude).sorted().toList().get(60);
        List<EventList> edits = List.of(
                in.keepTimeRange(2, 6),
                in.keepAmplitudeAbove(medianAmp),
                in.deleteAmplitudeAbove(medianAmp),
                in.shift(0.37),
                in.shift(-1, 3, 5),
                in.stretchTimes(1.3),
                in.randomizeTimes(new Random(1)),
                in.deleteTimeRange(1, 4).transplant(in, 8, 10, 1),
                in.withPrecision(Precision.F32).withPrecision(Precision.Q8));
        for (EventList e : edits) {
            assertNotNull(e.q8Grid(), e.toString());
            EventList back = read(SiacFormat.toBytes(e));
            assertEquals(e.events(), back.events());
            assertEquals(in.q8Grid(), back.q8Grid());
        }
    }

    @Test
    void operationsThatCreateValuesDropTheGridAndStillWork() {
        EventList in = q8File(7, 100);
        EventList random = in.randomizeVectors(new Random(2));
        EventList perturbed = in.perturbRandom(new Random(3), 0.5f);
        EventList other = q8File(8, 100);
        EventList mixed = in.transplant(other, 0, 3, 4);
        for (EventList e : List.of(random, perturbed, mixed)) {
            assertNull(e.q8Grid());
            EventList back = read(SiacFormat.toBytes(e));
            assertEquals(e.size(), back.size());
            assertEquals(e.withPrecision(Precision.Q8), back);
        }
        assertNotEquals(in.events(), random.events());
    }

    @Test
    void aRememberedGridIsReusedOnlyWhereTheValuesLieOnIt() {
        EventList in = q8File(9, 60);
        List<Event> events = new ArrayList<>();
        for (Event e : in.events()) {
            float[] v = e.vector().clone();
            v[4] = Math.nextUp(v[4]); // off the grid in dimension 4 only
            events.add(new Event(e.time(), e.amplitude() * 1.001f, v));
        }
        EventList forged = EventList.trusted(in.sampleRate(), in.lengthSamples(), in.gain(), 32, in.modelId(),
                Precision.Q8, events, in.q8Grid());
        Q8Grid written = read(SiacFormat.toBytes(forged)).q8Grid();
        for (int d = 0; d < 32; d++) {
            if (d == 4) continue;
            assertEquals(in.q8Grid().lo(d), written.lo(d));
            assertEquals(in.q8Grid().hi(d), written.hi(d));
        }
        boolean dim4Refitted = in.q8Grid().lo(4) != written.lo(4) || in.q8Grid().hi(4) != written.hi(4);
        assertTrue(dim4Refitted, "dimension 4 is fitted to its new values");
        assertFalse(in.q8Grid().ampMax == written.ampMax, "amplitudes off the grid get a new scale");
    }
}
