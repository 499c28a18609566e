package dev.siac.audio;

/** Mono audio: samples in [-1, 1] nominal range at a sample rate. The array is owned by the signal. */
public record Signal(float[] samples, int sampleRate) {

    public int length() {
        return samples.length;
    }

    public double durationSeconds() {
        return samples.length / (double) sampleRate;
    }

    public double rms() {
        double s = 0;
        for (float v : samples) s += (double) v * v;
        return samples.length == 0 ? 0 : Math.sqrt(s / samples.length);
    }

    public float peak() {
        return dev.siac.dsp.Levels.peak(samples);
    }
}
