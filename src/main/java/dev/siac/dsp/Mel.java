package dev.siac.dsp;

/**
 * Slaney's mel scale and its triangular filters, as librosa.filters.mel(htk=False, norm='slaney'): the mel bands of
 * mel_l1 (docs/METRICS.md), which the evaluation scores with and the encoder's level fit aims at.
 */
public final class Mel {
    private static final double F_SP = 200.0 / 3;
    private static final double MIN_LOG_HZ = 1000.0;
    private static final double MIN_LOG_MEL = MIN_LOG_HZ / F_SP; // 15
    private static final double LOG_STEP = Math.log(6.4) / 27.0;

    private Mel() {}

    /** Slaney's mel scale: linear below 1 kHz (200/3 Hz per mel), logarithmic above. */
    public static double hzToMel(double hz) {
        if (hz >= MIN_LOG_HZ) return MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP;
        return hz / F_SP;
    }

    public static double melToHz(double mel) {
        if (mel >= MIN_LOG_MEL) return MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL));
        return mel * F_SP;
    }

    /**
     * Triangular mel filters [nMels][nFft/2+1] with Slaney area normalisation (each triangle scaled by
     * 2/(upper-lower edge in Hz)).
     */
    public static double[][] filterbank(int sampleRate, int nFft, int nMels, double fMin, double fMax) {
        int bins = nFft / 2 + 1;
        double[] fft = new double[bins];
        for (int k = 0; k < bins; k++) fft[k] = k * (sampleRate / 2.0) / (bins - 1);
        double lo = hzToMel(fMin), hi = hzToMel(fMax);
        double[] edges = new double[nMels + 2];
        for (int i = 0; i < edges.length; i++) edges[i] = melToHz(lo + (hi - lo) * i / (nMels + 1));
        double[][] w = new double[nMels][bins];
        for (int m = 0; m < nMels; m++) {
            double left = edges[m], centre = edges[m + 1], right = edges[m + 2];
            double norm = 2.0 / (right - left);
            for (int k = 0; k < bins; k++) {
                double rising = (fft[k] - left) / (centre - left);
                double falling = (right - fft[k]) / (right - centre);
                w[m][k] = Math.max(0.0, Math.min(rising, falling)) * norm;
            }
        }
        return w;
    }
}
