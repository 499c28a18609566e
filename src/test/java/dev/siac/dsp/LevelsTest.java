package dev.siac.dsp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LevelsTest {
    @Test
    void peakIsTheLargestMagnitudeOfTheRange() {
        float[] x = {0.1f, -0.9f, 0.5f, 0.2f};
        assertEquals(0.9f, Levels.peak(x));
        assertEquals(0.5f, Levels.peak(x, 2, 4));
        assertEquals(0f, Levels.peak(new float[0]));
    }

    @Test
    void lastAboveFindsWhereADecayFallsBelowTheFractionOfThePeak() {
        float[] x = new float[1000];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.pow(0.99, i) * (i % 2 == 0 ? 1 : -1);
        int last = Levels.lastAbove(x, 0, 1e-3f);
        // 0.99^i > 1e-3 while i < ln(1e-3)/ln(0.99) = 687.3
        assertEquals(687, last);
        assertEquals(5, Levels.lastAbove(new float[10], 5, 1e-3f), "silence: the start");
    }
}
