package dev.siac.cli;

import dev.siac.audio.AudioIO;
import dev.siac.audio.Signal;
import dev.siac.audio.WavEncoding;
import dev.siac.codec.Codec;
import dev.siac.codec.EventList;
import dev.siac.codec.SiacFormat;
import dev.siac.eval.Metrics;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import java.util.Locale;

/** The main job on the bundled defaults: encode, decode, measure and report one clip. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Encode and decode a clip with the bundled model, print the numbers and write the HTML report.",
                "Without arguments it uses examples/example.wav and writes to out/demo/."})
public final class DemoCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "IN", description = "audio file (default: examples/example.wav)")
    Path input;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", description = "output directory (default: out/demo)")
    Path output;

    @Option(names = "--model", paramLabel = "DIR", description = "model directory (default: the bundled model)")
    Path model;

    @Option(names = "--no-report", description = "skip the HTML report")
    boolean noReport;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            Path in = input != null ? input : DefaultModel.home().resolve("examples").resolve("example.wav");
            Path dir = output != null ? output : Path.of("out", "demo");
            Files.createDirectories(dir);
            String stem = in.getFileName().toString().replaceFirst("\\.[^.]+$", "");
            Path siac = dir.resolve(stem + ".siac");
            Path wav = dir.resolve(stem + ".decoded.wav");
            try (CodecSupport cs = CodecSupport.open(model)) {
                long t0 = System.nanoTime();
                Codec.Result r = cs.encodeFile(in, Codec.Options.defaults(cs.model.config), null);
                SiacFormat.write(siac, r.events());
                double enc = (System.nanoTime() - t0) / 1e9;
                EventList list = r.events();
                long t1 = System.nanoTime();
                cs.decodeToWav(list, wav, WavEncoding.PCM16, null);
                double dec = (System.nanoTime() - t1) / 1e9;
                Signal x = AudioIO.read(in);
                Signal y = AudioIO.read(wav);
                double mel = Metrics.melL1(x.samples(), y.samples(), x.sampleRate());
                out.printf(Locale.ROOT, "model       %s (%s)%n", cs.modelDir, cs.modelId.substring(0, 12));
                out.printf(Locale.ROOT, "input       %s: %.2f s%n", in, list.durationSeconds());
                out.printf(Locale.ROOT, "events      %d (%.1f per second), %s%n", list.size(), list.eventsPerSecond(), siac);
                out.printf(Locale.ROOT, "bitrate     %.2f kbps (%s)%n", EventFileSupport.kbps(Files.size(siac), list), list.precision().label());
                out.printf(Locale.ROOT, "energy      %.3f of the spectrogram's L1 energy removed by the model's events, %.3f after"
                        + " the level fit (louder: closer in level and mel_l1, further in the seed's L1)%n",
                        r.modelEnergyRemoved(), r.energyRemoved());
                out.printf(Locale.ROOT, "mel_l1      %.3f (decoded vs input)%n", mel);
                out.printf(Locale.ROOT, "speed       encode %.1fx, decode %.1fx real time%n", list.durationSeconds() / enc, list.durationSeconds() / dec);
                out.printf(Locale.ROOT, "decoded     %s%n", wav);
                if (!noReport) {
                    Path report = dir.resolve("report");
                    ReportCommand.buildFromAudio(cs, in, report, 1, 20);
                    out.printf(Locale.ROOT, "report      %s%n", report.resolve("index.html"));
                }
            }
            return 0;
        } catch (Exception e) {
            return EventFileSupport.fail(spec, e);
        }
    }
}
