package dev.siac.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The state-dict files {@code torch.save} writes (PyTorch 1.6 and later): a zip whose {@code PREFIX/data.pkl} is a
 * pickle of an OrderedDict of name -> tensor, each tensor a {@code torch._utils._rebuild_tensor_v2(storage, offset,
 * size, stride, requires_grad, hooks)} call whose storage is a persistent id {@code ('storage', torch.FloatStorage,
 * KEY, location, numel)} naming the raw little-endian bytes in {@code PREFIX/data/KEY}.
 *
 * <p>Read with a small pickle machine of its own that knows only the opcodes and the few globals such a file uses: it
 * never calls anything a file names (an unknown global becomes an opaque value, and a tensor must come from
 * {@code _rebuild_tensor_v2}), so a foreign pickle can fail but cannot run code. Written the way torch writes it (zip
 * entries stored, data 64-byte aligned, {@code version} 3, {@code byteorder} little) with only globals that
 * {@code torch.load(..., weights_only=True)} allows.
 */
public final class TorchFormat {
    /** Torch's default record prefix when saving to a file object; any single prefix is read. */
    public static final String PREFIX = "archive";
    private static final int ALIGN = 64;

    /** A state dict as read: float tensors (any float storage converted to float32) and every tensor's storage type. */
    public record StateDict(Map<String, Safetensors.Tensor> tensors, Map<String, String> storageTypes) {}

    private TorchFormat() {}

    /** Whether the file starts like a zip (a torch.save file since 1.6). */
    public static boolean looksLikeZip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(4);
            return b.length == 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4;
        }
    }

    // ------------------------------------------------------------------------------------------------ reading

    public static StateDict read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": file not found");
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = null;
            for (var en = zip.entries(); en.hasMoreElements(); ) {
                String n = en.nextElement().getName();
                if (n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - "/data.pkl".length()) prefix = n.substring(0, n.indexOf('/'));
            }
            if (prefix == null) throw new IOException(file + ": a zip, but not a torch.save file (no PREFIX/data.pkl)");
            byte[] pkl = readEntry(zip, file, prefix + "/data.pkl", 64L << 20);
            Object root;
            try {
                root = new Unpickler(pkl).load();
            } catch (RuntimeException e) {
                throw new IOException(file + ": corrupt or foreign pickle in data.pkl (" + e.getMessage() + ")");
            }
            Map<?, ?> dict = stateDict(root, file);
            Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
            Map<String, String> types = new LinkedHashMap<>();
            Map<String, ByteBuffer> storages = new HashMap<>();
            for (var e : dict.entrySet()) {
                if (!(e.getKey() instanceof String name)) throw new IOException(file + ": state dict has a key that is not a string");
                if (!(e.getValue() instanceof TensorRef t)) {
                    throw new IOException(file + ": entry " + name + " is not a tensor (" + describe(e.getValue()) + ")");
                }
                int width = width(t.storage.type);
                if (width == 0) throw new IOException(file + ": tensor " + name + " has unsupported storage type " + t.storage.type);
                ByteBuffer bytes = storages.get(t.storage.key);
                if (bytes == null) {
                    long want = Math.multiplyExact(t.storage.numel, (long) width);
                    byte[] raw = readEntry(zip, file, prefix + "/data/" + t.storage.key, want);
                    if (raw.length < want) {
                        throw new IOException(file + ": storage " + t.storage.key + " of tensor " + name + " has " + raw.length
                                + " bytes, " + want + " expected (truncated?)");
                    }
                    bytes = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
                    storages.put(t.storage.key, bytes);
                }
                tensors.put(name, new Safetensors.Tensor(t.size.clone(), gather(t, bytes, width, file, name)));
                types.put(name, t.storage.type);
            }
            return new StateDict(tensors, types);
        } catch (ZipException e) {
            throw new IOException(file + ": corrupt or truncated zip (" + e.getMessage() + ")");
        } catch (ArithmeticException e) {
            throw new IOException(file + ": corrupt tensor sizes");
        }
    }

    /** The state dict itself, or the one a training checkpoint holds under "state_dict" or "model". */
    private static Map<?, ?> stateDict(Object root, Path file) throws IOException {
        if (root instanceof Map<?, ?> m) {
            if (m.values().stream().anyMatch(v -> v instanceof TensorRef)) return m;
            for (String k : List.of("state_dict", "model", "model_state_dict")) {
                if (m.get(k) instanceof Map<?, ?> inner && inner.values().stream().anyMatch(v -> v instanceof TensorRef)) return inner;
            }
            if (m.isEmpty()) throw new IOException(file + ": the state dict is empty");
        }
        throw new IOException(file + ": holds " + describe(root) + ", not a state dict of tensors");
    }

    private static String describe(Object o) {
        if (o == null || o == Unpickler.NONE) return "None";
        if (o instanceof Opaque op) return "an object of " + op.global;
        if (o instanceof Map<?, ?>) return "a dict";
        if (o instanceof List<?>) return "a list";
        if (o instanceof Object[]) return "a tuple";
        return "a " + o.getClass().getSimpleName();
    }

    private static byte[] readEntry(ZipFile zip, Path file, String name, long expected) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) throw new IOException(file + ": missing zip entry " + name + " (truncated or not a torch.save file?)");
        long size = e.getSize();
        long cap = size >= 0 ? size : expected;
        if (cap > Integer.MAX_VALUE - 16) throw new IOException(file + ": zip entry " + name + " is too large");
        try (InputStream in = zip.getInputStream(e)) {
            byte[] b = in.readNBytes((int) Math.max(0, cap));
            if (size >= 0 && b.length != size) throw new IOException(file + ": zip entry " + name + " is truncated");
            return b;
        } catch (ZipException ex) {
            throw new IOException(file + ": zip entry " + name + " is corrupt (" + ex.getMessage() + ")");
        }
    }

    private static int width(String storageType) {
        return switch (storageType) {
            case "FloatStorage", "IntStorage" -> 4;
            case "DoubleStorage", "LongStorage" -> 8;
            case "HalfStorage", "BFloat16Storage", "ShortStorage" -> 2;
            case "ByteStorage", "CharStorage", "BoolStorage" -> 1;
            default -> 0;
        };
    }

    private static float[] gather(TensorRef t, ByteBuffer b, int width, Path file, String name) throws IOException {
        long n = 1;
        for (long d : t.size) {
            if (d < 0) throw new IOException(file + ": tensor " + name + " has a negative dimension");
            n = Math.multiplyExact(n, d);
        }
        if (n > Integer.MAX_VALUE) throw new IOException(file + ": tensor " + name + " is too large");
        if (t.stride.length != t.size.length) throw new IOException(file + ": tensor " + name + " has mismatched size and stride");
        float[] out = new float[(int) n];
        if (n == 0) return out;
        long last = t.offset;
        for (int d = 0; d < t.size.length; d++) last += (t.size[d] - 1) * t.stride[d];
        if (t.offset < 0 || last >= t.storage.numel || Arrays.stream(t.stride).anyMatch(s -> s < 0)) {
            throw new IOException(file + ": tensor " + name + " lies outside its storage");
        }
        int[] idx = new int[t.size.length];
        for (int i = 0; i < out.length; i++) {
            long at = t.offset;
            for (int d = 0; d < idx.length; d++) at += idx[d] * t.stride[d];
            out[i] = element(b, (int) (at * width), t.storage.type);
            for (int d = idx.length - 1; d >= 0; d--) {
                if (++idx[d] < t.size[d]) break;
                idx[d] = 0;
            }
        }
        return out;
    }

    private static float element(ByteBuffer b, int pos, String type) {
        return switch (type) {
            case "FloatStorage" -> b.getFloat(pos);
            case "DoubleStorage" -> (float) b.getDouble(pos);
            case "HalfStorage" -> Safetensors.Half.toFloat(b.getShort(pos));
            case "BFloat16Storage" -> Float.intBitsToFloat((b.getShort(pos) & 0xffff) << 16);
            case "LongStorage" -> b.getLong(pos);
            case "IntStorage" -> b.getInt(pos);
            case "ShortStorage" -> b.getShort(pos);
            case "CharStorage" -> b.get(pos);
            default -> b.get(pos) & 0xff;
        };
    }

    record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    record Storage(String type, String key, long numel) {}

    record TensorRef(Storage storage, long offset, long[] size, long[] stride) {}

    /** Whatever a call of an unknown global made: kept as a value, never constructed. */
    record Opaque(Global global) {}

    /** The pickle opcodes torch.save uses (protocol 2; a few of 3-4 for files written by other tools). */
    static final class Unpickler {
        static final Object NONE = new Object();
        private static final Object MARK = new Object();
        private final ByteBuffer in;
        private final ArrayList<Object> stack = new ArrayList<>();
        private final Map<Long, Object> memo = new HashMap<>();

        Unpickler(byte[] data) {
            in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        }

        Object load() {
            while (true) {
                if (!in.hasRemaining()) throw new IllegalStateException("pickle ends without STOP");
                int at = in.position();
                int op = in.get() & 0xff;
                switch (op) {
                    case 0x80 -> {
                        int proto = in.get() & 0xff;
                        if (proto > 5) throw new IllegalStateException("pickle protocol " + proto);
                    }
                    case 0x95 -> in.getLong(); // FRAME: a length hint
                    case '.' -> {
                        return pop();
                    }
                    case '(' -> stack.add(MARK);
                    case 'N' -> stack.add(NONE);
                    case 0x88 -> stack.add(Boolean.TRUE);
                    case 0x89 -> stack.add(Boolean.FALSE);
                    case 'K' -> stack.add((long) (in.get() & 0xff));
                    case 'M' -> stack.add((long) (in.getShort() & 0xffff));
                    case 'J' -> stack.add((long) in.getInt());
                    case 0x8a -> stack.add(long1(in.get() & 0xff));
                    case 'G' -> stack.add(bigDouble());
                    case 'X' -> stack.add(string(in.getInt()));
                    case 0x8c -> stack.add(string(in.get() & 0xff));
                    case 0x8d -> stack.add(string(Math.toIntExact(in.getLong())));
                    case 'T', 'B' -> stack.add(bytes(in.getInt()));
                    case 'U', 'C' -> stack.add(bytes(in.get() & 0xff));
                    case 'c' -> stack.add(new Global(line(), line()));
                    case 0x93 -> {
                        Object name = pop();
                        Object module = pop();
                        stack.add(new Global(String.valueOf(module), String.valueOf(name)));
                    }
                    case ')' -> stack.add(new Object[0]);
                    case 0x85 -> stack.add(new Object[] {pop()});
                    case 0x86 -> {
                        Object b = pop();
                        stack.add(new Object[] {pop(), b});
                    }
                    case 0x87 -> {
                        Object c = pop();
                        Object b = pop();
                        stack.add(new Object[] {pop(), b, c});
                    }
                    case 't' -> stack.add(popMark().toArray());
                    case ']' -> stack.add(new ArrayList<>());
                    case 'l' -> stack.add(new ArrayList<>(popMark()));
                    case '}' -> stack.add(new LinkedHashMap<>());
                    case 'd' -> {
                        List<Object> items = popMark();
                        Map<Object, Object> m = new LinkedHashMap<>();
                        for (int i = 0; i + 1 < items.size(); i += 2) m.put(items.get(i), items.get(i + 1));
                        stack.add(m);
                    }
                    case 'a' -> {
                        Object v = pop();
                        list(peek()).add(v);
                    }
                    case 'e' -> {
                        List<Object> items = popMark();
                        list(peek()).addAll(items);
                    }
                    case 's' -> {
                        Object v = pop();
                        Object k = pop();
                        map(peek()).put(k, v);
                    }
                    case 'u' -> {
                        List<Object> items = popMark();
                        Map<Object, Object> m = map(peek());
                        for (int i = 0; i + 1 < items.size(); i += 2) m.put(items.get(i), items.get(i + 1));
                    }
                    case 'q' -> memo.put((long) (in.get() & 0xff), peek());
                    case 'r' -> memo.put(in.getInt() & 0xffffffffL, peek());
                    case 0x94 -> memo.put((long) memo.size(), peek());
                    case 'h' -> stack.add(get((long) (in.get() & 0xff)));
                    case 'j' -> stack.add(get(in.getInt() & 0xffffffffL));
                    case 'Q' -> stack.add(persistent(pop()));
                    case 'R' -> {
                        Object args = pop();
                        stack.add(call(pop(), args));
                    }
                    case 0x81 -> {
                        pop();
                        stack.add(new Opaque(global(pop())));
                    }
                    case 'b' -> pop(); // BUILD: state of an OrderedDict (torch's _metadata) or of an opaque object
                    default -> throw new IllegalStateException(String.format(java.util.Locale.ROOT, "unsupported pickle opcode 0x%02x at byte %d", op, at));
                }
            }
        }

        private double bigDouble() {
            double d = in.order(ByteOrder.BIG_ENDIAN).getDouble();
            in.order(ByteOrder.LITTLE_ENDIAN);
            return d;
        }

        private Object get(long key) {
            Object o = memo.get(key);
            if (o == null) throw new IllegalStateException("memo key " + key + " not defined");
            return o;
        }

        private long long1(int n) {
            if (n > 8) throw new IllegalStateException("integer of " + n + " bytes");
            long v = 0;
            for (int i = 0; i < n; i++) v |= (in.get() & 0xffL) << (8 * i);
            if (n > 0 && n < 8 && (v & (1L << (8 * n - 1))) != 0) v |= -1L << (8 * n);
            return v;
        }

        private String string(int n) {
            return new String(bytes(n), StandardCharsets.UTF_8);
        }

        private byte[] bytes(int n) {
            if (n < 0 || n > in.remaining()) throw new IllegalStateException("string runs past the end of the pickle");
            byte[] b = new byte[n];
            in.get(b);
            return b;
        }

        private String line() {
            StringBuilder s = new StringBuilder();
            while (true) {
                if (!in.hasRemaining()) throw new IllegalStateException("unterminated global name");
                byte c = in.get();
                if (c == '\n') return s.toString();
                if (s.length() > 256) throw new IllegalStateException("global name too long");
                s.append((char) (c & 0xff));
            }
        }

        private Object pop() {
            if (stack.isEmpty()) throw new IllegalStateException("stack underflow");
            Object o = stack.remove(stack.size() - 1);
            if (o == MARK) throw new IllegalStateException("unexpected mark");
            return o;
        }

        private Object peek() {
            if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) throw new IllegalStateException("stack underflow");
            return stack.get(stack.size() - 1);
        }

        private List<Object> popMark() {
            int m = stack.lastIndexOf(MARK);
            if (m < 0) throw new IllegalStateException("no mark");
            List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
            stack.subList(m, stack.size()).clear();
            return items;
        }

        @SuppressWarnings("unchecked")
        private static List<Object> list(Object o) {
            if (o instanceof List<?> l) return (List<Object>) l;
            throw new IllegalStateException("append to a non-list");
        }

        @SuppressWarnings("unchecked")
        private static Map<Object, Object> map(Object o) {
            if (o instanceof Map<?, ?> m) return (Map<Object, Object>) m;
            throw new IllegalStateException("set item of a non-dict");
        }

        private static Global global(Object o) {
            if (o instanceof Global g) return g;
            throw new IllegalStateException("call of a non-global");
        }

        private static Object[] tuple(Object o) {
            if (o instanceof Object[] t) return t;
            throw new IllegalStateException("arguments are not a tuple");
        }

        private static long integer(Object o) {
            if (o instanceof Long l) return l;
            throw new IllegalStateException("expected an integer, found " + (o == null ? "null" : o.getClass().getSimpleName()));
        }

        private static long[] ints(Object o) {
            Object[] t = tuple(o);
            long[] v = new long[t.length];
            for (int i = 0; i < t.length; i++) v[i] = integer(t[i]);
            return v;
        }

        private static Object persistent(Object pid) {
            Object[] t = tuple(pid);
            if (t.length < 5 || !"storage".equals(t[0]) || !(t[1] instanceof Global g) || !(t[2] instanceof String key)) {
                throw new IllegalStateException("persistent id that is not a torch storage");
            }
            if (!g.module.equals("torch")) throw new IllegalStateException("storage type " + g);
            if (!key.matches("[0-9A-Za-z_]{1,64}")) throw new IllegalStateException("storage key '" + key + "'");
            long numel = integer(t[4]);
            if (numel < 0) throw new IllegalStateException("negative storage size");
            return new Storage(g.name, key, numel);
        }

        private static Object call(Object callable, Object argsObj) {
            Global g = global(callable);
            Object[] args = tuple(argsObj);
            switch (g.toString()) {
                case "collections.OrderedDict":
                    return new LinkedHashMap<>();
                case "torch._utils._rebuild_tensor_v2":
                case "torch._utils._rebuild_tensor": {
                    if (args.length < 4 || !(args[0] instanceof Storage s)) throw new IllegalStateException("tensor without a storage");
                    return new TensorRef(s, integer(args[1]), ints(args[2]), ints(args[3]));
                }
                case "torch._utils._rebuild_parameter":
                case "torch._utils._rebuild_parameter_with_state":
                    if (args.length < 1) throw new IllegalStateException("parameter without data");
                    return args[0];
                default:
                    return new Opaque(g);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ writing

    /** Writes tensors (float32) as torch.save(OrderedDict) writes a state dict; file is written in place (use AtomicFiles). */
    public static void write(Path file, Map<String, Safetensors.Tensor> tensors) throws IOException {
        ByteArrayOutputStream pkl = new ByteArrayOutputStream();
        pkl.write(new byte[] {(byte) 0x80, 2});
        global(pkl, "collections", "OrderedDict");
        pkl.write(')');
        pkl.write('R');
        pkl.write('(');
        int key = 0;
        for (var e : tensors.entrySet()) {
            Safetensors.Tensor t = e.getValue();
            unicode(pkl, e.getKey());
            global(pkl, "torch._utils", "_rebuild_tensor_v2");
            pkl.write('(');
            pkl.write('(');
            unicode(pkl, "storage");
            global(pkl, "torch", "FloatStorage");
            unicode(pkl, Integer.toString(key++));
            unicode(pkl, "cpu");
            integer(pkl, t.data().length);
            pkl.write('t');
            pkl.write('Q');
            integer(pkl, 0);
            long[] stride = new long[t.shape().length];
            long s = 1;
            for (int d = stride.length - 1; d >= 0; d--) {
                stride[d] = s;
                s *= t.shape()[d];
            }
            if (s != t.data().length) throw new IllegalArgumentException(e.getKey() + ": shape does not match its values");
            tuple(pkl, t.shape());
            tuple(pkl, stride);
            pkl.write(0x89); // requires_grad False
            global(pkl, "collections", "OrderedDict"); // backward hooks
            pkl.write(')');
            pkl.write('R');
            pkl.write('t');
            pkl.write('R');
        }
        pkl.write('u');
        pkl.write('.');

        try (ZipWriter zip = new ZipWriter(Files.newOutputStream(file))) {
            zip.add(PREFIX + "/data.pkl", pkl.toByteArray());
            zip.add(PREFIX + "/byteorder", "little".getBytes(StandardCharsets.US_ASCII));
            int k = 0;
            for (Safetensors.Tensor t : tensors.values()) zip.add(PREFIX + "/data/" + k++, t.data());
            zip.add(PREFIX + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static void global(ByteArrayOutputStream o, String module, String name) {
        o.write('c');
        o.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static void unicode(ByteArrayOutputStream o, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        o.write('X');
        o.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        o.writeBytes(b);
    }

    private static void integer(ByteArrayOutputStream o, long v) {
        if (v >= 0 && v < 256) {
            o.write('K');
            o.write((int) v);
        } else if (v >= 0 && v < 65536) {
            o.write('M');
            o.writeBytes(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).array());
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            o.write('J');
            o.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
        } else {
            o.write(0x8a);
            o.write(8);
            o.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        }
    }

    private static void tuple(ByteArrayOutputStream o, long[] v) {
        if (v.length > 3) o.write('(');
        for (long x : v) integer(o, x);
        o.write(switch (v.length) {
            case 0 -> ')';
            case 1 -> 0x85;
            case 2 -> 0x86;
            case 3 -> 0x87;
            default -> 't';
        });
    }

    /**
     * The zip layout torch's writer produces: every entry stored (no compression), its data starting at a multiple
     * of 64 bytes (the local header's extra field "FB" pads up to it), sizes and CRC in the local header.
     */
    private static final class ZipWriter implements AutoCloseable {
        private final OutputStream out;
        private long pos;
        private final ByteArrayOutputStream central = new ByteArrayOutputStream();
        private int count;

        ZipWriter(OutputStream out) {
            this.out = new java.io.BufferedOutputStream(out, 1 << 20);
        }

        void add(String name, byte[] data) throws IOException {
            CRC32 crc = new CRC32();
            crc.update(data);
            header(name, data.length, crc.getValue());
            write(data, data.length);
        }

        void add(String name, float[] data) throws IOException {
            long size = 4L * data.length;
            CRC32 crc = new CRC32();
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (int pass = 0; pass < 2; pass++) {
                if (pass == 1) header(name, size, crc.getValue());
                for (int i = 0; i < data.length; ) {
                    buf.clear();
                    while (buf.remaining() >= 4 && i < data.length) buf.putFloat(data[i++]);
                    if (pass == 0) crc.update(buf.array(), 0, buf.position());
                    else write(buf.array(), buf.position());
                }
            }
        }

        private void header(String name, long size, long crc) throws IOException {
            if (size > 0xFFFFFFFEL || pos > 0xFFFFFFFEL) throw new IOException("state dict too large for a zip without zip64 (over 4 GB)");
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            long dataAt = pos + 30 + n.length + 4; // at least the extra field's own 4-byte header
            int pad = (int) ((ALIGN - dataAt % ALIGN) % ALIGN);
            int extra = 4 + pad;
            ByteBuffer h = ByteBuffer.allocate(30 + n.length + extra).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0x21)
                    .putInt((int) crc).putInt((int) size).putInt((int) size).putShort((short) n.length).putShort((short) extra).put(n);
            h.put((byte) 'F').put((byte) 'B').putShort((short) pad);
            for (int i = 0; i < pad; i++) h.put((byte) 'Z');
            ByteBuffer c = ByteBuffer.allocate(46 + n.length).order(ByteOrder.LITTLE_ENDIAN);
            c.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0x21).putInt((int) crc).putInt((int) size).putInt((int) size).putShort((short) n.length)
                    .putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0).putInt((int) pos).put(n);
            central.writeBytes(c.array());
            count++;
            write(h.array(), h.position());
        }

        private void write(byte[] b, int n) throws IOException {
            out.write(b, 0, n);
            pos += n;
        }

        @Override
        public void close() throws IOException {
            try {
                long cdAt = pos;
                byte[] cd = central.toByteArray();
                write(cd, cd.length);
                ByteBuffer e = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
                e.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) count).putShort((short) count)
                        .putInt(cd.length).putInt((int) cdAt).putShort((short) 0);
                write(e.array(), 22);
            } finally {
                out.close();
            }
        }
    }
}
