package dev.siac.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The per-window event budget, on made-up window energies (no model). */
class EventBudgetTest {
    private static final int COLS = 256;

    @Test
    void fixedBudgetGivesAPartialWindowItsShareRoundedUp() {
        EventBudget b = EventBudget.fixed(32);
        assertEquals(32, b.allot(COLS, COLS, 1, false));
        assertEquals(32, b.allot(COLS, COLS, 0, true), "a fixed budget does not look at energy");
        assertEquals(16, b.allot(COLS / 2, COLS, 1, true));
        assertEquals(1, b.allot(1, COLS, 1, true));
        assertEquals(1, b.allot(8, COLS, 1, true));
        assertEquals(2, b.allot(9, COLS, 1, true));
    }

    /** Spends what it allots: the total over a stream of windows. */
    private static int run(EventBudget b, double[] energy, int lastCols) {
        int total = 0;
        for (int w = 0; w < energy.length; w++) {
            boolean last = w == energy.length - 1;
            int n = b.allot(last ? lastCols : COLS, COLS, energy[w], last);
            assertTrue(n >= 0, "window " + w + ": " + n);
            b.spent(n);
            total += n;
        }
        return total;
    }

    @Test
    void averageBudgetMeetsItsTargetOnSteadyAudio() {
        double[] e = new double[40];
        java.util.Arrays.fill(e, 5.0);
        assertEquals(Math.round(7.3 * 39.5), run(EventBudget.average(7.3, 64), e, COLS / 2), 1);
    }

    @Test
    void averageBudgetSpendsMoreWhereThereIsMoreEnergyAndStillMeetsItsTarget() {
        double[] e = new double[60];
        for (int w = 0; w < e.length; w++) e[w] = w % 3 == 0 ? 100 : 1;
        EventBudget b = EventBudget.average(10, 64);
        int loud = 0, quiet = 0, total = 0;
        for (int w = 0; w < e.length; w++) {
            int n = b.allot(COLS, COLS, e[w], w == e.length - 1);
            b.spent(n);
            total += n;
            if (e[w] > 5) loud += n;
            else quiet += n;
        }
        assertEquals(600, total, 1);
        assertTrue(loud / 20.0 > 1.5 * (quiet / 40.0), "loud windows " + loud / 20.0 + " events each, quiet " + quiet / 40.0);
    }

    /** Silence and an encoder that stops early leave events unspent; later windows spend them, up to the cap. */
    @Test
    void unspentEventsAreSpentLaterWithinTheCap() {
        EventBudget b = EventBudget.average(8, 20);
        int total = 0;
        for (int w = 0; w < 10; w++) b.spent(b.allot(COLS, COLS, 0, false)); // silence: nothing to place
        for (int w = 0; w < 30; w++) {
            int n = b.allot(COLS, COLS, 3, w == 29);
            assertTrue(n <= 20, "cap: " + n);
            b.spent(n);
            total += n;
        }
        assertEquals(320, total, 1);
    }

    @Test
    void bitrateTargetCountsHeaderAndEventBytes() {
        // q8, 32-d: 34 bytes an event (delta, amplitude, vector), a 330-byte header
        assertEquals(34, SiacFormat.estimatedEventBytes(Precision.Q8, 32));
        assertEquals(18, SiacFormat.estimatedEventBytes(Precision.Q4, 32));
        assertEquals(60 + 6 + 8 + 256 + 4, SiacFormat.estimatedHeaderBytes(Precision.Q8, 32));
        double perWindow = EventBudget.eventsPerWindowForKbps(3.0, Precision.Q8, 32, 60 * 22050, 22050, 65536);
        double expect = (3000.0 / 8 - 334 / 60.0) / 34 * 65536 / 22050;
        assertEquals(expect, perWindow, 1e-9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EventBudget.eventsPerWindowForKbps(0.1, Precision.Q8, 32, 22050, 22050, 65536));
        assertTrue(e.getMessage().contains("header"), e.getMessage());
    }
}
