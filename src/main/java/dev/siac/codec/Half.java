package dev.siac.codec;

/**
 * IEEE 754 binary16 conversions. Java 17 has no Float.floatToFloat16 (it arrived in Java 20), so the rounding
 * is done here: round-to-nearest, ties to even, like hardware and NumPy.
 */
final class Half {

    /** Largest finite half: 65504. */
    static final float MAX_VALUE = 65504f;

    private Half() {
    }

    static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) {
            // keep NaN a NaN even when its payload lives only in the low bits that are dropped
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        }
        int e = exp - 112; // re-biased exponent: 127 -> 15
        if (e >= 0x1f) return (short) (sign | 0x7c00);
        if (e <= 0) {
            if (e < -10) return (short) sign; // below half of the smallest subnormal half: rounds to zero
            int m = mant | 0x800000;
            int shift = 14 - e;
            int result = m >>> shift;
            int rem = m & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rem > halfway || (rem == halfway && (result & 1) != 0)) result++;
            return (short) (sign | result); // a carry into 0x400 is the smallest normal, which is correct
        }
        int result = (e << 10) | (mant >>> 13);
        int rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (result & 1) != 0)) result++; // a carry may reach infinity: correct
        return (short) (sign | result);
    }

    static float toFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        if (exp == 0) {
            float v = mant * 0x1p-24f; // exact: at most 10 significant bits
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** The value a half can store for f, with magnitudes beyond 65504 saturated instead of becoming infinite. */
    static short fromFloatSaturating(float f) {
        if (f > MAX_VALUE) return fromFloat(MAX_VALUE);
        if (f < -MAX_VALUE) return fromFloat(-MAX_VALUE);
        return fromFloat(f);
    }
}
