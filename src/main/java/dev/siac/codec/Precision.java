package dev.siac.codec;

import java.util.Locale;

/**
 * How event vectors and amplitudes are stored in a {@code .siac} file (see docs/FORMAT.md). Times are always exact.
 */
public enum Precision {
    /** 32-bit floats: lossless. */
    F32,
    /** IEEE half floats: about 3 significant digits, magnitudes saturate at 65504. */
    F16,
    /** 8-bit codes: per-dimension linear grid for vectors, per-file logarithmic grid for amplitudes. */
    Q8,
    /**
     * Q8's grids with 4-bit vector codes (15 steps per dimension, two codes per byte); amplitudes as Q8. Half of Q8's
     * bytes per event, at no measurable cost in mel distance for the shipped models (docs/FORMAT.md).
     */
    Q4;

    /** Whether values are codes on a grid (Q8, Q4). */
    public boolean quantized() {
        return this == Q8 || this == Q4;
    }

    /** The largest vector code of a quantised precision (255 or 15). */
    int maxCode() {
        return this == Q4 ? 15 : 255;
    }

    /** Bytes of one event's vector of dim components. */
    int vectorBytes(int dim) {
        return switch (this) {
            case F32 -> 4 * dim;
            case F16 -> 2 * dim;
            case Q8 -> dim;
            case Q4 -> (dim + 1) / 2;
        };
    }

    /** Parses "f32", "F16", "q8", "q4" (case-insensitive); the message lists the accepted names. */
    public static Precision parse(String name) {
        if (name != null) {
            for (Precision p : values()) {
                if (p.name().equalsIgnoreCase(name.trim())) return p;
            }
        }
        throw new IllegalArgumentException("unknown precision '" + name + "' (expected f32, f16, q8 or q4)");
    }

    /** Lower-case name as used on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
