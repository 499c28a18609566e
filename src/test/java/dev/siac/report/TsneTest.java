package dev.siac.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TsneTest {

    /** Two isotropic Gaussian clusters in {@code dims} dimensions, centres {@code gap} apart, interleaved rows. */
    private static double[][] twoClusters(int perCluster, int dims, double gap, long seed) {
        Random r = new Random(seed);
        double[][] x = new double[2 * perCluster][dims];
        for (int i = 0; i < x.length; i++) {
            double offset = (i % 2 == 0) ? 0 : gap;
            for (int c = 0; c < dims; c++) x[i][c] = r.nextGaussian() + (c < 3 ? offset : 0);
        }
        return x;
    }

    @Test
    void sameSeedGivesIdenticalLayoutsForBothInits() {
        double[][] x = twoClusters(20, 8, 8, 1);
        for (Tsne.Init init : Tsne.Init.values()) {
            double[][] a = new Tsne(2, 10, 300, init, 42).fit(x);
            double[][] b = new Tsne(2, 10, 300, init, 42).fit(x);
            for (int i = 0; i < a.length; i++) assertArrayEquals(a[i], b[i], 0.0, init + " row " + i);
        }
    }

    @Test
    void randomInitDependsOnTheSeed() {
        double[][] x = twoClusters(15, 8, 8, 2);
        double[][] a = new Tsne(1, 10, 300, Tsne.Init.RANDOM, 1).fit(x);
        double[][] b = new Tsne(1, 10, 300, Tsne.Init.RANDOM, 2).fit(x);
        assertFalse(Arrays.deepEquals(a, b), "different seeds should give different random starts");
    }

    @Test
    void separatesTwoWellSeparatedClustersInOneDimension() {
        for (Tsne.Init init : Tsne.Init.values()) {
            double[][] x = twoClusters(40, 10, 12, 3);
            double[][] y = new Tsne(1, 15, 1000, init, 7).fit(x);
            double[] evens = new double[40];
            double[] odds = new double[40];
            for (int i = 0; i < 80; i++) (i % 2 == 0 ? evens : odds)[i / 2] = y[i][0];
            double evenMin = Arrays.stream(evens).min().orElseThrow();
            double evenMax = Arrays.stream(evens).max().orElseThrow();
            double oddMin = Arrays.stream(odds).min().orElseThrow();
            double oddMax = Arrays.stream(odds).max().orElseThrow();
            boolean disjoint = evenMax < oddMin || oddMax < evenMin;
            assertTrue(disjoint, init + ": clusters overlap in 1-D: [" + evenMin + ", " + evenMax + "] vs ["
                    + oddMin + ", " + oddMax + "]");
            double gap = Math.max(oddMin - evenMax, evenMin - oddMax);
            double spread = Math.max(evenMax - evenMin, oddMax - oddMin);
            assertTrue(gap > 0.5 * spread, init + ": gap " + gap + " is small against cluster spread " + spread);
        }
    }

    @Test
    void bandwidthMatchesTheRequestedPerplexity() {
        double[][] x = twoClusters(25, 5, 3, 4);
        double[][] d = Tsne.squaredDistances(x);
        for (double perplexity : new double[] {2, 5, 15}) {
            for (int i = 0; i < x.length; i += 7) {
                double[] p = Tsne.conditionalRow(d[i], i, perplexity);
                double entropy = 0;
                double sum = 0;
                for (int j = 0; j < p.length; j++) {
                    sum += p[j];
                    if (p[j] > 0) entropy -= p[j] * Math.log(p[j]);
                }
                assertEquals(0.0, p[i], 0.0, "a point is not its own neighbour");
                assertEquals(1.0, sum, 1e-12);
                assertEquals(perplexity, Math.exp(entropy), 1e-6 * perplexity);
            }
        }
    }

    @Test
    void jointProbabilitiesAreSymmetricAndSumToOne() {
        double[][] p = Tsne.jointProbabilities(Tsne.squaredDistances(twoClusters(10, 4, 5, 5)), 4);
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            for (int j = 0; j < p.length; j++) {
                assertEquals(p[i][j], p[j][i], 1e-15);
                sum += p[i][j];
            }
        }
        assertEquals(1.0, sum, 1e-9);
    }

    @Test
    void jacobiDiagonalisesASymmetricMatrix() {
        Random r = new Random(6);
        int m = 7;
        double[][] a = new double[m][m];
        for (int i = 0; i < m; i++) {
            for (int j = i; j < m; j++) {
                a[i][j] = r.nextGaussian();
                a[j][i] = a[i][j];
            }
        }
        double[][] v = new double[m][m];
        double[] values = Tsne.Jacobi.eigen(a, v);
        for (int c = 0; c < m; c++) {
            if (c > 0) assertTrue(values[c - 1] >= values[c], "eigenvalues are sorted descending");
            for (int i = 0; i < m; i++) {
                double av = 0;
                for (int k = 0; k < m; k++) av += a[i][k] * v[k][c];
                assertEquals(values[c] * v[i][c], av, 1e-9, "A v = lambda v, column " + c);
            }
        }
    }

    @Test
    void smallAndDegenerateInputsGiveFiniteLayouts() {
        assertEquals(0, Tsne.defaults(1, 0).fit(new double[0][0]).length);
        assertArrayEquals(new double[] {0, 0, 0}, Tsne.defaults(3, 0).fit(new double[][] {{1, 2}})[0]);
        double[][] same = new double[6][4];
        for (double[] row : Tsne.defaults(3, 0).fit(same)) {
            for (double v : row) assertTrue(Double.isFinite(v));
        }
        // More dimensions than points exercises the Gram-matrix PCA path.
        double[][] wide = twoClusters(3, 40, 10, 8);
        double[][] y = Tsne.defaults(3, 0).fit(wide);
        for (double[] row : y) for (double v : row) assertTrue(Double.isFinite(v));
        assertEquals(1.0, Tsne.defaults(1, 0).effectivePerplexity(4), 0.0);
        assertEquals(30.0, Tsne.defaults(1, 0).effectivePerplexity(1000), 0.0);
    }

    @Test
    void defaultStepDoesNotOvershootSmallInputs() {
        Tsne t = Tsne.defaults(1, 0);
        assertEquals(1.0, t.learningRate(12), 0.0);
        assertEquals(1000 / 48.0, t.learningRate(1000), 1e-12);
        assertEquals(7.5, new Tsne(1, 5, 10, Tsne.Init.PCA, 0, 7.5).learningRate(1000), 0.0);
    }

    @Test
    void rejectsBadInput() {
        assertThrows(IllegalArgumentException.class, () -> new Tsne(0, 30, 10, Tsne.Init.PCA, 0));
        assertThrows(IllegalArgumentException.class, () -> new Tsne(1, -1, 10, Tsne.Init.PCA, 0));
        assertThrows(IllegalArgumentException.class, () -> Tsne.defaults(1, 0).fit(new double[][] {{1, 2}, {1}}));
        assertThrows(IllegalArgumentException.class, () -> Tsne.defaults(1, 0).fit(new double[][] {{1}, {Double.NaN}}));
    }

    @Test
    void minMaxColumnsRescalesEachColumnToTheUnitInterval() {
        double[][] out = Tsne.minMaxColumns(new double[][] {{1, 5, 3}, {3, 5, -1}, {2, 5, 1}});
        assertArrayEquals(new double[] {0, 0.5, 1}, out[0], 1e-12);
        assertArrayEquals(new double[] {1, 0.5, 0}, out[1], 1e-12);
        assertArrayEquals(new double[] {0.5, 0.5, 0.5}, out[2], 1e-12);
    }
}
