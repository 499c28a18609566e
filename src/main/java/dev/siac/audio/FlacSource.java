package dev.siac.audio;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.jflac.ChannelData;
import org.jflac.FLACDecoder;
import org.jflac.frame.Frame;
import org.jflac.metadata.StreamInfo;
import org.jflac.util.ByteData;

/**
 * FLAC through JFLAC's frame decoder. Its Java Sound provider is not used because it refuses more than two
 * channels and labels 8-bit output as signed while delivering offset binary; the frame decoder hands out
 * the integer samples of every channel directly. Samples missing against STREAMINFO's total (the decoder
 * drops damaged frames and stops at a cut) are reported.
 */
final class FlacSource implements SourceDecoder {

    private final Path file;
    private final InputStream in;
    private final FLACDecoder decoder;
    private final int channels;
    private final int sampleRate;
    private final float scale;
    /** STREAMINFO total, or -1 when the encoder did not know it. */
    private final long total;
    private ByteData bytes;
    /** The current frame's samples: ChannelData outputs [0, blockSize), handed out from {@link #pos}. */
    private int blockSize;
    private int pos;
    private long delivered;
    private boolean ended;

    private FlacSource(Path file, InputStream in) throws IOException {
        this.file = file;
        this.in = in;
        this.decoder = new FLACDecoder(in);
        decoder.readMetadata();
        StreamInfo info = decoder.getStreamInfo();
        if (info == null) throw new AudioException(file, "corrupt FLAC file: no STREAMINFO block");
        channels = info.getChannels();
        sampleRate = info.getSampleRate();
        int bits = info.getBitsPerSample();
        if (channels < 1 || sampleRate <= 0 || bits < 4 || bits > 32) {
            throw new AudioException(file, "corrupt FLAC file: " + channels + " channels, " + sampleRate + " Hz, " + bits + " bits");
        }
        scale = (float) (1.0 / (1L << (bits - 1)));
        total = info.getTotalSamples() > 0 ? info.getTotalSamples() : -1;
    }

    static FlacSource open(Path file) throws AudioException {
        InputStream in;
        try {
            in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        } catch (IOException e) {
            throw new AudioException(file, "cannot open: " + AudioException.describe(e), e);
        }
        try {
            return new FlacSource(file, in);
        } catch (AudioException e) {
            closeQuietly(in);
            throw e;
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            closeQuietly(in);
            throw new AudioException(file, "corrupt FLAC file: " + AudioException.describe(e), e);
        }
    }

    @Override
    public int sampleRate() {
        return sampleRate;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public long frames() {
        return total;
    }

    @Override
    public int read(float[] buf, int off, int len) throws AudioException {
        if (len == 0) return 0;
        while (pos == blockSize) {
            if (ended || !nextFrame()) {
                ended = true;
                return -1;
            }
        }
        int n = Math.min(len, blockSize - pos);
        if (total >= 0) n = (int) Math.min(n, total - delivered);
        if (n <= 0) {
            ended = true;
            return -1;
        }
        ChannelData[] data = decoder.getChannelData();
        float gain = scale / channels;
        for (int i = 0; i < n; i++) {
            long sum = 0;
            for (int c = 0; c < channels; c++) sum += data[c].getOutput()[pos + i];
            buf[off + i] = sum * gain;
        }
        pos += n;
        delivered += n;
        return n;
    }

    /** Decodes the next frame; false at the end of the stream. */
    private boolean nextFrame() throws AudioException {
        try {
            Frame frame = decoder.readNextFrame();
            if (frame == null) {
                if (total >= 0 && delivered < total) {
                    String what = decoder.getBadFrames() > 0 ? "damaged" : "truncated or damaged";
                    throw new AudioException(file, String.format(Locale.ROOT,
                            "%s FLAC file: decoded %d of %d frames", what, delivered, total));
                }
                return false;
            }
            if (frame.header.channels != channels) {
                throw new AudioException(file, "corrupt FLAC file: a frame has " + frame.header.channels + " channels, not " + channels);
            }
            // decodeFrame undoes the stereo decorrelation into the channel outputs (and fills a byte copy we ignore).
            bytes = decoder.decodeFrame(frame, bytes);
            blockSize = frame.header.blockSize;
            pos = 0;
            return true;
        } catch (AudioException e) {
            throw e;
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            // JFLAC reports damaged frames with all kinds of exceptions.
            throw new AudioException(file, "corrupt FLAC data: " + AudioException.describe(e), e);
        }
    }

    @Override
    public void close() {
        closeQuietly(in);
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // read-only: nothing is lost
        }
    }
}
