package dev.siac.report;
import java.util.Locale;

/** Colour maps for values in [0, 1], as piecewise-linear ramps through a few anchor colours. */
public enum Colormap {
    GRAY(0x000000, 0xffffff),
    /** Black - red - yellow - white, like matplotlib's "hot" (the seed's spectrogram and deformation colours). */
    HOT(0x0b0000, 0x8f0000, 0xff1400, 0xff9800, 0xffff30, 0xffffff),
    /** Perceptually ordered dark purple - orange - pale yellow, for spectrograms. */
    MAGMA(0x000004, 0x140e36, 0x3b0f70, 0x641a80, 0x8c2981, 0xb73779, 0xde4968, 0xf7705c, 0xfe9f6d, 0xfecf92, 0xfcfdbf),
    /** Perceptually ordered blue - green - yellow, for the event-vector matrix (the seed's choice). */
    VIRIDIS(0x440154, 0x482475, 0x414487, 0x355f8d, 0x2a788e, 0x21918c, 0x22a884, 0x44bf70, 0x7ad151, 0xbddf26, 0xfde725);

    private final int[] anchors;

    Colormap(int... anchors) {
        this.anchors = anchors;
    }

    /** Packed 0xRRGGBB for {@code value}; values outside [0, 1] are clamped, NaN maps to the low end. */
    public int rgb(double value) {
        double v = Double.isNaN(value) ? 0 : Math.max(0, Math.min(1, value));
        double pos = v * (anchors.length - 1);
        int i = Math.min((int) pos, anchors.length - 2);
        double f = pos - i;
        int a = anchors[i];
        int b = anchors[i + 1];
        int r = mix((a >> 16) & 0xff, (b >> 16) & 0xff, f);
        int g = mix((a >> 8) & 0xff, (b >> 8) & 0xff, f);
        int bl = mix(a & 0xff, b & 0xff, f);
        return (r << 16) | (g << 8) | bl;
    }

    /** CSS colour for {@code value}, e.g. for legends drawn in the page. */
    public String css(double value) {
        return String.format(Locale.ROOT, "#%06x", rgb(value));
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round(a + (b - a) * f);
    }
}
