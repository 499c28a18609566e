package dev.siac.audio;

import dev.siac.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Writes a mono WAV file in pieces. Samples go to a hidden temporary file beside the target;
 * {@link #commit()} completes the header and moves it into place in one step, so readers never see a
 * half-written file. {@link #close()} without a commit (e.g. after an error) deletes the temporary file.
 * Obtain one from {@link AudioIO#createWav}.
 */
public final class WavWriter implements AutoCloseable {

    /** The RIFF size fields are 32-bit. */
    /** The most sample bytes a WAV file's 32-bit sizes can describe (with room for the header). */
    public static final long MAX_DATA_BYTES = 0xFFFFFFFFL - 100;

    private final Path target;
    private final Path temp;
    private final int sampleRate;
    private final WavEncoding encoding;
    private final int headerSize;
    private final FileChannel channel;
    private final ByteBuffer out = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private long frames;
    private boolean committed;
    private boolean closed;
    private boolean failed;

    WavWriter(Path target, int sampleRate, WavEncoding encoding) throws AudioException {
        if (target == null) throw new AudioException(null, "no output file given");
        if (encoding == null) throw new AudioException(target, "no WAV encoding given");
        if (sampleRate <= 0) throw new AudioException(target, "cannot write a sample rate of " + sampleRate + " Hz");
        if (Files.isDirectory(target)) throw new AudioException(target, "cannot write: is a directory");
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new AudioException(target, "cannot write: directory does not exist");
        this.target = target;
        this.sampleRate = sampleRate;
        this.encoding = encoding;
        this.headerSize = encoding == WavEncoding.PCM16 ? 44 : 58;
        try {
            this.temp = AtomicFiles.temporary(target, ".part");
        } catch (IOException e) {
            throw new AudioException(target, "cannot write: " + AudioException.describe(e), e);
        }
        try {
            this.channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            channel.write(header(0), 0);     // placeholder sizes, completed by commit()
            channel.position(headerSize);
        } catch (IOException e) {
            AtomicFiles.discard(temp);
            throw new AudioException(target, "cannot write: " + AudioException.describe(e), e);
        }
    }

    public Path file() {
        return target;
    }

    public int sampleRate() {
        return sampleRate;
    }

    public WavEncoding encoding() {
        return encoding;
    }

    /** Frames (= samples, the file is mono) written so far. */
    public long framesWritten() {
        return frames;
    }

    /** Appends mono samples. NaN or infinite samples are refused: they would make the file unusable. */
    public void write(float[] buf, int off, int len) throws AudioException {
        if (closed || committed) throw new AudioException(target, "writer is already " + (committed ? "committed" : "closed"));
        if (failed) throw new AudioException(target, "writer failed earlier; nothing more can be written");
        if (off < 0 || len < 0 || off + len > buf.length) {
            throw new IndexOutOfBoundsException("off=" + off + " len=" + len + " length=" + buf.length);
        }
        if ((frames + len) * encoding.bytesPerSample() > MAX_DATA_BYTES) {
            failed = true;
            throw new AudioException(target, "cannot write: more than 4 GiB of audio does not fit a WAV file");
        }
        for (int i = 0; i < len; i++) {
            float x = buf[off + i];
            if (!Float.isFinite(x)) {
                failed = true;
                long at = frames + i;
                throw new AudioException(target, String.format(Locale.ROOT,
                        "cannot write NaN/Inf sample at frame %d (%.3f s)", at, at / (double) sampleRate));
            }
            if (out.remaining() < 4) drain();
            if (encoding == WavEncoding.PCM16) out.putShort(toPcm16(x));
            else out.putFloat(x);
        }
        frames += len;
    }

    /** Completes the file and moves it to its final name, replacing any file already there. */
    public void commit() throws AudioException {
        if (committed) return;
        if (closed) throw new AudioException(target, "writer is closed");
        if (failed) throw new AudioException(target, "cannot commit after a failed write");
        try {
            drain();
            channel.write(header(frames * encoding.bytesPerSample()), 0);
            channel.force(false);
            channel.close();
            AtomicFiles.commit(temp, target);
            committed = true;
        } catch (IOException e) {
            failed = true;
            close();
            throw new AudioException(target, "cannot write: " + AudioException.describe(e), e);
        }
    }

    /** Releases the file; without a prior {@link #commit()} the output is discarded. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (!committed) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the file is deleted next anyway
            }
            AtomicFiles.discard(temp);
        }
    }

    /** Rounds to the nearest 16-bit step; values at or beyond full scale clip. Inverse of reading's x / 32768. */
    static short toPcm16(float x) {
        float s = x * 32768f;
        if (s >= 32767f) return 32767;
        if (s <= -32768f) return -32768;
        return (short) Math.round(s);
    }

    private void drain() throws AudioException {
        out.flip();
        try {
            while (out.hasRemaining()) channel.write(out);
        } catch (IOException e) {
            failed = true;
            throw new AudioException(target, "cannot write: " + AudioException.describe(e), e);
        } finally {
            out.clear();
        }
    }

    private ByteBuffer header(long dataBytes) {
        ByteBuffer h = ByteBuffer.allocate(headerSize).order(ByteOrder.LITTLE_ENDIAN);
        int bps = encoding.bytesPerSample();
        long riffSize = headerSize - 8 + dataBytes + (dataBytes & 1);
        h.put(ascii("RIFF")).putInt((int) riffSize).put(ascii("WAVE"));
        h.put(ascii("fmt ")).putInt(encoding == WavEncoding.PCM16 ? 16 : 18);
        h.putShort((short) encoding.formatTag).putShort((short) 1).putInt(sampleRate).putInt(sampleRate * bps)
                .putShort((short) bps).putShort((short) encoding.bits);
        if (encoding != WavEncoding.PCM16) {
            // Non-PCM formats carry cbSize and a fact chunk with the frame count, as the RIFF spec asks.
            h.putShort((short) 0);
            h.put(ascii("fact")).putInt(4).putInt((int) Math.min(frames, 0xFFFFFFFFL));
        }
        h.put(ascii("data")).putInt((int) dataBytes);
        h.flip();
        return h;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

}
