package dev.siac.train;

import dev.siac.model.Adam;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.siac.dsp.Ops;
import dev.siac.dsp.Spectral;
import dev.siac.io.Futures;
import dev.siac.model.ModelConfig;
import dev.siac.model.SiacModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.Locale;

/**
 * One optimisation step of the seed's recipe, computed in two passes so that memory stays small.
 *
 * <p>The loss telescopes to L = sum_b |T - sum_k C_k|_1 - |T|_1 (MODEL_SPEC §5A), so its gradient with respect to
 * every event spectrogram C_k is the same known tensor g = -sign(T - sum_k C_k). Pass 1 runs the 32-step loop
 * without recording (the residual is detached anyway), keeping each step's input and onset. Pass 2 recomputes the
 * steps a few at a time with recording and back-propagates the surrogate sum_k <g, C_k>, whose gradient with respect
 * to the parameters is exactly dL/dtheta. Peak memory is one chunk's graph instead of all 32 steps' (about 10x less),
 * for one extra forward pass without recording. The adversarial term is handled the same way through
 * dL_adv/d(masked sum of events).
 */
public final class TrainStep {
    /** Loss per example, fraction of energy removed, discriminator loss (NaN without one). */
    public record Outcome(double loss, double energyRemoved, double discriminatorLoss, double termsLoss) {
        public Outcome(double loss, double energyRemoved, double discriminatorLoss) {
            this(loss, energyRemoved, discriminatorLoss, 0);
        }
    }

    private TrainStep() {}

    static final boolean PROFILE = Boolean.getBoolean("siac.profile");

    /**
     * Threads of the workers past the first (which is the caller). They outlive a step: a fresh thread would start each
     * step with a cold malloc arena and libtorch thread state, and measurably ran up to twice as slow as the caller.
     */
    private static final ExecutorService WORKERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "siac-train-worker");
        t.setDaemon(true);
        return t;
    });

    public static Outcome run(SiacModel model, Adam adam, Discriminator disc, NDManager parent, float[] batch, int b,
                              Random rng, int chunk) {
        return run(model, adam, disc, parent, batch, b, rng, chunk, model.config.eventsPerWindow, 1, Losses.Terms.SEED);
    }

    /**
     * As above with `events` steps of the loop instead of the config's eventsPerWindow (the curriculum's early steps),
     * the batch split over `workers` threads (see {@link #accumulateGradients}).
     */
    public static Outcome run(SiacModel model, Adam adam, Discriminator disc, NDManager parent, float[] batch, int b,
                              Random rng, int chunk, int events, int workers, Losses.Terms terms) {
        Outcome r = accumulateGradients(model, disc, parent, batch, b, rng, chunk, events, workers, terms);
        adam.update(model.parameters().params());
        if (disc != null) disc.update();
        return r;
    }

    /**
     * Everything of {@link #run} but the optimiser updates: leaves dL/dtheta (reconstruction plus, with a
     * discriminator, the adversarial term) accumulated on the model's parameters and L_D's gradient on the
     * discriminator's, so that a test can hold them against the literal one-pass loss.
     */
    static Outcome accumulateGradients(SiacModel model, Discriminator disc, NDManager parent, float[] batch, int b,
                                       Random rng, int chunk) {
        return accumulateGradients(model, disc, parent, batch, b, rng, chunk, model.config.eventsPerWindow, 1, Losses.Terms.SEED);
    }

    /**
     * With workers &gt; 1 (and no discriminator) the batch is split into that many groups of rows, each run in its own
     * thread on its own copy of the learned parameters with libtorch's intra-op threads divided among them. The loss is
     * a sum over examples, so the gradient is the sum of the groups' gradients; it is added to the model's parameters
     * in group order, so a step gives the same result on every run. Worth it because a 2-row step is a long chain of
     * small operations, each too small for two threads to share: two 1-row chains side by side use both cores better.
     */
    static Outcome accumulateGradients(SiacModel model, Discriminator disc, NDManager parent, float[] batch, int b,
                                       Random rng, int chunk, int steps, int workers, Losses.Terms terms) {
        if (steps < 1) throw new IllegalArgumentException("a training step needs at least one event, got " + steps);
        int w = disc == null ? Math.max(1, Math.min(workers, b)) : 1;
        if (w == 1) return pass(model, disc, parent, batch, 0, b, rng, chunk, steps, terms).outcome(b);

        int threads = JniUtils.getNumThreads();
        List<SiacModel> replicas = new ArrayList<>();
        List<Future<Partial>> futures = new ArrayList<>();
        try (NDManager m = parent.newSubManager()) {
            try {
                for (int i = 1; i < w; i++) replicas.add(model.replica(m));
                JniUtils.setNumThreads(Math.max(1, threads / w));
                for (int i = 1; i < w; i++) {
                    SiacModel rep = replicas.get(i - 1);
                    int from = i * b / w, to = (i + 1) * b / w;
                    futures.add(WORKERS.submit(() -> {
                        JniUtils.setGradMode(false); // libtorch records by default on a new thread; pass 1 must not
                        return pass(rep, null, m, batch, from, to - from, rng, chunk, steps, terms);
                    }));
                }
                Partial total = pass(model, null, m, batch, 0, b / w, rng, chunk, steps, terms);
                for (Future<Partial> f : futures) total = total.plus(get(f));
                JniUtils.setNumThreads(threads);
                // the replicas' gradients onto the model's parameters, in order: d/dtheta sum(theta * G) = G exactly
                try (NDScope scope = new NDScope(); Recording rec = new Recording()) {
                    scope.suppressNotUsedWarning();
                    for (SiacModel rep : replicas) {
                        NDArray surrogate = null;
                        for (var e : model.parameters().params().entrySet()) {
                            NDArray term = e.getValue().mul(rep.parameters().params().get(e.getKey()).getGradient()).sum();
                            surrogate = surrogate == null ? term : surrogate.add(term);
                        }
                        rec.backward(surrogate);
                    }
                }
                return total.outcome(b);
            } finally {
                // never free what a worker may still be using (after a failure elsewhere)
                Futures.awaitAll(futures); // failures were reported by get() above, or superseded by the one that got us here
                JniUtils.setNumThreads(threads);
                for (SiacModel rep : replicas) rep.close();
            }
        }
    }

    private static Partial get(Future<Partial> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during a training step", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * L1 sums of a group of rows: |T - sum_k C_k|_1 and |T|_1, the discriminator's loss (NaN without one) and the
     * value of the {@link Losses.Terms} beside the seed's loss.
     */
    private record Partial(double diffL1, double targetL1, double discriminatorLoss, double terms) {
        Partial plus(Partial o) {
            return new Partial(diffL1 + o.diffL1, targetL1 + o.targetL1, discriminatorLoss, terms + o.terms);
        }

        Outcome outcome(int b) {
            return new Outcome((diffL1 - targetL1) / b, targetL1 == 0 ? 0 : 1 - diffL1 / targetL1, discriminatorLoss, terms / b);
        }
    }

    /**
     * Gradient recording on the calling thread (libtorch's grad mode is per thread), restored on close. DJL allows one
     * GradientCollector at a time, so the workers record this way; backward is what GradientCollector.backward does.
     */
    private static final class Recording implements AutoCloseable {
        private final boolean was = JniUtils.isGradMode();

        Recording() {
            JniUtils.setGradMode(true);
        }

        void backward(NDArray target) {
            JniUtils.backward((PtNDArray) target, (PtNDArray) target.onesLike(), false, false);
        }

        @Override
        public void close() {
            JniUtils.setGradMode(was);
        }
    }

    /** Both passes for rows [row0, row0 + rows) of the batch; gradients accumulate on model's parameters. */
    private static Partial pass(SiacModel model, Discriminator disc, NDManager parent, float[] batch, int row0, int rows,
                                Random rng, int chunk, int steps, Losses.Terms terms) {
        ModelConfig c = model.config;
        int n = c.windowSamples;
        int b = rows;
        double dLoss = Double.NaN;
        try (NDScope scope = new NDScope(); NDManager m = parent.newSubManager()) {
            scope.suppressNotUsedWarning();
            NDArray x = m.create(Arrays.copyOfRange(batch, row0 * n, (row0 + rows) * n), new Shape(b, n));
            NDArray s0 = Spectral.magnitude(x);
            long T0 = System.nanoTime();
            SiacModel.Iteration it = model.iterativeFromSpectrogram(s0, steps, true);
            if (PROFILE) System.err.printf(Locale.ROOT, "pass1 %.2f s%n", (System.nanoTime() - T0) / 1e9);
            List<NDArray> inputs = new ArrayList<>();
            inputs.add(s0);
            for (int k = 0; k < steps - 1; k++) inputs.add(it.residuals().get(k));

            NDArray target = Spectral.magnitude(x.mul(Ops.constant(m, Losses.fade(n))));
            NDArray sum = it.eventSpectra().get(0);
            for (int k = 1; k < steps; k++) sum = sum.add(it.eventSpectra().get(k));
            NDArray diff = target.sub(sum);
            double targetL1 = target.abs().sum().getFloat();
            double diffL1 = diff.abs().sum().getFloat();
            NDArray g = diff.sign().neg();                                  // dL/dC_k, the same for every k
            double termsValue = 0;
            float[][] eventWeights = null;                                  // the event cost's extra dL/dC_k per k, row
            if (terms.bandLevel() > 0) {
                float[] t = target.toFloatArray(), s = sum.toFloatArray(), gh = g.toFloatArray();
                termsValue += Losses.addBandLevelGradient(t, s, gh, b, c.bins(), c.frames(),
                        Losses.bandEdges(c.bins(), c.sampleRate), terms.bandLevel());
                g = m.create(gh, g.getShape());
            }
            if (terms.logBand() > 0) {
                float[] t = target.toFloatArray(), s = sum.toFloatArray(), gh = g.toFloatArray();
                termsValue += Losses.addLogBandGradient(t, s, gh, b, c.bins(), c.frames(),
                        Losses.bandEdges(c.bins(), c.sampleRate), terms.logBand());
                g = m.create(gh, g.getShape());
            }
            if (terms.logMel() > 0) {
                float[] t = target.toFloatArray(), s = sum.toFloatArray(), gh = g.toFloatArray();
                termsValue += Losses.addLogMelGradient(t, s, gh, b, c.bins(), c.frames(),
                        Losses.melFilterbank(c.bins(), c.sampleRate), terms.logMel());
                g = m.create(gh, g.getShape());
            }
            if (terms.eventCost() > 0) {
                double[][] eventL1 = new double[steps][b];
                for (int k = 0; k < steps; k++) {
                    float[] e = it.eventSpectra().get(k).abs().sum(new int[] {1, 2}).toFloatArray();
                    for (int r = 0; r < b; r++) eventL1[k][r] = e[r];
                }
                float[] t = target.abs().sum(new int[] {1, 2}).toFloatArray();
                double[] targetRows = new double[b];
                for (int r = 0; r < b; r++) targetRows[r] = t[r];
                double[] value = {0};
                eventWeights = Losses.eventCostWeights(eventL1, targetRows, terms.eventCost(), value);
                termsValue += value[0];
            }

            boolean[] kept = null;
            NDArray gAdv = null;
            // the adversarial terms need DJL's GradientCollector (the discriminator's step takes it)
            try (GradientCollector gc = disc != null ? Engine.getInstance().newGradientCollector() : null;
                 Recording rec = new Recording()) {
                if (disc != null) {
                    kept = new boolean[steps];
                    NDArray masked = null;
                    for (int k = 0; k < steps; k++) {
                        kept[k] = rng.nextBoolean();
                        if (kept[k]) masked = masked == null ? it.events().get(k) : masked.add(it.events().get(k));
                    }
                    if (masked == null) masked = it.events().get(0).zerosLike();
                    NDArray leaf = masked.duplicate();
                    leaf.setRequiresGradient(true);
                    gc.backward(disc.generatorTerm(leaf));
                    gAdv = leaf.getGradient().duplicate();
                    NDArray all = it.events().get(0);
                    for (int k = 1; k < steps; k++) all = all.add(it.events().get(k));
                    dLoss = disc.discriminatorStep(gc, x, all);
                }
                T0 = System.nanoTime();
                for (int from = 0; from < steps; from += chunk) {
                  // the chunk's graph is freed once its handles close, right after its backward
                  try (NDScope chunkScope = new NDScope()) {
                    chunkScope.suppressNotUsedWarning();
                    int to = Math.min(steps, from + chunk);
                    NDList specs = new NDList();
                    long[] frames = new long[(to - from) * b];
                    for (int k = from; k < to; k++) {
                        specs.add(inputs.get(k));
                        System.arraycopy(it.frames().get(k), 0, frames, (k - from) * b, b);
                    }
                    NDArray in = ai.djl.ndarray.NDArrays.concat(specs, 0);
                    SiacModel.Choice ch = model.encodeAndPick(in, frames);
                    SiacModel.Placed placed = model.generatePlaced(ch.vectors(), ch.frames(), ch.amplitudes());
                    NDArray ev = placed.audio();                                                // ((to-from)*b, n)
                    NDArray spec = placed.spectrogram().reshape(to - from, b, c.bins(), c.frames());
                    NDArray surrogate = spec.mul(g.expandDims(0)).sum();
                    if (eventWeights != null) {
                        float[] w = new float[(to - from) * b];
                        for (int k = from; k < to; k++) System.arraycopy(eventWeights[k], 0, w, (k - from) * b, b);
                        NDArray perEvent = spec.sum(new int[] {2, 3});                          // (to-from, b), C >= 0
                        surrogate = surrogate.add(perEvent.mul(Ops.constant(m, w, new Shape(to - from, b))).sum());
                    }
                    if (gAdv != null) {
                        float[] w = new float[to - from];
                        for (int k = from; k < to; k++) w[k - from] = kept[k] ? 1f : 0f;
                        NDArray evs = ev.reshape(to - from, b, n).mul(Ops.constant(m, w, new Shape(to - from, 1, 1)));
                        surrogate = surrogate.add(evs.mul(gAdv.expandDims(0)).sum());
                    }
                    long T1 = System.nanoTime();
                    surrogate.getFloat();
                    long T2 = System.nanoTime();
                    rec.backward(surrogate);
                    if (PROFILE) System.err.printf(Locale.ROOT, "chunk fwd %.2f s bwd %.2f s rss %d%n", (T2 - T0) / 1e9, (System.nanoTime() - T2) / 1e9, StepTimer.peakRssMb());
                    T0 = System.nanoTime();
                  }
                }
            }
            return new Partial(diffL1, targetL1, dLoss, termsValue);
        }
    }
}
