package dev.siac.cli;

import dev.siac.eval.ClipCodec;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    /** Where the corpus builder is expected to leave its validation list (one path per line, optional tab + tag). */
    public static final Path DEFAULT_MANIFEST = Path.of("corpus", "validation.tsv");

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

    @Parameters(paramLabel = "CLIPS", arity = "0..*", description = "audio files (any format siac reads)")
    List<Path> clips = new ArrayList<>();

    @Spec
    CommandSpec spec;

    private final Function<Path, ClipCodec> siacFactory;

    /**
     * @param siacFactory builds the siac codec from the --model directory; it receives null when --model is not
     *                    given and must then use the bundled default model
     */
    public EvalCommand(Function<Path, ClipCodec> siacFactory) {
        this.siacFactory = Objects.requireNonNull(siacFactory);
    }

    @Override
    public Integer call() {
        if (!clips.isEmpty() && manifest != null) {
            throw new ParameterException(spec.commandLine(), "give either CLIPS or --manifest, not both");
        }
        List<String> peerNames = peers.size() == 1 && peers.get(0).trim().equalsIgnoreCase("none")
                ? List.of() : peers;
        Peers.Selection selection;
        try {
            selection = Peers.select(peerNames);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (noSiac && selection.codecs().isEmpty()) {
            throw new ParameterException(spec.commandLine(), "nothing to measure: --no-siac and no peer available"
                    + (selection.skipped().isEmpty() ? "" : " (" + String.join("; ", selection.skipped()) + ")"));
        }
        PrintWriter err = spec.commandLine().getErr();
        try {
            Map<Path, String> groups = new HashMap<>();
            List<Path> inputs = new ArrayList<>(clips);
            if (inputs.isEmpty()) {
                Path list = manifest != null ? manifest : DEFAULT_MANIFEST;
                if (!Files.isRegularFile(list)) {
                    throw new IOException(manifest != null ? list + ": manifest not found"
                            : "no clips given and no corpus manifest found at " + list
                            + " (give CLIPS or --manifest FILE)");
                }
                for (Manifest.Entry e : Manifest.read(list)) {
                    inputs.add(e.path());
                    if (e.group() != null) groups.put(e.path(), e.group());
                }
                if (inputs.isEmpty()) throw new IOException(list + ": manifest lists no clips");
            }
            for (Path p : inputs) {
                if (!Files.isRegularFile(p)) throw new IOException(p + ": no such file");
            }

            List<ClipCodec> codecs = new ArrayList<>();
            if (!noSiac) {
                if (model != null && !Files.isDirectory(model)) throw new IOException(model + ": model directory not found");
                codecs.add(siacFactory.apply(model));
            }
            codecs.addAll(selection.codecs());
            Evaluation.Report report = new Evaluation(codecs, selection.skipped(), err)
                    .run(inputs, groups::get, output);
            err.println("eval: " + report.rows().size() + " measurements on " + inputs.size() + " clips; see "
                    + report.summary());
            return 0;
        } catch (Exception e) {
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            err.println("siac eval: " + msg.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim());
            return 1;
        }
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
