package dev.siac.train;

import dev.siac.model.Adam;
import dev.siac.io.AtomicFiles;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import dev.siac.eval.Metrics;
import dev.siac.model.ModelConfig;
import dev.siac.model.Models;
import dev.siac.model.SiacModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.Locale;

/**
 * The training loop (MODEL_SPEC §5A): random normalised segments, the iterative loop, the telescoped energy-removal
 * loss, Adam. Checkpoints atomically every few steps/minutes and on request (Ctrl-C), resumes exactly.
 */
public final class Trainer implements AutoCloseable {

    /** Everything a run is configured by. */
    public static final class Options {
        public Path data;
        public Path out;
        public ModelConfig config;
        public Path init;
        public boolean resume;
        public int batch = 2;
        public double lr = 1e-4;
        public long steps = 0;               // stop after this many steps in total (0 = until interrupted)
        public long seed = 1;
        public int checkpointEvery = 100;
        public double checkpointMinutes = 5;
        public int validEvery = 200;
        public int validSegments = 8;
        public String schedule = "constant";   // constant | cosine
        public int warmup = 0;
        public long scheduleSteps = 0;         // length of the cosine decay
        public boolean adversarial = false;
        public Losses.Terms terms = Losses.Terms.SEED; // terms beside the seed's loss (Losses.Terms)
        public int chunk = 4;                 // steps recomputed together in the backward pass
        public static final int DEFAULT_WORKERS = 2;
        public int workers = DEFAULT_WORKERS; // threads the batch is split over (TrainStep)
        public int collapseWindow = 200;      // steps of energy removed ~0 that are reported as a collapse
        public long curriculumSteps = 0;       // 0 = off; else segments and events grow over this many steps
        public double curriculumStart = 0.25;  // the curriculum's first fraction of the window and of the events
        public boolean keepBest = true;        // keep the best-validation weights in RUN_DIR/best
        public String sampleBy = "file";       // file (uniform over files, the reference's) | duration
        /** Recipe options (flag names, {@link Recipe#KEYS}) given explicitly: on resume they override the run's. */
        public java.util.Set<String> given = java.util.Set.of();
    }

    /**
     * The curriculum at a step: {fraction of the window that holds audio, events per window}. Both grow linearly
     * from curriculumStart to 1 over curriculumSteps steps (a short segment with few events first: an easier,
     * cheaper problem), then stay at the full window and the config's events.
     */
    static Curriculum curriculum(Options o, int eventsPerWindow, long step) {
        if (o.curriculumSteps <= 0 || step >= o.curriculumSteps) return new Curriculum(1, eventsPerWindow);
        double f = o.curriculumStart + (1 - o.curriculumStart) * step / (double) o.curriculumSteps;
        return new Curriculum(f, Math.max(1, Math.min(eventsPerWindow, (int) Math.ceil(eventsPerWindow * f))));
    }

    /** The curriculum at a step: the fraction of the window that holds audio and the events per window. */
    record Curriculum(double fraction, int events) {}

    /** A validation: mean mel_l1, energy removed and |level error| per octave band (dB) over the fixed segments. */
    public record Validation(double melL1, double energyRemoved, double levelDb) {}

    /** Mean energy removed below which a whole collapse window counts as collapsed to silence. */
    static final double COLLAPSE_THRESHOLD = 0.005;

    private final Options o;
    private final NDManager manager;
    private final SiacModel model;
    private final Adam adam;
    private final Discriminator disc;
    private final Segments train;
    private final Segments valid;
    private Random rng;
    private final long seed;
    private double secondsBefore;
    private final List<LossPlot.Point> curve = new ArrayList<>();
    private final List<LossPlot.ValidationPoint> validCurve = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Gson gson = new Gson();
    private final PrintStream log;
    private boolean collapseWarned;
    private long runStartNanos = System.nanoTime();

    public Trainer(Options o, PrintStream log) throws IOException {
        this.o = o;
        this.log = log;
        List<Path> trainFiles = Segments.list(o.data, "train");
        if (trainFiles.isEmpty()) throw new IOException(o.data + ": no audio files to train on");
        this.train = Segments.load(trainFiles);
        warnSkipped(train, log);
        if (train.files() == 0) throw new IOException(o.data + ": no readable, non-empty audio file to train on");
        List<Path> validFiles = Segments.list(o.data, "valid");
        Segments v = validFiles.isEmpty() ? null : Segments.load(validFiles);
        if (v != null) warnSkipped(v, log);
        this.valid = v == null || v.files() == 0 ? null : v;
        Path ckpt = o.resume ? Checkpoint.find(o.out) : null;
        if (o.resume && ckpt == null) throw new IOException(o.out + ": no checkpoint to resume from");
        if (!o.resume && Checkpoint.find(o.out) != null) {
            throw new IOException(o.out + ": holds a checkpoint already; pass --resume to continue it or choose another --out");
        }
        // only now, so that bad input leaves no empty run directory behind
        Files.createDirectories(o.out);
        if (ckpt != null) Recipe.resume(o.out, o, o.given, log);
        Recipe.save(o.out, o);
        Engine.getInstance().setRandomSeed((int) o.seed);
        this.manager = NDManager.newBaseManager();
        try {
            if (ckpt != null) {
                Checkpoint.State s = Checkpoint.verify(ckpt);
                Random restored = Checkpoint.rng(ckpt, s);
                model = Models.load(ckpt, manager);
                adam = new Adam(manager, model.parameters().params(), s.lr, 0.9, 0.999, 1e-8);
                Checkpoint.loadOptimizer(ckpt, adam, s.step);
                rng = restored;
                seed = s.seed; // the run's, whatever --seed says now: the per-step generator seeds derive from it
                secondsBefore = s.seconds;
                readCurves();
            } else {
                model = o.init != null ? Models.load(o.init, manager) : Models.create(o.config, o.seed, manager);
                adam = new Adam(manager, model.parameters().params(), o.lr, 0.9, 0.999, 1e-8);
                rng = new Random(o.seed);
                seed = o.seed;
            }
            model.parameters().requireGradients();
            disc = o.adversarial ? new Discriminator(manager, model.config, o.seed) : null;
            if (disc != null && ckpt != null) Checkpoint.loadDiscriminator(ckpt, disc, adam.step());
        } catch (IOException | RuntimeException e) {
            manager.close(); // the native memory of whatever was loaded before the failure
            throw e;
        }
    }

    public SiacModel model() {
        return model;
    }

    private static void warnSkipped(Segments s, PrintStream log) {
        List<String> bad = s.skipped();
        if (bad.isEmpty()) return;
        log.printf(Locale.ROOT, "warning: skipped %d unreadable file%s, e.g. %s%n", bad.size(), bad.size() == 1 ? "" : "s", bad.get(0));
    }

    Adam adam() {
        return adam;
    }

    /** The discriminator of an --adversarial run, else null. */
    Discriminator discriminator() {
        return disc;
    }

    /** Wall seconds of training so far, over all resumed runs. */
    public double seconds() {
        return secondsBefore + (System.nanoTime() - runStartNanos) / 1e9;
    }

    public long step() {
        return adam.step();
    }

    /** Asks the loop to checkpoint and return after the current step. */
    public void requestStop() {
        stop.set(true);
    }

    public void run() throws IOException {
        ModelConfig c = model.config;
        log.printf(Locale.ROOT, "training %s: %d files (%.1f min) of training audio, %s validation; batch %d, lr %g, from step %d%n",
                c.preset, train.files(), train.seconds() / 60, valid == null ? "no" : valid.files() + " files",
                o.batch, o.lr, adam.step());
        long lastCkptStep = adam.step();
        long lastCkptTime = System.nanoTime();
        long runStart = System.nanoTime();
        runStartNanos = runStart;
        long stepsAtStart = adam.step();
        // a live bar on a terminal; one line per step in logs (nohup, CI), where a bar would be unreadable
        me.tongfei.progressbar.ProgressBar bar = System.console() != null && o.steps > 0
                ? new me.tongfei.progressbar.ProgressBarBuilder().setTaskName("train").setInitialMax(o.steps)
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(log)).build()
                : null;
        if (bar != null) bar.stepTo(stepsAtStart);
        try {
        while (!stop.get() && (o.steps == 0 || adam.step() < o.steps)) {
            long t0 = System.nanoTime();
            TrainStep.Outcome r = trainStep();
            double dt = (System.nanoTime() - t0) / 1e9;
            long step = adam.step();
            curve.add(new LossPlot.Point(step, r.loss(), r.energyRemoved()));
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("step", step);
            rec.put("loss", r.loss());
            rec.put("energy_removed", r.energyRemoved());
            rec.put("lr", adam.lr);
            rec.put("sec_per_step", dt);
            if (disc != null) rec.put("disc_loss", r.discriminatorLoss());
            if (!o.terms.seed()) rec.put("terms_loss", r.termsLoss());
            appendMetrics(rec);
            double rate = (step - stepsAtStart) / ((System.nanoTime() - runStart) / 1e9);
            String eta = o.steps > 0 ? String.format(Locale.ROOT, ", ETA %s", hms((o.steps - step) / Math.max(rate, 1e-9))) : "";
            if (bar != null) {
                bar.stepTo(step);
                bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4g, energy removed %.3f, %.3f steps/s", r.loss(), r.energyRemoved(), rate));
            } else {
                log.printf(Locale.ROOT, "step %d  loss %.4g  energy removed %.4f  %.2f s/step, %.3f steps/s%s%n",
                        step, r.loss(), r.energyRemoved(), dt, rate, eta);
            }
            checkCollapse();
            if (o.validEvery > 0 && step % o.validEvery == 0) validate();
            boolean timeUp = (System.nanoTime() - lastCkptTime) / 60e9 >= o.checkpointMinutes;
            if (step - lastCkptStep >= o.checkpointEvery || timeUp) {
                checkpoint();
                lastCkptStep = step;
                lastCkptTime = System.nanoTime();
            }
        }
        } finally {
            if (bar != null) bar.close();
        }
        if (adam.step() != lastCkptStep || Checkpoint.find(o.out) == null) checkpoint();
        log.printf(Locale.ROOT, "stopped at step %d; checkpoint in %s%n", adam.step(), o.out.resolve(Checkpoint.DIR));
    }

    /** One optimisation step. */
    TrainStep.Outcome trainStep() {
        ModelConfig c = model.config;
        int n = c.windowSamples;
        Curriculum cur = curriculum(o, c.eventsPerWindow, adam.step());
        // a curriculum segment: `len` samples of audio (whole STFT hops), silence after
        int len = cur.fraction() >= 1 ? n : Math.max(c.stftHop, (int) Math.round(n * cur.fraction() / c.stftHop) * c.stftHop);
        float[] batch = new float[o.batch * n];
        for (int b = 0; b < o.batch; b++) System.arraycopy(train.sample(rng, len, o.sampleBy.equals("duration")), 0, batch, b * n, len);
        adam.lr = learningRate(adam.step());
        // libtorch's generator (the discriminator's dropout) cannot be saved through DJL, so each step reseeds it
        // from (seed, step): a resumed run then draws the same masks as one that never stopped
        Engine.getInstance().setRandomSeed(stepSeed(seed, adam.step()));
        return TrainStep.run(model, adam, disc, manager, batch, o.batch, rng, o.chunk, cur.events(), o.workers, o.terms);
    }

    static int stepSeed(long seed, long step) {
        return (int) new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step).nextLong();
    }

    double learningRate(long step) {
        double base = o.lr;
        if (o.warmup > 0 && step < o.warmup) return base * (step + 1) / o.warmup;
        if ("cosine".equals(o.schedule) && o.scheduleSteps > 0) {
            double p = Math.min(1, (step - o.warmup) / (double) Math.max(1, o.scheduleSteps - o.warmup));
            return base * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * p)));
        }
        return base;
    }

    /** mel_l1 and energy removed of the model on fixed validation segments (first half of each window). */
    public Validation validate() throws IOException {
        Segments src = valid != null ? valid : train;
        ModelConfig c = model.config;
        int n = c.windowSamples;
        double mel = 0, er = 0, level = 0;
        int count = Math.min(o.validSegments, Math.max(1, src.files() * 2));
        Random fixed = new Random(12345);
        for (int i = 0; i < count; i++) {
            int file = i % src.files();
            int start = src.length(file) > n ? fixed.nextInt(src.length(file) - n) : 0;
            float[] x = src.segment(file, start, n);
            try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager()) {
                scope.suppressNotUsedWarning();
                NDArray xa = m.create(x, new Shape(1, n));
                SiacModel.Iteration it = model.iterative(xa, c.eventsPerWindow, false);
                NDArray sum = it.events().get(0);
                for (int k = 1; k < it.events().size(); k++) sum = sum.add(it.events().get(k));
                float[] y = sum.toFloatArray();
                float[] xh = java.util.Arrays.copyOf(x, n / 2);
                float[] yh = java.util.Arrays.copyOf(y, n / 2);
                mel += Metrics.melL1(xh, yh, c.sampleRate);
                double[] bands = Metrics.octaveLevelErrors(xh, yh, c.sampleRate);
                double bandSum = 0;
                int counted = 0;
                for (double d : bands) {
                    if (Double.isNaN(d)) continue;
                    bandSum += Math.min(60, Math.abs(d)); // a silent band (-infinity) counts as 60 dB
                    counted++;
                }
                level += counted == 0 ? 0 : bandSum / counted;
                er += Losses.energyRemoved(xa, it.eventSpectra());
            }
        }
        Validation r = new Validation(mel / count, er / count, level / count);
        validCurve.add(new LossPlot.ValidationPoint(adam.step(), r.melL1()));
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("step", adam.step());
        rec.put("valid_mel_l1", r.melL1());
        rec.put("valid_energy_removed", r.energyRemoved());
        rec.put("valid_level_db", r.levelDb());
        rec.put("valid_segments", count);
        appendMetrics(rec);
        log.printf(Locale.ROOT, "validation at step %d: mel_l1 %.4f, energy removed %.4f, mean |level error| per octave"
                + " band %.2f dB (%d segments)%n", adam.step(), r.melL1(), r.energyRemoved(), r.levelDb(), count);
        // a best measured on other segments is no yardstick: the first validation on these replaces it
        String measuredOn = count + " segments of " + (valid != null ? "validation" : "training") + " audio " + src.id();
        if (o.keepBest && r.melL1() < Checkpoint.bestValidMelL1(o.out, measuredOn)) {
            Checkpoint.saveBest(o.out, model, adam.step(), r.melL1(), measuredOn);
            log.printf(Locale.ROOT, "best validation so far: model saved in %s%n", o.out.resolve(Checkpoint.BEST));
        }
        return r;
    }

    /**
     * The mean energy removed over the last `window` steps of curve when it is
     * below {@link #COLLAPSE_THRESHOLD}, the seed's collapse to silence; NaN when there are fewer steps or no collapse.
     */
    static double collapse(List<LossPlot.Point> curve, int window) {
        if (window < 1 || curve.size() < window) return Double.NaN;
        double sum = 0;
        for (int i = curve.size() - window; i < curve.size(); i++) sum += curve.get(i).energyRemoved();
        double mean = sum / window;
        return mean < COLLAPSE_THRESHOLD ? mean : Double.NaN;
    }

    private void checkCollapse() throws IOException {
        int window = o.collapseWindow;
        if (collapseWarned) return;
        double mean = collapse(curve, window);
        if (!Double.isNaN(mean)) {
            collapseWarned = true;
            String msg = "energy removed has stayed near 0 (mean " + String.format(Locale.ROOT, "%.4f", mean) + ") for " + window
                    + " steps: the model may have collapsed to silence, the seed's known failure early in training;"
                    + " try a lower --lr, a warmup, or --init from a model that works";
            log.println("WARNING: " + msg);
            Map<String, Object> rec = new LinkedHashMap<>();
            rec.put("step", adam.step());
            rec.put("warning", "collapse");
            rec.put("message", msg);
            appendMetrics(rec);
        }
    }

    public void checkpoint() throws IOException {
        double seconds = secondsBefore + (System.nanoTime() - runStartNanos) / 1e9;
        Checkpoint.save(o.out, model, adam, disc, rng, seed, seconds);
        LossPlot.write(o.out.resolve("loss.png"), curve, validCurve);
    }

    private void appendMetrics(Map<String, Object> rec) throws IOException {
        Files.writeString(o.out.resolve("metrics.jsonl"), gson.toJson(rec) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Rebuilds the curves from metrics.jsonl on resume, dropping records past the checkpoint's step. */
    private void readCurves() throws IOException {
        Path f = o.out.resolve("metrics.jsonl");
        if (!Files.exists(f)) return;
        List<String> keep = new ArrayList<>();
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            try {
                Map<?, ?> m = gson.fromJson(line, Map.class);
                double step = ((Number) m.get("step")).doubleValue();
                if (step > adam.step()) continue;
                keep.add(line);
                if (m.get("loss") != null) {
                    curve.add(new LossPlot.Point(step, ((Number) m.get("loss")).doubleValue(), ((Number) m.get("energy_removed")).doubleValue()));
                }
                if (m.get("valid_mel_l1") != null) validCurve.add(new LossPlot.ValidationPoint(step, ((Number) m.get("valid_mel_l1")).doubleValue()));
            } catch (RuntimeException e) {
                // a line cut by a crash: dropped
            }
        }
        // rewritten beside and moved over it, so that a crash here cannot cut the log short
        AtomicFiles.write(f, tmp -> Files.write(tmp, keep, StandardCharsets.UTF_8));
    }

    private static String hms(double s) {
        long t = (long) s;
        return String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60);
    }

    @Override
    public void close() {
        if (disc != null) disc.close();
        adam.close();
        model.close();
        manager.close();
    }
}
