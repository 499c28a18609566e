package dev.siac.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static dev.siac.codec.TestLists.event;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SiacFormatTest {

    private static String problem(byte[] data) {
        SiacFormatException e = assertThrows(SiacFormatException.class, () -> SiacFormat.fromBytes(data, "x.siac"));
        assertTrue(e.getMessage().startsWith("x.siac: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
        return e.problem();
    }

    @Test
    void f32RoundTripIsExact() throws Exception {
        EventList l = TestLists.encoderLike(1, 200, 32, Precision.F32);
        EventList back = SiacFormat.fromBytes(SiacFormat.toBytes(l), "mem");
        assertEquals(l, back);
        assertEquals(TestLists.MODEL_ID, back.modelId());
        assertEquals(0.731f, back.gain());
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void readingGivesExactlyWithPrecision(Precision p) throws Exception {
        EventList l = TestLists.encoderLike(2, 300, 32, Precision.F32);
        EventList stored = l.withPrecision(p);
        byte[] bytes = SiacFormat.toBytes(stored);
        EventList back = SiacFormat.fromBytes(bytes, "mem");
        assertEquals(stored, back);
        assertArrayEquals(bytes, SiacFormat.toBytes(back), "writing what was read reproduces the file");
        assertArrayEquals(bytes, SiacFormat.toBytes(new EventList(l.sampleRate(), l.lengthSamples(), l.gain(),
                l.vectorDim(), l.modelId(), p, l.events())), "quantising first or on write gives the same file");
    }

    @Test
    void f16RoundTripErrorIsHalfAnUlpOfHalf() throws Exception {
        EventList l = TestLists.encoderLike(3, 200, 32, Precision.F16);
        EventList back = SiacFormat.fromBytes(SiacFormat.toBytes(l), "mem");
        double worst = 0;
        for (int i = 0; i < l.size(); i++) {
            for (int d = 0; d < 32; d++) {
                float a = l.events().get(i).vector()[d];
                float b = back.events().get(i).vector()[d];
                worst = Math.max(worst, Math.abs(a - b) / Math.max(Math.abs(a), 0x1p-14f));
            }
        }
        assertTrue(worst <= 0x1p-11, "relative error " + worst);
        assertTrue(worst > 0, "F16 is lossy for random values");
    }

    @Test
    void f16SaturatesInsteadOfOverflowing() throws Exception {
        EventList l = TestLists.of(2, 10, event(0, 1e6f, 70000f, -1e30f)).withPrecision(Precision.F16);
        assertEquals(65504f, l.events().get(0).amplitude());
        assertArrayEquals(new float[]{65504f, -65504f}, l.events().get(0).vector());
    }

    @Test
    void q8KeepsZeroAmplitudesAndHandlesConstantDimensions() throws Exception {
        EventList l = TestLists.of(3, 1000,
                event(0, 0f, 1, 5, -2),
                event(256, 3f, 1, 6, -2),
                event(512, 3f, 1, 7, -2)).withPrecision(Precision.Q8);
        assertEquals(List.of(0f, 3f, 3f), l.events().stream().map(Event::amplitude).toList());
        assertArrayEquals(new float[]{1, 5, -2}, l.events().get(0).vector());
        assertArrayEquals(new float[]{1, 7, -2}, l.events().get(2).vector());
        assertEquals(6f, l.events().get(1).vector()[1], 2.0 / 255);
    }

    @Test
    void q4PacksTwoCodesPerByteOnFifteenStepsAndRoundTrips() throws Exception {
        // odd dimension: the last byte of each vector holds one code and a zero high nibble
        EventList l = TestLists.of(3, 1000,
                event(0, 0f, 0, 5, -2),
                event(256, 3f, 1.55f, 6.1f, -2),
                event(512, 3f, 3, 7, -2)).withPrecision(Precision.Q4);
        assertEquals(Precision.Q4, l.precision());
        assertEquals(List.of(0f, 3f, 3f), l.events().stream().map(Event::amplitude).toList());
        assertArrayEquals(new float[]{0, 5, -2}, l.events().get(0).vector(), "range ends are exact");
        assertArrayEquals(new float[]{3, 7, -2}, l.events().get(2).vector());
        assertEquals(1.6f, l.events().get(1).vector()[0], 1e-6, "1.55 on 0..3 in 15 steps: code 7.75 -> 8, 1.6");
        assertEquals(5 + 8 * 2.0 / 15, l.events().get(1).vector()[1], 1e-6, "6.1 on 5..7: code 8.25 -> 8");
        byte[] bytes = SiacFormat.toBytes(l);
        assertEquals(l, SiacFormat.fromBytes(bytes, "q4"));
        assertArrayEquals(bytes, SiacFormat.toBytes(SiacFormat.fromBytes(bytes, "q4")), "read and written again: same bytes");
        // a set padding nibble is damage, not data
        int lastVectorByte = bytes.length - 4 - 1;
        byte[] bad = bytes.clone();
        bad[lastVectorByte] |= (byte) 0x10;
        assertEquals("event 2 has a non-zero padding nibble", problem(FileBytes.fixCrc(bad)));
        assertEquals(l, l.withPrecision(Precision.Q4), "quantising twice changes nothing");
    }

    @Test
    void q4ErrorIsHalfAStepOfFifteen() throws Exception {
        EventList l = TestLists.encoderLike(4, 200, 32, Precision.F32);
        EventList q = l.withPrecision(Precision.Q4);
        for (int d = 0; d < 32; d++) {
            float lo = Float.MAX_VALUE, hi = -Float.MAX_VALUE;
            for (Event e : l.events()) {
                lo = Math.min(lo, e.vector()[d]);
                hi = Math.max(hi, e.vector()[d]);
            }
            for (int i = 0; i < l.size(); i++) {
                float want = l.events().get(i).vector()[d], got = q.events().get(i).vector()[d];
                assertTrue(Math.abs(want - got) <= (hi - lo) / 30 * 1.0001 + 1e-6, "dimension " + d + ": " + want + " -> " + got);
            }
        }
        assertEquals(SiacFormat.toBytes(l.withPrecision(Precision.Q8)).length - 16 * 200, SiacFormat.toBytes(q).length,
                "16 bytes per event less than Q8 at D = 32");
    }

    @Test
    void q8AmplitudeGridIgnoresTinyOutliers() {
        EventList l = TestLists.of(1, 1000, event(0, 1e-30f, 0), event(1, 0.5f, 0), event(2, 1f, 0)).withPrecision(Precision.Q8);
        assertEquals(0.5f, l.events().get(1).amplitude(), 0.5f * 0.035f, "within half a step of a 2^24 range");
        assertEquals(1f, l.events().get(2).amplitude());
        assertEquals(0x1p-24f, l.events().get(0).amplitude(), "below the range: clamped to its bottom, not silenced");
    }

    @Test
    void timesAreExactEvenAtTheExtremes() throws Exception {
        EventList l = TestLists.of(1, 5,
                event(Long.MIN_VALUE, 1, 1), event(-1, 1, 2), event(-1, 1, 3), event(0, 1, 4), event(7, 1, 5),
                event(Long.MAX_VALUE, 1, 6));
        for (Precision p : Precision.values()) {
            EventList back = SiacFormat.fromBytes(SiacFormat.toBytes(l.withPrecision(p)), "mem");
            assertEquals(l.events().stream().map(Event::time).toList(), back.events().stream().map(Event::time).toList());
        }
        EventList two = TestLists.of(1, 5, event(Long.MIN_VALUE, 1, 1), event(Long.MAX_VALUE, 1, 6));
        assertEquals(two, SiacFormat.fromBytes(SiacFormat.toBytes(two), "mem"));
    }

    @Test
    void emptyListRoundTrips() throws Exception {
        for (Precision p : Precision.values()) {
            EventList l = new EventList(44100, 0, 0f, 7, "", p, List.of());
            assertEquals(l, SiacFormat.fromBytes(SiacFormat.toBytes(l), "mem"));
        }
    }

    /** The compactness the bitrate figures in docs/FORMAT.md rest on: header + fixed bytes per event. */
    @Test
    void eventsOnTheFrameGridCostOneByteOfTimeEach() {
        List<Event> events = new ArrayList<>();
        Random rng = new Random(1);
        long t = 0;
        for (int i = 0; i < 108; i++) { // 10 s at 10.8 events/s, gaps under 128 frames
            float[] v = new float[32];
            for (int d = 0; d < 32; d++) v[d] = (float) rng.nextGaussian();
            events.add(new Event(t, 0.1f + rng.nextFloat(), v));
            t += 256L * (1 + rng.nextInt(40));
        }
        long header = SiacFormat.FIXED_HEADER_BYTES + 2 /* quantum 256 */ + 1 /* first time 0 */ + 4 /* CRC */;
        int[] perEvent = {1 + 4 + 128, 1 + 2 + 64, 1 + 1 + 32, 1 + 1 + 16};
        for (Precision p : Precision.values()) {
            EventList l = new EventList(22050, 220500, 1, 32, "", p, events);
            long extra = p.quantized() ? 8 + 8 * 32 : 0;
            long expected = header + extra + 108L * perEvent[p.ordinal()] - 1; // the first event has no delta
            assertEquals(expected, SiacFormat.toBytes(l).length, p.toString());
        }
        EventList q8 = new EventList(22050, 220500, 1, 32, "", Precision.Q8, events);
        double kbps = SiacFormat.toBytes(q8).length * 8 / 10.0 / 1000;
        assertTrue(kbps < 3.3, "Q8 at 10.8 events/s including a 10 s file's header: " + kbps);
        double kbps4 = SiacFormat.toBytes(q8.withPrecision(Precision.Q4)).length * 8 / 10.0 / 1000;
        assertTrue(kbps4 < 1.9, "Q4 at 10.8 events/s including a 10 s file's header: " + kbps4);
    }

    @Test
    void timeQuantumIsTheGcdOfGaps() {
        assertEquals(256, SiacFormat.timeQuantum(TestLists.of(1, 9, event(3, 1, 0), event(259, 1, 0), event(771, 1, 0)).events()));
        assertEquals(1, SiacFormat.timeQuantum(TestLists.of(1, 9, event(0, 1, 0), event(256, 1, 0), event(257, 1, 0)).events()));
        assertEquals(1, SiacFormat.timeQuantum(TestLists.of(1, 9, event(5, 1, 0), event(5, 1, 0)).events()));
        assertEquals(-1L, SiacFormat.timeQuantum(
                TestLists.of(1, 9, event(Long.MIN_VALUE, 1, 0), event(Long.MAX_VALUE, 1, 0)).events()), "2^64-1 unsigned");
    }

    @Test
    void zigzagCoversTheLongRange() {
        for (long v : new long[]{0, 1, -1, 255, -256, Long.MAX_VALUE, Long.MIN_VALUE}) {
            assertEquals(v, SiacFormat.unzigzag(SiacFormat.zigzag(v)));
        }
        assertEquals(1, SiacFormat.zigzag(-1));
        assertEquals(2, SiacFormat.zigzag(1));
    }

    // ------------------------------------------------------------------------------------------ rejection

    @Test
    void rejectsWrongMagic() {
        assertEquals("not a .siac file (bad magic)", problem("RIFF....WAVEfmt ".getBytes()));
        assertEquals("truncated (0 bytes)", problem(new byte[0]));
        assertEquals("not a .siac file (bad magic)", problem(new byte[]{'S', 'X'}));
        assertEquals("truncated (2 bytes)", problem(new byte[]{'S', 'I'}));
        assertEquals("truncated (6 bytes)", problem(new byte[]{'S', 'I', 'A', 'C', 1, 0}));
    }

    @Test
    void rejectsBadCrcBeforeAnythingElse() {
        byte[] good = SiacFormat.toBytes(TestLists.encoderLike(1, 10, 4, Precision.F16));
        byte[] damaged = good.clone();
        damaged[4] = 7; // an unknown version, but the CRC is checked first
        assertTrue(problem(damaged).startsWith("bad CRC"), problem(damaged));
        byte[] cut = Arrays.copyOf(good, good.length - 10);
        assertTrue(problem(cut).startsWith("bad CRC"));
    }

    @Test
    void rejectsUnknownVersionAndPrecision() {
        byte[] good = SiacFormat.toBytes(TestLists.encoderLike(1, 10, 4, Precision.F16));
        byte[] v7 = good.clone();
        v7[4] = 7;
        assertEquals("unsupported version 7 (this build reads versions 1 to 3)", problem(FileBytes.fixCrc(v7)));
        v7[4] = 4;
        assertEquals("unsupported version 4 (this build reads versions 1 to 3)", problem(FileBytes.fixCrc(v7)));
        v7[4] = 0;
        assertEquals("unsupported version 0 (this build reads versions 1 to 3)", problem(FileBytes.fixCrc(v7)));
        byte[] p9 = good.clone();
        p9[5] = 9;
        assertEquals("unsupported precision 9", problem(FileBytes.fixCrc(p9)));
    }

    @Test
    void rejectsHugeCountsWithoutAllocating() {
        // 4 billion events of 65535 dimensions declared in a 70-byte file
        byte[] data = new FileBytes.Body().header(1, 0, 65535, 22050, 100, 1f, 0xffffffffL).varint(1).varint(0).sealed();
        String p = problem(data);
        assertTrue(p.startsWith("truncated (header declares 4294967295 events"), p);
        byte[] q8 = new FileBytes.Body().header(1, 2, 65535, 22050, 100, 1f, 1).varint(1).varint(0)
                .f32(0).f32(0).sealed();
        assertTrue(problem(q8).startsWith("truncated (vector ranges"), problem(q8));
    }

    @Test
    void rejectsInvalidHeaderValues() {
        assertEquals("vector dimension 0", problem(new FileBytes.Body().header(1, 0, 0, 22050, 1, 1f, 0).varint(1).varint(0).sealed()));
        assertEquals("invalid sample rate 0", problem(new FileBytes.Body().header(1, 0, 1, 0, 1, 1f, 0).varint(1).varint(0).sealed()));
        assertEquals("invalid sample rate 4294967295", problem(new FileBytes.Body().header(1, 0, 1, 0xffffffffL, 1, 1f, 0).varint(1).varint(0).sealed()));
        assertEquals("negative length -1", problem(new FileBytes.Body().header(1, 0, 1, 22050, -1, 1f, 0).varint(1).varint(0).sealed()));
        assertEquals("invalid gain NaN", problem(new FileBytes.Body().header(1, 0, 1, 22050, 1, Float.NaN, 0).varint(1).varint(0).sealed()));
        assertEquals("invalid gain -1.0", problem(new FileBytes.Body().header(1, 0, 1, 22050, 1, -1f, 0).varint(1).varint(0).sealed()));
        assertEquals("time quantum 0", problem(new FileBytes.Body().header(1, 0, 1, 22050, 1, 1f, 0).varint(0).varint(0).sealed()));
        assertEquals("time quantum: over-long varint",
                problem(new FileBytes.Body().header(1, 0, 1, 22050, 1, 1f, 0).bytes((byte) 0x81, (byte) 0).varint(0).sealed()));
        assertEquals("time quantum: varint longer than 64 bits", problem(new FileBytes.Body().header(1, 0, 1, 22050, 1, 1f, 0)
                .bytes((byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                        (byte) 0xff, (byte) 0x02).varint(0).sealed()));
        assertEquals("invalid amplitude scale [2.0, 1.0]", problem(new FileBytes.Body().header(1, 2, 1, 22050, 1, 1f, 0)
                .varint(1).varint(0).f32(2).f32(1).f32(0).f32(0).sealed()));
        assertEquals("invalid range [1.0, NaN] of vector dimension 0", problem(new FileBytes.Body().header(1, 2, 1, 22050, 1, 1f, 0)
                .varint(1).varint(0).f32(1).f32(1).f32(1).f32(Float.NaN).sealed()));
    }

    @Test
    void rejectsNonFiniteValuesAndNegativeAmplitudes() {
        byte[] nanVector = new FileBytes.Body().header(1, 0, 2, 22050, 1, 1f, 1).varint(1).varint(0)
                .f32(1).f32(0.5f).f32(Float.NaN).sealed();
        assertEquals("event 0 has non-finite vector value NaN", problem(nanVector));
        byte[] infHalf = new FileBytes.Body().header(1, 1, 2, 22050, 1, 1f, 1).varint(1).varint(0)
                .u16(0x3c00).u16(0x7c00).u16(0).sealed();
        assertEquals("event 0 has non-finite vector value Infinity", problem(infHalf));
        byte[] negative = new FileBytes.Body().header(1, 1, 1, 22050, 1, 1f, 1).varint(1).varint(0)
                .u16(0xbc00).u16(0).sealed();
        assertEquals("event 0 has invalid amplitude -1.0", problem(negative));
        byte[] ampOnEmptyScale = new FileBytes.Body().header(1, 2, 1, 22050, 1, 1f, 1).varint(1).varint(0)
                .f32(0).f32(0).f32(0).f32(1).u8(3).u8(0).sealed();
        assertEquals("event 0 has amplitude code 3 but the amplitude scale is empty", problem(ampOnEmptyScale));
    }

    @Test
    void rejectsOverflowingTimesAndTrailingBytes() {
        byte[] overflow = new FileBytes.Body().header(1, 0, 1, 22050, 1, 1f, 2).varint(3).varint(SiacFormat.zigzag(Long.MAX_VALUE - 5))
                .f32(1).f32(0).varint(2).f32(1).f32(0).sealed();
        assertEquals("time of event 1 overflows", problem(overflow));
        byte[] fits = new FileBytes.Body().header(1, 0, 1, 22050, 1, 1f, 2).varint(3).varint(SiacFormat.zigzag(Long.MAX_VALUE - 6))
                .f32(1).f32(0).varint(2).f32(1).f32(0).sealed();
        assertEquals(Long.MAX_VALUE, assertDoesNotThrowRead(fits).events().get(1).time());

        byte[] good = SiacFormat.toBytes(TestLists.encoderLike(1, 5, 3, Precision.F32));
        byte[] longer = Arrays.copyOf(good, good.length + 3);
        assertEquals("3 unexpected bytes after the last event", problem(FileBytes.fixCrc(longer)));
        byte[] shorter = Arrays.copyOfRange(good, 0, good.length - 5);
        assertTrue(problem(FileBytes.fixCrc(shorter)).startsWith("truncated"));
    }

    @Test
    void silentSpansMakeVersionTwoAndRoundTripAtEveryPrecision() throws Exception {
        EventList plain = TestLists.encoderLike(4, 40, 32, Precision.Q4).withPrecision(Precision.Q4);
        byte[] v1 = SiacFormat.toBytes(plain);
        assertEquals(1, v1[4], "no spans: version 1, as before");
        Silence spans = Silence.of(new long[] {0, 5000, 70000}, new long[] {1024, 9000, plain.lengthSamples()});
        for (Precision p : Precision.values()) {
            EventList l = plain.withSilence(spans).withPrecision(p);
            byte[] v2 = SiacFormat.toBytes(l);
            assertEquals(2, v2[4]);
            EventList back = SiacFormat.fromBytes(v2, "x.siac");
            assertEquals(l, back, p.label());
            assertEquals(spans, back.silence());
            assertArrayEquals(v2, SiacFormat.toBytes(back), "read and written again: the same bytes");
        }
        // the spans cost their varints only: count, then gap and length per span
        assertEquals(1 + (1 + 2) + (2 + 2) + (3 + 2),
                SiacFormat.toBytes(plain.withSilence(spans)).length - v1.length);
    }

    @Test
    void rejectsBadSilentSpans() {
        // one F32 event of dimension 1 at time 0, length 100, then the spans section
        java.util.function.Function<long[], byte[]> v2 = spans -> {
            FileBytes.Body b = new FileBytes.Body().header(2, 0, 1, 22050, 100, 1f, 1).varint(1).varint(0).f32(1).f32(0);
            for (long v : spans) b.varint(v);
            return b.sealed();
        };
        assertEquals(Silence.of(new long[] {10}, new long[] {100}), assertDoesNotThrowRead(v2.apply(new long[] {1, 10, 90})).silence());
        assertEquals("version 2 with no silent spans (such a file is written as version 1)", problem(v2.apply(new long[] {0})));
        assertEquals("silent span 0 is empty", problem(v2.apply(new long[] {1, 10, 0})));
        assertEquals("silent span 0 ends after the signal's 100 samples", problem(v2.apply(new long[] {1, 10, 91})));
        assertEquals("silent span 1 ends after the signal's 100 samples", problem(v2.apply(new long[] {2, 0, 50, 51, 1})));
        assertEquals("silent span 0 ends after the signal's 100 samples", problem(v2.apply(new long[] {1, Long.MAX_VALUE, 1})));
        assertTrue(problem(v2.apply(new long[] {1000})).startsWith("truncated (1000 silent spans need at least 2000 bytes"));
        assertEquals("2 unexpected bytes after the silent spans", problem(v2.apply(new long[] {1, 0, 1, 5, 5})));
    }

    /** 40 frames of 65536 samples x 8 bands, codes -6 .. +13 (-3.0 .. +6.5 dB), as the encoder would store them. */
    static Balance encoderBalance(long length) {
        int frames = (int) Math.max(1, (length + 65535) / 65536);
        byte[] codes = new byte[frames * Balance.BANDS];
        for (int i = 0; i < codes.length; i++) codes[i] = (byte) (i * 7 % 20 - 6);
        return Balance.of(65536, Balance.BANDS, Balance.LOWEST_HZ, codes);
    }

    @Test
    void aBalanceMakesVersionThreeAndRoundTripsAtEveryPrecision() throws Exception {
        EventList plain = TestLists.encoderLike(5, 300, 32, Precision.Q4).withPrecision(Precision.Q4);
        Balance balance = encoderBalance(plain.lengthSamples());
        assertEquals(10, balance.frames(), "613 k samples need ten frames of 65536");
        Silence spans = Silence.of(new long[] {0, 5000}, new long[] {1024, 9000});
        for (Precision p : Precision.values()) {
            for (Silence s : List.of(Silence.NONE, spans)) {
                EventList l = plain.withSilence(s).withBalance(balance).withPrecision(p);
                byte[] v3 = SiacFormat.toBytes(l);
                assertEquals(3, v3[4]);
                assertEquals(3, SiacFormat.versionOf(l));
                EventList back = SiacFormat.fromBytes(v3, "x.siac");
                assertEquals(l, back, p.label());
                assertEquals(balance, back.balance());
                assertEquals(s, back.silence());
                assertArrayEquals(v3, SiacFormat.toBytes(back), "read and written again: the same bytes");
                assertEquals(balance, l.withPrecision(Precision.F32).balance(), "a change of precision keeps it");
            }
        }
        // without a balance nothing changes: versions 1 and 2, the same bytes as a list that never had one
        assertArrayEquals(SiacFormat.toBytes(plain), SiacFormat.toBytes(plain.withBalance(balance).withBalance(Balance.NONE)));
        assertEquals(1, SiacFormat.toBytes(plain.withBalance(Balance.NONE))[4]);
        assertEquals(2, SiacFormat.toBytes(plain.withSilence(spans).withBalance(Balance.NONE))[4]);
        // the balance costs a span count of 0, hop 65536 (3 varint bytes), bands, centre, frame count and its codes
        assertEquals(1 + 3 + 1 + 4 + 1 + 10 * 8,
                SiacFormat.toBytes(plain.withBalance(balance)).length - SiacFormat.toBytes(plain).length);
        assertEquals(3 + 1 + 4 + 1 + 10 * 8, SiacFormat.toBytes(plain.withSilence(spans).withBalance(balance)).length
                - SiacFormat.toBytes(plain.withSilence(spans)).length);
    }

    @Test
    void everyCodeAndAnyLayoutRoundTrip() throws Exception {
        byte[] codes = new byte[256];
        for (int i = 0; i < 256; i++) codes[i] = (byte) i;
        EventList l = TestLists.of(1, 256, event(3, 1, 0)).withBalance(Balance.of(1, 1, Float.MIN_VALUE, codes));
        assertEquals(l.balance(), SiacFormat.fromBytes(SiacFormat.toBytes(l), "x").balance());
        EventList wide = TestLists.of(1, 0, event(3, 1, 0)).withBalance(Balance.of(Integer.MAX_VALUE, 255, Float.MAX_VALUE, new byte[255]));
        assertEquals(wide.balance(), SiacFormat.fromBytes(SiacFormat.toBytes(wide), "x").balance(), "length 0 keeps one frame");
    }

    @Test
    void rejectsBadBalances() {
        // one F32 event of dimension 1 at time 0, length 100, no silent spans, then the balance: hop 50, 2 bands
        // centred from 100 Hz, then the frame count and the codes given
        java.util.function.Function<FileBytes.Body, byte[]> v3 = tail -> {
            byte[] t = tail.sealed();
            byte[] rest = Arrays.copyOf(t, t.length - 4); // the tail's bytes without its CRC
            return new FileBytes.Body().header(3, 0, 1, 22050, 100, 1f, 1).varint(1).varint(0).f32(1).f32(0).varint(0)
                    .bytes(rest).sealed();
        };
        Balance ok = assertDoesNotThrowRead(v3.apply(new FileBytes.Body().varint(50).u8(2).f32(100).varint(2)
                .bytes((byte) -1, (byte) 2, (byte) 127, (byte) -128))).balance();
        assertEquals(Balance.of(50, 2, 100f, new byte[] {-1, 2, 127, -128}), ok);
        assertEquals("balance hop 0", problem(v3.apply(new FileBytes.Body().varint(0).u8(2).f32(100).varint(1).bytes(new byte[2]))));
        assertEquals("balance hop 2147483648 is longer than 2147483647 samples",
                problem(v3.apply(new FileBytes.Body().varint(1L << 31).u8(2).f32(100).varint(1).bytes(new byte[2]))));
        assertEquals("balance hop 18446744073709551615 is longer than 2147483647 samples",
                problem(v3.apply(new FileBytes.Body().varint(-1).u8(2).f32(100).varint(1).bytes(new byte[2]))));
        assertEquals("balance with 0 bands", problem(v3.apply(new FileBytes.Body().varint(50).u8(0).f32(100).varint(1))));
        for (float bad : new float[] {0f, -0f, -100f, Float.NaN, Float.POSITIVE_INFINITY}) {
            assertEquals("invalid balance centre " + bad + " Hz",
                    problem(v3.apply(new FileBytes.Body().varint(50).u8(2).f32(bad).varint(1).bytes(new byte[2]))));
        }
        assertEquals("balance with 0 frames", problem(v3.apply(new FileBytes.Body().varint(50).u8(2).f32(100).varint(0))));
        assertEquals("balance has 3 frames of 50 samples, more than the signal's 100 samples need",
                problem(v3.apply(new FileBytes.Body().varint(50).u8(2).f32(100).varint(3).bytes(new byte[6]))));
        assertEquals(2, assertDoesNotThrowRead(v3.apply(new FileBytes.Body().varint(99).u8(1).f32(100).varint(2)
                .bytes(new byte[2]))).balance().frames(), "a frame that starts before the end is needed");
        assertEquals("balance has 2 frames of 100 samples, more than the signal's 100 samples need",
                problem(v3.apply(new FileBytes.Body().varint(100).u8(1).f32(100).varint(2).bytes(new byte[2]))));
        assertEquals("truncated (balance of 2 frames x 2 bands needs 4 bytes, 3 left)",
                problem(v3.apply(new FileBytes.Body().varint(50).u8(2).f32(100).varint(2).bytes(new byte[3]))));
        assertTrue(problem(v3.apply(new FileBytes.Body().varint(50).u8(2).f32(100))).startsWith("truncated (balance frame count at byte "));
        assertTrue(problem(v3.apply(new FileBytes.Body().varint(50).u8(2).bytes((byte) 0, (byte) 0)))
                .startsWith("truncated (balance centre at byte "));
        assertTrue(problem(v3.apply(new FileBytes.Body().varint(50))).startsWith("truncated (balance band count at byte "));
        assertTrue(problem(v3.apply(new FileBytes.Body())).startsWith("truncated (balance hop at byte "));
        assertEquals("2 unexpected bytes after the band balance",
                problem(v3.apply(new FileBytes.Body().varint(50).u8(2).f32(100).varint(2).bytes(new byte[6]))));

        // a huge signal lets the frame count pass the length check: the bytes must still be there, before any allocation
        byte[] huge = new FileBytes.Body().header(3, 0, 1, 22050, Long.MAX_VALUE, 1f, 0).varint(1).varint(0).varint(0)
                .varint(1).u8(255).f32(100).varint(Long.MAX_VALUE).sealed();
        assertEquals("truncated (balance of 9223372036854775807 frames x 255 bands needs 2351959869397967830785 bytes, 0 left)",
                problem(huge));
        // version 3's spans are read as version 2's, but may be none; version 2 still needs at least one
        byte[] spansAndBalance = new FileBytes.Body().header(3, 0, 1, 22050, 100, 1f, 0).varint(1).varint(0)
                .varint(1).varint(10).varint(20).varint(50).u8(1).f32(100).varint(1).u8(4).sealed();
        EventList both = assertDoesNotThrowRead(spansAndBalance);
        assertEquals(Silence.of(new long[] {10}, new long[] {30}), both.silence());
        assertEquals(Balance.of(50, 1, 100f, new byte[] {4}), both.balance());
        assertEquals("version 2 with no silent spans (such a file is written as version 1)",
                problem(new FileBytes.Body().header(2, 0, 1, 22050, 100, 1f, 0).varint(1).varint(0).varint(0).sealed()));
    }

    private static EventList assertDoesNotThrowRead(byte[] data) {
        try {
            return SiacFormat.fromBytes(data, "x.siac");
        } catch (SiacFormatException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------------------------------ files

    @Test
    void writeThenReadAndLeaveNoTemporaries(@TempDir Path dir) throws IOException {
        EventList l = TestLists.encoderLike(9, 50, 32, Precision.Q8);
        Path f = dir.resolve("a.siac");
        SiacFormat.write(f, l);
        assertEquals(l.withPrecision(Precision.Q8), SiacFormat.read(f));
        SiacFormat.write(f, l.keepTimeRange(0, 1)); // replaces
        assertEquals(l.keepTimeRange(0, 1).withPrecision(Precision.Q8), SiacFormat.read(f));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList());
        }
    }

    @Test
    void failedWriteLeavesNothing(@TempDir Path dir) {
        Path f = dir.resolve("missing-dir").resolve("a.siac");
        assertThrows(IOException.class, () -> SiacFormat.write(f, TestLists.encoderLike(9, 5, 4, Precision.F32)));
        assertFalse(Files.exists(f.getParent()));
    }

    @Test
    void readReportsMissingFilesInOneLine(@TempDir Path dir) {
        Path f = dir.resolve("nope.siac");
        SiacFormatException e = assertThrows(SiacFormatException.class, () -> SiacFormat.read(f));
        assertEquals(f + ": no such file", e.getMessage());
        SiacFormatException d = assertThrows(SiacFormatException.class, () -> SiacFormat.read(dir));
        assertTrue(d.getMessage().startsWith(dir + ": "), d.getMessage());
    }
}
