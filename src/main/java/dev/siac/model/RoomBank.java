package dev.siac.model;

import java.util.SplittableRandom;

/**
 * A deterministic bank of synthetic room impulse responses, standing in for the Voxengo set the seed used (which
 * cannot be downloaded here). Each room is a shoebox: image-source early reflections (up to third order) from a
 * source and a listener placed at random inside it, followed by a diffuse tail of noise whose decay follows
 * Sabine's RT60 in three frequency bands (highs die first, as air and wall absorption make them). Rooms span
 * small booths to large halls, RT60 0.15 s to 3 s. Every IR is normalised like the reference loader: divided by
 * its signed maximum (+1e-8), so the direct sound has height 1.
 */
public final class RoomBank {
    private static final double SPEED_OF_SOUND = 343.0;

    private RoomBank() {}

    /** Returns count rows of length samples, row-major. */
    public static float[] generate(int count, int samples, int sampleRate, long seed) {
        float[] bank = new float[count * samples];
        for (int i = 0; i < count; i++) {
            float[] ir = room(i, count, samples, sampleRate, new SplittableRandom(seed * 1_000_003L + i));
            System.arraycopy(ir, 0, bank, i * samples, samples);
        }
        return bank;
    }

    static float[] room(int index, int count, int samples, int sr, SplittableRandom rng) {
        double position = count == 1 ? 0.5 : index / (double) (count - 1);
        // sizes and reverberation grow together across the bank, with jitter so neighbours differ
        double rt60 = 0.15 * Math.pow(3.0 / 0.15, position) * (0.85 + 0.3 * rng.nextDouble());
        double scale = 2.5 * Math.pow(30.0 / 2.5, position) * (0.8 + 0.4 * rng.nextDouble());
        double lx = scale * (1.0 + 0.6 * rng.nextDouble());
        double ly = scale * (0.7 + 0.5 * rng.nextDouble());
        double lz = Math.max(2.2, scale * (0.3 + 0.2 * rng.nextDouble()));
        double volume = lx * ly * lz;
        double surface = 2 * (lx * ly + lx * lz + ly * lz);
        double absorption = Math.min(0.95, 0.161 * volume / (surface * rt60));
        double reflection = Math.sqrt(1 - absorption);

        double[] src = {lx * (0.15 + 0.7 * rng.nextDouble()), ly * (0.15 + 0.7 * rng.nextDouble()), 1.2 + 0.6 * rng.nextDouble()};
        double[] lis = {lx * (0.15 + 0.7 * rng.nextDouble()), ly * (0.15 + 0.7 * rng.nextDouble()), 1.2 + 0.5 * rng.nextDouble()};
        src[2] = Math.min(src[2], lz - 0.2);
        lis[2] = Math.min(lis[2], lz - 0.2);
        double direct = dist(src, lis);

        float[] ir = new float[samples];
        int order = 3;
        for (int nx = -order; nx <= order; nx++) {
            for (int ny = -order; ny <= order; ny++) {
                for (int nz = -order; nz <= order; nz++) {
                    int reflections = Math.abs(nx) + Math.abs(ny) + Math.abs(nz);
                    if (reflections > order) continue;
                    double[] img = {image(src[0], lx, nx), image(src[1], ly, ny), image(src[2], lz, nz)};
                    double d = dist(img, lis);
                    // time relative to the direct sound, so every event starts on its onset
                    double delay = (d - direct) / SPEED_OF_SOUND * sr;
                    int at = (int) Math.round(delay);
                    if (at < 0 || at >= samples) continue;
                    ir[at] += (float) (Math.pow(reflection, reflections) * direct / d);
                }
            }
        }

        // diffuse tail: starts at the mixing time, three bands with their own decay rates
        double mixing = Math.min(0.08, 0.002 * Math.sqrt(volume)) * sr + 1;
        double[] bandRt = {rt60 * 1.2, rt60, rt60 * 0.55};
        double[] state = new double[3];
        double[] coef = {Math.exp(-2 * Math.PI * 300.0 / sr), Math.exp(-2 * Math.PI * 3000.0 / sr)};
        double tailLevel = 0.25 * Math.sqrt(1 - reflection * reflection + 1e-3) * 3.0 / Math.sqrt(1 + volume / 200.0);
        for (int n = (int) mixing; n < samples; n++) {
            double t = (n - mixing) / sr;
            double noise = rng.nextDouble() * 2 - 1;
            // split white noise into low / mid / high with two one-pole low-passes
            state[0] = coef[0] * state[0] + (1 - coef[0]) * noise;
            state[1] = coef[1] * state[1] + (1 - coef[1]) * noise;
            double low = state[0];
            double mid = state[1] - state[0];
            double high = noise - state[1];
            double onset = Math.min(1.0, (n - mixing) / (0.01 * sr));
            double v = low * decay(t, bandRt[0]) + mid * decay(t, bandRt[1]) + high * decay(t, bandRt[2]);
            ir[n] += (float) (tailLevel * onset * v);
        }

        float max = Float.NEGATIVE_INFINITY;
        for (float v : ir) max = Math.max(max, v);
        float norm = max + 1e-8f;
        for (int n = 0; n < samples; n++) ir[n] /= norm;
        return ir;
    }

    private static double decay(double t, double rt60) {
        return Math.exp(-6.907755 * t / rt60); // 60 dB = ln(1000)
    }

    private static double image(double p, double size, int n) {
        double base = (n % 2 == 0) ? p : size - p;
        return n * size + base;
    }

    private static double dist(double[] a, double[] b) {
        double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
        return Math.sqrt(dx * dx + dy * dy + dz * dz);
    }
}
