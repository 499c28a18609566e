package dev.siac.cli;

import dev.siac.audio.WavEncoding;
import dev.siac.audio.WavWriter;
import dev.siac.codec.EventList;
import dev.siac.codec.SiacFormat;
import java.io.PrintWriter;
import java.nio.file.Path;
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
    @Parameters(index = "0", paramLabel = "IN.siac", description = "event file")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.wav", description = "WAV file to write")
    Path output;

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
            EventList list = SiacFormat.read(input);
            WavEncoding encoding = floatWav ? WavEncoding.FLOAT32 : WavEncoding.PCM16;
            if (list.lengthSamples() > WavWriter.MAX_DATA_BYTES / encoding.bytesPerSample()) {
                throw new java.io.IOException(String.format(Locale.ROOT, "%s: %.1f hours of audio take %.1f GiB, more than a"
                        + " WAV file can hold (4 GiB); decode a part (siac edit --keep-range)%s", input,
                        list.durationSeconds() / 3600, (double) list.lengthSamples() * encoding.bytesPerSample() / (1L << 30),
                        floatWav ? " or without --float" : ""));
            }
            EventFileSupport.checkOutput(input, output, list.lengthSamples() * encoding.bytesPerSample() + 64);
            long t0 = System.nanoTime();
            try (CodecSupport cs = CodecSupport.open(model)) {
                cs.checkModel(list, input);
                cs.decodeToWav(list, output, encoding, quiet ? null : System.err);
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            out.printf(Locale.ROOT, "%s: %d events -> %.2f s of audio, %.1fx real time%n", output, list.size(), list.durationSeconds(),
                    list.durationSeconds() / secs);
            return 0;
        } catch (Exception e) {
            return EventFileSupport.fail(spec, e);
        }
    }
}
