package dev.siac.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * NumPy {@code .npy} version 1.0 files (little-endian, C order), so Python users can load exported events with
 * {@code numpy.load} and nothing else.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    /** NumPy aligns the data start to 64 bytes so the array can be memory-mapped with any element type. */
    private static final int ALIGN = 64;

    private Npy() {
    }

    public static byte[] float32(float[] data, long... shape) {
        ByteBuffer b = start("<f4", shape, data.length, 4);
        for (float v : data) b.putFloat(v);
        return b.array();
    }

    public static byte[] float64(double[] data, long... shape) {
        ByteBuffer b = start("<f8", shape, data.length, 8);
        for (double v : data) b.putDouble(v);
        return b.array();
    }

    public static byte[] int8(byte[] data, long... shape) {
        ByteBuffer b = start("|i1", shape, data.length, 1);
        b.put(data);
        return b.array();
    }

    public static byte[] int64(long[] data, long... shape) {
        ByteBuffer b = start("<i8", shape, data.length, 8);
        for (long v : data) b.putLong(v);
        return b.array();
    }

    /** Event vectors as float32 [n, dim]. */
    public static byte[] vectors(EventList list) {
        int n = list.size();
        int dim = list.vectorDim();
        float[] flat = new float[Math.multiplyExact(n, dim)];
        List<Event> events = list.events();
        for (int i = 0; i < n; i++) System.arraycopy(events.get(i).vector(), 0, flat, i * dim, dim);
        return float32(flat, n, dim);
    }

    /** Onsets in seconds as float64 [n]. */
    public static byte[] times(EventList list) {
        double[] t = new double[list.size()];
        for (int i = 0; i < t.length; i++) t[i] = list.seconds(list.events().get(i).time());
        return float64(t, t.length);
    }

    /** Onsets in samples as int64 [n]. */
    public static byte[] samples(EventList list) {
        long[] t = new long[list.size()];
        for (int i = 0; i < t.length; i++) t[i] = list.events().get(i).time();
        return int64(t, t.length);
    }

    /** The silent spans ({@link EventList#silence}) as int64 [spans, 2]: start and end sample of each. */
    public static byte[] silence(EventList list) {
        Silence s = list.silence();
        long[] a = new long[2 * s.count()];
        for (int i = 0; i < s.count(); i++) {
            a[2 * i] = s.start(i);
            a[2 * i + 1] = s.end(i);
        }
        return int64(a, s.count(), 2);
    }

    /**
     * The band balance's codes ({@link EventList#balance}, 0.5 dB each) as int8 [frames, bands], frame-major as in
     * the file; [0, 0] when there is none.
     */
    public static byte[] balance(EventList list) {
        Balance b = list.balance();
        return b.isEmpty() ? int8(new byte[0], 0, 0) : int8(b.codes(), b.frames(), b.bands());
    }

    /**
     * What {@link #balance} needs to be read: float64 [2], the hop in samples and band 0's centre in Hz (both exact in
     * a double); [0] when there is no balance.
     */
    public static byte[] balanceLayout(EventList list) {
        Balance b = list.balance();
        return b.isEmpty() ? float64(new double[0], 0) : float64(new double[] {b.hop(), b.lowestHz()}, 2);
    }

    /** Amplitudes as float32 [n]. */
    public static byte[] amplitudes(EventList list) {
        float[] a = new float[list.size()];
        for (int i = 0; i < a.length; i++) a[i] = list.events().get(i).amplitude();
        return float32(a, a.length);
    }

    private static ByteBuffer start(String descr, long[] shape, int count, int itemBytes) {
        long product = 1;
        for (long s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative dimension in shape");
            product = Math.multiplyExact(product, s);
        }
        if (product != count) throw new IllegalArgumentException("shape holds " + product + " values, data has " + count);
        StringBuilder dims = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) dims.append(", ");
            dims.append(shape[i]);
        }
        if (shape.length == 1) dims.append(',');
        dims.append(')');
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + dims + ", }";
        int unpadded = MAGIC.length + 2 + dict.length() + 1; // +1 for the closing newline
        int headerLen = dict.length() + 1 + (ALIGN - unpadded % ALIGN) % ALIGN;
        if (headerLen > 0xffff) throw new IllegalArgumentException("shape too long for .npy version 1.0");
        long total = MAGIC.length + 2L + headerLen + (long) count * itemBytes;
        if (total > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("array too large for one .npy file");
        ByteBuffer b = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC);
        b.putShort((short) headerLen);
        b.put(dict.getBytes(StandardCharsets.US_ASCII));
        for (int i = dict.length() + 1; i < headerLen; i++) b.put((byte) ' ');
        b.put((byte) '\n');
        return b;
    }
}
