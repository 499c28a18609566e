package dev.siac.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChartsTest {
    @Test
    void stepsAndCeilingsAreOneTwoFive() {
        assertEquals(0.5, Charts.niceStep(0.31), 1e-12);
        assertEquals(200, Charts.niceStep(101), 1e-9);
        assertEquals(1, Charts.niceStep(1), 1e-12);
        assertEquals(2.5, Charts.niceCeil(2.1), 1e-12);
        assertEquals(0.1, Charts.niceCeil(0.1), 1e-12);
    }

    @Test
    void ticksFallInsideTheRangeOnNiceNumbers() {
        assertEquals(List.of(0.0, 500.0, 1000.0, 1500.0, 2000.0), Charts.linearTicks(0, 2300, 5));
        assertEquals(List.of(1.0, 2.0, 5.0, 10.0), Charts.logTicks(0.8, 12));
        assertEquals(List.of(), Charts.linearTicks(3, 3, 4));
    }

    @Test
    void labelsDropTrailingZeros() {
        assertEquals("0.25", Charts.label(0.25, 3));
        assertEquals("2", Charts.label(2.0, 3));
        assertEquals("1500", Charts.label(1500, 0));
        assertEquals("0", Charts.label(-0.0001, 2));
    }
}
