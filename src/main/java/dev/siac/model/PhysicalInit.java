package dev.siac.model;

import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * A physically meaningful starting point for the decoder's banks, instead of noise (issue: train on CPUs in hours,
 * not 76 GPU hours). Each resonance row is an instrument-like mode set: a harmonic (strings, winds, voice) or
 * inharmonic (bars, bells, stiff strings) series over MIDI pitches 28-100 with partials falling off as 1/k^a and a
 * decay time from 50 ms to 4 s that shortens for higher partials. Each envelope row is an attack shape: impulses
 * spread over the first 0-170 ms with a decaying or swelling profile. The event switch starts with a positive bias so
 * the first events are audible and the loss has a gradient to follow.
 */
public final class PhysicalInit {
    private PhysicalInit() {}

    static void apply(ModelConfig c, long seed, Parameters p) {
        p.put("resonance.r.items", resonances(c, seed), new Shape(c.nResonances, 3L * (c.resonanceWindow / 2 + 1)), false);
        p.put("resonance.e.items", envelopes(c, seed), new Shape(c.nEnvelopes, (long) c.envelopeImpulses * c.envelopeResolution), false);
        float[] bias = {1.0f}; // measured on corpus clips: 0.1 -> 0.6%, 1.0 -> 2.2%, 3.0 -> 0.7% energy removed at step 0
        p.put("to_event_switch.bias", bias, new Shape(1), false);
    }

    static float logit(double y) {
        y = Math.min(1 - 1e-4, Math.max(1e-4, y));
        return (float) Math.log(y / (1 - y));
    }

    static float[] resonances(ModelConfig c, long seed) {
        int k = c.resonanceWindow / 2 + 1;
        int hop = c.resonanceWindow / 2;
        double binHz = c.sampleRate / (double) c.resonanceWindow;
        float[] r = new float[c.nResonances * 3 * k];
        SplittableRandom rng = new SplittableRandom(seed * 31 + 7);
        for (int row = 0; row < c.nResonances; row++) {
            int base = row * 3 * k;
            for (int b = 0; b < k; b++) {
                r[base + b] = -8f;                                   // silent bins die at once
                r[base + k + b] = (float) ((rng.nextDouble() * 2 - 1) * 0.5);   // start phase
                r[base + 2 * k + b] = -8f;                           // and start with no energy
            }
            double midi = 28 + rng.nextDouble() * 72;
            double f0 = 440 * Math.pow(2, (midi - 69) / 12);
            boolean harmonic = rng.nextDouble() < 0.7;
            double stiffness = harmonic ? rng.nextDouble() * 1e-3 : 0;
            double bellExponent = 1.3 + rng.nextDouble() * 0.9;
            double rolloff = 0.5 + rng.nextDouble() * 1.5;
            double t60 = 0.05 * Math.pow(80, rng.nextDouble());      // 50 ms .. 4 s
            int partials = 1 + rng.nextInt(24);
            for (int h = 1; h <= partials; h++) {
                double f = harmonic ? h * f0 * Math.sqrt(1 + stiffness * h * h) : f0 * Math.pow(h, bellExponent);
                if (f >= c.sampleRate / 2.0 - binHz) break;
                int bin = (int) Math.round(f / binHz);
                double amp = 1 / Math.pow(h, rolloff);
                double t = t60 / (1 + 0.25 * (h - 1));
                double perHop = Math.exp(-6.907755 * hop / (c.sampleRate * t));
                double unit = (perHop - c.baseResonance) / (0.9999 * (1 - c.baseResonance));
                r[base + bin] = Math.max(r[base + bin], logit(unit));
                r[base + 2 * k + bin] = Math.max(r[base + 2 * k + bin], logit(amp));
            }
        }
        return r;
    }

    static float[] envelopes(ModelConfig c, long seed) {
        int imp = c.envelopeImpulses;
        int res = c.envelopeResolution;
        float[] e = new float[c.nEnvelopes * imp * res];
        SplittableRandom rng = new SplittableRandom(seed * 131 + 3);
        for (int row = 0; row < c.nEnvelopes; row++) {
            double spread = Math.pow(rng.nextDouble(), 2) * res * 0.35;   // most attacks are short
            double shape = 0.5 + rng.nextDouble() * 2;
            boolean swell = rng.nextDouble() < 0.2;
            for (int j = 0; j < imp; j++) {
                int base = (row * imp + j) * res;
                for (int q = 0; q < res; q++) e[base + q] = (float) ((rng.nextDouble() * 2 - 1) * 0.02);
                double u = j / (double) imp;
                int pos = (int) Math.min(res - 1, Math.round(spread * Math.pow(u, shape)));
                // a larger logit means a spike nearer height 1 after the sparse softmax
                double height = swell ? 2 + 6 * u : 8 - 6 * u;
                e[base + pos] += (float) height;
            }
        }
        return e;
    }
}
