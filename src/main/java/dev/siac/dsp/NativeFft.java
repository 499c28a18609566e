package dev.siac.dsp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real FFTs along the last axis for the inference paths, through the oneMKL DFTI that libtorch carries but with a
 * descriptor kept per (length, rows): libtorch builds and commits one on every call, ~1 ms for 2^16 points against
 * ~0.1 ms of transform (docs/DJL_PITFALLS.md, section 6). The small native library (src/main/native) is built by
 * Maven with the machine's gcc and travels inside the jar. Where it is missing or cannot load, or with
 * {@code -Dsiac.nativeFft=false}, {@link #available()} is false and callers use libtorch's rfft and irfft; the values
 * are the same to float rounding (NativeFftTest). Descriptors are kept for the process and shared by threads.
 */
public final class NativeFft {
    private static final boolean AVAILABLE = load();
    /** Committed descriptors by (length, rows, direction), kept for the process; several threads may share one. */
    private static final Map<Long, Long> PLANS = new ConcurrentHashMap<>();

    private NativeFft() {}

    /** Whether the native transforms are in use. */
    public static boolean available() {
        return AVAILABLE;
    }

    /**
     * rfft of each row of x (..., L), zero-padded to n (L &lt;= n): (..., n/2+1) complex, as x.rfft(n, -1).
     */
    public static NDArray rfft(NDArray x, int n) {
        Shape shape = x.getShape();
        int len = (int) shape.get(shape.dimension() - 1);
        if (len > n) throw new IllegalArgumentException("rfft: rows of " + len + " samples longer than the transform, " + n);
        int rows = (int) (shape.size() / Math.max(1, len));
        int half = n / 2 + 1;
        ByteBuffer in = contiguous(x.toType(DataType.FLOAT32, false));
        NDArray y = x.getManager().create(shape.slice(0, shape.dimension() - 1).add(half, 2), DataType.FLOAT32);
        check(forward(plan(n, rows, true), in, rows, len, n, writable(y)), "forward");
        return y.complex();
    }

    /**
     * irfft of each row of spec (..., n/2+1) complex to n samples, keeping the first keep: (..., keep), as
     * spec.irfft(n, -1) followed by keeping the first keep samples.
     */
    public static NDArray irfft(NDArray spec, int n, int keep) {
        Shape shape = spec.getShape();
        int half = (int) shape.get(shape.dimension() - 1);
        if (half != n / 2 + 1) throw new IllegalArgumentException("irfft: " + half + " bins for a transform of " + n);
        if (keep < 1 || keep > n) throw new IllegalArgumentException("irfft: keep " + keep + " of " + n);
        int rows = (int) (shape.size() / half);
        ByteBuffer in = contiguous(spec.real());
        NDArray y = spec.getManager().create(shape.slice(0, shape.dimension() - 1).add(keep), DataType.FLOAT32);
        check(backward(plan(n, rows, false), in, rows, n, keep, writable(y)), "backward");
        return y;
    }

    /**
     * {@link Spectral#magnitude} of one signal: x after lead zeros, as (bins, frames) bin-major in a float array, with
     * frames = (lead + x.length) / hop; window is the analysis window (n samples), scale the factor on |X|.
     */
    public static float[] magnitude(float[] x, int lead, int n, int hop, float[] window, float scale) {
        if (window.length != n) throw new IllegalArgumentException("magnitude: a window of " + window.length + " for " + n + " points");
        int frames = (lead + x.length) / hop;
        float[] out = new float[(n / 2 + 1) * frames];
        if (frames == 0) return out;
        check(magnitude0(plan(n, frames, true), x, x.length, lead, frames, hop, n, window, scale, out), "magnitude");
        return out;
    }

    private static ByteBuffer contiguous(NDArray x) {
        ByteBuffer b = x.toByteBuffer(true);
        if (!b.isDirect()) {
            ByteBuffer d = ByteBuffer.allocateDirect(b.remaining()).order(ByteOrder.nativeOrder());
            d.put(b).flip();
            return d;
        }
        return b;
    }

    /** The memory of a new (uninitialised, contiguous) array, to be written in place. */
    private static ByteBuffer writable(NDArray y) {
        ByteBuffer b = y.toByteBuffer(true);
        if (!b.isDirect()) throw new IllegalStateException("native FFT: the engine gave no direct view of a new array");
        return b;
    }

    private static long plan(int n, int rows, boolean forward) {
        long key = ((long) n << 32) | ((long) rows << 1) | (forward ? 1 : 0);
        return PLANS.computeIfAbsent(key, k -> {
            long p = plan0(n, rows, forward);
            if (p == 0) throw new IllegalStateException("native FFT: no descriptor for " + rows + " x " + n);
            return p;
        });
    }

    private static void check(int status, String what) {
        if (status != 0) throw new IllegalStateException("native FFT " + what + " failed (" + status + ")");
    }

    private static boolean load() {
        if (!Boolean.parseBoolean(System.getProperty("siac.nativeFft", "true"))) return false;
        try (InputStream lib = NativeFft.class.getResourceAsStream("/native/linux-x86_64/libsiacfft.so")) {
            if (lib == null) return false;
            Path torch = libtorch();
            if (torch == null) return false;
            Path tmp = Files.createTempFile("siacfft", ".so");
            tmp.toFile().deleteOnExit();
            Files.copy(lib, tmp, StandardCopyOption.REPLACE_EXISTING);
            System.load(tmp.toString());
            return init(torch.toString()) == 0;
        } catch (IOException | UnsatisfiedLinkError | SecurityException e) {
            return false;
        }
    }

    /** The libtorch_cpu.so this process has mapped (DJL loads it with the engine), or null. */
    private static Path libtorch() throws IOException {
        ai.djl.engine.Engine.getEngine("PyTorch"); // libtorch loaded before its path is looked for
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) return null;
        try (BufferedReader r = Files.newBufferedReader(maps)) {
            String line;
            while ((line = r.readLine()) != null) {
                int at = line.indexOf('/');
                if (at >= 0 && line.endsWith("/libtorch_cpu.so")) return Path.of(line.substring(at));
            }
        }
        return null;
    }

    private static native int init(String libtorchPath);

    private static native long plan0(int n, int rows, boolean forward);

    private static native int forward(long plan, ByteBuffer in, int rows, int len, int n, ByteBuffer out);

    private static native int backward(long plan, ByteBuffer in, int rows, int n, int keep, ByteBuffer out);

    private static native int magnitude0(long plan, float[] x, int len, int lead, int frames, int hop, int n,
                                         float[] window, float scale, float[] out);
}
