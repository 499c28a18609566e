package dev.siac.audio;

import com.jcraft.jogg.Packet;
import com.jcraft.jogg.Page;
import com.jcraft.jogg.StreamState;
import com.jcraft.jogg.SyncState;
import com.jcraft.jorbis.Block;
import com.jcraft.jorbis.Comment;
import com.jcraft.jorbis.DspState;
import com.jcraft.jorbis.Info;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Ogg Vorbis decoded with JOrbis directly. vorbisspi's Java Sound stream (the obvious route) silently
 * returns no audio at all for short files and drops pages still buffered when the file ends, so it
 * cannot be trusted; driving JOrbis here also lets the end be trimmed to the exact sample count the last
 * page's granule position gives, and lets a missing end-of-stream page be reported as truncation.
 * Only the first logical stream is decoded (chained or multiplexed streams are rare in practice).
 */
final class VorbisSource implements SourceDecoder {

    private static final int CHUNK = 8192;
    private static final int TAIL_SCAN = 65536;

    private final Path file;
    private final InputStream in;
    private final SyncState sync = new SyncState();
    private final StreamState stream = new StreamState();
    private final Page page = new Page();
    private final Packet packet = new Packet();
    private final Info info = new Info();
    private final Comment comment = new Comment();
    private final DspState dsp = new DspState();
    private final Block block;
    private final int serial;
    private final long totalFrames;
    private final float[][][] pcm = new float[1][][];
    private final int[] index;
    /** Frames the stream may produce in all; set from the granule position of the end-of-stream page. */
    private long limit = Long.MAX_VALUE;
    private long delivered;
    private boolean sawEos;
    private boolean inputEnded;
    private boolean ended;

    private VorbisSource(Path file, InputStream in) throws AudioException {
        this.file = file;
        this.in = in;
        sync.init();
        info.init();
        comment.init();
        if (!nextPage(true)) throw new AudioException(file, "truncated Ogg file: no complete page");
        serial = page.serialno();
        stream.init(serial);
        stream.pagein(page);
        if (stream.packetout(packet) != 1 || info.synthesis_headerin(comment, packet) < 0) {
            throw new AudioException(file, "unsupported format: Ogg stream is not Vorbis (e.g. Opus or FLAC in Ogg)");
        }
        // Two more header packets (comments, codebooks) may span several pages.
        int headers = 1;
        while (headers < 3) {
            int r = stream.packetout(packet);
            if (r == 1) {
                if (info.synthesis_headerin(comment, packet) < 0) {
                    throw new AudioException(file, "corrupt Ogg Vorbis file: bad header packet " + (headers + 1));
                }
                headers++;
            } else if (r < 0) {
                throw new AudioException(file, "corrupt Ogg Vorbis file: damaged header packet");
            } else if (!nextPage(false)) {
                throw new AudioException(file, "truncated Ogg Vorbis file: ends inside the headers");
            } else if (page.serialno() == serial) {
                stream.pagein(page);
            }
        }
        if (info.channels < 1 || info.rate <= 0) {
            throw new AudioException(file, "corrupt Ogg Vorbis file: " + info.channels + " channels at " + info.rate + " Hz");
        }
        dsp.synthesis_init(info);
        block = new Block(dsp);
        index = new int[info.channels];
        totalFrames = lastGranule(file, serial);
    }

    static VorbisSource open(Path file) throws AudioException {
        InputStream in;
        try {
            in = Files.newInputStream(file);
        } catch (IOException e) {
            throw new AudioException(file, "cannot open: " + AudioException.describe(e), e);
        }
        try {
            return new VorbisSource(file, in);
        } catch (AudioException e) {
            closeQuietly(in);
            throw e;
        } catch (RuntimeException e) {
            closeQuietly(in);
            throw new AudioException(file, "corrupt Ogg Vorbis file: " + AudioException.describe(e), e);
        }
    }

    @Override
    public int sampleRate() {
        return info.rate;
    }

    @Override
    public int channels() {
        return info.channels;
    }

    @Override
    public long frames() {
        return totalFrames;
    }

    @Override
    public int read(float[] buf, int off, int len) throws AudioException {
        if (len == 0) return 0;
        try {
            while (!ended) {
                int avail = dsp.synthesis_pcmout(pcm, index);
                if (avail > 0) {
                    int n = (int) Math.min(Math.min(avail, len), limit - delivered);
                    if (n <= 0) {
                        ended = true;
                        break;
                    }
                    mix(buf, off, n);
                    dsp.synthesis_read(n);
                    delivered += n;
                    return n;
                }
                int r = stream.packetout(packet);
                if (r == 1) {
                    if (block.synthesis(packet) == 0) dsp.synthesis_blockin(block);
                } else if (r == 0) {
                    if (sawEos) {
                        ended = true;
                    } else if (!nextPage(false)) {
                        throw new AudioException(file, String.format(Locale.ROOT,
                                "truncated Ogg Vorbis file: ends without an end-of-stream page after %d frames", delivered));
                    } else if (page.serialno() == serial) {
                        stream.pagein(page);
                        if (page.eos() != 0) {
                            sawEos = true;
                            long granule = page.granulepos();
                            if (granule >= 0) limit = granule;
                        }
                    }
                }
                // r < 0: a hole in the data; JOrbis resynchronises on the next packet
            }
        } catch (AudioException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new AudioException(file, "corrupt Ogg Vorbis data: " + AudioException.describe(e), e);
        }
        return -1;
    }

    private void mix(float[] buf, int off, int n) throws AudioException {
        int ch = info.channels;
        float inv = 1f / ch;
        for (int i = 0; i < n; i++) {
            float s = 0;
            for (int c = 0; c < ch; c++) s += pcm[0][c][index[c] + i];
            buf[off + i] = ch == 1 ? s : s * inv;
        }
    }

    /** Pulls the next page from the file into {@link #page}; false when the file ends first. */
    private boolean nextPage(boolean first) throws AudioException {
        int scanned = 0;
        while (true) {
            int r = sync.pageout(page);
            if (r == 1) return true;
            if (inputEnded) return false;
            if (first && scanned > CHUNK) throw new AudioException(file, "not an Ogg file (no Ogg page at the start)");
            int at = sync.buffer(CHUNK);
            int n;
            try {
                n = in.read(sync.data, at, CHUNK);
            } catch (IOException e) {
                throw new AudioException(file, "cannot read: " + AudioException.describe(e), e);
            }
            if (n < 0) {
                inputEnded = true;
            } else {
                sync.wrote(n);
                scanned += n;
            }
        }
    }

    /** Granule position of the last page of our stream: the number of frames in the file; -1 if not found. */
    private static long lastGranule(Path file, int serial) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            int n = (int) Math.min(size, TAIL_SCAN);
            ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining() && ch.read(b, size - n + b.position()) >= 0) {
                // keep reading until full
            }
            byte[] a = b.array();
            for (int i = n - 27; i >= 0; i--) {
                if (a[i] == 'O' && a[i + 1] == 'g' && a[i + 2] == 'g' && a[i + 3] == 'S' && a[i + 4] == 0
                        && b.getInt(i + 14) == serial && pageFits(a, i, n)) {
                    long g = b.getLong(i + 6);
                    if (g >= 0) return g;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** Whether a page header at {@code i} describes a page that ends inside the buffer (not "OggS" inside audio). */
    private static boolean pageFits(byte[] a, int i, int n) {
        int segments = a[i + 26] & 0xFF;
        if (i + 27 + segments > n) return false;
        long end = i + 27L + segments;
        for (int s = 0; s < segments; s++) end += a[i + 27 + s] & 0xFF;
        return end <= n;
    }

    @Override
    public void close() {
        closeQuietly(in);
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing a read-only stream cannot lose data
        }
    }
}
