package dev.siac.cli;

import static dev.siac.io.Messages.oneLine;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.siac.eval.Bench;
import dev.siac.model.ModelConfig;
import dev.siac.model.Models;
import dev.siac.model.Safetensors;
import dev.siac.model.SiacModel;
import dev.siac.train.StepTimer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code siac bench}: the speed suite (see {@link Bench}). Each measurement runs in a child JVM started with this
 * JVM's java, options and class path and {@link #main} as its entry point.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Speed suite: iterative on one window and a training step for each preset, and encode/decode"
                + " real-time factor on long synthetic streams, each in its own JVM (honest peak RSS).",
                "Writes the table into the marked section of docs/BENCHMARKS.md beside the reference implementation's"
                        + " figures. Run it on a quiet machine: it takes minutes (--quick) to hours (paper, 60 minutes)."})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--presets", split = ",", paramLabel = "NAME", defaultValue = "small,paper",
            description = "presets (or config.json files) timed for iterative and a training step (default: ${DEFAULT-VALUE})")
    List<String> presets;

    @Option(names = "--stream-preset", paramLabel = "NAME",
            description = "preset of the untrained model that encodes/decodes the streams (default: the first of --presets)")
    String streamPreset;

    @Option(names = "--model", paramLabel = "DIR",
            description = "model directory that encodes/decodes the streams, e.g. models/default (default: an untrained"
                    + " model of --stream-preset)")
    Path model;

    @Option(names = "--stream-minutes", split = ",", paramLabel = "M",
            description = "lengths of the synthetic streams in minutes (default: 10,60; with --quick: 1; 0 = none)")
    List<Double> streamMinutes;

    @Option(names = "--quick", description = "one timed run after one warm-up and a 1-minute stream: a smoke test, not a benchmark")
    boolean quick;

    @Option(names = "--warmup", paramLabel = "N", description = "untimed runs before timing (default: 1)")
    Integer warmup;

    @Option(names = "--repeats", paramLabel = "N", description = "timed runs; the median is reported (default: 3, with --quick 1)")
    Integer repeats;

    @Option(names = "--what", split = ",", paramLabel = "STEP", defaultValue = "iterative,train",
            description = "which of iterative and train to time for each preset (default: ${DEFAULT-VALUE})")
    List<String> what;

    @Option(names = "--workers", paramLabel = "W", defaultValue = "2",
            description = "threads a training step's batch is split over, as siac train --workers (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "2", description = "training step batch (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--chunk", paramLabel = "K", defaultValue = "4",
            description = "events recomputed together in the training step's backward pass, as siac train (default: ${DEFAULT-VALUE})")
    int chunk;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Markdown file whose bench section is replaced (default: docs/BENCHMARKS.md of the siac home)")
    Path output;

    @Option(names = "--no-write", description = "print the table only")
    boolean noWrite;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<String> ps = new ArrayList<>();
        for (String p : presets) if (!p.isBlank()) ps.add(p.strip());
        List<Double> minutes = new ArrayList<>();
        for (double m : streamMinutes != null ? streamMinutes : quick ? List.of(1.0) : List.of(10.0, 60.0)) {
            if (m != 0) minutes.add(m);
        }
        String sp = streamPreset != null ? streamPreset : ps.isEmpty() ? "small" : ps.get(0);
        Bench.Options options;
        try {
            for (String p : ps) checkPreset(p);
            if (!minutes.isEmpty() && model == null) checkPreset(sp);
            if (model != null && !java.nio.file.Files.isRegularFile(model.resolve(Models.CONFIG))) {
                throw new IllegalArgumentException(model + ": not a model directory (no " + Models.CONFIG + ")");
            }
            java.util.Set<String> steps = new java.util.HashSet<>();
            for (String w : what) if (!w.isBlank()) steps.add(w.strip());
            options = new Bench.Options(ps, steps, sp, model == null ? null : model.toAbsolutePath(), minutes,
                    warmup != null ? warmup : 1, repeats != null ? repeats : quick ? 1 : 3, batch, chunk, workers);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), oneLine(e));
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            Path file = output != null ? output : DefaultModel.home().resolve("docs").resolve("BENCHMARKS.md");
            // as a sub-command, picocli's original args still start with the sub-command's own name
            java.util.List<String> args = new java.util.ArrayList<>(spec.commandLine().getParseResult().originalArgs());
            if (!args.isEmpty() && args.get(0).equals("bench")) args.remove(0);
            String command = "siac bench" + (args.isEmpty() ? "" : " " + String.join(" ", args.stream().map(BenchCommand::shellWord).toList()));
            Bench.Result result = new Bench(childCommand(), err).run(options, command);
            String md = Bench.markdown(result);
            out.print(md);
            out.flush();
            if (!noWrite) {
                Bench.writeSection(file, md);
                err.println("bench: wrote " + file);
            }
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("siac bench: interrupted");
            return 1;
        } catch (Exception e) {
            err.println("siac bench: " + oneLine(e));
            return 1;
        }
    }

    /** A bad preset is a usage error here, not a failure minutes later in a child. */
    private static void checkPreset(String p) {
        try {
            ModelConfig.presetOrFile(p);
        } catch (Exception e) {
            throw new IllegalArgumentException("unknown preset '" + p + "': " + e.getMessage());
        }
    }

    /** This JVM's java, its options (a debugger's agent left out: its port is taken) and class path. */
    static List<String> childCommand() {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        boolean offline = false;
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-agentlib:jdwp") || a.startsWith("-Xrunjdwp")) continue;
            offline |= a.startsWith("-Dai.djl.offline=");
            cmd.add(a);
        }
        if (!offline) cmd.add("-Dai.djl.offline=true");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(BenchCommand.class.getName());
        return cmd;
    }

    // ------------------------------------------------------------------ child JVM entry point

    /** Entry point of the child JVMs; the modes and the result line are described in {@link Bench}. */
    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
        int code;
        try {
            code = child(args, System.out);
        } catch (Throwable e) {
            System.err.println("siac bench child: " + oneLine(e));
            code = 1;
        }
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    static int child(String[] args, PrintStream out) throws Exception {
        if (args.length < 1) throw new IllegalArgumentException("child mode missing: step | model | cli");
        switch (args[0]) {
            case "step" -> {
                if (args.length < 5) throw new IllegalArgumentException("usage: step PRESET iterative|train WARMUP REPEATS [BATCH CHUNK WORKERS]");
                ModelConfig c = ModelConfig.presetOrFile(args[1]);
                int warm = Integer.parseInt(args[3]), reps = Integer.parseInt(args[4]);
                Engine.getInstance(); // libtorch loaded before it is asked for its thread count
                StepTimer.Timing t;
                double audio = c.windowSamples / 2.0 / c.sampleRate;
                if (args[2].equals("iterative")) {
                    t = StepTimer.iterative(c, warm, reps);
                } else if (args[2].equals("train") && args.length == 8) {
                    t = StepTimer.trainStep(c, Integer.parseInt(args[5]), Integer.parseInt(args[6]),
                            Integer.parseInt(args[7]), warm, reps);
                } else {
                    throw new IllegalArgumentException("unknown step: " + String.join(" ", Arrays.asList(args)));
                }
                out.printf(Locale.ROOT, "%s median=%s min=%s max=%s audio=%s threads=%d vmhwm_kb=%d%n",
                        Bench.RESULT_PREFIX, t.medianSeconds(), t.minSeconds(), t.maxSeconds(), audio,
                        JniUtils.getNumThreads(), Bench.peakResidentKb());
                return 0;
            }
            case "model" -> {
                if (args.length != 3) throw new IllegalArgumentException("usage: model PRESET DIR");
                ModelConfig c = ModelConfig.presetOrFile(args[1]);
                try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(c, 0, m)) {
                    Models.save(model, Path.of(args[2]), Safetensors.DType.F32);
                }
                out.printf(Locale.ROOT, "%s threads=%d vmhwm_kb=%d%n", Bench.RESULT_PREFIX, JniUtils.getNumThreads(),
                        Bench.peakResidentKb());
                return 0;
            }
            case "cli" -> {
                CommandLine cl = Main.commandLine();
                long t0 = System.nanoTime();
                int code = cl.execute(Arrays.copyOfRange(args, 1, args.length));
                double seconds = (System.nanoTime() - t0) / 1e9;
                if (code != 0) return code;
                Engine.getInstance();
                out.printf(Locale.ROOT, "%s seconds=%s threads=%d vmhwm_kb=%d%n", Bench.RESULT_PREFIX, seconds,
                        JniUtils.getNumThreads(), Bench.peakResidentKb());
                return 0;
            }
            default -> throw new IllegalArgumentException("unknown child mode '" + args[0] + "'");
        }
    }


    /** An argument as a shell reads it back: as is when plain, else single-quoted ('' for an empty one). */
    static String shellWord(String a) {
        return a.matches("[A-Za-z0-9@%+=:,./_-]+") ? a : "'" + a.replace("'", "'\\''") + "'";
    }
}
