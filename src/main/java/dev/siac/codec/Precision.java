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
    Q8;

    /** Parses "f32", "F16", "q8" (case-insensitive); the message lists the accepted names. */
    public static Precision parse(String name) {
        if (name != null) {
            for (Precision p : values()) {
                if (p.name().equalsIgnoreCase(name.trim())) return p;
            }
        }
        throw new IllegalArgumentException("unknown precision '" + name + "' (expected f32, f16 or q8)");
    }

    /** Lower-case name as used on the command line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
