package dev.siac.cli;

import ai.djl.engine.Engine;
import dev.siac.io.AtomicFiles;
import dev.siac.model.ModelConfig;
import dev.siac.train.Trainer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Trains a model on a folder of audio (or a siac corpus) with the seed's energy-removal loss. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a siac model on a folder of audio files (or a `siac corpus` directory: its train split).",
                "Checkpoints atomically to RUN_DIR/checkpoint every --checkpoint-every steps, every few minutes and on Ctrl-C;",
                "--resume continues exactly. Logs RUN_DIR/metrics.jsonl and draws RUN_DIR/loss.png; the best-validation model",
                "is kept in RUN_DIR/best (package it with `siac package-model`)."})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "folder of audio, or a siac corpus directory")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "RUN_DIR", description = "run directory (checkpoint, logs)")
    Path out;

    @Option(names = "--preset", defaultValue = "small", paramLabel = "small|small-short|small-full|paper|tiny|CONFIG.json",
            description = "model sizes (default: ${DEFAULT-VALUE}); ignored with --resume or --init")
    String preset;

    @Option(names = "--init", paramLabel = "MODEL_DIR", description = "start from these weights (fine-tuning)")
    Path init;

    @Option(names = "--resume", description = "continue the checkpoint in RUN_DIR")
    boolean resume;

    @Option(names = "--steps", defaultValue = "0", description = "stop at this step in total (default: run until Ctrl-C)")
    long steps;

    @Option(names = "--batch-size", defaultValue = "2", description = "examples per step (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--lr", defaultValue = "1e-4", description = "Adam learning rate (default: ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--sample-by", defaultValue = "file", paramLabel = "file|duration",
            description = "how a training segment's file is chosen: file = uniformly over files, as the reference does;"
                    + " duration = in proportion to its length, so many short files do not outweigh a few long ones")
    String sampleBy;

    @Option(names = "--schedule", defaultValue = "constant", description = "constant | cosine (decays to 0.1 x lr at --schedule-steps)")
    String schedule;

    @Option(names = "--warmup", defaultValue = "0", description = "linear warm-up steps (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--schedule-steps", defaultValue = "0", description = "length of the cosine schedule in steps")
    long scheduleSteps;

    @Option(names = "--curriculum", defaultValue = "0", paramLabel = "STEPS",
            description = "curriculum: over the first STEPS steps the audio in each segment grows from"
                    + " --curriculum-start of the window to all of it and the events per window grow alike"
                    + " (short, simple, cheap steps first; default 0 = off)")
    long curriculum;

    @Option(names = "--curriculum-start", defaultValue = "0.25", paramLabel = "F",
            description = "the curriculum's first fraction of the window and of the events (default: ${DEFAULT-VALUE})")
    double curriculumStart;

    @Option(names = "--no-keep-best", negatable = false,
            description = "do not keep the best-validation model in RUN_DIR/best (kept by default)")
    boolean noKeepBest;

    @Option(names = "--adversarial", description = "add the seed's discriminator and adversarial loss (half of the events masked)")
    boolean adversarial;

    @Option(names = "--band-level", defaultValue = "0", paramLabel = "LAMBDA",
            description = "weight of the band-level term: each frame's power per half-octave band pulled toward the input's"
                    + " (0 = the seed's loss; 1 outweighs its per-cell pull toward the median)")
    double bandLevel;

    @Option(names = "--log-band", defaultValue = "0", paramLabel = "LAMBDA",
            description = "weight of the log band-level term: each frame's level per half-octave band in log terms, as"
                    + " mel_l1 measures it, so quiet parts count (0 = the seed's loss)")
    double logBand;

    @Option(names = "--log-mel", defaultValue = "0", paramLabel = "LAMBDA",
            description = "weight of the log-mel term: each frame's level in mel_l1's 80 mel bands in log terms, the"
                    + " metric's own resolution (0 = the seed's loss)")
    double logMel;

    @Option(names = "--event-cost", defaultValue = "0", paramLabel = "MU",
            description = "cost per event, concave in its energy: one event is cheaper than twins that add up to it, and"
                    + " an event that removes little goes to amplitude 0 (0 = the seed's loss)")
    double eventCost;

    @Option(names = "--workers", defaultValue = "2", paramLabel = "W",
            description = "threads the batch is split over, each on its own rows with its own copy of the weights (same"
                    + " gradient, same result on every run; 2 halves a short-event step on 2 cores; default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--seed", defaultValue = "1", description = "seed of initialisation and data sampling (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--checkpoint-every", defaultValue = "100", description = "steps between checkpoints (default: ${DEFAULT-VALUE})")
    int checkpointEvery;

    @Option(names = "--checkpoint-minutes", defaultValue = "5", description = "also checkpoint at least this often (default: ${DEFAULT-VALUE})")
    double checkpointMinutes;

    @Option(names = "--valid-every", defaultValue = "200", description = "steps between validation runs (0 = never)")
    int validEvery;

    @Option(names = "--valid-segments", defaultValue = "8", description = "fixed validation segments per validation run (default: ${DEFAULT-VALUE})")
    int validSegments;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu | gpu (default: ${DEFAULT-VALUE})")
    String device;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try {
            if (!device.equals("cpu") && !device.equals("gpu")) throw new IllegalArgumentException("--device must be cpu or gpu");
            if (device.equals("gpu")) {
                int gpus = Engine.getInstance().getGpuCount();
                if (gpus == 0) {
                    throw new IllegalStateException("--device gpu: no GPU is visible to the PyTorch engine (this build ships the CPU"
                            + " libtorch; run with --device cpu)");
                }
                throw new IllegalStateException("--device gpu: " + gpus + " GPU(s) found, but this build ships the CPU libtorch only");
            }
            if (batch < 1) throw new IllegalArgumentException("--batch-size must be at least 1");
            if (workers < 1) throw new IllegalArgumentException("--workers must be at least 1");
            if (!schedule.equals("constant") && !schedule.equals("cosine")) throw new IllegalArgumentException("--schedule must be constant or cosine");
            if (!sampleBy.equals("file") && !sampleBy.equals("duration")) throw new IllegalArgumentException("--sample-by must be file or duration");
            if (curriculum < 0) throw new IllegalArgumentException("--curriculum must be at least 0");
            if (!(curriculumStart > 0 && curriculumStart <= 1)) throw new IllegalArgumentException("--curriculum-start must be in (0, 1]");
            Trainer.Options o = new Trainer.Options();
            o.curriculumSteps = curriculum;
            o.curriculumStart = curriculumStart;
            o.keepBest = !noKeepBest;
            o.sampleBy = sampleBy;
            o.data = data;
            o.out = out;
            o.config = ModelConfig.presetOrFile(preset);
            o.init = init;
            o.resume = resume;
            o.steps = steps;
            o.batch = batch;
            o.lr = lr;
            o.schedule = schedule;
            o.warmup = warmup;
            o.scheduleSteps = scheduleSteps;
            o.adversarial = adversarial;
            o.terms = new dev.siac.train.Losses.Terms(bandLevel, eventCost, logBand, logMel);
            o.seed = seed;
            o.workers = workers;
            o.checkpointEvery = checkpointEvery;
            o.checkpointMinutes = checkpointMinutes;
            o.validEvery = validEvery;
            if (validSegments < 1) throw new IllegalArgumentException("--valid-segments must be at least 1");
            o.validSegments = validSegments;
            o.given = givenRecipeOptions();
            try (Trainer t = new Trainer(o, System.err)) {
                CountDownLatch finished = new CountDownLatch(1);
                Thread hook = new Thread(() -> {
                    t.requestStop();
                    try {
                        finished.await(120, TimeUnit.SECONDS); // let the loop write its checkpoint
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                });
                Runtime.getRuntime().addShutdownHook(hook);
                // the exit cleanup of temporaries waits for the loop's last checkpoint instead of racing it
                try (AutoCloseable held = AtomicFiles.deferCleanup()) {
                    t.run();
                } finally {
                    finished.countDown();
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException shuttingDown) {
                        // already in shutdown: the hook is waiting for us
                    }
                }
            }
            return 0;
        } catch (Exception e) {
            return EventFileSupport.fail(spec, e);
        }
    }

    /** The recipe options (by flag name, as in RUN_DIR/recipe.json) that this command line gives explicitly. */
    private java.util.Set<String> givenRecipeOptions() {
        java.util.Set<String> given = new java.util.HashSet<>();
        for (picocli.CommandLine.Model.OptionSpec opt : spec.commandLine().getParseResult().matchedOptions()) {
            String name = opt.longestName().replaceFirst("^--", "");
            given.add(name.equals("no-keep-best") ? "keep-best" : name);
        }
        return given;
    }
}
