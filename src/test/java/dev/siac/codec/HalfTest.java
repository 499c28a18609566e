package dev.siac.codec;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HalfTest {

    @Test
    void knownValues() {
        assertEquals((short) 0x3c00, Half.fromFloat(1f));
        assertEquals((short) 0xc000, Half.fromFloat(-2f));
        assertEquals((short) 0x7bff, Half.fromFloat(65504f));
        assertEquals((short) 0x7bff, Half.fromFloat(65519.99f), "just below the midpoint to infinity");
        assertEquals((short) 0x7c00, Half.fromFloat(65520f), "the midpoint ties to even: infinity");
        assertEquals((short) 0x0001, Half.fromFloat(0x1p-24f), "smallest subnormal");
        assertEquals((short) 0x0000, Half.fromFloat(0x1p-25f), "half of it ties to even: zero");
        assertEquals((short) 0x0001, Half.fromFloat(0x1.000002p-25f));
        assertEquals((short) 0x0400, Half.fromFloat(0x1p-14f), "smallest normal");
        assertEquals((short) 0x0400, Half.fromFloat(0x1.ffcp-15f), "largest subnormal rounds up into the normals");
        assertEquals((short) 0x2e66, Half.fromFloat(0.1f));
        assertEquals((short) 0x8000, Half.fromFloat(-0f));
        assertTrue(Float.isNaN(Half.toFloat(Half.fromFloat(Float.NaN))));
        assertEquals(Float.NEGATIVE_INFINITY, Half.toFloat(Half.fromFloat(Float.NEGATIVE_INFINITY)));
        assertEquals((short) 0x7bff, Half.fromFloatSaturating(1e9f));
        assertEquals((short) 0xfbff, Half.fromFloatSaturating(-1e9f));
    }

    @Test
    void everyHalfSurvivesARoundTrip() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Half.toFloat((short) h);
            if (Float.isNaN(f)) continue;
            assertEquals((short) h, Half.fromFloat(f), "half 0x" + Integer.toHexString(h));
        }
    }

    /** Rounding to nearest: no other half is closer to the float than the chosen one. */
    @Test
    void randomFloatsRoundToTheNearestHalf() {
        Random rng = new Random(42);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(rng.nextInt());
            if (!Float.isFinite(f) || Math.abs(f) >= 65520f) continue;
            short h = Half.fromFloat(f);
            double err = Math.abs((double) Half.toFloat(h) - f);
            for (int delta = -1; delta <= 1; delta += 2) {
                int n = (h & 0xffff) + delta;
                if ((n & 0x7c00) == 0x7c00 || n < 0 || n > 0xffff || ((n ^ h) & 0x8000) != 0) continue;
                double other = Math.abs((double) Half.toFloat((short) n) - f);
                assertTrue(err <= other, f + " -> " + Half.toFloat(h) + " but " + Half.toFloat((short) n) + " is closer");
                if (err == other) assertEquals(0, h & 1, "ties go to the even half");
            }
        }
    }
}
