package dev.siac.audio;

/**
 * Layout of interleaved sample bytes, and the conversion of a run of frames to mono floats (channel average).
 * Integers are scaled by their container size (a 24-bit sample of 0x400000 is 0.5) so left-justified
 * samples of fewer valid bits come out right.
 */
record SampleFormat(Kind kind, int bytesPerSample, boolean bigEndian, int channels, int frameSize) {

    enum Kind { SIGNED, UNSIGNED, FLOAT, ALAW, ULAW }

    private static final float[] ALAW = new float[256];
    private static final float[] ULAW = new float[256];

    static {
        // ITU-T G.711 expansion.
        for (int i = 0; i < 256; i++) {
            int a = i ^ 0x55;
            int exponent = (a >> 4) & 7;
            int mantissa = a & 0x0F;
            int magnitude = exponent == 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
            ALAW[i] = ((a & 0x80) != 0 ? magnitude : -magnitude) / 32768f;

            int u = ~i & 0xFF;
            int uexp = (u >> 4) & 7;
            int umag = (((u & 0x0F) << 3) + 0x84) << uexp;
            ULAW[i] = ((u & 0x80) != 0 ? 0x84 - umag : umag - 0x84) / 32768f;
        }
    }

    SampleFormat {
        if (channels < 1) throw new IllegalArgumentException("channels " + channels);
        if (frameSize < channels * bytesPerSample) throw new IllegalArgumentException("frame size " + frameSize);
    }

    /**
     * Converts {@code frames} frames starting at {@code src[srcOff]} to mono.
     *
     * @return -1, or the index (relative to the run) of the first frame holding NaN or infinity
     */
    int toMono(byte[] src, int srcOff, int frames, float[] dst, int dstOff) {
        float inv = 1f / channels;
        int bad = -1;
        for (int f = 0; f < frames; f++) {
            int base = srcOff + f * frameSize;
            float sum = 0;
            for (int c = 0; c < channels; c++) {
                float v = sample(src, base + c * bytesPerSample);
                if (bad < 0 && !Float.isFinite(v)) bad = f;
                sum += v;
            }
            dst[dstOff + f] = channels == 1 ? sum : sum * inv;
        }
        return bad;
    }

    private float sample(byte[] b, int o) {
        switch (kind) {
            case ALAW:
                return ALAW[b[o] & 0xFF];
            case ULAW:
                return ULAW[b[o] & 0xFF];
            case UNSIGNED:
                if (bytesPerSample == 1) return ((b[o] & 0xFF) - 128) / 128f;
                return (float) ((rawBits(b, o, bytesPerSample) - (1L << (8 * bytesPerSample - 1))) * scale());
            case SIGNED:
                return (float) (intBits(b, o) * scale());
            case FLOAT:
                if (bytesPerSample == 4) return Float.intBitsToFloat((int) rawBits(b, o, 4));
                return (float) Double.longBitsToDouble(rawBits(b, o, 8));
            default:
                throw new AssertionError(kind);
        }
    }

    private double scale() {
        return 1.0 / (1L << (8 * bytesPerSample - 1));
    }

    /** Sign-extended integer of the container. */
    private long intBits(byte[] b, int o) {
        int shift = 64 - 8 * bytesPerSample;
        return (rawBits(b, o, bytesPerSample) << shift) >> shift;
    }

    private long rawBits(byte[] b, int o, int n) {
        long v = 0;
        if (bigEndian) {
            for (int i = 0; i < n; i++) v = (v << 8) | (b[o + i] & 0xFF);
        } else {
            for (int i = n - 1; i >= 0; i--) v = (v << 8) | (b[o + i] & 0xFF);
        }
        return v;
    }
}
