package dev.siac.report;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Exact t-SNE (van der Maaten and Hinton, 2008): O(n^2) memory and time per iteration, which is fine for the few
 * hundred to few thousand events a report shows, and needs no approximation that could make layouts differ between
 * runs. Deterministic for a given seed: rows are computed in parallel but every reduction is summed in index order.
 */
public final class Tsne {

    /** How the low-dimensional points start. */
    public enum Init {
        /** Projection onto the leading principal components, scaled to a tiny spread (no randomness at all). */
        PCA,
        /** Gaussian noise with a tiny spread, from the seed. */
        RANDOM
    }

    private static final double EARLY_EXAGGERATION = 12.0;
    private static final int EXAGGERATION_ITERATIONS = 250;
    private static final double INITIAL_SPREAD = 1e-4;
    private static final double MIN_GAIN = 0.01;
    private static final double MIN_PROBABILITY = 1e-12;
    private static final double LR_FLOOR = 1.0;

    private final int outputDims;
    private final double perplexity;
    private final int iterations;
    private final Init init;
    private final long seed;
    private final double learningRate;

    /**
     * @param outputDims number of embedding dimensions (1, 2 or 3 in practice)
     * @param perplexity effective number of neighbours; clamped to (n - 1) / 3 for small inputs, as a perplexity close
     *                   to n makes every point everyone's neighbour and the layout meaningless
     * @param iterations gradient-descent iterations (the first 250 with early exaggeration); at least 1
     * @param init       start layout
     * @param seed       seed for the random init (and for PCA components the data's rank cannot supply)
     */
    public Tsne(int outputDims, double perplexity, int iterations, Init init, long seed) {
        this(outputDims, perplexity, iterations, init, seed, 0);
    }

    /**
     * @param learningRate gradient step; 0 picks n / (4 * 12), see {@link #learningRate(int)}
     */
    public Tsne(int outputDims, double perplexity, int iterations, Init init, long seed, double learningRate) {
        if (!(learningRate >= 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("Tsne: learningRate must be >= 0, got " + learningRate);
        }
        this.learningRate = learningRate;
        if (outputDims < 1) throw new IllegalArgumentException("Tsne: outputDims must be >= 1, got " + outputDims);
        if (!(perplexity > 0) || !Double.isFinite(perplexity)) {
            throw new IllegalArgumentException("Tsne: perplexity must be > 0, got " + perplexity);
        }
        if (iterations < 1) throw new IllegalArgumentException("Tsne: iterations must be >= 1, got " + iterations);
        if (init == null) throw new IllegalArgumentException("Tsne: init is null");
        this.outputDims = outputDims;
        this.perplexity = perplexity;
        this.iterations = iterations;
        this.init = init;
        this.seed = seed;
    }

    /** Perplexity 30, 1000 iterations, PCA init: the usual defaults. */
    public static Tsne defaults(int outputDims, long seed) {
        return new Tsne(outputDims, 30, 1000, Init.PCA, seed);
    }

    /**
     * Embeds the rows of {@code data} (n x d).
     *
     * @return n x outputDims embedding; all zeros when n < 2
     */
    public double[][] fit(double[][] data) {
        int n = data.length;
        if (n == 0) return new double[0][outputDims];
        int d = data[0].length;
        for (int i = 0; i < n; i++) {
            if (data[i].length != d) {
                throw new IllegalArgumentException("Tsne: row " + i + " has " + data[i].length + " values, row 0 has " + d);
            }
            for (double v : data[i]) {
                if (!Double.isFinite(v)) throw new IllegalArgumentException("Tsne: row " + i + " contains a non-finite value");
            }
        }
        if (n < 2) return new double[n][outputDims];

        double perp = effectivePerplexity(n);
        double[][] p = jointProbabilities(squaredDistances(data), perp);
        double[][] y = init == Init.PCA ? pcaInit(data) : randomInit(n);
        optimise(p, y);
        return y;
    }

    /**
     * The step size for n points. The exaggerated attraction on a point is about 4 * 12 / n times its distance to
     * its neighbours, so n / 48 is the largest step that does not overshoot; sklearn's floor of 50 overshoots 30-fold
     * at n = 80 and, in one dimension where points cannot pass each other, leaves clusters interleaved.
     */
    double learningRate(int n) {
        return learningRate > 0 ? learningRate : Math.max(n / EARLY_EXAGGERATION / 4.0, LR_FLOOR);
    }

    double effectivePerplexity(int n) {
        return Math.max(1.0, Math.min(perplexity, (n - 1) / 3.0));
    }

    private void optimise(double[][] p, double[][] y) {
        int n = y.length;
        int k = outputDims;
        double learningRate = learningRate(n);
        double[][] update = new double[n][k];
        double[][] gains = new double[n][k];
        for (double[] g : gains) Arrays.fill(g, 1.0);
        double[][] grad = new double[n][k];
        double[][] num = new double[n][n];
        double[] rowSums = new double[n];
        boolean parallel = n >= 256;

        for (int it = 0; it < iterations; it++) {
            double exaggeration = it < EXAGGERATION_ITERATIONS ? EARLY_EXAGGERATION : 1.0;
            double momentum = it < EXAGGERATION_ITERATIONS ? 0.5 : 0.8;

            rows(n, parallel).forEach(i -> {
                double s = 0;
                double[] yi = y[i];
                double[] numRow = num[i];
                for (int j = 0; j < n; j++) {
                    if (j == i) {
                        numRow[j] = 0;
                        continue;
                    }
                    double dist = 0;
                    double[] yj = y[j];
                    for (int c = 0; c < k; c++) {
                        double diff = yi[c] - yj[c];
                        dist += diff * diff;
                    }
                    numRow[j] = 1.0 / (1.0 + dist);
                    s += numRow[j];
                }
                rowSums[i] = s;
            });
            double z = 0;
            for (int i = 0; i < n; i++) z += rowSums[i];
            double invZ = 1.0 / Math.max(z, Double.MIN_NORMAL);

            rows(n, parallel).forEach(i -> {
                double[] g = grad[i];
                Arrays.fill(g, 0);
                double[] yi = y[i];
                double[] pRow = p[i];
                double[] numRow = num[i];
                for (int j = 0; j < n; j++) {
                    if (j == i) continue;
                    double q = Math.max(numRow[j] * invZ, MIN_PROBABILITY);
                    double mult = (exaggeration * pRow[j] - q) * numRow[j];
                    double[] yj = y[j];
                    for (int c = 0; c < k; c++) g[c] += mult * (yi[c] - yj[c]);
                }
                for (int c = 0; c < k; c++) g[c] *= 4.0;
            });

            for (int i = 0; i < n; i++) {
                for (int c = 0; c < k; c++) {
                    double g = grad[i][c];
                    // delta-bar-delta: grow the step where the gradient keeps its direction, shrink it where it flips.
                    boolean sameDirection = (g > 0) == (update[i][c] > 0);
                    gains[i][c] = sameDirection ? Math.max(gains[i][c] * 0.8, MIN_GAIN) : gains[i][c] + 0.2;
                    update[i][c] = momentum * update[i][c] - learningRate * gains[i][c] * g;
                    y[i][c] += update[i][c];
                }
            }
            centre(y);
        }
    }

    private static IntStream rows(int n, boolean parallel) {
        IntStream s = IntStream.range(0, n);
        return parallel ? s.parallel() : s;
    }

    private static void centre(double[][] y) {
        int n = y.length;
        int k = y[0].length;
        for (int c = 0; c < k; c++) {
            double mean = 0;
            for (double[] row : y) mean += row[c];
            mean /= n;
            for (double[] row : y) row[c] -= mean;
        }
    }

    static double[][] squaredDistances(double[][] x) {
        int n = x.length;
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double s = 0;
                for (int c = 0; c < x[i].length; c++) {
                    double diff = x[i][c] - x[j][c];
                    s += diff * diff;
                }
                d[i][j] = s;
                d[j][i] = s;
            }
        }
        return d;
    }

    /** Symmetric joint probabilities p_ij = (p_j|i + p_i|j) / 2n. */
    static double[][] jointProbabilities(double[][] sqDist, double perplexity) {
        int n = sqDist.length;
        double[][] cond = new double[n][];
        for (int i = 0; i < n; i++) cond[i] = conditionalRow(sqDist[i], i, perplexity);
        double[][] p = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) p[i][j] = Math.max((cond[i][j] + cond[j][i]) / (2.0 * n), MIN_PROBABILITY);
            }
        }
        return p;
    }

    /**
     * p_j|i for one point: a Gaussian whose precision is found by bisection so that the distribution's entropy
     * equals log(perplexity).
     */
    static double[] conditionalRow(double[] sqDistRow, int self, double perplexity) {
        int n = sqDistRow.length;
        double target = Math.log(perplexity);
        double beta = 1.0;
        double lo = 0;
        double hi = Double.POSITIVE_INFINITY;
        double[] row = new double[n];
        // Subtracting the smallest distance keeps exp() from underflowing to an all-zero row for far-apart data.
        double minDist = Double.POSITIVE_INFINITY;
        for (int j = 0; j < n; j++) if (j != self) minDist = Math.min(minDist, sqDistRow[j]);
        for (int step = 0; step < 200; step++) {
            double sum = 0;
            double weighted = 0;
            for (int j = 0; j < n; j++) {
                if (j == self) {
                    row[j] = 0;
                    continue;
                }
                double shifted = sqDistRow[j] - minDist;
                row[j] = Math.exp(-shifted * beta);
                sum += row[j];
                weighted += shifted * row[j];
            }
            double entropy = Math.log(sum) + beta * weighted / sum;
            double diff = entropy - target;
            if (Math.abs(diff) < 1e-10) break;
            if (diff > 0) {
                lo = beta;
                beta = Double.isInfinite(hi) ? beta * 2 : (beta + hi) / 2;
            } else {
                hi = beta;
                beta = (beta + lo) / 2;
            }
        }
        double sum = 0;
        for (double v : row) sum += v;
        for (int j = 0; j < n; j++) row[j] /= sum;
        return row;
    }

    private double[][] randomInit(int n) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] y = new double[n][outputDims];
        for (double[] row : y) {
            for (int c = 0; c < outputDims; c++) row[c] = gaussian(random) * INITIAL_SPREAD;
        }
        return y;
    }

    private static double gaussian(SplittableRandom r) {
        // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
        double u1 = 1.0 - r.nextDouble();
        double u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /**
     * Principal-component scores of the centred data, scaled so that the first component has standard deviation
     * 1e-4 (small, so early exaggeration can still rearrange the points). Components beyond the data's rank are
     * filled with seeded noise of the same spread.
     */
    private double[][] pcaInit(double[][] data) {
        int n = data.length;
        int d = data[0].length;
        double[][] x = new double[n][d];
        for (int c = 0; c < d; c++) {
            double mean = 0;
            for (double[] row : data) mean += row[c];
            mean /= n;
            for (int i = 0; i < n; i++) x[i][c] = data[i][c] - mean;
        }
        double[][] scores = new double[n][outputDims];
        int available = Math.min(Math.min(n, d), outputDims);
        if (d <= n) {
            double[][] cov = new double[d][d];
            for (double[] row : x) {
                for (int a = 0; a < d; a++) for (int b = a; b < d; b++) cov[a][b] += row[a] * row[b];
            }
            for (int a = 0; a < d; a++) for (int b = 0; b < a; b++) cov[a][b] = cov[b][a];
            double[][] vectors = new double[d][d];
            Jacobi.eigen(cov, vectors);
            for (int c = 0; c < available; c++) {
                for (int i = 0; i < n; i++) {
                    double s = 0;
                    for (int a = 0; a < d; a++) s += x[i][a] * vectors[a][c];
                    scores[i][c] = s;
                }
            }
        } else {
            // Fewer points than dimensions: the Gram matrix is smaller and has the same non-zero spectrum.
            double[][] gram = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = i; j < n; j++) {
                    double s = 0;
                    for (int a = 0; a < d; a++) s += x[i][a] * x[j][a];
                    gram[i][j] = s;
                    gram[j][i] = s;
                }
            }
            double[][] vectors = new double[n][n];
            double[] values = Jacobi.eigen(gram, vectors);
            for (int c = 0; c < available; c++) {
                double scale = Math.sqrt(Math.max(values[c], 0));
                for (int i = 0; i < n; i++) scores[i][c] = vectors[i][c] * scale;
            }
        }
        double sd = 0;
        for (double[] row : scores) sd += row[0] * row[0];
        sd = Math.sqrt(sd / n);
        SplittableRandom random = new SplittableRandom(seed);
        for (double[] row : scores) {
            for (int c = 0; c < outputDims; c++) {
                if (c < available && sd > 0) row[c] = row[c] / sd * INITIAL_SPREAD;
                else row[c] = gaussian(random) * INITIAL_SPREAD;
            }
        }
        return scores;
    }

    /** Rescales each column to [0, 1] independently; a constant column becomes 0.5. */
    public static double[][] minMaxColumns(double[][] x) {
        int n = x.length;
        if (n == 0) return new double[0][0];
        int d = x[0].length;
        double[][] out = new double[n][d];
        for (int c = 0; c < d; c++) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (double[] row : x) {
                lo = Math.min(lo, row[c]);
                hi = Math.max(hi, row[c]);
            }
            double range = hi - lo;
            for (int i = 0; i < n; i++) out[i][c] = range > 0 ? (x[i][c] - lo) / range : 0.5;
        }
        return out;
    }

    /** Symmetric eigen-decomposition by cyclic Jacobi rotations; sizes here are at most a few dozen. */
    static final class Jacobi {
        private Jacobi() {
        }

        /**
         * @param a       symmetric matrix (copied, not modified)
         * @param vectors receives the eigenvectors as columns, in the order of the returned eigenvalues
         * @return eigenvalues, descending; each eigenvector's largest-magnitude entry is positive so the result
         *         does not depend on rotation order
         */
        static double[] eigen(double[][] a, double[][] vectors) {
            int m = a.length;
            double[][] s = new double[m][];
            for (int i = 0; i < m; i++) s[i] = a[i].clone();
            double[][] v = new double[m][m];
            for (int i = 0; i < m; i++) v[i][i] = 1;
            for (int sweep = 0; sweep < 100; sweep++) {
                double off = 0;
                double diag = 0;
                for (int i = 0; i < m; i++) {
                    diag += s[i][i] * s[i][i];
                    for (int j = i + 1; j < m; j++) off += s[i][j] * s[i][j];
                }
                if (off <= 1e-30 * Math.max(diag, 1e-300)) break;
                for (int p = 0; p < m; p++) {
                    for (int q = p + 1; q < m; q++) {
                        if (s[p][q] == 0) continue;
                        double theta = (s[q][q] - s[p][p]) / (2 * s[p][q]);
                        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                        if (theta == 0) t = 1;
                        double c = 1 / Math.sqrt(t * t + 1);
                        double sn = t * c;
                        for (int k = 0; k < m; k++) {
                            double skp = s[k][p];
                            double skq = s[k][q];
                            s[k][p] = c * skp - sn * skq;
                            s[k][q] = sn * skp + c * skq;
                        }
                        for (int k = 0; k < m; k++) {
                            double spk = s[p][k];
                            double sqk = s[q][k];
                            s[p][k] = c * spk - sn * sqk;
                            s[q][k] = sn * spk + c * sqk;
                        }
                        for (int k = 0; k < m; k++) {
                            double vkp = v[k][p];
                            double vkq = v[k][q];
                            v[k][p] = c * vkp - sn * vkq;
                            v[k][q] = sn * vkp + c * vkq;
                        }
                    }
                }
            }
            Integer[] order = new Integer[m];
            for (int i = 0; i < m; i++) order[i] = i;
            double[] diagonal = new double[m];
            for (int i = 0; i < m; i++) diagonal[i] = s[i][i];
            Arrays.sort(order, (i, j) -> Double.compare(diagonal[j], diagonal[i]));
            double[] values = new double[m];
            for (int c = 0; c < m; c++) {
                int src = order[c];
                values[c] = diagonal[src];
                int argMax = 0;
                for (int k = 1; k < m; k++) if (Math.abs(v[k][src]) > Math.abs(v[argMax][src])) argMax = k;
                double sign = v[argMax][src] < 0 ? -1 : 1;
                for (int k = 0; k < m; k++) vectors[k][c] = sign * v[k][src];
            }
            return values;
        }
    }
}
