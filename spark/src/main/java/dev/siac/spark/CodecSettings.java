package dev.siac.spark;

import dev.siac.Siac;
import dev.siac.codec.Codec;
import dev.siac.codec.Precision;
import java.io.Serializable;

/**
 * The encoder settings a job was given, as siac encode's flags: null/0 means the model's own. Their text is part of
 * what makes a manifest row "already done".
 */
record CodecSettings(String precision, Integer maxEventsPerWindow, int refineSteps) implements Serializable {
    CodecSettings {
        if (precision != null) Precision.parse(precision); // refuse a bad name on the driver, before any task
        if (maxEventsPerWindow != null && maxEventsPerWindow < 1) throw new IllegalArgumentException("--max-events-per-window must be at least 1");
        if (refineSteps < 0) throw new IllegalArgumentException("--refine must be at least 0");
    }

    Codec.Options options(Siac siac) {
        Codec.Options d = siac.defaultOptions();
        Precision p = precision == null ? d.precision() : Precision.parse(precision);
        int max = maxEventsPerWindow == null ? d.maxEventsPerWindow() : maxEventsPerWindow;
        return new Codec.Options(max, d.stopBelow(), p).withRefine(refineSteps, Codec.Options.DEFAULT_REFINE_LR);
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
                + " refine=" + refineSteps;
    }
}
