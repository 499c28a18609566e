package dev.siac.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Axis arithmetic shared by the charts (eval's quality-vs-bitrate PNG, training's loss plot, the report's SVGs). */
public final class Charts {
    private Charts() {}

    /** The smallest of 1, 2, 5 x 10^k not below raw: a tick spacing people read at a glance. */
    public static double niceStep(double raw) {
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) if (m * mag >= raw) return m * mag;
        return 10 * mag;
    }

    /** Smallest of 1, 2, 2.5, 5 x 10^k not below v, so five grid steps up to it land on readable numbers. */
    public static double niceCeil(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) if (m * p >= v - 1e-12 * p) return m * p;
        return 10 * p;
    }

    /** Multiples of niceStep((hi - lo) / about) inside [lo, hi]. */
    public static List<Double> linearTicks(double lo, double hi, int about) {
        List<Double> out = new ArrayList<>();
        if (!(hi > lo) || about < 1) return out;
        double step = niceStep((hi - lo) / about);
        for (double v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step) out.add(v + 0.0); // no -0
        return out;
    }

    /** 1-2-5 steps inside [lo, hi]; only the decades when that would crowd the axis. */
    public static List<Double> logTicks(double lo, double hi) {
        List<Double> all = new ArrayList<>(), decades = new ArrayList<>();
        for (int e = (int) Math.floor(Math.log10(lo)); e <= (int) Math.ceil(Math.log10(hi)); e++) {
            for (double m : new double[] {1, 2, 5}) {
                double v = m * Math.pow(10, e);
                if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9)) continue;
                all.add(v);
                if (m == 1) decades.add(v);
            }
        }
        return all.size() <= 12 || decades.size() < 2 ? all : decades;
    }

    /** A tick label: at most `decimals` decimals, trailing zeros (and a bare point) dropped. */
    public static String label(double v, int decimals) {
        String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
        if (s.contains(".")) s = s.replaceAll("0+$", "");
        s = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        return s.equals("-0") ? "0" : s;
    }
}
