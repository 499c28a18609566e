package dev.siac.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.siac.dsp.Spectral;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The host side of {@link Placement}: where a placed row and its spectrogram land, and how they are added. */
class PlacementTest {

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    @Test
    void aRowStartsTheGuardBeforeItsOnsetAndSpansEventAndTwoGuards() {
        ModelConfig c = ModelConfig.preset("tiny");
        c.eventSamples = 2048;
        int g = c.guardSamples();
        assertEquals(0, g % c.stftHop, "the guard is whole hops");
        assertEquals(1000 - g, Placement.rowStart(c, 1000));
        assertEquals(2048 + 2 * g, Placement.rowLength(c));
        assertEquals(Placement.PLACED_CONTEXT_FRAMES + (2048 + 2 * g) / c.stftHop, Placement.spectrogramColumns(c));
    }

    /** The first column is the frame that starts PLACED_CONTEXT_FRAMES hops before the row, also before sample 0. */
    @Test
    void theFirstColumnIsTheContextFramesBeforeTheRow() {
        int hop = Spectral.HOP;
        for (long start : new long[] {-3L * hop, -hop, 0, hop, 7L * hop}) {
            int first = Placement.firstColumn(start, hop);
            assertEquals(start, ((long) first + Placement.PLACED_CONTEXT_FRAMES) * hop, "row at " + start);
        }
    }

    /** Every placement of a row against a canvas: inside, over either edge, over both, and wholly outside. */
    @Test
    void addRowAddsTheOverlapSampleBySampleAndDropsTheRest() {
        float[] row = random(50, 1);
        for (long rowStart : new long[] {-80, -50, -49, -10, 0, 7, 30, 70, 99, 100, 140}) {
            for (int canvasLength : new int[] {20, 100}) {
                long canvasStart = 3;
                float[] canvas = random(canvasLength, 2);
                float[] want = canvas.clone();
                for (int j = 0; j < row.length; j++) {
                    long at = rowStart + j - canvasStart;
                    if (at >= 0 && at < canvasLength) want[(int) at] += row[j];
                }
                Placement.addRow(canvas, canvasStart, row, rowStart);
                assertArrayEquals(want, canvas, "row at " + rowStart + " on " + canvasLength + " samples");
            }
        }
    }

    @Test
    void forEachCellVisitsExactlyTheCellsOnTheCanvas() {
        int bins = 3, width = 10, cols = 4;
        int[] firstColumns = {-5, -2, 0, 8, 12};
        List<String> seen = new ArrayList<>();
        Placement.forEachCell(bins, width, firstColumns, 1, 5, cols, (b, col, i) -> seen.add(b + "," + col + "," + i));
        List<String> want = new ArrayList<>();
        for (int k = 1; k < 5; k++) {
            for (int b = 0; b < bins; b++) {
                for (int j = 0; j < cols; j++) {
                    int col = firstColumns[k] + j;
                    if (col >= 0 && col < width) want.add(b + "," + col + "," + ((k - 1) * bins * cols + b * cols + j));
                }
            }
        }
        assertEquals(want, seen);
    }

    @Test
    void subtractCellsSubtractsTheCellsForEachCellVisits() {
        int bins = 3, width = 10, cols = 4;
        for (int first : new int[] {-5, -2, 0, 3, 8, 12}) {
            float[] spec = new float[bins * cols];
            for (int i = 0; i < spec.length; i++) spec[i] = 1 + i;
            float[][] want = new float[bins][width], got = new float[bins][width];
            Placement.forEachCell(bins, width, new int[] {first}, 0, 1, cols, (b, col, i) -> want[b][col] -= 0.5f * spec[i]);
            Placement.subtractCells(got, spec, first, cols, 0.5f);
            for (int b = 0; b < bins; b++) assertArrayEquals(want[b], got[b], "first column " + first + ", bin " + b);
        }
    }
}
