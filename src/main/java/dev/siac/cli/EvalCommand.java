package dev.siac.cli;

import static dev.siac.io.Messages.oneLine;
import dev.siac.audio.AudioIO;

import dev.siac.codec.Precision;

import dev.siac.eval.ClipCodec;
import dev.siac.eval.ClipSet;
import dev.siac.eval.Evaluation;
import dev.siac.eval.Peers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code siac eval}: siac and its peers on the same clips, measured as METRICS.md says, reported as results.csv,
 * summary.md and quality_vs_bitrate.png.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Measure siac and peer codecs (Opus 6 kbps, codec2 3200/700C) on the same clips.",
                "Writes REPORT_DIR/results.csv, summary.md and quality_vs_bitrate.png."})
public final class EvalCommand implements Callable<Integer> {

    /** The corpus directory used when neither CLIPS, --manifest, --corpus nor $SIAC_CORPUS says otherwise. */
    public static final Path DEFAULT_CORPUS = Path.of("corpus");
    public static final String CORPUS_ENV = "SIAC_CORPUS";
    /** Clip length and count for the corpus validation set: issue 6 asks for at least 20 clips of 6 s. */
    public static final double DEFAULT_CLIP_SECONDS = 6;
    public static final int DEFAULT_MAX_CLIPS = 40;

    @Option(names = "--model", paramLabel = "DIR",
            description = "model directory for siac (default: the bundled model)")
    Path model;

    @Option(names = "--peers", split = ",", paramLabel = "NAME",
            description = "peer codecs, comma-separated: opus, codec2, codec2-3200, codec2-700C, or none"
                    + " (default: ${DEFAULT-VALUE})", defaultValue = "opus,codec2")
    List<String> peers;

    @Option(names = "--no-siac", description = "measure only the peers")
    boolean noSiac;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "REPORT_DIR", description = "report directory")
    Path output;

    @Option(names = "--manifest", paramLabel = "FILE",
            description = "clip list: one path per line (relative to the file), optional TAB + group tag"
                    + " (e.g. music, speech); used when no CLIPS are given")
    Path manifest;

    @Option(names = "--corpus", paramLabel = "DIR",
            description = "siac corpus whose validation split is measured (grouped by music/speech) when no CLIPS"
                    + " and no --manifest are given (default: $" + CORPUS_ENV + ", else ./corpus)")
    Path corpus;

    @Option(names = "--clip-seconds", paramLabel = "S",
            description = "cut each file into S-second clips, clip i = [i*S, (i+1)*S); a shorter tail is left out,"
                    + " a file shorter than S is one clip (default: 6 for the corpus, whole files otherwise)")
    Double clipSeconds;

    @Option(names = "--whole-files",
            description = "measure every file whole, however long (minutes-long tracks included), also for the corpus"
                    + " (whose default is 6 s cuts); what a user's files go through")
    boolean wholeFiles;

    @Option(names = "--max-clips", paramLabel = "N",
            description = "measure at most N clips, alternating groups and files (0 = all; default: "
                    + DEFAULT_MAX_CLIPS + " for the corpus, all otherwise)")
    Integer maxClips;

    @Parameters(paramLabel = "CLIPS", arity = "0..*", description = "audio files (any format siac reads)")
    List<Path> clips = new ArrayList<>();

    @Spec
    CommandSpec spec;

    @Option(names = "--max-events-per-window", paramLabel = "N",
            description = "siac's events per window (default: the model's); fewer events = lower bitrate")
    Integer maxEvents;

    @Option(names = "--refine", split = ",", paramLabel = "K",
            description = "siac's encode-time refinement steps per window; several values (e.g. 0,8) measure siac once"
                    + " per value, named siac-refineK (default: 0 = none)")
    List<Integer> refine = new ArrayList<>(List.of(0));

    @Option(names = "--merge-twins", paramLabel = "COSINE", arity = "0..1", fallbackValue = "0.9",
            description = "siac merges twins above COSINE as siac encode --merge-twins (default: as siac encode; 1 keeps"
                    + " every event, named siac-nomerge)")
    Double mergeTwins;

    @Option(names = "--merge-within", paramLabel = "MS",
            description = "how far apart merged twins' onsets may be (default: as siac encode)")
    Double mergeWithinMs;

    @Option(names = "--no-level-fit",
            description = "siac keeps the model's own amplitudes as siac encode --no-level-fit (named siac-nofit)")
    boolean noLevelFit;

    @Option(names = "--event-gains",
            description = "siac fits each event's own gain as siac encode --event-gains (named siac-eventgains)")
    boolean eventGains;

    @Option(names = "--no-balance",
            description = "siac stores no band balance, as siac encode --no-balance (named siac-nobalance)")
    boolean noBalance;

    @Option(names = "--balance-level", paramLabel = "DB|off",
            description = "siac's band balance holds each octave band's level within DB (off: mel_l1 alone), as siac"
                    + " encode --balance-level (named siac-levelDB, siac-leveloff)")
    String balanceLevel;

    @Option(names = "--balance-split", paramLabel = "N",
            description = "siac's band balance frames per window hop, as siac encode --balance-split (named siac-splitN)")
    Integer balanceSplit;

    @Option(names = "--precision", paramLabel = "f32|f16|q8|q4", converter = EditCommand.PrecisionConverter.class,
            description = "how siac stores vectors (default: q4, as siac encode); other than q4 the codec is named"
                    + " siac-PRECISION")
    Precision precision;

    /** Builds siac's codec for one configuration; model is null when --model is not given (use the bundled model). */
    @FunctionalInterface
    public interface SiacFactory {
        ClipCodec create(Path model, Integer maxEvents, int refineSteps, Precision precision, Double mergeTwins,
                         Double mergeWithinMs, boolean levelFit, boolean eventGains, boolean balance, String balanceLevel,
                         Integer balanceSplit);
    }

    private final SiacFactory siacFactory;

    /** The environment ($SIAC_CORPUS) and the directory relative paths start from; tests replace them. */
    Function<String, String> env = System::getenv;
    Path workingDir = Path.of("");

    /**
     * @param siacFactory builds the siac codec from the --model directory; it receives null when --model is not
     *                    given and must then use the bundled default model
     */
    public EvalCommand(Function<Path, ClipCodec> siacFactory) {
        Objects.requireNonNull(siacFactory);
        this.siacFactory = (dir, max, refineSteps, precision, merge, within, fit, each, balance, level, split) -> siacFactory.apply(dir);
    }

    /** With a factory that also receives --max-events-per-window and --precision (null when not given) and --refine. */
    public static EvalCommand withOptions(SiacFactory siacFactory) {
        return new EvalCommand(Objects.requireNonNull(siacFactory), true);
    }

    private EvalCommand(SiacFactory siacFactory, boolean withOptions) {
        this.siacFactory = siacFactory;
    }

    @Override
    public Integer call() {
        if (!clips.isEmpty() && manifest != null) {
            throw new ParameterException(spec.commandLine(), "give either CLIPS or --manifest, not both");
        }
        if (corpus != null && (!clips.isEmpty() || manifest != null)) {
            throw new ParameterException(spec.commandLine(), "--corpus is used only when no CLIPS and no --manifest are given");
        }
        if (wholeFiles && clipSeconds != null) {
            throw new ParameterException(spec.commandLine(), "give either --whole-files or --clip-seconds, not both");
        }
        if (clipSeconds != null && !(clipSeconds > 0 && clipSeconds < 1e6)) {
            throw new ParameterException(spec.commandLine(), "--clip-seconds must be a positive number, got " + clipSeconds);
        }
        if (refine.isEmpty() || refine.stream().anyMatch(k -> k == null || k < 0)
                || new java.util.HashSet<>(refine).size() != refine.size()) {
            throw new ParameterException(spec.commandLine(), "--refine takes distinct step counts >= 0, got " + refine);
        }
        if (mergeWithinMs != null && !(mergeWithinMs >= 0 && mergeWithinMs <= 1000)) {
            throw new ParameterException(spec.commandLine(), "--merge-within takes 0..1000 ms, got " + mergeWithinMs);
        }
        if (mergeTwins != null && !(mergeTwins >= -1 && mergeTwins <= 1)) {
            throw new ParameterException(spec.commandLine(), "--merge-twins must be a cosine in [-1, 1), got " + mergeTwins);
        }
        if (maxClips != null && maxClips < 0) {
            throw new ParameterException(spec.commandLine(), "--max-clips must be >= 0, got " + maxClips);
        }
        List<String> peerNames = peers.size() == 1 && peers.get(0).trim().equalsIgnoreCase("none")
                ? List.of() : peers;
        Peers.Selection selection;
        try {
            selection = Peers.select(peerNames);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), oneLine(e));
        }
        if (noSiac && selection.codecs().isEmpty()) {
            throw new ParameterException(spec.commandLine(), "nothing to measure: --no-siac and no peer available"
                    + (selection.skipped().isEmpty() ? "" : " (" + String.join("; ", selection.skipped()) + ")"));
        }
        PrintWriter err = spec.commandLine().getErr();
        try {
            List<Evaluation.Clip> inputs = clipSet(err);
            List<ClipCodec> codecs = new ArrayList<>();
            if (!noSiac) {
                if (model != null && !Files.isDirectory(model)) throw new IOException(model + ": model directory not found");
                for (int k : refine) codecs.add(siacFactory.create(model, maxEvents, k, precision, mergeTwins, mergeWithinMs, !noLevelFit, eventGains, !noBalance, balanceLevel, balanceSplit));
            }
            codecs.addAll(selection.codecs());
            Evaluation.Report report = new Evaluation(codecs, selection.skipped(), err)
                    .runClips(inputs, output);
            err.println("eval: " + report.rows().size() + " measurements on " + inputs.size() + " clips; see "
                    + report.summary());
            return 0;
        } catch (Exception e) {
            err.println("siac eval: " + oneLine(e));
            return 1;
        }
    }

    /** The clips to measure: CLIPS, else the --manifest list, else the corpus validation split. */
    private List<Evaluation.Clip> clipSet(PrintWriter err) throws IOException {
        List<ClipSet.Source> sources = new ArrayList<>();
        boolean fromCorpus = clips.isEmpty() && manifest == null;
        if (!clips.isEmpty()) {
            for (Path p : clips) sources.add(new ClipSet.Source(p, p.toString(), ""));
        } else if (manifest != null) {
            if (!Files.isRegularFile(manifest)) throw new IOException(manifest + ": manifest not found");
            for (Manifest.Entry e : Manifest.read(manifest)) {
                sources.add(new ClipSet.Source(e.path(), e.path().toString(), e.group() == null ? "" : e.group()));
            }
            if (sources.isEmpty()) throw new IOException(manifest + ": manifest lists no clips");
        } else {
            sources.addAll(corpusValidation());
        }
        for (ClipSet.Source s : sources) {
            if (!Files.isRegularFile(s.file())) throw new IOException(s.file() + ": no such file");
        }
        Double seconds = clipSeconds != null ? clipSeconds
                : fromCorpus && !wholeFiles ? Double.valueOf(DEFAULT_CLIP_SECONDS) : null;
        int max = maxClips != null ? maxClips : fromCorpus ? DEFAULT_MAX_CLIPS : 0;
        if (seconds == null) {
            List<Evaluation.Clip> whole = new ArrayList<>();
            for (ClipSet.Source s : sources) {
                if (max > 0 && whole.size() == max) break;
                whole.add(new Evaluation.Clip(s.name(), s.group(), () -> AudioIO.read(s.file())));
            }
            return whole;
        }
        ClipSet.Selection sel = ClipSet.cut(sources, seconds, max);
        if (sel.clips().isEmpty()) throw new IOException("the " + sources.size() + " files hold no audio to cut into clips");
        err.printf(Locale.ROOT, "eval: %d clips of %s s from %d files%s%n", sel.clips().size(),
                new java.text.DecimalFormat("0.###", java.text.DecimalFormatSymbols.getInstance(Locale.ROOT)).format(seconds), sel.files(),
                sel.shortFiles() == 0 ? "" : " (" + sel.shortFiles() + " shorter files used whole)");
        return sel.clips();
    }

    /** The validation split of the corpus named by --corpus, $SIAC_CORPUS or ./corpus, music before speech. */
    private List<ClipSet.Source> corpusValidation() throws IOException {
        Path dir;
        String how;
        String fromEnv = env.apply(CORPUS_ENV);
        if (corpus != null) {
            dir = corpus;
            how = "--corpus";
        } else if (fromEnv != null && !fromEnv.isBlank()) {
            dir = Path.of(fromEnv.strip());
            how = "$" + CORPUS_ENV;
        } else {
            dir = DEFAULT_CORPUS;
            how = "the default";
        }
        Path resolved = workingDir.resolve(dir);
        Path file = resolved.resolve(dev.siac.train.corpus.Manifest.FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new IOException("no clips given and no corpus found at " + file.toAbsolutePath().normalize()
                    + " (" + how + "): run `siac corpus --out " + dir + "` first, or give CLIPS or --manifest FILE");
        }
        List<dev.siac.train.corpus.Manifest.Entry> valid =
                new ArrayList<>(dev.siac.train.corpus.Manifest.read(resolved).valid());
        if (valid.isEmpty()) {
            throw new IOException(file + ": no clips in the validation split (rebuild it with `siac corpus --out "
                    + dir + "`)");
        }
        valid.sort(Comparator.comparing(dev.siac.train.corpus.Manifest.Entry::kind));
        Path base = resolved.toAbsolutePath().normalize();
        List<ClipSet.Source> out = new ArrayList<>();
        for (dev.siac.train.corpus.Manifest.Entry e : valid) {
            String rel = base.relativize(e.file()).toString().replace(java.io.File.separatorChar, '/');
            out.add(new ClipSet.Source(e.file(), rel, e.kind()));
        }
        return out;
    }

    /** The clip list format shared with the corpus builder: "path[TAB group]" lines, '#' comments, blanks skipped. */
    static final class Manifest {
        record Entry(Path path, String group) {
        }

        static List<Entry> read(Path file) throws IOException {
            Path base = file.toAbsolutePath().getParent();
            List<Entry> out = new ArrayList<>();
            int lineNo = 0;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                lineNo++;
                if (line.isBlank() || line.stripLeading().startsWith("#")) continue;
                String[] parts = line.split("\t", -1);
                if (parts.length > 2) throw new IOException(file + ":" + lineNo + ": expected 'path' or 'path<TAB>group'");
                String p = parts[0].strip();
                if (p.isEmpty()) throw new IOException(file + ":" + lineNo + ": empty path");
                Path path = base.resolve(p).normalize();
                String group = parts.length == 2 && !parts[1].isBlank() ? parts[1].strip() : null;
                out.add(new Entry(path, group));
            }
            return out;
        }
    }
}
