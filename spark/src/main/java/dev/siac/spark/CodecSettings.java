package dev.siac.spark;

import dev.siac.Siac;
import dev.siac.codec.Codec;
import dev.siac.codec.Precision;
import java.io.Serializable;

/**
 * The encoder settings a job was given, as siac encode's flags: null/0 means the model's own. Their text, with the
 * encoder's revision ({@link Codec#ENCODER_REVISION}: a file encoded by an older siac is encoded again), is part of
 * what makes a manifest row "already done".
 */
record CodecSettings(String precision, Integer maxEventsPerWindow, int refineSteps, Double kbps, Double mergeTwins)
        implements Serializable {
    CodecSettings(String precision, Integer maxEventsPerWindow, int refineSteps) {
        this(precision, maxEventsPerWindow, refineSteps, null, null);
    }

    CodecSettings {
        if (kbps != null && !(kbps > 0 && kbps < 1000)) throw new IllegalArgumentException("--kbps must be in (0, 1000), got " + kbps);
        if (mergeTwins != null && !(mergeTwins >= -1 && mergeTwins <= 1)) {
            throw new IllegalArgumentException("--merge-twins must be a cosine in [-1, 1] (1: no merging), got " + mergeTwins);
        }
        if (precision != null) Precision.parse(precision); // refuse a bad name on the driver, before any task
        if (maxEventsPerWindow != null && maxEventsPerWindow < 1) throw new IllegalArgumentException("--max-events-per-window must be at least 1");
        if (refineSteps < 0) throw new IllegalArgumentException("--refine must be at least 0");
    }

    Codec.Options options(Siac siac) {
        Codec.Options d = siac.defaultOptions();
        Precision p = precision == null ? d.precision() : Precision.parse(precision);
        int max = maxEventsPerWindow == null ? d.maxEventsPerWindow() : maxEventsPerWindow;
        Codec.Options o = new Codec.Options(max, d.stopBelow(), p, refineSteps, Codec.Options.DEFAULT_REFINE_LR, 0,
                d.mergeCosine(), d.mergeWithinSamples()).withLevelFit(d.levelFit())
                .withBalance(d.balance()); // siac encode's defaults
        if (kbps != null) o = o.withTargetKbps(kbps);
        if (mergeTwins != null) o = o.withMergeTwins(mergeTwins);
        return o;
    }

    /** How siac eval names this codec ("siac", "siac-q8", "siac-refine4"). */
    String codecName() {
        String name = precision == null || Precision.parse(precision) == Codec.Options.DEFAULT_PRECISION
                ? "siac" : "siac-" + Precision.parse(precision).label();
        return refineSteps > 0 ? name + "-refine" + refineSteps : name;
    }

    @Override
    public String toString() {
        return "precision=" + (precision == null ? "default" : Precision.parse(precision).label())
                + " max_events_per_window=" + (maxEventsPerWindow == null ? "default" : maxEventsPerWindow)
                + " refine=" + refineSteps
                + (kbps == null ? "" : " kbps=" + kbps)
                + (mergeTwins == null ? "" : " merge_twins=" + mergeTwins)
                + " encoder=" + Codec.ENCODER_REVISION;
    }
}
