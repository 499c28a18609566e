package dev.siac.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Report data with known structure: decaying sines in two families whose vectors form two clusters. */
final class SyntheticReport {

    static final int SR = 22050;

    private SyntheticReport() {
    }

    static float[] decayingSine(double hz, double decayPerSecond, double seconds, double gain) {
        float[] x = new float[(int) (seconds * SR)];
        for (int i = 0; i < x.length; i++) {
            double t = i / (double) SR;
            double attack = Math.min(1, i / 64.0);
            x[i] = (float) (gain * attack * Math.exp(-decayPerSecond * t) * Math.sin(2 * Math.PI * hz * t));
        }
        return x;
    }

    static float[] envelope(float[] x, int values) {
        float[] env = new float[values];
        int block = Math.max(1, x.length / values);
        for (int k = 0; k < values; k++) {
            double s = 0;
            int n = 0;
            for (int i = k * block; i < Math.min(x.length, (k + 1) * block); i++, n++) s += Math.abs(x[i]);
            env[k] = n == 0 ? 0 : (float) (s / n);
        }
        return env;
    }

    static void addAt(float[] mix, float[] event, double seconds) {
        int offset = (int) Math.round(seconds * SR);
        for (int i = 0; i < event.length && offset + i < mix.length; i++) mix[offset + i] += event[i];
    }

    static ReportData build(int nEvents, boolean withStreaming) {
        Random r = new Random(11);
        double duration = 3.0;
        float[] original = new float[(int) (duration * SR)];
        float[] reconstruction = new float[original.length];
        float[] randomVectors = new float[original.length];
        float[] randomTimes = new float[original.length];
        float[] perturbed = new float[original.length];
        List<EventView> events = new ArrayList<>();
        int bins = 257;
        int frames = 130;
        float[][] contributions = new float[nEvents][bins * frames];
        for (int i = 0; i < nEvents; i++) {
            boolean low = i % 2 == 0;
            double hz = low ? 220 * (1 + 0.05 * (i / 2)) : 1760 * (1 + 0.05 * (i / 2));
            double time = 0.1 + 2.4 * i / nEvents;
            float amp = (float) (0.25 + 0.2 * r.nextDouble());
            float[] audio = decayingSine(hz, low ? 4 : 9, 1.0, amp);
            float[] vector = new float[32];
            for (int c = 0; c < 32; c++) vector[c] = (float) (r.nextGaussian() * 0.3 + (c < 8 ? (low ? -2 : 2) : 0));
            events.add(new EventView(time, amp, vector, audio, envelope(audio, 64)));
            addAt(reconstruction, audio, time);
            addAt(original, audio, time);
            addAt(randomVectors, decayingSine(300 + 900 * r.nextDouble(), 6, 1.0, amp), time);
            addAt(randomTimes, audio, 2.4 * r.nextDouble());
            addAt(perturbed, decayingSine(hz * 1.12, low ? 4 : 9, 1.0, amp), time);
            int bin = (int) Math.round(hz / (SR / 2.0) * (bins - 1));
            int frame = (int) (time * frames / duration);
            for (int f = frame; f < frames; f++) {
                double decay = Math.exp(-(f - frame) * 0.12);
                for (int b = Math.max(0, bin - 2); b <= Math.min(bins - 1, bin + 2); b++) {
                    contributions[i][b * frames + f] += (float) (amp * decay * (1 - Math.abs(b - bin) * 0.3));
                }
            }
        }
        for (int i = 0; i < original.length; i++) original[i] += (float) (0.01 * r.nextGaussian());
        List<float[]> residuals = new ArrayList<>();
        for (int step = 0; step < nEvents; step++) {
            float[] res = new float[bins * frames];
            for (int j = step + 1; j < nEvents; j++) for (int k = 0; k < res.length; k++) res[k] += contributions[j][k];
            for (int k = 0; k < res.length; k++) res[k] += 0.002f;
            residuals.add(res);
        }
        float[][] deformation = new float[4][64];
        for (int t = 0; t < 64; t++) {
            double[] w = {Math.exp(-t / 20.0), t / 64.0, 0.3 + 0.3 * Math.sin(t / 6.0), 0.1};
            double s = w[0] + w[1] + w[2] + w[3];
            for (int c = 0; c < 4; c++) deformation[c][t] = (float) (w[c] / s);
        }
        float[] chosen = events.get(0).audio();
        float[] impulse = new float[chosen.length];
        for (int i = 0; i < 400; i++) impulse[i] = (float) (r.nextGaussian() * Math.exp(-i / 80.0));
        float[] wet = chosen.clone();
        for (int i = 2000; i < wet.length; i++) wet[i] += 0.3f * chosen[i - 2000];
        EventSteps steps = new EventSteps(impulse, chosen, deformation, wet);
        float[] streamOriginal = null;
        float[] streamReconstruction = null;
        if (withStreaming) {
            streamOriginal = new float[original.length * 2];
            streamReconstruction = new float[original.length * 2];
            addAt(streamOriginal, original, 0);
            addAt(streamOriginal, original, duration);
            addAt(streamReconstruction, reconstruction, 0);
            addAt(streamReconstruction, reconstruction, duration);
        }
        Map<String, String> numbers = new LinkedHashMap<>();
        numbers.put("duration", String.format("%.2f s", duration));
        numbers.put("events", Integer.toString(nEvents));
        numbers.put("events per second", String.format("%.2f", nEvents / duration));
        numbers.put("bitrate", "1.23 kbps");
        numbers.put("energy removed", "97.5 %");
        numbers.put("mel L1 <test & escape>", "0.42");
        return new ReportData("Synthetic decaying sines", SR, original, reconstruction, events, steps, residuals, bins, frames,
                randomVectors, randomTimes, perturbed, streamOriginal, streamReconstruction, numbers);
    }
}
