package dev.siac.audio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;
import javazoom.spi.mpeg.sampled.convert.MpegFormatConversionProvider;
import javazoom.spi.mpeg.sampled.file.MpegAudioFileReader;
import org.jflac.sound.spi.FlacAudioFileReader;
import org.jflac.sound.spi.FlacFormatConversionProvider;

/**
 * Chooses a decoder from the file's first bytes, never from its name: a text file called {@code x.wav}
 * must be reported as "not audio", and the Java Sound providers (MP3 in particular) are too lenient to be
 * asked "is this yours?". The FLAC and MP3 providers are called directly rather than through
 * {@link AudioSystem}'s service lookup so the choice does not depend on provider order or on how the
 * application jar was assembled.
 */
final class Decoders {

    /** How far past an ID3 tag (or the start) we look for MPEG frames. */
    private static final int MPEG_SCAN = 64 * 1024;

    private Decoders() {
    }

    enum Container { WAV, AIFF, FLAC, OGG, MP3 }

    static SourceDecoder open(Path file) throws AudioException {
        if (file == null) throw new AudioException(null, "no file given");
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.exists(file)) {
            throw new AudioException(file, "file not found");
        }
        if (Files.isDirectory(file)) throw new AudioException(file, "is a directory, not an audio file");
        if (!Files.isReadable(file)) throw new AudioException(file, "cannot read (permission denied)");
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new AudioException(file, "cannot read: " + AudioException.describe(e), e);
        }
        if (size == 0) throw new AudioException(file, "empty file (0 bytes)");

        Sniffed s = sniff(file, size);
        switch (s.container) {
            case WAV:
                return WavSource.open(file);
            case OGG:
                return VorbisSource.open(file);
            case AIFF:
                return openAiff(file);
            case FLAC:
                return openFlac(file);
            case MP3:
                return openMp3(file, s.gapless);
            default:
                throw new AssertionError(s.container);
        }
    }

    private record Sniffed(Container container, MpegFrames.Gapless gapless) {
    }

    private static Sniffed sniff(Path file, long size) throws AudioException {
        byte[] head = readAt(file, 0, 12);
        String magic = ascii(head, 0, 4);
        String form = head.length >= 12 ? ascii(head, 8, 4) : "";
        if ((magic.equals("RIFF") || magic.equals("RF64") || magic.equals("RIFX")) && form.equals("WAVE")) {
            return new Sniffed(Container.WAV, null);
        }
        if (magic.equals("FORM") && (form.equals("AIFF") || form.equals("AIFC"))) return new Sniffed(Container.AIFF, null);
        if (magic.equals("fLaC")) return new Sniffed(Container.FLAC, null);
        if (magic.equals("OggS")) return new Sniffed(Container.OGG, null);
        if (magic.equals("RIFF") || magic.equals("FORM")) {
            throw new AudioException(file, "unsupported format: RIFF/IFF container of type '" + printable(form) + "'");
        }

        long start = 0;
        boolean id3 = head.length >= 10 && ascii(head, 0, 3).equals("ID3");
        if (id3) {
            // ID3v2: 10-byte header, 28-bit "syncsafe" size, optional 10-byte footer.
            int sz = ((head[6] & 0x7F) << 21) | ((head[7] & 0x7F) << 14) | ((head[8] & 0x7F) << 7) | (head[9] & 0x7F);
            start = 10L + sz + ((head[5] & 0x10) != 0 ? 10 : 0);
        }
        if (start < size) {
            byte[] window = readAt(file, start, (int) Math.min(MPEG_SCAN, size - start));
            boolean endsFile = start + window.length >= size;
            int first = MpegFrames.firstFrame(window, 0, window.length, endsFile);
            if (first >= 0) {
                return new Sniffed(Container.MP3, MpegFrames.gapless(window, first, window.length));
            }
        }
        if (id3) throw new AudioException(file, "not an audio file: ID3 tag without MPEG audio frames after it");
        throw new AudioException(file, "not an audio file (no WAV, AIFF, FLAC, Ogg or MP3 signature)");
    }

    private static SourceDecoder openAiff(Path file) throws AudioException {
        AudioInputStream in;
        try {
            in = AudioSystem.getAudioInputStream(file.toFile());
        } catch (UnsupportedAudioFileException e) {
            throw new AudioException(file, "unsupported or corrupt AIFF file: " + AudioException.describe(e), e);
        } catch (IOException | RuntimeException e) {
            throw new AudioException(file, "corrupt AIFF file: " + AudioException.describe(e), e);
        }
        try {
            long frames = in.getFrameLength() >= 0 ? in.getFrameLength() : -1;
            return new JavaSoundSource(file, "AIFF", in, frames, 0, frames, 0);
        } catch (AudioException e) {
            closeQuietly(in);
            throw e;
        }
    }

    private static SourceDecoder openFlac(Path file) throws AudioException {
        FlacAudioFileReader reader = new FlacAudioFileReader();
        AudioInputStream encoded = null;
        try {
            AudioFileFormat aff = reader.getAudioFileFormat(file.toFile());
            // STREAMINFO's total is 0 when the encoder did not know it.
            long frames = aff.getFrameLength() > 0 ? aff.getFrameLength() : -1;
            encoded = reader.getAudioInputStream(file.toFile());
            AudioFormat src = encoded.getFormat();
            int bits = src.getSampleSizeInBits() > 16 ? 24 : src.getSampleSizeInBits() > 8 ? 16 : 8;
            AudioFormat target = new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, src.getSampleRate(), bits,
                    src.getChannels(), src.getChannels() * bits / 8, src.getSampleRate(), false);
            FlacFormatConversionProvider conv = new FlacFormatConversionProvider();
            if (!conv.isConversionSupported(target, src)) {
                throw new AudioException(file, "unsupported FLAC format: " + src.getSampleSizeInBits() + "-bit, "
                        + src.getChannels() + " channels");
            }
            AudioInputStream pcm = conv.getAudioInputStream(target, encoded);
            return new JavaSoundSource(file, "FLAC", pcm, frames, 0, frames, 0, encoded);
        } catch (AudioException e) {
            closeQuietly(encoded);
            throw e;
        } catch (UnsupportedAudioFileException e) {
            closeQuietly(encoded);
            throw new AudioException(file, "unsupported or corrupt FLAC file: " + AudioException.describe(e), e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(encoded);
            throw new AudioException(file, "corrupt FLAC file: " + AudioException.describe(e), e);
        }
    }

    private static SourceDecoder openMp3(Path file, MpegFrames.Gapless g) throws AudioException {
        AudioInputStream encoded = null;
        try {
            encoded = new MpegAudioFileReader().getAudioInputStream(file.toFile());
            AudioFormat src = encoded.getFormat();
            AudioFormat target = new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, src.getSampleRate(), 16,
                    src.getChannels(), src.getChannels() * 2, src.getSampleRate(), false);
            AudioInputStream pcm = new MpegFormatConversionProvider().getAudioInputStream(target, encoded);
            int spf = g.samplesPerFrame();
            long skip = 0;
            long expected = -1;
            if (g.infoFrame()) {
                // The decoder renders the tag frame itself as a frame of silence.
                skip = spf;
                if (g.encoderDelay() >= 0) {
                    skip += g.encoderDelay() + MpegFrames.DECODER_DELAY;
                    if (g.frames() > 0) expected = g.frames() * spf - g.encoderDelay() - g.padding();
                } else if (g.frames() > 0) {
                    expected = g.frames() * spf;
                }
            }
            // The decoder may stop up to a frame early at the very end; that is not truncation.
            return new JavaSoundSource(file, "MP3", pcm, expected, skip, expected, spf, encoded);
        } catch (AudioException e) {
            closeQuietly(encoded);
            throw e;
        } catch (UnsupportedAudioFileException e) {
            closeQuietly(encoded);
            throw new AudioException(file, "unsupported or corrupt MP3 file: " + AudioException.describe(e), e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(encoded);
            throw new AudioException(file, "corrupt MP3 file: " + AudioException.describe(e), e);
        }
    }

    private static byte[] readAt(Path file, long pos, int n) throws AudioException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(n);
            while (b.hasRemaining() && ch.read(b, pos + b.position()) >= 0) {
                // loop until full or end of file
            }
            byte[] out = new byte[b.position()];
            System.arraycopy(b.array(), 0, out, 0, out.length);
            return out;
        } catch (IOException e) {
            throw new AudioException(file, "cannot read: " + AudioException.describe(e), e);
        }
    }

    private static String ascii(byte[] b, int at, int n) {
        if (at + n > b.length) return "";
        char[] c = new char[n];
        for (int i = 0; i < n; i++) c[i] = (char) (b[at + i] & 0xFF);
        return new String(c);
    }

    private static String printable(String s) {
        return s.chars().allMatch(c -> c >= 0x20 && c < 0x7F) ? s : "?";
    }

    private static void closeQuietly(InputStream in) {
        if (in == null) return;
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing to recover: the caller is already reporting a failure
        }
    }
}
