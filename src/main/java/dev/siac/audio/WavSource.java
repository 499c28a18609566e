package dev.siac.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * RIFF/WAVE (and RF64) reader. Written here rather than taken from Java Sound because the JDK reader
 * mishandles IEEE-float and WAVE_FORMAT_EXTENSIBLE files and does not notice truncation. Every chunk
 * size is checked against the file size before it is trusted.
 */
final class WavSource implements SourceDecoder {

    private static final int TAG_PCM = 0x0001;
    private static final int TAG_FLOAT = 0x0003;
    private static final int TAG_ALAW = 0x0006;
    private static final int TAG_ULAW = 0x0007;
    private static final int TAG_EXTENSIBLE = 0xFFFE;
    /** The tail every standard KSDATAFORMAT_SUBTYPE GUID shares after its 2-byte format code. */
    private static final byte[] GUID_TAIL = {
        0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00, 0x38, (byte) 0x9B, 0x71};
    /** Data size written by streaming encoders that did not know the length. */
    private static final long UNKNOWN_SIZE = 0xFFFFFFFFL;
    private static final int BLOCK_FRAMES = 4096;

    private final Path file;
    private final FileChannel channel;
    private final SampleFormat format;
    private final int sampleRate;
    private final long dataOffset;
    private final long totalFrames;
    private final ByteBuffer block;
    private long framesRead;

    private WavSource(Path file, FileChannel channel, SampleFormat format, int sampleRate, long dataOffset, long totalFrames) {
        this.file = file;
        this.channel = channel;
        this.format = format;
        this.sampleRate = sampleRate;
        this.dataOffset = dataOffset;
        this.totalFrames = totalFrames;
        this.block = ByteBuffer.allocate(BLOCK_FRAMES * format.frameSize());
    }

    static WavSource open(Path file) throws AudioException {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new AudioException(file, "cannot open: " + AudioException.describe(e), e);
        }
        try {
            return parse(file, ch);
        } catch (AudioException e) {
            closeQuietly(ch);
            throw e;
        } catch (IOException e) {
            closeQuietly(ch);
            throw new AudioException(file, "cannot read: " + AudioException.describe(e), e);
        }
    }

    private static WavSource parse(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 12) throw new AudioException(file, "truncated WAV file: only " + size + " bytes");
        ByteBuffer head = readAt(ch, 0, 12);
        String riff = fourcc(head, 0);
        if (riff.equals("RIFX")) throw new AudioException(file, "unsupported format: big-endian WAV (RIFX)");
        boolean rf64 = riff.equals("RF64");
        if (!(riff.equals("RIFF") || rf64) || !fourcc(head, 8).equals("WAVE")) {
            throw new AudioException(file, "not a WAV file (no RIFF/WAVE header)");
        }

        ByteBuffer fmt = null;
        long dataOff = -1;
        long dataSize = -1;
        long ds64DataSize = -1;
        long pos = 12;
        while (pos + 8 <= size) {
            ByteBuffer ck = readAt(ch, pos, 8);
            String id = fourcc(ck, 0);
            long ckSize = Integer.toUnsignedLong(ck.getInt(4));
            long body = pos + 8;
            long available = size - body;
            if (id.equals("ds64") && rf64) {
                if (ckSize < 24 || ckSize > available) throw new AudioException(file, "corrupt RF64 file: bad ds64 chunk");
                ds64DataSize = readAt(ch, body, 24).getLong(8);
            } else if (id.equals("fmt ")) {
                if (ckSize < 16) throw new AudioException(file, "corrupt WAV file: fmt chunk of " + ckSize + " bytes is too short");
                if (ckSize > available) throw new AudioException(file, "truncated WAV file: fmt chunk runs past the end of the file");
                fmt = readAt(ch, body, (int) Math.min(ckSize, 64));
            } else if (id.equals("data")) {
                dataOff = body;
                if (rf64 && ckSize == UNKNOWN_SIZE && ds64DataSize >= 0) {
                    dataSize = ds64DataSize;
                } else if (ckSize == UNKNOWN_SIZE) {
                    dataSize = available;              // streamed WAV: the data runs to the end of the file
                } else {
                    dataSize = ckSize;
                }
                if (dataSize < 0) throw new AudioException(file, "corrupt RF64 file: negative data size");
                if (dataSize > available) {
                    throw new AudioException(file, String.format(Locale.ROOT,
                            "truncated WAV file: header declares %d data bytes but only %d are present", dataSize, available));
                }
                if (fmt != null) break;                // chunks after the data are of no use to us
                ckSize = dataSize;
            } else if (ckSize > available) {
                if (dataOff >= 0) break;               // a damaged trailing chunk after the audio is harmless
                throw new AudioException(file, "truncated WAV file: chunk '" + printable(id) + "' runs past the end of the file");
            }
            pos = body + ckSize + (ckSize & 1);
        }
        if (fmt == null) throw new AudioException(file, "corrupt WAV file: no fmt chunk");
        if (dataOff < 0) throw new AudioException(file, "truncated WAV file: no data chunk");

        int tag = fmt.getShort(0) & 0xFFFF;
        int channels = fmt.getShort(2) & 0xFFFF;
        long rate = Integer.toUnsignedLong(fmt.getInt(4));
        int blockAlign = fmt.getShort(12) & 0xFFFF;
        int bits = fmt.getShort(14) & 0xFFFF;
        if (tag == TAG_EXTENSIBLE) {
            if (fmt.limit() < 40 || (fmt.getShort(16) & 0xFFFF) < 22) {
                throw new AudioException(file, "corrupt WAV file: WAVE_FORMAT_EXTENSIBLE without its extension");
            }
            tag = fmt.getShort(24) & 0xFFFF;
            for (int i = 0; i < GUID_TAIL.length; i++) {
                if (fmt.get(26 + i) != GUID_TAIL[i]) {
                    throw new AudioException(file, "unsupported WAV encoding: non-standard WAVE_FORMAT_EXTENSIBLE sub-format");
                }
            }
        }
        if (channels == 0) throw new AudioException(file, "corrupt WAV file: 0 channels");
        if (rate == 0 || rate > 10_000_000) throw new AudioException(file, "corrupt WAV file: sample rate " + rate + " Hz");

        SampleFormat.Kind kind;
        switch (tag) {
            case TAG_PCM:
                if (bits < 1 || bits > 32) throw new AudioException(file, "unsupported WAV encoding: " + bits + "-bit PCM");
                kind = bits <= 8 ? SampleFormat.Kind.UNSIGNED : SampleFormat.Kind.SIGNED;
                break;
            case TAG_FLOAT:
                if (bits != 32 && bits != 64) throw new AudioException(file, "unsupported WAV encoding: " + bits + "-bit float");
                kind = SampleFormat.Kind.FLOAT;
                break;
            case TAG_ALAW:
            case TAG_ULAW:
                if (bits != 8) throw new AudioException(file, "unsupported WAV encoding: " + bits + "-bit G.711");
                kind = tag == TAG_ALAW ? SampleFormat.Kind.ALAW : SampleFormat.Kind.ULAW;
                break;
            default:
                throw new AudioException(file, "unsupported WAV encoding: " + tagName(tag));
        }
        int bytesPerSample = (bits + 7) / 8;
        // Some writers get block align wrong for odd bit depths; trust it only when it is consistent.
        if (blockAlign != channels * bytesPerSample) {
            if (blockAlign % channels == 0 && blockAlign / channels >= bytesPerSample && kind != SampleFormat.Kind.FLOAT) {
                bytesPerSample = blockAlign / channels;
            } else {
                throw new AudioException(file, "corrupt WAV file: block align " + blockAlign + " does not fit "
                        + channels + " channels of " + bits + " bits");
            }
        }
        if (bytesPerSample > 4 && kind != SampleFormat.Kind.FLOAT) {
            throw new AudioException(file, "unsupported WAV encoding: " + (8 * bytesPerSample) + "-bit PCM containers");
        }
        SampleFormat sf = new SampleFormat(kind, bytesPerSample, false, channels, blockAlign);
        long frames = dataSize / blockAlign;       // a trailing partial frame is ignored
        return new WavSource(file, ch, sf, (int) rate, dataOff, frames);
    }

    @Override
    public int sampleRate() {
        return sampleRate;
    }

    @Override
    public int channels() {
        return format.channels();
    }

    @Override
    public long frames() {
        return totalFrames;
    }

    @Override
    public int read(float[] buf, int off, int len) throws AudioException {
        if (len == 0) return 0;
        long left = totalFrames - framesRead;
        if (left <= 0) return -1;
        int frames = (int) Math.min(Math.min(len, left), BLOCK_FRAMES);
        int bytes = frames * format.frameSize();
        block.clear().limit(bytes);
        long pos = dataOffset + framesRead * format.frameSize();
        try {
            while (block.hasRemaining()) {
                int n = channel.read(block, pos + block.position());
                if (n < 0) {
                    throw new AudioException(file, "truncated WAV file: ended after " + (framesRead + block.position() / format.frameSize())
                            + " of " + totalFrames + " frames");
                }
            }
        } catch (AudioException e) {
            throw e;
        } catch (IOException e) {
            throw new AudioException(file, "cannot read: " + AudioException.describe(e), e);
        }
        int bad = format.toMono(block.array(), 0, frames, buf, off);
        if (bad >= 0) {
            long at = framesRead + bad;
            throw new AudioException(file, String.format(Locale.ROOT,
                    "contains NaN/Inf samples at frame %d (%.3f s)", at, at / (double) sampleRate));
        }
        framesRead += frames;
        return frames;
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static ByteBuffer readAt(FileChannel ch, long pos, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) break;
        }
        b.flip();
        if (b.limit() < n) {
            // Callers only ask for bytes they checked exist; a shortfall means the file shrank under us.
            throw new IOException("file ended unexpectedly at byte " + (pos + b.limit()));
        }
        return b;
    }

    private static String fourcc(ByteBuffer b, int at) {
        char[] c = new char[4];
        for (int i = 0; i < 4; i++) c[i] = (char) (b.get(at + i) & 0xFF);
        return new String(c);
    }

    private static String printable(String id) {
        return id.chars().allMatch(c -> c >= 0x20 && c < 0x7F) ? id : "?";
    }

    private static String tagName(int tag) {
        String name;
        switch (tag) {
            case 0x0002: name = "Microsoft ADPCM"; break;
            case 0x0011: name = "IMA ADPCM"; break;
            case 0x0031: name = "GSM 6.10"; break;
            case 0x0050: name = "MPEG audio"; break;
            case 0x0055: name = "MPEG layer 3"; break;
            case 0x00FF: name = "AAC"; break;
            case 0x0161: name = "Windows Media Audio"; break;
            default: name = null;
        }
        return String.format(Locale.ROOT, "format tag 0x%04X", tag) + (name == null ? "" : " (" + name + ")");
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing useful to do: the data was read or an error is already on its way
        }
    }
}
