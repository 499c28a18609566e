package dev.siac.eval;

import dev.siac.io.AtomicFiles;
import dev.siac.audio.AudioIO;
import dev.siac.audio.Signal;
import dev.siac.audio.WavEncoding;
import dev.siac.dsp.Resampler;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Peer codecs run through their command-line tools on temp files, exactly as METRICS.md states, so that siac is
 * compared on the same clips in the same command. A peer whose tools are not installed is not silently dropped:
 * {@link #select} reports it as skipped, with the apt command that installs it.
 */
public final class Peers {

    public static final int SAMPLE_RATE = 22050;
    public static final int OPUS_KBPS = 6;
    private static final int CODEC2_RATE = 8000;
    private static final long TOOL_TIMEOUT_MINUTES = 30;

    private Peers() {
    }

    /** The peers that could be run and the ones that could not, each with the reason and the fix. */
    public record Selection(List<ClipCodec> codecs, List<String> skipped) {
    }

    /**
     * Resolves peer names: "opus" (6 kbps hard CBR), "codec2" (both 3200 and 700C), "codec2-3200", "codec2-700C".
     * An empty collection selects none.
     *
     * @throws IllegalArgumentException for an unknown name (message lists the known ones)
     */
    public static Selection select(Collection<String> names) {
        return select(names, System.getenv("PATH"));
    }

    /** As {@link #select(Collection)} with tools looked up on the given search path (File.pathSeparator-separated). */
    static Selection select(Collection<String> names, String searchPath) {
        List<ClipCodec> codecs = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String raw : names) {
            String name = raw.trim().toLowerCase(Locale.ROOT);
            if (name.isEmpty()) continue;
            switch (name) {
                case "opus" -> add(searchPath, codecs, skipped, opus(), "opus-tools", "opusenc", "opusdec");
                case "codec2" -> {
                    add(searchPath, codecs, skipped, codec2("3200"), "codec2", "c2enc", "c2dec");
                    add(searchPath, codecs, skipped, codec2("700C"), "codec2", "c2enc", "c2dec");
                }
                case "codec2-3200" -> add(searchPath, codecs, skipped, codec2("3200"), "codec2", "c2enc", "c2dec");
                case "codec2-700c" -> add(searchPath, codecs, skipped, codec2("700C"), "codec2", "c2enc", "c2dec");
                default -> throw new IllegalArgumentException(
                        "unknown peer codec '" + raw + "' (known: opus, codec2, codec2-3200, codec2-700C)");
            }
        }
        return new Selection(List.copyOf(codecs), List.copyOf(skipped));
    }

    private static void add(String searchPath, List<ClipCodec> codecs, List<String> skipped, ClipCodec codec,
                            String aptPackage, String... tools) {
        for (String tool : tools) {
            if (findTool(tool, searchPath).isEmpty()) {
                skipped.add(codec.name() + " skipped: " + tool + " not found on PATH; install it with: apt-get install -y "
                        + aptPackage);
                return;
            }
        }
        codecs.add(codec);
    }

    /** The executable named {@code tool} on PATH, if any. */
    public static Optional<Path> findTool(String tool) {
        return findTool(tool, System.getenv("PATH"));
    }

    static Optional<Path> findTool(String tool, String path) {
        if (path == null) return Optional.empty();
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    /**
     * Opus at 6 kbps hard CBR (its floor), decoded straight to 22050 Hz by opusdec. The rate counted is the whole
     * .opus file (Ogg pages and Opus headers included), so a short clip measures a little above 6 kbps.
     */
    public static ClipCodec opus() {
        return new ClipCodec() {
            @Override
            public String name() {
                return "opus-6k";
            }

            @Override
            public CodecResult run(Signal clip) throws Exception {
                requireRate(clip, name());
                Path dir = Files.createTempDirectory("siac-opus-");
                try {
                    Path in = dir.resolve("in.wav"), enc = dir.resolve("out.opus"), dec = dir.resolve("dec.wav");
                    long t0 = System.nanoTime();
                    AudioIO.writeWav(in, clip, WavEncoding.PCM16);
                    // --padding 0: opusenc otherwise reserves 512 bytes in the comment header for later tag
                    // editing; that is not audio and would add ~0.4 kbps to a 10 s clip. The audio is identical.
                    exec(dir, "opusenc", "--quiet", "--hard-cbr", "--bitrate", Integer.toString(OPUS_KBPS),
                            "--padding", "0", in.toString(), enc.toString());
                    long t1 = System.nanoTime();
                    exec(dir, "opusdec", "--quiet", "--rate", Integer.toString(SAMPLE_RATE), enc.toString(),
                            dec.toString());
                    Signal decoded = AudioIO.read(dec);
                    long t2 = System.nanoTime();
                    return new CodecResult(decoded, Files.size(enc), -1, Double.NaN, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
                } finally {
                    AtomicFiles.discard(dir);
                }
            }
        };
    }

    /**
     * codec2 at a mode of c2enc ("3200", "700C", ...): the clip is resampled to 8 kHz 16-bit raw, coded, and the
     * decoded 8 kHz audio resampled back to 22050 Hz. The .c2 file (7-byte header, each frame padded to whole bytes by
     * c2enc, so 700C's 28-bit/40 ms frames cost 0.8 kbps) is what is counted.
     */
    public static ClipCodec codec2(String mode) {
        return new ClipCodec() {
            @Override
            public String name() {
                return "codec2-" + mode;
            }

            @Override
            public CodecResult run(Signal clip) throws Exception {
                requireRate(clip, name());
                Path dir = Files.createTempDirectory("siac-codec2-");
                try {
                    Path in = dir.resolve("in.raw"), enc = dir.resolve("out.c2"), dec = dir.resolve("dec.raw");
                    long t0 = System.nanoTime();
                    Files.write(in, toPcm16(Resampler.resample(clip.samples(), SAMPLE_RATE, CODEC2_RATE)));
                    exec(dir, "c2enc", mode, in.toString(), enc.toString());
                    long t1 = System.nanoTime();
                    exec(dir, "c2dec", mode, enc.toString(), dec.toString());
                    float[] narrow = fromPcm16(Files.readAllBytes(dec));
                    Signal decoded = new Signal(Resampler.resample(narrow, CODEC2_RATE, SAMPLE_RATE), SAMPLE_RATE);
                    long t2 = System.nanoTime();
                    return new CodecResult(decoded, Files.size(enc), -1, Double.NaN, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
                } finally {
                    AtomicFiles.discard(dir);
                }
            }
        };
    }

    private static void requireRate(Signal clip, String codec) {
        if (clip.sampleRate() != SAMPLE_RATE) {
            throw new IllegalArgumentException(codec + ": clip must be " + SAMPLE_RATE + " Hz, got " + clip.sampleRate());
        }
    }

    /** Runs a tool; a failure becomes one line naming the tool, its exit code and its last line of output. */
    private static void exec(Path dir, String... command) throws IOException, InterruptedException {
        Path log = dir.resolve(command[0] + ".log");
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new IOException(command[0] + " could not be started (" + e.getMessage() + "); install it with:"
                    + " apt-get install -y " + (command[0].startsWith("opus") ? "opus-tools" : "codec2"), e);
        }
        boolean finished = p.waitFor(TOOL_TIMEOUT_MINUTES, TimeUnit.MINUTES);
        if (!finished) {
            p.destroyForcibly();
            throw new IOException(command[0] + " did not finish within " + TOOL_TIMEOUT_MINUTES + " minutes");
        }
        if (p.exitValue() != 0) {
            String last = lastLine(log);
            throw new IOException(command[0] + " failed with exit code " + p.exitValue()
                    + (last.isEmpty() ? "" : ": " + last));
        }
    }

    private static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (!lines.get(i).isBlank()) return lines.get(i).trim();
            }
        } catch (IOException ignored) {
            // the exit code alone is still a useful message
        }
        return "";
    }

    static byte[] toPcm16(float[] x) {
        ByteBuffer b = ByteBuffer.allocate(2 * x.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : x) {
            double s = Math.max(-1.0, Math.min(1.0, v)) * 32767.0;
            b.putShort((short) Math.round(s));
        }
        return b.array();
    }

    static float[] fromPcm16(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] x = new float[bytes.length / 2];
        for (int i = 0; i < x.length; i++) x[i] = b.getShort() / 32768f;
        return x;
    }
}
