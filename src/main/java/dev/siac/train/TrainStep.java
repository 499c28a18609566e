package dev.siac.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.siac.dsp.Ops;
import dev.siac.dsp.Spectral;
import dev.siac.model.ModelConfig;
import dev.siac.model.SiacModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

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
    public record Outcome(double loss, double energyRemoved, double discriminatorLoss) {}

    private TrainStep() {}

    static final boolean PROFILE = Boolean.getBoolean("siac.profile");

    public static Outcome run(SiacModel model, Adam adam, Discriminator disc, NDManager parent, float[] batch, int b,
                              Random rng, int chunk) {
        return run(model, adam, disc, parent, batch, b, rng, chunk, model.config.eventsPerWindow);
    }

    /** As above with `events` steps of the loop instead of the config's eventsPerWindow (the curriculum's early steps). */
    public static Outcome run(SiacModel model, Adam adam, Discriminator disc, NDManager parent, float[] batch, int b,
                              Random rng, int chunk, int events) {
        Outcome r = accumulateGradients(model, disc, parent, batch, b, rng, chunk, events);
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
        return accumulateGradients(model, disc, parent, batch, b, rng, chunk, model.config.eventsPerWindow);
    }

    static Outcome accumulateGradients(SiacModel model, Discriminator disc, NDManager parent, float[] batch, int b,
                                       Random rng, int chunk, int steps) {
        if (steps < 1) throw new IllegalArgumentException("a training step needs at least one event, got " + steps);
        ModelConfig c = model.config;
        int n = c.windowSamples;
        double lossValue, removed, dLoss = Double.NaN;
        try (NDScope scope = new NDScope(); NDManager m = parent.newSubManager()) {
            scope.suppressNotUsedWarning();
            NDArray x = m.create(batch, new Shape(b, n));
            NDArray s0 = Spectral.magnitude(x);
            long T0 = System.nanoTime();
            SiacModel.Iteration it = model.iterativeFromSpectrogram(s0, steps, true);
            if (PROFILE) System.err.printf("pass1 %.2f s%n", (System.nanoTime() - T0) / 1e9);
            List<NDArray> inputs = new ArrayList<>();
            inputs.add(s0);
            for (int k = 0; k < steps - 1; k++) inputs.add(it.residuals().get(k));

            NDArray target = Spectral.magnitude(x.mul(Ops.constant(m, Losses.fade(n))));
            NDArray sum = it.eventSpectra().get(0);
            for (int k = 1; k < steps; k++) sum = sum.add(it.eventSpectra().get(k));
            NDArray diff = target.sub(sum);
            double targetL1 = target.abs().sum().getFloat();
            double diffL1 = diff.abs().sum().getFloat();
            lossValue = (diffL1 - targetL1) / b;
            removed = targetL1 == 0 ? 0 : 1 - diffL1 / targetL1;
            NDArray g = diff.sign().neg();                                  // dL/dC_k, the same for every k

            boolean[] kept = null;
            NDArray gAdv = null;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
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
                    if (gAdv != null) {
                        float[] w = new float[to - from];
                        for (int k = from; k < to; k++) w[k - from] = kept[k] ? 1f : 0f;
                        NDArray evs = ev.reshape(to - from, b, n).mul(Ops.constant(m, w, new Shape(to - from, 1, 1)));
                        surrogate = surrogate.add(evs.mul(gAdv.expandDims(0)).sum());
                    }
                    long T1 = System.nanoTime();
                    surrogate.getFloat();
                    long T2 = System.nanoTime();
                    gc.backward(surrogate);
                    if (PROFILE) System.err.printf("chunk fwd %.2f s bwd %.2f s rss %d%n", (T2 - T0) / 1e9, (System.nanoTime() - T2) / 1e9, StepTimer.peakRssMb());
                    T0 = System.nanoTime();
                  }
                }
            }
        }
        return new Outcome(lossValue, removed, dLoss);
    }
}
