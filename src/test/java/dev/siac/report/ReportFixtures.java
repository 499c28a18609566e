package dev.siac.report;

import java.util.Random;

/** Inputs for the tests that run the real model: a short clip of struck notes. */
final class ReportFixtures {

    static final int SR = 22050;

    private ReportFixtures() {
    }

    /**
     * Decaying harmonic notes with noisy attacks, one every 0.21 s (so the tiny model's 0.37 s window holds some in
     * its first half), over a little background noise.
     */
    static float[] notes(double seconds, long seed) {
        Random r = new Random(seed);
        float[] x = new float[(int) (seconds * SR)];
        double[] pitches = {196, 247, 294, 330, 392, 440, 523};
        int k = 0;
        for (double t0 = 0.02; t0 < seconds; t0 += 0.21, k++) {
            double hz = pitches[k % pitches.length];
            int start = (int) (t0 * SR);
            for (int i = start; i < x.length; i++) {
                double t = (i - start) / (double) SR;
                double env = Math.exp(-t * 6);
                if (env < 1e-4) break;
                double v = 0;
                for (int h = 1; h <= 4; h++) v += Math.sin(2 * Math.PI * hz * h * t) / h;
                double attack = t < 0.01 ? r.nextGaussian() * (1 - t / 0.01) * 0.3 : 0;
                x[i] += (float) (0.18 * env * v + attack);
            }
        }
        for (int i = 0; i < x.length; i++) x[i] += (float) (0.003 * r.nextGaussian());
        return x;
    }
}
