package dev.siac.audio;

/**
 * Just enough of the MPEG audio frame header to recognise an MP3 file (the MP3 provider accepts almost
 * anything) and to read the Xing/Info + LAME tag that says how many samples of encoder delay and padding
 * to cut so that decoded audio lines up with the original.
 */
final class MpegFrames {

    /** Samples of delay the reference (and JLayer) layer III decoder adds on top of the encoder's delay. */
    static final int DECODER_DELAY = 529;

    private static final int[][] BITRATES_KBPS = {
        {32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},   // MPEG-1 layer I
        {32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},      // MPEG-1 layer II
        {32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},       // MPEG-1 layer III
        {32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},      // MPEG-2/2.5 layer I
        {8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},           // MPEG-2/2.5 layers II, III
    };
    private static final int[][] RATES = {{11025, 12000, 8000}, null, {22050, 24000, 16000}, {44100, 48000, 32000}};

    private MpegFrames() {
    }

    /** A decoded frame header. */
    record Header(int version, int layer, int sampleRate, int frameLength, int samplesPerFrame, boolean mono, boolean crc) {
        boolean mpeg1() {
            return version == 3;
        }
    }

    /** The header at {@code b[at]}, or null if those bytes are not a valid frame header. */
    static Header header(byte[] b, int at, int len) {
        if (at < 0 || at + 4 > len) return null;
        int h = ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
        if ((h >>> 21) != 0x7FF) return null;
        int version = (h >>> 19) & 3;
        int layerBits = (h >>> 17) & 3;
        int bitrateIndex = (h >>> 12) & 15;
        int rateIndex = (h >>> 10) & 3;
        int emphasis = h & 3;
        if (version == 1 || layerBits == 0 || bitrateIndex == 15 || bitrateIndex == 0 || rateIndex == 3 || emphasis == 2) {
            return null;    // reserved values, and free-format streams, which we do not try to recognise
        }
        int layer = 4 - layerBits;
        int rate = RATES[version][rateIndex];
        boolean v1 = version == 3;
        int table = v1 ? layer - 1 : (layer == 1 ? 3 : 4);
        int bitrate = BITRATES_KBPS[table][bitrateIndex - 1] * 1000;
        int padding = (h >>> 9) & 1;
        int length;
        int spf;
        if (layer == 1) {
            length = (12 * bitrate / rate + padding) * 4;
            spf = 384;
        } else if (layer == 2 || v1) {
            length = 144 * bitrate / rate + padding;
            spf = 1152;
        } else {
            length = 72 * bitrate / rate + padding;
            spf = 576;
        }
        boolean mono = ((h >>> 6) & 3) == 3;
        boolean crc = ((h >>> 16) & 1) == 0;
        return new Header(version, layer, rate, length, spf, mono, crc);
    }

    /**
     * Offset of the first frame in {@code b[0..len)} at or after {@code from}: the frame at {@code from} itself if
     * it is valid and followed by another valid frame (or by the end of the data), else the first position
     * where three frames follow each other. -1 if there is none.
     */
    static int firstFrame(byte[] b, int from, int len, boolean dataEndsFile) {
        Header h = header(b, from, len);
        if (h != null) {
            int next = from + h.frameLength();
            if (header(b, next, len) != null || (dataEndsFile && next + 4 > len - 128)) return from;
        }
        for (int i = from; i + 4 <= len; i++) {
            Header a = header(b, i, len);
            if (a == null) continue;
            Header c = header(b, i + a.frameLength(), len);
            if (c == null || c.sampleRate() != a.sampleRate()) continue;
            Header d = header(b, i + a.frameLength() + c.frameLength(), len);
            if (d != null && d.sampleRate() == a.sampleRate()) return i;
        }
        return -1;
    }

    /** What the Xing/Info and LAME tags in the first frame say; all -1 when absent. */
    record Gapless(long frames, int encoderDelay, int padding, boolean infoFrame, int samplesPerFrame) {
    }

    static Gapless gapless(byte[] b, int at, int len) {
        Header h = header(b, at, len);
        if (h == null) return new Gapless(-1, -1, -1, false, 1152);
        Gapless none = new Gapless(-1, -1, -1, false, h.samplesPerFrame());
        if (h.layer() != 3) return none;
        int sideInfo = h.mpeg1() ? (h.mono() ? 17 : 32) : (h.mono() ? 9 : 17);
        int x = at + 4 + (h.crc() ? 2 : 0) + sideInfo;
        if (x + 8 > len || x + 8 > at + h.frameLength()) return none;
        String tag = new String(b, x, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
        if (!tag.equals("Xing") && !tag.equals("Info")) return none;
        int flags = readInt(b, x + 4);
        int p = x + 8;
        long frames = -1;
        if ((flags & 1) != 0) {
            if (p + 4 > len) return none;
            frames = Integer.toUnsignedLong(readInt(b, p));
            p += 4;
        }
        if ((flags & 2) != 0) p += 4;
        if ((flags & 4) != 0) p += 100;
        if ((flags & 8) != 0) p += 4;
        int delay = -1;
        int padding = -1;
        // The LAME extension (also written by FFmpeg as "Lavc"/"Lavf") holds 12-bit delay and padding.
        if (p + 24 <= len && p + 24 <= at + h.frameLength()) {
            String enc = new String(b, p, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (enc.equals("LAME") || enc.startsWith("Lav")) {
                int d = p + 21;
                delay = ((b[d] & 0xFF) << 4) | ((b[d + 1] & 0xFF) >>> 4);
                padding = ((b[d + 1] & 0x0F) << 8) | (b[d + 2] & 0xFF);
            }
        }
        return new Gapless(frames, delay, padding, true, h.samplesPerFrame());
    }

    private static int readInt(byte[] b, int p) {
        return ((b[p] & 0xFF) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
    }
}
