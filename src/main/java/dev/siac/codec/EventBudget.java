package dev.siac.codec;

/**
 * How many events each window of the streaming encoder may place.
 *
 * <p>A window places onsets in its onset half only, and every sample of the input lies in exactly one onset half. A
 * window whose onset half holds only part of new audio (the last window of a file) gets a share of the events in
 * proportion to the audio it holds, so events per second, and so the bitrate, do not depend on where a file ends.
 *
 * <p>With a target bitrate the budget is an account: each window is credited its share of the target's events and
 * debited what it places. A window gets its share weighted by how much energy its residual holds against the running
 * mean of the windows so far, to a quarter power (more events where there is more to remove, fewer where there is
 * little; see {@link #WEIGHT_POWER}), plus half of what earlier windows left unspent or overspent (the last window
 * gets all that is owed), within [0, cap]. What a window leaves unspent (silence, or an encoder that stops early) is
 * spent later, so the file's total follows the target.
 */
final class EventBudget {
    /** Energy weights are kept within [1/MAX_WEIGHT, MAX_WEIGHT]. */
    static final double MAX_WEIGHT = 4;
    /**
     * How strongly a window's share follows its energy: its share times (energy / running mean)^WEIGHT_POWER. Measured
     * at 2 kbps (q8, default model; mel_l1 of the whole file): on 74 s of orchestral music 0 -> 0.790, 0.25 -> 0.798,
     * 0.5 -> 0.825, 1 -> 0.893; on 145 s of speech 0 -> 0.574, 0.25 -> 0.573, 1 -> 0.583. Following the energy
     * linearly starves quiet passages, which a log-spectral distance punishes; a quarter power keeps the loud-quiet
     * ordering at no measurable cost.
     */
    static final double WEIGHT_POWER = 0.25;

    private final int cap;
    /** Events a full window is credited; NaN without a target (then every full window gets cap). */
    private final double perWindow;
    private double owed;
    private double energySum;
    private long energyWindows;

    private EventBudget(int cap, double perWindow) {
        if (cap < 1) throw new IllegalArgumentException("at most " + cap + " events per window: must be at least 1");
        this.cap = cap;
        this.perWindow = perWindow;
    }

    /** Every full window gets up to cap events; a partial one its share. */
    static EventBudget fixed(int cap) {
        return new EventBudget(cap, Double.NaN);
    }

    /**
     * A budget that spends eventsPerWindow events per full window on average, at most cap in one window.
     */
    static EventBudget average(double eventsPerWindow, int cap) {
        if (!(eventsPerWindow > 0) || Double.isInfinite(eventsPerWindow)) {
            throw new IllegalArgumentException("events per window must be positive, got " + eventsPerWindow);
        }
        return new EventBudget(cap, eventsPerWindow);
    }

    /**
     * Events per full window (of advanceSamples new samples at sampleRate) that meet a bitrate of kbps, the file's
     * header included when its length is known (lengthSamples >= 0; otherwise the header is left out, which matters
     * only for short files).
     */
    static double eventsPerWindowForKbps(double kbps, Precision p, int dim, long lengthSamples, int sampleRate,
                                         int advanceSamples) {
        return eventsPerWindowForKbps(kbps, p, dim, lengthSamples, sampleRate, advanceSamples, 0);
    }

    /** As above, where sideBytesPerSecond of the file go to what is not events (the band balance). */
    static double eventsPerWindowForKbps(double kbps, Precision p, int dim, long lengthSamples, int sampleRate,
                                         int advanceSamples, double sideBytesPerSecond) {
        if (!(kbps > 0) || Double.isInfinite(kbps)) throw new IllegalArgumentException("target bitrate must be positive, got " + kbps);
        double bytesPerSecond = kbps * 1000 / 8 - sideBytesPerSecond;
        if (lengthSamples > 0) bytesPerSecond -= SiacFormat.estimatedHeaderBytes(p, dim) * (double) sampleRate / lengthSamples;
        double eventsPerSecond = bytesPerSecond / SiacFormat.estimatedEventBytes(p, dim);
        if (!(eventsPerSecond > 0)) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "%.3f kbps is below what the file's header alone takes for %.1f s of audio", kbps,
                    lengthSamples / (double) sampleRate));
        }
        return eventsPerSecond * advanceSamples / sampleRate;
    }

    /**
     * The events a window may place.
     *
     * @param newCols  frames of the window's onset half that hold audio (all but the last window: every one)
     * @param cols     frames of an onset half
     * @param energy   the residual's L1 over the onset half before the window's events
     * @param last     whether no window follows
     */
    int allot(int newCols, int cols, double energy, boolean last) {
        if (Double.isNaN(perWindow)) return (int) (((long) cap * newCols + cols - 1) / cols);
        double due = perWindow * newCols / cols;
        double before = owed;
        owed += due;
        if (!(energy > 0)) return 0;
        energySum += energy;
        energyWindows++;
        double mean = energySum / energyWindows;
        double weight = Math.max(1 / MAX_WEIGHT, Math.min(MAX_WEIGHT, Math.pow(energy / mean, WEIGHT_POWER)));
        double want = last ? owed : due * weight + 0.5 * before;
        return (int) Math.max(0, Math.min(cap, Math.round(want)));
    }

    /** Records that a window placed n events. */
    void spent(int n) {
        owed -= n;
    }
}
