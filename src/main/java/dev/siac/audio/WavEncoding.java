package dev.siac.audio;

/** Sample encodings {@link AudioIO} writes. */
public enum WavEncoding {
    /** 16-bit signed integer PCM; samples are clipped to [-1, 1) and rounded to the nearest step, no dither. */
    PCM16(1, 16),
    /** 32-bit IEEE float; exact for every float sample. */
    FLOAT32(3, 32);

    final int formatTag;
    final int bits;

    WavEncoding(int formatTag, int bits) {
        this.formatTag = formatTag;
        this.bits = bits;
    }

    public int bytesPerSample() {
        return bits / 8;
    }
}
