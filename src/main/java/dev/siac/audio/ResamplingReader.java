package dev.siac.audio;

import dev.siac.dsp.Resampler;
import java.nio.file.Path;

/** {@link AudioReader} over a {@link SourceDecoder}: decodes a block, resamples it, hands it out. */
final class ResamplingReader implements AudioReader {

    private static final int BLOCK = 8192;

    private final Path file;
    private final SourceDecoder source;
    private final Resampler resampler;
    private final float[] block = new float[BLOCK];
    private float[] pending = new float[0];
    private int pendingPos;
    private boolean sourceDone;
    private boolean closed;

    ResamplingReader(Path file, SourceDecoder source) {
        this.file = file;
        this.source = source;
        this.resampler = new Resampler(source.sampleRate(), AudioIO.SAMPLE_RATE);
    }

    @Override
    public int sampleRate() {
        return AudioIO.SAMPLE_RATE;
    }

    @Override
    public int read(float[] buf, int off, int len) throws AudioException {
        if (closed) throw new AudioException(file, "reader is closed");
        if (off < 0 || len < 0 || off + len > buf.length) {
            throw new IndexOutOfBoundsException("off=" + off + " len=" + len + " length=" + buf.length);
        }
        if (len == 0) return 0;
        while (pendingPos == pending.length) {
            if (sourceDone) return -1;
            int n = source.read(block, 0, block.length);
            if (n < 0) {
                sourceDone = true;
                pending = resampler.flush();
            } else {
                pending = resampler.process(block, 0, n);
            }
            pendingPos = 0;
        }
        int n = Math.min(len, pending.length - pendingPos);
        System.arraycopy(pending, pendingPos, buf, off, n);
        pendingPos += n;
        return n;
    }

    @Override
    public long sourceFrames() {
        return source.frames();
    }

    @Override
    public int sourceSampleRate() {
        return source.sampleRate();
    }

    @Override
    public int sourceChannels() {
        return source.channels();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            source.close();
        }
    }
}
