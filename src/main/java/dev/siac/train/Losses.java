package dev.siac.train;

import ai.djl.ndarray.NDArray;
import dev.siac.dsp.Ops;
import ai.djl.ndarray.NDManager;
import dev.siac.dsp.Spectral;
import java.util.List;

/** The seed's training objective (MODEL_SPEC §5A). */
public final class Losses {
    private Losses() {}

    /** Target fade: 1 on the first half, linspace(1, 0, n/2)^8 on the second half. */
    public static float[] fade(int n) {
        float[] w = new float[n];
        int half = n / 2;
        for (int i = 0; i < half; i++) w[i] = 1f;
        for (int i = 0; i < half; i++) {
            double lin = 1.0 - (half == 1 ? 0 : i / (double) (half - 1));
            w[half + i] = (float) Math.pow(lin, 8);
        }
        return w;
    }

    /**
     * The iterative energy-removal loss: sum over k of |r_{k-1} - C_k|_1 - |r_{k-1}|_1 with r_0 = |STFT(faded x)|. It
     * telescopes exactly to |T - sum_k C_k|_1 - |T|_1 per example, summed over the batch, which is what is computed.
     */
    public static NDArray iterativeLoss(NDArray audio, List<NDArray> eventSpectra) {
        NDManager m = audio.getManager();
        int n = (int) audio.getShape().get(audio.getShape().dimension() - 1);
        NDArray target = Spectral.magnitude(audio.mul(Ops.constant(m, fade(n))));
        NDArray sum = eventSpectra.get(0);
        for (int k = 1; k < eventSpectra.size(); k++) sum = sum.add(eventSpectra.get(k));
        return target.sub(sum).abs().sum().sub(target.abs().sum());
    }

    /** Fraction of the target's L1 spectral energy removed: 1 - |T - sum C|_1 / |T|_1. */
    public static double energyRemoved(NDArray audio, List<NDArray> eventSpectra) {
        NDManager m = audio.getManager();
        int n = (int) audio.getShape().get(audio.getShape().dimension() - 1);
        NDArray target = Spectral.magnitude(audio.mul(Ops.constant(m, fade(n))));
        NDArray sum = eventSpectra.get(0);
        for (int k = 1; k < eventSpectra.size(); k++) sum = sum.add(eventSpectra.get(k));
        double total = target.abs().sum().getFloat();
        return total == 0 ? 0 : 1 - target.sub(sum).abs().sum().getFloat() / total;
    }
}
