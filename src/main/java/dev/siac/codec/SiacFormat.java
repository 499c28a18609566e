package dev.siac.codec;

import static dev.siac.io.Messages.oneLine;
import dev.siac.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * The {@code .siac} container: a versioned, CRC-checked, compact binary form of an {@link EventList}. The layout
 * is specified in docs/FORMAT.md; this class is its only implementation.
 *
 * <p>The reader treats its input as hostile: the CRC is verified before anything else is interpreted, every
 * count is checked against the bytes that remain before anything is allocated (so memory use is bounded by a
 * small multiple of the input size), and every failure is a {@link SiacFormatException} with a one-line message.
 */
public final class SiacFormat {

    /**
     * The newest version this build writes and reads. Version 2 is version 1 plus the silent spans after the last
     * event, version 3 is version 2 plus the band balance after the spans (docs/FORMAT.md). A list is written in the
     * oldest version that holds it, so a list without a balance or silent spans is a version-1 file as before.
     */
    public static final int VERSION = 3;
    /** Bytes from the magic through the event count; the variable part of the header follows. */
    public static final int FIXED_HEADER_BYTES = 60;
    /** Files larger than this cannot be held in one Java array. */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 16;
    /** The Q8 amplitude grid spans at most 2^24 (about 144 dB) below the loudest event. */
    static final float Q8_AMPLITUDE_RANGE = 0x1p-24f;

    private static final byte[] MAGIC = {'S', 'I', 'A', 'C'};
    private static final int CRC_BYTES = 4;
    private static final int MODEL_ID_BYTES = 32;

    private SiacFormat() {
    }

    // ------------------------------------------------------------------------------------------ writing

    /** Writes the list to {@code file} atomically: a temporary file beside it is moved over it at the end. */
    public static void write(Path file, EventList events) throws IOException {
        AtomicFiles.write(file, toBytes(events));
    }

    /** The version a file of this list has: 3 when it has a band balance, else 2 when it has silent spans, else 1. */
    public static int versionOf(EventList events) {
        if (!events.balance().isEmpty()) return 3;
        return events.silence().isEmpty() ? 1 : 2;
    }

    /** The complete file content for {@code events}, stored at {@code events.precision()}. */
    public static byte[] toBytes(EventList events) {
        Objects.requireNonNull(events, "events");
        Precision p = events.precision();
        int dim = events.vectorDim();
        List<Event> list = events.events();
        int n = list.size();

        Silence silence = events.silence();
        Balance balance = events.balance();
        int version = versionOf(events);
        Sink out = new Sink(FIXED_HEADER_BYTES + 32 + (p.quantized() ? 8 + 8 * dim : 0)
                + (long) n * (2 + ampBytes(p) + (long) p.vectorBytes(dim)) + CRC_BYTES
                + 20L * silence.count() + (version == 3 ? 20 + (long) balance.frames() * balance.bands() : 0));
        out.bytes(MAGIC);
        out.u8(version);
        out.u8(precisionCode(p));
        out.u16(dim);
        out.u32(events.sampleRate());
        out.i64(events.lengthSamples());
        out.f32(events.gain());
        out.bytes(modelIdBytes(events.modelId()));
        out.u32(n);

        long quantum = timeQuantum(list);
        out.varint(quantum);
        out.varint(zigzag(n == 0 ? 0 : list.get(0).time()));

        AmplitudeGrid ampGrid = null;
        boolean ampExact = false;
        float[] vMin = null;
        float[] vMax = null;
        double[] vStep = null;
        boolean[] vExact = null;
        int maxCode = p.quantized() ? p.maxCode() : 0;
        if (p.quantized()) {
            // a remembered grid is reused wherever every value still lies on it, so that removing or moving events
            // leaves the kept ones bit-identical; elsewhere the grid is fitted to the data
            Q8Grid carried = events.q8Grid();
            if (carried != null) {
                AmplitudeGrid g = new AmplitudeGrid(carried.ampMin, carried.ampMax);
                if (allAmplitudesOn(list, g)) {
                    ampGrid = g;
                    ampExact = true;
                }
            }
            if (ampGrid == null) ampGrid = AmplitudeGrid.of(list);
            out.f32(ampGrid.min);
            out.f32(ampGrid.max);
            vMin = new float[dim];
            vMax = new float[dim];
            vectorRanges(list, dim, vMin, vMax);
            vStep = new double[dim];
            vExact = new boolean[dim];
            for (int d = 0; d < dim; d++) {
                if (carried != null) {
                    double step = q8Step(carried.lo(d), carried.hi(d), maxCode);
                    if (allOnGrid(list, d, carried.lo(d), step, maxCode)) {
                        vMin[d] = carried.lo(d);
                        vMax[d] = carried.hi(d);
                        vExact[d] = true;
                    }
                }
                out.f32(vMin[d]);
                out.f32(vMax[d]);
                vStep[d] = q8Step(vMin[d], vMax[d], maxCode);
            }
        }

        long previous = 0;
        for (int i = 0; i < n; i++) {
            Event e = list.get(i);
            if (i > 0) out.varint(Long.divideUnsigned(e.time() - previous, quantum));
            previous = e.time();
            float[] v = e.vector();
            switch (p) {
                case F32 -> {
                    out.f32(e.amplitude());
                    for (float x : v) out.f32(x);
                }
                case F16 -> {
                    out.u16(Half.fromFloatSaturating(e.amplitude()) & 0xffff);
                    for (float x : v) out.u16(Half.fromFloatSaturating(x) & 0xffff);
                }
                case Q8, Q4 -> {
                    out.u8(ampExact ? ampGrid.exactCode(e.amplitude()) : ampGrid.code(e.amplitude()));
                    int pending = 0;
                    for (int d = 0; d < dim; d++) {
                        int code = vExact[d] ? q8ExactCode(v[d], vMin[d], vStep[d], maxCode)
                                : q8Code(v[d], vMin[d], vStep[d], maxCode);
                        if (p == Precision.Q8) {
                            out.u8(code);
                        } else if (d % 2 == 0) {
                            pending = code;                       // low nibble first
                            if (d == dim - 1) out.u8(pending);    // odd D: the last high nibble is 0
                        } else {
                            out.u8(pending | code << 4);
                        }
                    }
                }
            }
        }
        if (version >= 2) { // version 3 stores a count of 0 when it has a balance but no spans
            out.varint(silence.count());
            long previousEnd = 0;
            for (int i = 0; i < silence.count(); i++) {
                out.varint(silence.start(i) - previousEnd);
                out.varint(silence.end(i) - silence.start(i));
                previousEnd = silence.end(i);
            }
        }
        if (version == 3) {
            out.varint(balance.hop());
            out.u8(balance.bands());
            out.f32(balance.lowestHz());
            out.varint(balance.frames());
            out.bytes(balance.codes());
        }
        CRC32 crc = new CRC32();
        crc.update(out.buf, 0, out.size);
        out.u32(crc.getValue());
        return out.toArray();
    }

    /**
     * Bytes one event takes on average in a file of encoder output: its time delta (one varint byte for gaps below 128
     * frames), amplitude and vector. What a bitrate target plans with; the exact size is {@link #encodedSize}.
     */
    public static int estimatedEventBytes(Precision p, int dim) {
        return 1 + ampBytes(p) + p.vectorBytes(dim);
    }

    /**
     * Bytes of everything in a file of encoder output but its events: the fixed header, the time quantum and first
     * onset (a frame of 256 samples and an onset within the first hours: 2 + 4 varint bytes), the grids of Q8/Q4, CRC.
     */
    public static int estimatedHeaderBytes(Precision p, int dim) {
        return FIXED_HEADER_BYTES + 2 + 4 + (p.quantized() ? 8 + 8 * dim : 0) + CRC_BYTES;
    }

    /** The number of bytes {@link #toBytes} produces, without keeping them. */
    public static long encodedSize(EventList events) {
        return toBytes(events).length;
    }

    // ------------------------------------------------------------------------------------------ reading

    /** Reads and validates a file; every problem, including I/O errors, is a one-line SiacFormatException. */
    public static EventList read(Path file) throws SiacFormatException {
        String name = file.toString();
        byte[] data;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) throw new SiacFormatException(name, "file too large (" + size + " bytes)");
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new SiacFormatException(name, "no such file", e);
        } catch (AccessDeniedException e) {
            throw new SiacFormatException(name, "permission denied", e);
        } catch (SiacFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new SiacFormatException(name, "cannot read (" + oneLine(e) + ")", e);
        }
        return fromBytes(data, name);
    }

    /** Parses file content; {@code nameForMessages} starts every error message. */
    public static EventList fromBytes(byte[] data, String nameForMessages) throws SiacFormatException {
        String name = nameForMessages == null ? "<bytes>" : nameForMessages;
        if (data == null) throw new SiacFormatException(name, "no data");
        if (!startsWithMagic(data)) {
            if (data.length < MAGIC.length && Arrays.equals(data, Arrays.copyOf(MAGIC, data.length))) {
                throw new SiacFormatException(name, "truncated (" + data.length + " bytes)");
            }
            throw new SiacFormatException(name, "not a .siac file (bad magic)");
        }
        if (data.length < MAGIC.length + 1 + CRC_BYTES) {
            throw new SiacFormatException(name, "truncated (" + data.length + " bytes)");
        }
        int body = data.length - CRC_BYTES;
        CRC32 crc = new CRC32();
        crc.update(data, 0, body);
        long stored = readU32(data, body);
        if (stored != crc.getValue()) {
            throw new SiacFormatException(name, String.format(java.util.Locale.ROOT,
                    "bad CRC (stored %08x, computed %08x): the file is damaged or truncated", stored, crc.getValue()));
        }

        Cursor c = new Cursor(data, body, name);
        c.pos = MAGIC.length;
        int version = c.u8("version");
        if (version < 1 || version > VERSION) {
            throw c.fail("unsupported version " + version + " (this build reads versions 1 to " + VERSION + ")");
        }
        int precisionCode = c.u8("precision");
        Precision p = precisionOf(precisionCode);
        if (p == null) throw c.fail("unsupported precision " + precisionCode);
        int dim = c.u16("vector dimension");
        if (dim == 0) throw c.fail("vector dimension 0");
        long sampleRate = c.u32("sample rate");
        if (sampleRate == 0 || sampleRate > Integer.MAX_VALUE) throw c.fail("invalid sample rate " + sampleRate);
        long length = c.i64("length");
        if (length < 0) throw c.fail("negative length " + length);
        float gain = c.f32("gain");
        if (!Float.isFinite(gain) || gain < 0) throw c.fail("invalid gain " + gain);
        String modelId = modelIdString(c.bytes(MODEL_ID_BYTES, "model id"));
        long count = c.u32("event count");
        long quantum = c.varint("time quantum");
        if (quantum == 0) throw c.fail("time quantum 0");
        long time = unzigzag(c.varint("first event time"));

        float[] ampTable = null;
        float[] vMin = null;
        float[] vMax = null;
        double[] vStep = null;
        float ampMin = 0;
        float ampMax = 0;
        int maxCode = p.quantized() ? p.maxCode() : 0;
        if (p.quantized()) {
            float aMin = c.f32("amplitude scale");
            float aMax = c.f32("amplitude scale");
            boolean empty = aMin == 0 && aMax == 0;
            if (!empty && !(Float.isFinite(aMax) && aMin > 0 && aMin <= aMax)) {
                throw c.fail("invalid amplitude scale [" + aMin + ", " + aMax + "]");
            }
            ampTable = empty ? null : new AmplitudeGrid(aMin, aMax).table();
            ampMin = aMin;
            ampMax = aMax;
            c.need(8L * dim, "vector ranges");
            vMin = new float[dim];
            vMax = new float[dim];
            vStep = new double[dim];
            for (int d = 0; d < dim; d++) {
                float lo = c.f32("vector range");
                float hi = c.f32("vector range");
                if (!(Float.isFinite(lo) && Float.isFinite(hi) && lo <= hi)) {
                    throw c.fail("invalid range [" + lo + ", " + hi + "] of vector dimension " + d);
                }
                vMin[d] = lo;
                vMax[d] = hi;
                vStep[d] = q8Step(lo, hi, maxCode);
            }
        }

        int ampBytes = ampBytes(p);
        long perEvent = ampBytes + (long) p.vectorBytes(dim);
        long least = count * perEvent + Math.max(0, count - 1); // every delta takes at least one byte
        if (least > c.remaining()) {
            throw c.fail("truncated (header declares " + count + " events needing at least " + least
                    + " bytes, " + c.remaining() + " left)");
        }

        // count <= remaining bytes here, so this list and the vectors below are bounded by the input size
        List<Event> events = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                long delta = c.varint("time of event " + i);
                if (delta != 0) {
                    long room = Long.MAX_VALUE - time; // unsigned distance to the largest time
                    if (Long.compareUnsigned(delta, Long.divideUnsigned(room, quantum)) > 0) {
                        throw c.fail("time of event " + i + " overflows");
                    }
                    time += delta * quantum;
                }
            }
            float amplitude;
            float[] v = new float[dim];
            switch (p) {
                case F32 -> {
                    amplitude = c.f32("amplitude");
                    for (int d = 0; d < dim; d++) v[d] = c.f32("vector");
                }
                case F16 -> {
                    amplitude = Half.toFloat((short) c.u16("amplitude"));
                    for (int d = 0; d < dim; d++) v[d] = Half.toFloat((short) c.u16("vector"));
                }
                default -> {
                    int code = c.u8("amplitude");
                    if (code != 0 && ampTable == null) {
                        throw c.fail("event " + i + " has amplitude code " + code + " but the amplitude scale is empty");
                    }
                    amplitude = code == 0 ? 0f : ampTable[code];
                    if (p == Precision.Q8) {
                        for (int d = 0; d < dim; d++) v[d] = q8Value(c.u8("vector"), vMin[d], vStep[d]);
                    } else {
                        for (int d = 0; d < dim; d += 2) {
                            int pair = c.u8("vector");
                            v[d] = q8Value(pair & 15, vMin[d], vStep[d]);
                            if (d + 1 < dim) {
                                v[d + 1] = q8Value(pair >> 4, vMin[d + 1], vStep[d + 1]);
                            } else if (pair >> 4 != 0) {
                                throw c.fail("event " + i + " has a non-zero padding nibble");
                            }
                        }
                    }
                }
            }
            if (!(amplitude >= 0) || amplitude == Float.POSITIVE_INFINITY) {
                throw c.fail("event " + i + " has invalid amplitude " + amplitude);
            }
            for (int d = 0; d < dim; d++) {
                if (!Float.isFinite(v[d])) throw c.fail("event " + i + " has non-finite vector value " + v[d]);
            }
            events.add(new Event(time, amplitude, v));
        }
        Silence silence = version >= 2 ? readSilence(c, body, length, version) : Silence.NONE;
        Balance balance = version == 3 ? readBalance(c, length) : Balance.NONE;
        if (c.pos != body) {
            String last = switch (version) {
                case 1 -> "last event";
                case 2 -> "silent spans";
                default -> "band balance";
            };
            throw c.fail((body - c.pos) + " unexpected bytes after the " + last);
        }
        try {
            Q8Grid grid = p.quantized() ? new Q8Grid(ampMin, ampMax, vMin, vMax) : null;
            return EventList.trusted((int) sampleRate, length, gain, dim, modelId, p, events, grid, silence, balance);
        } catch (IllegalArgumentException e) {
            // every rule of EventList is checked above; this only keeps the promise that readers see one exception type
            throw new SiacFormatException(name, "invalid content: " + e.getMessage(), e);
        }
    }

    /**
     * The silent spans of versions 2 and 3: a count S, then per span the gap from the previous span's end (from sample
     * 0 for the first) and the length, both varints. Each span must be non-empty and end by the signal's length. Only
     * version 3 may have none (it is there for its balance).
     */
    private static Silence readSilence(Cursor c, int body, long length, int version) throws SiacFormatException {
        long count = c.varint("silent span count");
        if (count == 0 && version == 2) throw c.fail("version 2 with no silent spans (such a file is written as version 1)");
        if (count == 0) return Silence.NONE;
        if (count > (body - c.pos) / 2) {
            throw c.fail("truncated (" + count + " silent spans need at least " + 2 * count + " bytes, " + (body - c.pos) + " left)");
        }
        long[] starts = new long[(int) count];
        long[] ends = new long[(int) count];
        long previousEnd = 0;
        for (int i = 0; i < count; i++) {
            long gap = c.varint("silent span " + i);
            long len = c.varint("silent span " + i + " length");
            if (len == 0) throw c.fail("silent span " + i + " is empty");
            if (Long.compareUnsigned(gap, length - previousEnd) > 0 || Long.compareUnsigned(len, length - previousEnd - gap) > 0) {
                throw c.fail("silent span " + i + " ends after the signal's " + length + " samples");
            }
            starts[i] = previousEnd + gap;
            ends[i] = starts[i] + len;
            previousEnd = ends[i];
        }
        return Silence.of(starts, ends);
    }

    /**
     * Version 3's band balance: hop H (varint), band count B (u8), band 0's centre in Hz (f32), frame count M (varint),
     * then M x B signed codes, frame-major. M may not exceed the frames the signal's length needs (at least one): a
     * file cannot declare codes for time it does not have, and EventList, which trims to that, reads back unchanged.
     */
    private static Balance readBalance(Cursor c, long length) throws SiacFormatException {
        long hop = c.varint("balance hop");
        if (hop == 0) throw c.fail("balance hop 0");
        if (Long.compareUnsigned(hop, Integer.MAX_VALUE) > 0) {
            throw c.fail("balance hop " + Long.toUnsignedString(hop) + " is longer than " + Integer.MAX_VALUE + " samples");
        }
        int bands = c.u8("balance band count");
        if (bands == 0) throw c.fail("balance with 0 bands");
        float lowestHz = c.f32("balance centre");
        if (!Float.isFinite(lowestHz) || !(lowestHz > 0)) throw c.fail("invalid balance centre " + lowestHz + " Hz");
        long frames = c.varint("balance frame count");
        if (frames == 0) throw c.fail("balance with 0 frames");
        long needed = Math.max(1, length / hop + (length % hop == 0 ? 0 : 1));
        if (Long.compareUnsigned(frames, needed) > 0) {
            throw c.fail("balance has " + Long.toUnsignedString(frames) + " frames of " + hop
                    + " samples, more than the signal's " + length + " samples need");
        }
        if (frames > c.remaining() / bands) {
            // frames x bands can pass 2^63 when the length is huge and the hop 1
            throw c.fail("truncated (balance of " + frames + " frames x " + bands + " bands needs "
                    + java.math.BigInteger.valueOf(frames).multiply(java.math.BigInteger.valueOf(bands)) + " bytes, "
                    + c.remaining() + " left)");
        }
        byte[] codes = c.bytes((int) (frames * bands), "balance codes");
        return Balance.of((int) hop, bands, lowestHz, codes);
    }

    // ------------------------------------------------------------------------------------------ quantisation

    /** What {@code fromBytes(toBytes(events))} returns, i.e. the list as stored at its precision. */
    static EventList asStored(EventList events) {
        try {
            return fromBytes(toBytes(events), "<in memory>");
        } catch (SiacFormatException e) {
            throw new IllegalStateException("writer produced an unreadable file: " + e.getMessage(), e);
        }
    }

    static int ampBytes(Precision p) {
        return switch (p) {
            case F32 -> 4;
            case F16 -> 2;
            case Q8, Q4 -> 1;
        };
    }

    static int precisionCode(Precision p) {
        return switch (p) {
            case F32 -> 0;
            case F16 -> 1;
            case Q8 -> 2;
            case Q4 -> 3;
        };
    }

    static Precision precisionOf(int code) {
        return switch (code) {
            case 0 -> Precision.F32;
            case 1 -> Precision.F16;
            case 2 -> Precision.Q8;
            case 3 -> Precision.Q4;
            default -> null;
        };
    }

    /**
     * Grid spacing of one dimension with codes 0..maxCode (255 for Q8, 15 for Q4); decoding is min + code * step,
     * evaluated in double then rounded once.
     */
    static double q8Step(float min, float max, int maxCode) {
        return ((double) max - min) / maxCode;
    }

    static int q8Code(float v, float min, double step, int maxCode) {
        if (step == 0) return 0;
        long code = Math.round((v - (double) min) / step);
        return (int) Math.max(0, Math.min(maxCode, code));
    }

    static float q8Value(int code, float min, double step) {
        return (float) (min + code * step);
    }

    /** The code whose value is exactly {@code v}, or -1; rounding may land one code off, so neighbours are tried. */
    static int q8ExactCode(float v, float min, double step, int maxCode) {
        int c = q8Code(v, min, step, maxCode);
        for (int k = Math.max(0, c - 1); k <= Math.min(maxCode, c + 1); k++) {
            if (q8Value(k, min, step) == v) return k; // == : Q8 has one zero, and the values are finite
        }
        return -1;
    }

    private static boolean allOnGrid(List<Event> list, int d, float min, double step, int maxCode) {
        for (Event e : list) if (q8ExactCode(e.vector()[d], min, step, maxCode) < 0) return false;
        return true;
    }

    private static boolean allAmplitudesOn(List<Event> list, AmplitudeGrid grid) {
        for (Event e : list) if (grid.exactCode(e.amplitude()) < 0) return false;
        return true;
    }

    private static void vectorRanges(List<Event> list, int dim, float[] min, float[] max) {
        if (list.isEmpty()) return; // zero ranges: the header stays well-formed
        Arrays.fill(min, Float.POSITIVE_INFINITY);
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
        for (Event e : list) {
            float[] v = e.vector();
            for (int d = 0; d < dim; d++) {
                min[d] = Math.min(min[d], v[d]);
                max[d] = Math.max(max[d], v[d]);
            }
        }
        for (int d = 0; d < dim; d++) {
            if (min[d] == 0f) min[d] = 0f; // -0.0 would survive as a range bound; +0.0 keeps files canonical
            if (max[d] == 0f) max[d] = 0f;
        }
    }

    /**
     * Q8 amplitudes: code 0 is silence, codes 1..255 are a geometric series from {@code min} to {@code max}.
     * StrictMath keeps decoding bit-identical on every JVM.
     */
    static final class AmplitudeGrid {
        final float min;
        final float max;
        private final double logMin;
        private final double logStep;

        AmplitudeGrid(float min, float max) {
            this.min = min;
            this.max = max;
            this.logMin = min > 0 ? StrictMath.log(min) : 0;
            this.logStep = min > 0 && max > min ? (StrictMath.log(max) - logMin) / 254.0 : 0;
        }

        static AmplitudeGrid of(List<Event> list) {
            float max = 0;
            float minPositive = Float.POSITIVE_INFINITY;
            for (Event e : list) {
                float a = e.amplitude();
                if (a > 0) {
                    max = Math.max(max, a);
                    minPositive = Math.min(minPositive, a);
                }
            }
            if (max == 0) return new AmplitudeGrid(0, 0);
            // a near-zero outlier would otherwise stretch the grid and coarsen every other amplitude
            float floor = max * Q8_AMPLITUDE_RANGE;
            return new AmplitudeGrid(Math.max(minPositive, floor), max);
        }

        int code(float a) {
            if (!(a > 0) || max == 0) return 0;
            if (logStep == 0) return 1;
            long code = 1 + Math.round((StrictMath.log(a) - logMin) / logStep);
            return (int) Math.max(1, Math.min(255, code));
        }

        /** The code whose value is exactly {@code a} (0 for silence), or -1. */
        int exactCode(float a) {
            if (a == 0) return 0;
            int c = code(a);
            for (int k = Math.max(1, c - 1); k <= Math.min(255, c + 1); k++) {
                if (max > 0 && value(k) == a) return k;
            }
            return -1;
        }

        float value(int code) {
            if (code == 0) return 0f;
            if (code == 1 || logStep == 0) return min;
            if (code == 255) return max;
            return (float) StrictMath.exp(logMin + (code - 1) * logStep);
        }

        float[] table() {
            float[] t = new float[256];
            for (int i = 0; i < 256; i++) t[i] = value(i);
            return t;
        }
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** Largest unsigned divisor of all gaps between consecutive times (1 when there are none). */
    static long timeQuantum(List<Event> list) {
        long g = 0;
        for (int i = 1; i < list.size(); i++) {
            g = gcdUnsigned(g, list.get(i).time() - list.get(i - 1).time());
            if (g == 1) return 1;
        }
        return g == 0 ? 1 : g;
    }

    private static long gcdUnsigned(long a, long b) {
        while (b != 0) {
            long t = Long.remainderUnsigned(a, b);
            a = b;
            b = t;
        }
        return a;
    }

    static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    static long unzigzag(long z) {
        return (z >>> 1) ^ -(z & 1);
    }

    private static boolean startsWithMagic(byte[] data) {
        if (data.length < MAGIC.length) return false;
        for (int i = 0; i < MAGIC.length; i++) if (data[i] != MAGIC[i]) return false;
        return true;
    }

    private static byte[] modelIdBytes(String hex) {
        if (hex.isEmpty()) return new byte[MODEL_ID_BYTES];
        return HexFormat.of().parseHex(hex);
    }

    private static String modelIdString(byte[] raw) {
        for (byte b : raw) if (b != 0) return HexFormat.of().formatHex(raw);
        return "";
    }

    private static long readU32(byte[] a, int at) {
        return (a[at] & 0xffL) | (a[at + 1] & 0xffL) << 8 | (a[at + 2] & 0xffL) << 16 | (a[at + 3] & 0xffL) << 24;
    }


    /** Bounds-checked little-endian reading of the body (everything before the CRC). */
    private static final class Cursor {
        final byte[] data;
        final int end;
        final String name;
        int pos;

        Cursor(byte[] data, int end, String name) {
            this.data = data;
            this.end = end;
            this.name = name;
        }

        long remaining() {
            return end - pos;
        }

        SiacFormatException fail(String problem) {
            return new SiacFormatException(name, problem);
        }

        void need(long n, String what) throws SiacFormatException {
            if (n > end - pos) {
                throw fail("truncated (" + what + " at byte " + pos + " needs " + n + " bytes, " + (end - pos) + " left)");
            }
        }

        int u8(String what) throws SiacFormatException {
            need(1, what);
            return data[pos++] & 0xff;
        }

        int u16(String what) throws SiacFormatException {
            need(2, what);
            int v = (data[pos] & 0xff) | (data[pos + 1] & 0xff) << 8;
            pos += 2;
            return v;
        }

        long u32(String what) throws SiacFormatException {
            need(4, what);
            long v = readU32(data, pos);
            pos += 4;
            return v;
        }

        long i64(String what) throws SiacFormatException {
            need(8, what);
            long v = 0;
            for (int i = 7; i >= 0; i--) v = (v << 8) | (data[pos + i] & 0xffL);
            pos += 8;
            return v;
        }

        float f32(String what) throws SiacFormatException {
            return Float.intBitsToFloat((int) u32(what));
        }

        byte[] bytes(int n, String what) throws SiacFormatException {
            need(n, what);
            byte[] b = Arrays.copyOfRange(data, pos, pos + n);
            pos += n;
            return b;
        }

        /** Unsigned LEB128, at most 10 bytes, shortest form only (so each value has one encoding). */
        long varint(String what) throws SiacFormatException {
            long result = 0;
            for (int i = 0; ; i++) {
                int b = u8(what);
                if (i == 9 && b > 1) throw fail(what + ": varint longer than 64 bits");
                result |= (long) (b & 0x7f) << (7 * i);
                if ((b & 0x80) == 0) {
                    if (b == 0 && i > 0) throw fail(what + ": over-long varint");
                    return result;
                }
            }
        }
    }

    /** Growable little-endian output. */
    private static final class Sink {
        byte[] buf;
        int size;

        Sink(long estimate) {
            buf = new byte[(int) Math.min(Math.max(estimate, 64), MAX_FILE_BYTES)];
        }

        private void ensure(int extra) {
            long needed = (long) size + extra;
            if (needed > MAX_FILE_BYTES) throw new IllegalArgumentException("event list too large for one .siac file");
            if (needed > buf.length) buf = Arrays.copyOf(buf, (int) Math.min(MAX_FILE_BYTES, Math.max(needed, 2L * buf.length)));
        }

        void u8(int v) {
            ensure(1);
            buf[size++] = (byte) v;
        }

        void u16(int v) {
            ensure(2);
            buf[size++] = (byte) v;
            buf[size++] = (byte) (v >>> 8);
        }

        void u32(long v) {
            ensure(4);
            for (int i = 0; i < 4; i++) buf[size++] = (byte) (v >>> (8 * i));
        }

        void i64(long v) {
            ensure(8);
            for (int i = 0; i < 8; i++) buf[size++] = (byte) (v >>> (8 * i));
        }

        void f32(float v) {
            u32(Float.floatToRawIntBits(v) & 0xffffffffL);
        }

        void bytes(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, size, b.length);
            size += b.length;
        }

        void varint(long v) {
            while ((v & ~0x7fL) != 0) {
                u8((int) ((v & 0x7f) | 0x80));
                v >>>= 7;
            }
            u8((int) v);
        }

        byte[] toArray() {
            return size == buf.length ? buf : Arrays.copyOf(buf, size);
        }
    }
}
