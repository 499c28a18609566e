package dev.siac.codec;

import java.util.Arrays;

/**
 * The quantisation grid of a Q8 file as stored in its header: the amplitude scale and each dimension's range.
 *
 * <p>An {@link EventList} read from a Q8 file remembers it so that an edit which only removes, moves or copies
 * events can be written back on the same grid: recomputing the grid from the edited events would move every kept
 * vector (the ranges shrink when extreme events are deleted) and so change the decoded audio everywhere. The writer
 * reuses a remembered grid only where the values still lie exactly on it.
 */
final class Q8Grid {

    final float ampMin;
    final float ampMax;
    private final float[] lo;
    private final float[] hi;

    /** Takes the arrays as given: callers hand over arrays nobody else holds. */
    Q8Grid(float ampMin, float ampMax, float[] lo, float[] hi) {
        if (lo.length != hi.length) throw new IllegalArgumentException("range bounds differ in length");
        this.ampMin = ampMin;
        this.ampMax = ampMax;
        this.lo = lo;
        this.hi = hi;
    }

    int dim() {
        return lo.length;
    }

    float lo(int d) {
        return lo[d];
    }

    float hi(int d) {
        return hi[d];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Q8Grid g
                && Float.floatToIntBits(ampMin) == Float.floatToIntBits(g.ampMin)
                && Float.floatToIntBits(ampMax) == Float.floatToIntBits(g.ampMax)
                && Arrays.equals(lo, g.lo)
                && Arrays.equals(hi, g.hi);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * Float.hashCode(ampMin) + Float.hashCode(ampMax)) + Arrays.hashCode(lo)) + Arrays.hashCode(hi);
    }
}
