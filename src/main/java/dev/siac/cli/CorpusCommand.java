package dev.siac.cli;

import static dev.siac.io.Messages.oneLine;

import dev.siac.train.corpus.CorpusBuilder;
import dev.siac.train.corpus.CorpusPlan;
import dev.siac.train.corpus.DebianCorpus;
import dev.siac.train.corpus.DebianPackages;
import dev.siac.train.corpus.WorkItem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "corpus", mixinStandardHelpOptions = true,
        description = {
            "Builds a training corpus from Debian packages: MIDI files rendered with real-instrument soundfonts "
                    + "(originals: kind music; program-change variants with transposition and tempo augmentation: "
                    + "kind sustained; the drum channel alone of pieces with drums: kind percussion), the Wesnoth "
                    + "soundtrack (produced music), festvox-ru (read Russian speech) and klettres-data (letters and "
                    + "syllables recorded in about 20 languages, joined into pieces of about 40 s).",
            "Writes DIR/audio/<source>/<piece>__<variant>.wav (22050 Hz mono 16-bit) and DIR/manifest.tsv with a "
                    + "fixed train/valid split by piece. Re-running skips finished clips.",
            "Rendering MIDI needs the soundfont package installed (done automatically when run as root)."})
public final class CorpusCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Corpus directory.")
    Path out;

    @Option(names = "--sources", split = ",", paramLabel = "SRC",
            description = "Comma-separated subset of midi,wesnoth,speech,klettres (default: all).")
    List<String> sources = new ArrayList<>(DebianCorpus.ALL_SOURCES);

    @Option(names = "--max-minutes", paramLabel = "M",
            description = "Stop at about this many minutes of audio in total, shared equally by the sources (default: no limit).")
    double maxMinutes = Double.POSITIVE_INFINITY;

    @Option(names = "--variants", paramLabel = "N", description = "Renderings per MIDI piece; the first keeps the file's own instruments, the others change them; "
            + "a piece with drums gets one drum-only rendering on top (default: ${DEFAULT-VALUE}).")
    int variants = 3;

    @Option(names = "--seed", description = "Seed of the augmentation and of the order of work (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--piece-seconds", paramLabel = "S", description = "Render at most the first S seconds of each MIDI piece (default: ${DEFAULT-VALUE}).")
    double pieceSeconds = 180;

    @Option(names = "--max-transpose", paramLabel = "T", description = "Augmented variants transpose by up to T semitones either way (default: ${DEFAULT-VALUE}).")
    int maxTranspose = 4;

    @Option(names = "--tempo-range", paramLabel = "R", description = "Augmented variants play at a speed in [1-R, 1+R] (default: ${DEFAULT-VALUE}).")
    double tempoRange = 0.1;

    @Option(names = "--big-soundfont", description = "Also render with MuseScore General (musescore-general-soundfont-lossless, 490 MB); variants alternate soundfonts.")
    boolean bigSoundfont;

    @Option(names = "--cache", paramLabel = "DIR", description = "Where downloaded packages are kept (default: OUT/cache).")
    Path cache;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter outw = spec.commandLine().getOut();
        Set<String> chosen = new LinkedHashSet<>();
        for (String s : sources) {
            String t = s.strip();
            if (!DebianCorpus.ALL_SOURCES.contains(t)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--sources: unknown source '" + t + "' (known: " + String.join(",", DebianCorpus.ALL_SOURCES) + ")");
            }
            chosen.add(t);
        }
        CorpusPlan.MidiOptions midi;
        CorpusBuilder builder;
        try {
            midi = new CorpusPlan.MidiOptions(variants, seed, maxTranspose, tempoRange, pieceSeconds);
            builder = new CorpusBuilder(out, maxMinutes, null);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), oneLine(e));
        }
        List<String> warnings = new ArrayList<>();
        try {
            DebianPackages packages = new DebianPackages(cache != null ? cache : out.resolve("cache"), System.err);
            List<WorkItem> items = DebianCorpus.plan(chosen, packages, bigSoundfont, midi, seed, warnings, System.err);
            warnings.forEach(w -> err.println("warning: " + w));
            err.flush();
            CorpusBuilder.Summary summary = builder.build(items);
            summary.warnings().forEach(w -> err.println("warning: " + w));
            err.flush();
            outw.println(summary.describe());
            outw.flush();
            if (summary.manifest().entries().isEmpty()) {
                err.println("siac corpus: no audio was produced");
                return 1;
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("siac corpus: " + oneLine(e));
            return 1;
        }
    }
}
