package dev.siac.codec;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The reader faces hostile bytes: random data, and valid files damaged in ways the CRC does not catch (the CRC is
 * recomputed after each mutation, so the parser has to find the problem itself). It may accept or reject, but it
 * must reject with SiacFormatException only, and it must never allocate much more than the input could describe.
 */
class SiacFormatFuzzTest {

    /** Generous bound: Event objects and float vectors cost about 4x the Q8 bytes plus object headers. */
    private static long allocationBound(int inputBytes) {
        return 256 * 1024 + 64L * inputBytes;
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Parses and checks the outcome; returns the list when accepted. */
    private static EventList parse(byte[] data) {
        try {
            SiacFormat.fromBytes(data, "fuzz.siac"); // first run: one-time class and call-site set-up allocates too
        } catch (Throwable ignored) {
            // judged on the measured run below
        }
        long id = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(id);
        EventList result = null;
        try {
            result = SiacFormat.fromBytes(data, "fuzz.siac");
        } catch (SiacFormatException e) {
            assertTrue(e.getMessage().startsWith("fuzz.siac: ") && !e.getMessage().contains("\n"), e.getMessage());
        } catch (Throwable t) {
            fail("reader threw " + t + " for " + data.length + " bytes", t);
        }
        long allocated = THREADS.getThreadAllocatedBytes(id) - before;
        assertTrue(allocated <= allocationBound(data.length),
                "allocated " + allocated + " bytes for a " + data.length + "-byte input");
        if (result != null) {
            assertTrue((long) result.size() * (1 + result.vectorDim()) <= data.length, "every event was paid for in bytes");
            // what was accepted is a valid list: it can be written again, losslessly at F32. (A Q8 file whose
            // grid was tampered with is not re-quantised losslessly: the writer picks its own grid.)
            try {
                EventList exact = result.withPrecision(Precision.F32);
                assertEquals(result.events(), exact.events());
                assertEquals(exact, SiacFormat.fromBytes(SiacFormat.toBytes(exact), "again"));
                SiacFormat.fromBytes(SiacFormat.toBytes(result), "again");
            } catch (SiacFormatException e) {
                fail("an accepted file did not survive a rewrite: " + e.getMessage());
            }
        }
        return result;
    }

    @Property(tries = 400)
    void randomBytesAreRejectedCleanly(@ForAll @Size(max = 400) byte[] data) {
        parse(data);
        parse(FileBytes.fixCrc(data));
    }

    @Property(tries = 400)
    void randomBodiesBehindAValidPrefixAreRejectedCleanly(@ForAll("versions") int version, @ForAll("prefixes") int precision,
                                                          @ForAll @Size(max = 600) byte[] tail) {
        byte[] prefix = {'S', 'I', 'A', 'C', (byte) version, (byte) precision};
        byte[] data = Arrays.copyOf(prefix, prefix.length + tail.length + 4);
        System.arraycopy(tail, 0, data, prefix.length, tail.length);
        parse(FileBytes.fixCrc(data));
    }

    @Provide
    Arbitrary<Integer> prefixes() {
        return Arbitraries.integers().between(0, 3);
    }

    @Provide
    Arbitrary<Integer> versions() {
        return Arbitraries.integers().between(1, SiacFormat.VERSION);
    }

    sealed interface Mutation permits Flip, Truncate, Extend, Overwrite, SetWord {
        byte[] apply(byte[] data);
    }

    record Flip(int position, int bit) implements Mutation {
        public byte[] apply(byte[] data) {
            byte[] b = data.clone();
            if (b.length > 4) b[position % (b.length - 4)] ^= (byte) (1 << bit);
            return b;
        }
    }

    record Truncate(int keep) implements Mutation {
        public byte[] apply(byte[] data) {
            return Arrays.copyOf(data, Math.min(data.length, 4 + keep % Math.max(1, data.length)));
        }
    }

    record Extend(byte[] extra) implements Mutation {
        public byte[] apply(byte[] data) {
            byte[] b = Arrays.copyOf(data, data.length + extra.length);
            System.arraycopy(extra, 0, b, data.length, extra.length);
            return b;
        }
    }

    record Overwrite(int position, byte value) implements Mutation {
        public byte[] apply(byte[] data) {
            byte[] b = data.clone();
            if (b.length > 4) b[position % (b.length - 4)] = value;
            return b;
        }
    }

    /** Puts an extreme 32-bit value at a header-ish position: counts, dimensions and lengths are the targets. */
    record SetWord(int position, int value) implements Mutation {
        public byte[] apply(byte[] data) {
            byte[] b = data.clone();
            int at = position % Math.max(1, Math.min(b.length - 8, 80));
            for (int i = 0; i < 4 && at + i < b.length - 4 && at + i >= 0; i++) b[at + i] = (byte) (value >>> (8 * i));
            return b;
        }
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Integer> pos = Arbitraries.integers().between(0, 10_000);
        Arbitrary<Mutation> one = Arbitraries.oneOf(
                Combinators.combine(pos, Arbitraries.integers().between(0, 7)).as(Flip::new),
                pos.map(Truncate::new),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(Extend::new),
                Combinators.combine(pos, Arbitraries.bytes()).as(Overwrite::new),
                Combinators.combine(pos, Arbitraries.of(-1, 0, 1, 0x7fffffff, 0x80000000, 0xffff, 0x10000, 0x7f7fffff))
                        .as(SetWord::new));
        return one.list().ofMinSize(1).ofMaxSize(4);
    }

    @Property(tries = 600)
    void mutatedValidFilesAreAcceptedOrRejectedCleanly(@ForAll("lists") EventList list,
                                                       @ForAll("mutations") List<Mutation> mutations) {
        byte[] data = SiacFormat.toBytes(list);
        for (Mutation m : mutations) data = m.apply(data);
        parse(FileBytes.fixCrc(data));
    }

    @Provide
    Arbitrary<EventList> lists() {
        return Combinators.combine(
                Arbitraries.longs(),
                Arbitraries.integers().between(0, 25),
                Arbitraries.integers().between(1, 12),
                Arbitraries.of(Precision.values())
        ).as((seed, n, dim, p) -> withTimeState(seed, TestLists.encoderLike(seed, n, dim, p).withPrecision(p)));
    }

    /** Silent spans in some lists and a band balance in some, so that versions 2 and 3 are mutated too. */
    private static EventList withTimeState(long seed, EventList l) {
        Random rng = new Random(~seed);
        long length = l.lengthSamples();
        if (rng.nextBoolean()) {
            long start = rng.nextInt((int) Math.min(length, 100_000));
            l = l.withSilence(Silence.of(new long[] {start}, new long[] {Math.min(length, start + 1 + rng.nextInt(5000))}));
        }
        if (rng.nextInt(3) > 0) {
            int hop = 1 + rng.nextInt(20_000);
            int bands = 1 + rng.nextInt(9);
            long needed = Math.max(1, (length + hop - 1) / hop);
            byte[] codes = new byte[(int) (1 + rng.nextInt((int) Math.min(needed, 40))) * bands];
            rng.nextBytes(codes);
            l = l.withBalance(Balance.of(hop, bands, (float) (20 + 200 * rng.nextDouble()), codes));
        }
        return l;
    }

    @Property(tries = 200)
    void validFilesRoundTrip(@ForAll("lists") EventList list) throws SiacFormatException {
        byte[] data = SiacFormat.toBytes(list);
        assertEquals(list, parse(data));
        assertEquals(list, SiacFormat.fromBytes(data, "x"));
    }
}
