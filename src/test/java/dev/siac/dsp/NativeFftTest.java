package dev.siac.dsp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The native transforms against libtorch's rfft and irfft, for the lengths and row counts the render uses. */
class NativeFftTest {
    @Test
    void isBuiltAndLoadedOnThisKindOfMachine() {
        // the build compiles it with gcc on Linux x86_64 (every machine siac is built on here): a silent fallback to
        // libtorch's FFT would hide a broken build
        if (System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64")) {
            assertTrue(NativeFft.available(), "the native FFT did not load");
        }
    }

    @Test
    void forwardAndBackwardMatchLibtorch() {
        if (!NativeFft.available()) return;
        Random r = new Random(5);
        int[][] cases = {{65536, 1, 32768}, {65536, 3, 65536}, {41472, 2, 20000}, {8640, 4, 8640}, {2048, 7, 1500}};
        try (NDManager m = NDManager.newBaseManager()) {
            for (int[] k : cases) {
                int n = k[0], rows = k[1], len = k[2];
                float[] x = new float[rows * len];
                for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
                NDArray a = m.create(x, new Shape(rows, len));
                NDArray want = a.rfft(n, -1);
                NDArray got = NativeFft.rfft(a, n);
                assertEquals(want.getShape(), got.getShape());
                close(want.real().toFloatArray(), got.real().toFloatArray(), 2e-6, "rfft " + n + " x " + rows);
                for (int keep : new int[] {n, n / 2 + 7}) {
                    NDArray back = want.irfft(n, -1).get("..., 0:" + keep);
                    NDArray mine = NativeFft.irfft(want, n, keep);
                    assertEquals(back.getShape(), mine.getShape());
                    close(back.toFloatArray(), mine.toFloatArray(), 2e-6, "irfft " + n + " x " + rows + " keep " + keep);
                }
            }
            // leading axes are rows: (2, 3, L)
            NDArray b = m.randomNormal(new Shape(2, 3, 1000));
            assertArrayEquals(b.rfft(2048, -1).real().toFloatArray(), NativeFft.rfft(b, 2048).real().toFloatArray(), 1e-3f);
        }
    }

    private static void close(float[] a, float[] b, double relative, String what) {
        double scale = 0, diff = 0;
        for (int i = 0; i < a.length; i++) {
            scale = Math.max(scale, Math.abs(a[i]));
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
        }
        assertTrue(diff <= relative * scale, what + ": max diff " + diff + " of " + scale);
    }

    /** Threads share the descriptors: transforms running at once give each its own answer. */
    /** The one-call magnitude STFT against libtorch's stft path, with and without leading zeros, at odd lengths. */
    @Test
    void magnitudeMatchesTheLibtorchStft() {
        org.junit.jupiter.api.Assumptions.assumeTrue(NativeFft.available());
        Random r = new Random(5);
        try (NDManager m = NDManager.newBaseManager()) {
            for (int[] c : new int[][] {{34816, 1792}, {5000, 0}, {300, 1792}, {100, 0}, {2048, 256}}) {
                int len = c[0], lead = c[1];
                float[] x = new float[len];
                for (int i = 0; i < len; i++) x[i] = (float) (r.nextGaussian() * Math.exp(-i / 8000.0));
                float[] padded = new float[lead + len];
                System.arraycopy(x, 0, padded, lead, len);
                float[] want = Spectral.magnitude(m.create(padded)).toFloatArray();
                float[] got = NativeFft.magnitude(x, lead, Spectral.WINDOW, Spectral.HOP, Spectral.hann(Spectral.WINDOW),
                        (float) (1.0 / Math.sqrt(Spectral.WINDOW)));
                assertEquals(want.length, got.length, len + " after " + lead);
                assertEquals(Spectral.BINS * ((lead + len) / Spectral.HOP), got.length);
                if (want.length > 0) close(want, got, 1e-5, len + " after " + lead);
                assertArrayEquals(got, Spectral.magnitude(m, x, lead), len + " after " + lead + ": Spectral's float path");
            }
        }
    }

    @Test
    void threadsShareTheDescriptors() throws Exception {
        if (!NativeFft.available()) return;
        try (NDManager m = NDManager.newBaseManager()) {
            java.util.List<java.util.concurrent.Future<Boolean>> done = new java.util.ArrayList<>();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                for (int t = 0; t < 4; t++) {
                    final int seed = t;
                    done.add(pool.submit(() -> {
                        ai.djl.pytorch.jni.JniUtils.setGradMode(false);
                        try (NDManager s = m.newSubManager()) {
                            Random r = new Random(seed);
                            float[] x = new float[2 * 30000];
                            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
                            NDArray a = s.create(x, new Shape(2, 30000));
                            for (int k = 0; k < 50; k++) {
                                float[] want = a.rfft(65536, -1).real().toFloatArray();
                                float[] got = NativeFft.rfft(a, 65536).real().toFloatArray();
                                for (int i = 0; i < want.length; i++) {
                                    if (Math.abs(want[i] - got[i]) > 1e-3f) return false;
                                }
                            }
                            return true;
                        }
                    }));
                }
                for (java.util.concurrent.Future<Boolean> f : done) assertTrue(f.get());
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
