package dev.siac.cli;

import dev.siac.audio.WavEncoding;
import dev.siac.audio.WavWriter;
import dev.siac.codec.EventList;
import dev.siac.codec.SiacFormat;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** .siac event file -> WAV. */
@Command(name = "decode", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Render a .siac event file to a WAV file of the original length and level.")
public final class DecodeCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "IN.siac", description = "event file(s)")
    List<Path> inputs;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.wav",
            description = "WAV file to write; with several inputs, a folder: each IN's name with .wav")
    Path output;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", defaultValue = "1",
            description = "with several inputs, decode N files at once, each on a thread of its own (default:"
                    + " ${DEFAULT-VALUE}: one file at a time, rendered on two threads)")
    int jobs;

    @Option(names = "--model", paramLabel = "DIR", description = "model directory (default: the bundled model)")
    Path model;

    @Option(names = "--float", description = "write 32-bit float samples (default: 16-bit PCM)")
    boolean floatWav;

    @Option(names = {"-q", "--quiet"}, description = "no progress bar")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            WavEncoding encoding = floatWav ? WavEncoding.FLOAT32 : WavEncoding.PCM16;
            if (inputs.size() > 1) {
                return ManyFiles.run(spec, inputs, output, ".wav", jobs, model,
                        (cs, in, o) -> decode(cs, in, SiacFormat.read(in), o, encoding, System.nanoTime()));
            }
            Path input = inputs.get(0);
            EventList list = SiacFormat.read(input);
            check(input, list, output, encoding);
            long t0 = System.nanoTime(); // the figure printed counts the model's loading in
            try (CodecSupport cs = CodecSupport.open(model)) {
                out.println(decode(cs, input, list, output, encoding, t0));
            }
            return 0;
        } catch (Exception e) {
            return EventFileSupport.fail(spec, e);
        }
    }

    /** What can be checked before decoding: the WAV's size limit and the output. */
    private void check(Path input, EventList list, Path output, WavEncoding encoding) throws java.io.IOException {
        if (list.lengthSamples() > WavWriter.MAX_DATA_BYTES / encoding.bytesPerSample()) {
            throw new java.io.IOException(String.format(Locale.ROOT, "%s: %.1f hours of audio take %.1f GiB, more than a"
                    + " WAV file can hold (4 GiB); decode a part (siac edit --keep-range)%s", input,
                    list.durationSeconds() / 3600, (double) list.lengthSamples() * encoding.bytesPerSample() / (1L << 30),
                    floatWav ? " or without --float" : ""));
        }
        EventFileSupport.checkOutput(input, output, list.lengthSamples() * encoding.bytesPerSample() + 64);
    }

    /** Decodes one event list to a WAV file; returns the summary line (its speed timed from t0). */
    private String decode(CodecSupport cs, Path input, EventList list, Path output, WavEncoding encoding, long t0)
            throws java.io.IOException {
        check(input, list, output, encoding);
        cs.checkModel(list, input);
        cs.decodeToWav(list, output, encoding, quiet || inputs.size() > 1 ? null : System.err);
        double secs = (System.nanoTime() - t0) / 1e9;
        return String.format(Locale.ROOT, "%s: %d events -> %.2f s of audio, %.1fx real time", output, list.size(),
                list.durationSeconds(), list.durationSeconds() / secs);
    }
}
