package dev.siac.cli;

import dev.siac.io.Messages;
import dev.siac.audio.AudioIO;
import dev.siac.audio.AudioReader;
import dev.siac.codec.EventList;
import dev.siac.codec.SiacFormat;
import dev.siac.model.ModelConfig;
import dev.siac.report.ReportBuilder;
import dev.siac.report.ReportData;
import dev.siac.report.ReportWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import java.util.Locale;

/** Audio or .siac file -> the seed's interactive article about it, as a self-contained HTML directory. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write an interactive HTML article about an audio file (or a .siac event file): original and "
                + "reconstruction, the event scatterplot, one event's decoder steps, the decomposition step by step, "
                + "randomised and perturbed events, the event vectors, a streamed reconstruction and the numbers.",
                "The directory is self-contained (no network); open DIR/index.html in a browser."})
public final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN", description = "audio file (WAV, AIFF, FLAC, MP3, Ogg Vorbis) or .siac event file")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR",
            description = "directory to write (created; an earlier report there is replaced, anything else is refused)")
    Path output;

    @Option(names = "--model", paramLabel = "DIR", description = "model directory (default: the bundled model)")
    Path model;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "seed of the randomised sections (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--stream-seconds", paramLabel = "S", defaultValue = "20",
            description = "how much of the input the streaming section encodes and decodes (default: ${DEFAULT-VALUE})")
    double streamSeconds;

    @Option(names = "--audio", paramLabel = "ORIGINAL",
            description = "for a .siac input: the audio it was encoded from, to play and compare against")
    Path audio;

    @Option(names = {"-q", "--quiet"}, description = "no progress bars")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (!(streamSeconds > 0) || Double.isInfinite(streamSeconds)) {
            throw new ParameterException(spec.commandLine(), "--stream-seconds must be a positive number, got " + streamSeconds);
        }
        try {
            if (!Files.isRegularFile(input)) throw new IOException(input + ": file not found");
            boolean events = isEventFile(input);
            if (audio != null && !events) {
                throw new ParameterException(spec.commandLine(), "--audio is only for a .siac input (" + input + " is audio)");
            }
            if (audio != null && !Files.isRegularFile(audio)) throw new IOException(audio + ": file not found");
            ReportWriter.checkTarget(output);
            long t0 = System.nanoTime();
            ReportData data;
            Bars bars = quiet ? null : new Bars(System.err);
            try (CodecSupport cs = CodecSupport.open(model)) {
                ModelConfig c = cs.model.config;
                if (c.sampleRate != AudioIO.SAMPLE_RATE) {
                    throw new IOException(cs.modelDir + ": the model works at " + c.sampleRate + " Hz, audio is read at "
                            + AudioIO.SAMPLE_RATE + " Hz");
                }
                String label = c.preset + ", model id " + cs.modelId.substring(0, 12);
                ReportBuilder builder = new ReportBuilder(cs.codec, new ReportBuilder.Options(seed, streamSeconds, label),
                        bars);
                String title = "siac report: " + input.getFileName();
                if (events) {
                    EventList list = SiacFormat.read(input);
                    cs.checkModel(list, input);
                    float[] original = null;
                    if (audio != null) original = readPrefix(audio, builder.audioSamplesNeeded(list)).samples();
                    try {
                        data = builder.fromEvents(title, list, Files.size(input), original);
                    } catch (IllegalArgumentException e) {
                        throw new IOException(input + ": " + Messages.oneLine(e), e);
                    }
                } else {
                    Prefix prefix = readPrefix(input, builder.audioSamplesNeeded());
                    if (prefix.samples().length == 0) throw new IOException(input + ": holds no samples");
                    data = builder.fromAudio(title, prefix.samples(), prefix.more());
                }
            } finally {
                if (bars != null) bars.close();
            }
            ReportWriter.write(data, output);
            double secs = (System.nanoTime() - t0) / 1e9;
            out.printf(Locale.ROOT, "%s: %d events in %.2f s, written in %.1f s%n", output.resolve("index.html"), data.events().size(),
                    data.durationSeconds(), secs);
            return 0;
        } catch (ParameterException e) {
            throw e;
        } catch (Exception e) {
            return EventFileSupport.fail(spec, e);
        }
    }

    /** The report of an audio file with an already loaded model (used by `siac demo`). */
    static ReportData buildFromAudio(CodecSupport cs, Path input, Path output, long seed, double streamSeconds)
            throws IOException {
        ReportWriter.checkTarget(output);
        ModelConfig c = cs.model.config;
        String label = c.preset + ", model id " + cs.modelId.substring(0, 12);
        ReportBuilder builder = new ReportBuilder(cs.codec, new ReportBuilder.Options(seed, streamSeconds, label), null);
        Prefix prefix = readPrefix(input, builder.audioSamplesNeeded());
        if (prefix.samples().length == 0) throw new IOException(input + ": holds no samples");
        ReportData data = builder.fromAudio("siac report: " + input.getFileName(), prefix.samples(), prefix.more());
        ReportWriter.write(data, output);
        return data;
    }

    /** A .siac file is recognised by its content, like audio formats are. */
    static boolean isEventFile(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return Arrays.equals(magic, new byte[] {'S', 'I', 'A', 'C'});
        }
    }

    /** The first samples of a file, and whether it goes on beyond them. */
    record Prefix(float[] samples, boolean more) {
    }

    /** Reads at most {@code max} samples without decoding the rest of a long file. */
    static Prefix readPrefix(Path file, long max) throws IOException {
        int limit = (int) Math.min(max, Integer.MAX_VALUE - 16);
        try (AudioReader r = AudioIO.open(file)) {
            float[] x = new float[Math.min(limit, 1 << 20)];
            int n = 0;
            while (n < limit) {
                if (n == x.length) x = Arrays.copyOf(x, (int) Math.min(limit, 2L * x.length));
                int k = r.read(x, n, x.length - n);
                if (k < 0) return new Prefix(Arrays.copyOf(x, n), false);
                n += k;
            }
            boolean more = r.read(new float[1], 0, 1) > 0;
            return new Prefix(Arrays.copyOf(x, n), more);
        }
    }

    /** One progress bar per stage of the builder, on stderr. */
    private static final class Bars implements ReportBuilder.Progress {
        private final PrintStream stream;
        private ProgressBar bar;

        Bars(PrintStream stream) {
            this.stream = stream;
        }

        @Override
        public void start(String task, long total) {
            end();
            bar = CodecSupport.bar(task, total, stream);
        }

        @Override
        public void step(long done) {
            if (bar != null) bar.stepTo(done);
        }

        @Override
        public void end() {
            if (bar != null) bar.stepTo(bar.getMax());
            close();
        }

        /** Closes the current bar as it stands (after a failure it must not claim to be complete). */
        void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }
}
