package dev.siac.codec;

import java.util.Arrays;

/**
 * The decoder's band balance: for each stretch of {@link #hop()} samples, one gain per octave band in
 * {@link #STEP_DB} dB steps, applied to the decoded sum of the events ({@link BalanceFilter}). The events remove
 * energy in the seed's sense (L1 on linear magnitudes), whose optimum in a cell they cannot match is the median, and
 * their spectra cannot carry every balance: decodes come out several dB low in some octaves (800-1600 Hz most) and
 * by different amounts from one passage to the next. The encoder, which holds the input and the decode, measures the
 * balance each stretch would need on mel_l1's own terms (one window's level fit and then this, {@code Codec}), and
 * stores it: eight bytes a frame (by default an eighth of a window hop, 0.37 s with the bundled models), about 0.17
 * kbit/s.
 *
 * <p>The balance belongs to time, not to events, like the silent spans and like a mixing desk's EQ automation: an
 * edit that moves an event moves it under another stretch's balance. Band b's gain is centred at
 * {@code lowestHz * 2^b}; between centres the gain in dB is interpolated linearly in log frequency, beyond the end
 * centres it is the end band's. The bundled layout centres its bands on the octaves of docs/METRICS.md's level
 * bands (100-200 Hz ... 6.4 kHz-Nyquist), with one below them.
 */
public final class Balance {

    /** The size of one step of a code, in dB. */
    public static final double STEP_DB = 0.5;

    /** Bands the encoder measures: centres 70.7 Hz ... 9.05 kHz, one an octave. */
    public static final int BANDS = 8;

    /** The encoder's lowest centre: the geometric middle of an octave below 100 Hz (100 / sqrt 2). */
    public static final float LOWEST_HZ = (float) (100 / Math.sqrt(2));

    /**
     * The largest |gain| the encoder stores, in dB: codes within +-{@link #MAX_CODE}. At 12 dB the bound held most
     * frames of band-limited speech's top band and of quiet bass (validation speech mel_l1 0.406; at 24 dB 0.383, the
     * same bytes: models/default/MODEL_CARD.md).
     */
    public static final double MAX_DB = 24;

    static final int MAX_CODE = (int) Math.round(MAX_DB / STEP_DB);

    /** No balance: the decoder passes the events' sum unchanged. */
    public static final Balance NONE = new Balance(1, BANDS, LOWEST_HZ, new byte[0]);

    private final int hop;
    private final int bands;
    private final float lowestHz;
    /** frames x bands, frame-major. */
    private final byte[] codes;

    private Balance(int hop, int bands, float lowestHz, byte[] codes) {
        this.hop = hop;
        this.bands = bands;
        this.lowestHz = lowestHz;
        this.codes = codes;
    }

    /**
     * A balance of codes.length / bands frames.
     *
     * @throws IllegalArgumentException unless hop &ge; 1, bands in 1..255, lowestHz finite and &gt; 0, and codes a
     *                                  whole number of frames
     */
    public static Balance of(int hop, int bands, float lowestHz, byte[] codes) {
        if (hop < 1) throw new IllegalArgumentException("balance hop must be >= 1 sample, got " + hop);
        if (bands < 1 || bands > 255) throw new IllegalArgumentException("balance bands must be in 1..255, got " + bands);
        if (!(lowestHz > 0) || !Float.isFinite(lowestHz)) {
            throw new IllegalArgumentException("balance lowest centre must be finite and > 0 Hz, got " + lowestHz);
        }
        if (codes.length % bands != 0) {
            throw new IllegalArgumentException("balance: " + codes.length + " codes are not whole frames of " + bands + " bands");
        }
        return codes.length == 0 ? NONE : new Balance(hop, bands, lowestHz, codes.clone());
    }

    /** The code nearest to a gain in dB, within +-{@link #MAX_CODE}. */
    public static byte code(double db) {
        long c = Math.round(db / STEP_DB);
        return (byte) Math.max(-MAX_CODE, Math.min(MAX_CODE, c));
    }

    public boolean isEmpty() {
        return codes.length == 0;
    }

    /** Samples per frame. */
    public int hop() {
        return hop;
    }

    public int bands() {
        return bands;
    }

    /** Band 0's centre in Hz; band b's is lowestHz * 2^b. */
    public float lowestHz() {
        return lowestHz;
    }

    public int frames() {
        return codes.length / bands;
    }

    public byte code(int frame, int band) {
        return codes[frame * bands + band];
    }

    public double gainDb(int frame, int band) {
        return code(frame, band) * STEP_DB;
    }

    /** The codes, frame-major (a copy). */
    public byte[] codes() {
        return codes.clone();
    }

    /** The frame that governs sample time t: floor(t / hop), held at the first and last frame beyond the ends. */
    public int frameAt(long t) {
        if (t < 0) return 0;
        return (int) Math.min(frames() - 1, t / hop);
    }

    /** Whether every code is 0 (the decoder would pass the sum unchanged). */
    public boolean isFlat() {
        for (byte b : codes) if (b != 0) return false;
        return true;
    }

    /**
     * Frame's linear gain at each of nFft / 2 + 1 real-FFT bins at sampleRate: dB interpolated linearly in log2
     * frequency between band centres, the end bands' beyond them (DC takes band 0's).
     */
    public void binGains(int frame, int sampleRate, int nFft, float[] out) {
        int half = nFft / 2 + 1;
        for (int k = 0; k < half; k++) out[k] = (float) Math.pow(10, gainDbAt(frame, k * (double) sampleRate / nFft) / 20);
    }

    /** Frame's gain in dB at frequency hz (see {@link #binGains}). */
    public double gainDbAt(int frame, double hz) {
        double x = position(hz, bands, lowestHz);
        int i = (int) Math.floor(x);
        if (i >= bands - 1) return gainDb(frame, bands - 1);
        double frac = x - i;
        return (1 - frac) * gainDb(frame, i) + frac * gainDb(frame, i + 1);
    }

    /**
     * Where hz lies among the band centres of a layout, in bands: log2(hz / lowestHz) held to [0, bands - 1]. Its
     * whole part is the band below, its fraction the share of the band above: the one interpolation of the gains in
     * frequency, which the decoder applies and the encoder's search assumes.
     */
    static double position(double hz, int bands, float lowestHz) {
        if (bands == 1 || !(hz > lowestHz)) return 0;
        double x = Math.log(hz / lowestHz) / Math.log(2);
        return Math.min(x, bands - 1);
    }

    /** The frames from the one that governs sample start on, for a signal that begins there. */
    public Balance from(long start) {
        if (isEmpty() || start <= 0) return this;
        int first = frameAt(start);
        return new Balance(hop, bands, lowestHz, Arrays.copyOfRange(codes, first * bands, codes.length));
    }

    /** With each frame's span scaled by factor (a time stretch of the events): the hop, rounded, at least 1. */
    public Balance scaled(double factor) {
        if (isEmpty()) return this;
        long h = Math.max(1, Math.round(hop * factor));
        if (h > Integer.MAX_VALUE) throw new IllegalArgumentException("balance hop " + h + " samples is too long");
        return new Balance((int) h, bands, lowestHz, codes);
    }

    /** Frames that start before length only (at least one frame is kept of a non-empty balance). */
    public Balance trimmed(long length) {
        if (isEmpty()) return this;
        long keep = Math.max(1, (length + hop - 1) / hop);
        if (keep >= frames()) return this;
        return new Balance(hop, bands, lowestHz, Arrays.copyOf(codes, (int) keep * bands));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Balance b && (isEmpty() ? b.isEmpty()
                : hop == b.hop && bands == b.bands && Float.compare(lowestHz, b.lowestHz) == 0 && Arrays.equals(codes, b.codes));
    }

    @Override
    public int hashCode() {
        return isEmpty() ? 0 : 31 * (31 * (31 * hop + bands) + Float.hashCode(lowestHz)) + Arrays.hashCode(codes);
    }

    @Override
    public String toString() {
        if (isEmpty()) return "no balance";
        int lo = 0, hi = 0;
        for (byte b : codes) {
            lo = Math.min(lo, b);
            hi = Math.max(hi, b);
        }
        return String.format(java.util.Locale.ROOT, "%d frames of %d samples x %d bands, %+.1f..%+.1f dB",
                frames(), hop, bands, lo * STEP_DB, hi * STEP_DB);
    }
}
