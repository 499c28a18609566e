package dev.siac.cli;

import dev.siac.codec.Codec;
import dev.siac.codec.EventList;
import dev.siac.codec.Precision;
import dev.siac.codec.SiacFormat;
import dev.siac.io.Messages;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Audio file -> .siac event file. */
@Command(name = "encode", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Encode an audio file (WAV, AIFF, FLAC, MP3, Ogg Vorbis; any length) into a .siac event file.",
                "Prints the bitrate, events per second and the fraction of spectral energy the events removed."})
public final class EncodeCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "IN", description = "audio file(s)")
    List<Path> inputs;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.siac",
            description = "event file to write; with several inputs, a folder: each IN's name with .siac")
    Path output;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N",
            description = "threads: with several inputs, encode N files at once; with one input, N of its parts at once"
                    + " (a file of at least two parts of 24 window hops, 2.4 minutes with the default model, is encoded"
                    + " in parts, whatever N: the events do not depend on N) (default: the number of cores; each thread"
                    + " needs about 0.7 GB)")
    Integer jobs;

    @Option(names = "--model", paramLabel = "DIR", description = "model directory (default: the bundled model)")
    Path model;

    @Option(names = "--max-events-per-window", paramLabel = "N",
            description = "most events per window (a window is the model's windowSamples; default: the model's eventsPerWindow)")
    Integer maxEvents;

    @Option(names = "--kbps", paramLabel = "R",
            description = "target bitrate in kbit/s, the file's header included (like Opus's --bitrate): events are"
                    + " spent where the residual holds more energy, and a file of a minute or more lands within a few"
                    + " percent of R; at most twice the model's events per window unless --max-events-per-window says"
                    + " otherwise (default: the model's fixed rate, eventsPerWindow per window)")
    Double kbps;

    @Option(names = "--merge-twins", paramLabel = "COSINE", arity = "0..1", fallbackValue = "0.9",
            description = "merge a window's events up to --merge-within apart whose vectors have cosine similarity above"
                    + " COSINE into one event (summed amplitude, amplitude-weighted mean vector, the louder one's time):"
                    + " fewer bits, and closer, since twins rendered apart partly cancel; with --kbps the saved events"
                    + " are spent elsewhere (default 0.9, but none with --kbps, whose count it would undercut; 1 keeps"
                    + " every event the model places)")
    Double mergeTwins;

    @Option(names = "--merge-within", paramLabel = "MS", defaultValue = "50",
            description = "how far apart two twins' onsets may be for --merge-twins (default ${DEFAULT-VALUE} ms; 0: the"
                    + " same onset only, which is exact for equal vectors)")
    double mergeWithinMs;

    @Option(names = "--stop-below", paramLabel = "FRACTION", defaultValue = "0",
            description = "stop a window early once the residual energy of its onset half falls below this fraction"
                    + " of the input's (e.g. 0.3; default 0 = always place every event)")
    double stopBelow;

    @Option(names = "--precision", paramLabel = "f32|f16|q8|q4", defaultValue = "q4",
            description = "how vectors are stored (default: ${DEFAULT-VALUE}, see docs/FORMAT.md)")
    String precision;

    @Option(names = "--refine", paramLabel = "K", defaultValue = "0",
            description = "encode-time refinement: K gradient steps per window on the chosen events' vectors (and so"
                    + " their sub-frame times) and amplitudes against the training loss, the decoder fixed; slower"
                    + " (each step costs about two renders of the window's events), never worse on the window's loss"
                    + " (default: 0 = off)")
    int refine;

    @Option(names = "--refine-lr", paramLabel = "STEP", defaultValue = "0.03",
            description = "Adam step size of --refine (default: ${DEFAULT-VALUE})")
    double refineLr;

    @Option(names = "--no-silence",
            description = "do not store where the input is digitally silent (by default runs of at least 46 ms at or"
                    + " below one 16-bit step decode as exact zeros instead of the events' decaying tails; docs/FORMAT.md)")
    boolean noSilence;

    @Option(names = "--no-level-fit",
            description = "keep the model's own amplitudes (by default each window's events get one gain that brings"
                    + " the decode's mel spectrogram closest to the input's; the events chosen are the same)")
    boolean noLevelFit;

    @Option(names = "--event-gains",
            description = "after the level fit's one gain per window, fit each event's own gain (within 6 dB of its"
                    + " window's) on the same mel objective: closer to the input's spectral balance, about 1.5x the"
                    + " encode time; the events chosen are the same (see the model card)")
    boolean eventGains;

    @Option(names = "--no-balance",
            description = "store no band balance (by default the encoder measures, for each window hop, a gain per octave"
                    + " band that brings the decode's spectral balance closest to the input's, and the decoder applies it:"
                    + " about 0.02 kbit/s; docs/FORMAT.md). --no-level-fit also stores none")
    boolean noBalance;

    @Option(names = "--balance-level", paramLabel = "DB|off",
            description = "the band balance holds each octave band's power (from 100 Hz) within DB of the input's over"
                    + " each window hop (default: 2): levels true to the input; off: mel_l1 alone, a little closer in"
                    + " mel_l1 and 2-5 dB quiet from 400 Hz up (see the model card)")
    String balanceLevel;

    @Option(names = "--balance-split", paramLabel = "N",
            description = "band balance frames per window hop (default: 8, 0.37 s each with the bundled models; a power"
                    + " of two up to 128): finer follows speech more closely at 8 bytes a frame")
    Integer balanceSplit;

    @Option(names = {"-q", "--quiet"}, description = "no progress bar")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            Precision p = Precision.parse(precision);
            if (stopBelow < 0 || stopBelow >= 1) throw new IllegalArgumentException("--stop-below must be in [0, 1)");
            if (refine < 0) throw new IllegalArgumentException("--refine must be at least 0");
            if (!(mergeWithinMs >= 0 && mergeWithinMs <= 1000)) throw new IllegalArgumentException("--merge-within must be in [0, 1000] ms, got " + mergeWithinMs);
            if (mergeTwins != null && !(mergeTwins >= -1 && mergeTwins <= 1)) throw new IllegalArgumentException("--merge-twins must be a cosine in [-1, 1] (1: no merging), got " + mergeTwins);
            if (kbps != null && !(kbps > 0 && kbps < 1e6)) throw new IllegalArgumentException("--kbps must be a positive bitrate in kbit/s, got " + kbps);
            if (!(refineLr > 0 && refineLr < 10)) throw new IllegalArgumentException("--refine-lr must be in (0, 10)");
            if (maxEvents != null && maxEvents < 1) throw new IllegalArgumentException("--max-events-per-window must be at least 1");
            if (eventGains && noLevelFit) throw new IllegalArgumentException("--event-gains refines the level fit: not with --no-level-fit");
            Double level = checkBalanceFlags(balanceLevel, balanceSplit, !noBalance && !noLevelFit);
            if (inputs.size() > 1) {
                return ManyFiles.run(spec, inputs, output, ".siac", jobs(), model, (cs, in, o) -> encode(cs, in, o, p, level, System.nanoTime()));
            }
            Path input = inputs.get(0);
            check(input, output);
            long t0 = System.nanoTime(); // the figure printed counts the model's loading in
            try (CodecSupport cs = CodecSupport.open(model)) {
                out.println(encode(cs, input, output, p, level, t0));
            }
            return 0;
        } catch (Exception e) {
            return EventFileSupport.fail(spec, e);
        }
    }

    private int jobs() {
        return jobs != null ? jobs : Runtime.getRuntime().availableProcessors();
    }

    /**
     * Checks --balance-level and --balance-split (null: not given) as siac encode and siac eval take them; returns the
     * level tolerance in dB (infinite for off), null when not given.
     */
    static Double checkBalanceFlags(String level, Integer split, boolean balanceOn) {
        Double db = null;
        if (level != null) {
            if (level.equalsIgnoreCase("off")) {
                db = Double.POSITIVE_INFINITY;
            } else {
                try {
                    db = Double.parseDouble(level);
                } catch (NumberFormatException e) {
                    db = Double.NaN;
                }
                if (!(db > 0 && db < 100)) throw new IllegalArgumentException("--balance-level must be off or in (0, 100) dB, got " + level);
            }
        }
        if (split != null && (split < 1 || Integer.bitCount(split) != 1 || split > 128)) throw new IllegalArgumentException("--balance-split must be a power of two from 1 to 128, got " + split);
        if (level != null && !balanceOn) throw new IllegalArgumentException("--balance-level shapes the band balance: not with --no-balance or --no-level-fit");
        return db;
    }

    /** What can be checked before a possibly long encode; the file itself is written atomically at the end. */
    private static void check(Path input, Path output) throws java.io.IOException {
        if (!Files.exists(input)) throw new java.io.IOException(input + ": file not found");
        EventFileSupport.checkOutput(input, output, 0);
    }

    /** Encodes one file and writes its events; returns the summary line (its speed timed from t0). */
    private String encode(CodecSupport cs, Path input, Path output, Precision p, Double level, long t0) throws java.io.IOException {
        check(input, output);
        int epw = cs.model.config.eventsPerWindow;
        int max = maxEvents != null ? maxEvents : kbps != null ? 2 * epw : epw;
        Codec.Options o = new Codec.Options(max, stopBelow, p, refine, refineLr, kbps != null ? kbps : 0,
                mergeTwins != null ? mergeTwins : kbps != null ? Codec.Options.NO_MERGE : Codec.Options.DEFAULT_MERGE_COSINE,
                (int) Math.round(mergeWithinMs / 1000 * cs.model.config.sampleRate)).withSilence(!noSilence).withLevelFit(!noLevelFit);
        if (eventGains) o = o.withEventGains(true);
        o = o.withBalance(!noBalance && !noLevelFit);
        if (level != null) o = o.withBalanceLevel(level);
        if (balanceSplit != null) o = o.withBalanceSplit(balanceSplit);
        // one file: up to N of its parts at once (several files: one thread each, ManyFiles)
        Codec.Result r = cs.encodeFile(input, o, quiet || inputs.size() > 1 ? null : System.err, inputs.size() > 1 ? 1 : jobs());
        try {
            SiacFormat.write(output, r.events());
        } catch (java.io.IOException e) {
            throw new java.io.IOException(output + ": cannot write (" + Messages.oneLine(e) + ")", e);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        EventList e = r.events();
        long bytes = Files.size(output);
        String removed = r.modelEnergyRemoved() == r.energyRemoved()
                ? String.format(Locale.ROOT, "%.3f", r.energyRemoved())
                : String.format(Locale.ROOT, "%.3f (%.3f before the level fit)", r.energyRemoved(), r.modelEnergyRemoved());
        return String.format(Locale.ROOT, "%s: %d events in %.2f s of audio, %.1f events/s, %.2f kbps (%s), energy removed %s, %.1fx real time",
                output, e.size(), e.durationSeconds(), e.eventsPerSecond(), EventFileSupport.kbps(bytes, e),
                p.label(), removed, e.durationSeconds() / secs);
    }
}
