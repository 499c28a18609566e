package dev.siac.model;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reader and writer of the safetensors format (8-byte little-endian header length, JSON header, raw little-endian
 * data), for float32 and float16 tensors. Kept dependency-free so that Python users can open siac weights with the
 * {@code safetensors} package and siac can check every offset of an untrusted file before reading it.
 */
public final class Safetensors {
    public enum DType { F32, F16 }

    public record Tensor(long[] shape, float[] data) {}

    private Safetensors() {}

    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata, DType dtype) throws IOException {
        JsonObject header = new JsonObject();
        if (metadata != null && !metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        int width = dtype == DType.F32 ? 4 : 2;
        long offset = 0;
        for (var e : tensors.entrySet()) {
            JsonObject t = new JsonObject();
            t.addProperty("dtype", dtype.name());
            var shape = new com.google.gson.JsonArray();
            for (long d : e.getValue().shape()) shape.add(d);
            t.add("shape", shape);
            long bytes = (long) e.getValue().data().length * width;
            var offs = new com.google.gson.JsonArray();
            offs.add(offset);
            offs.add(offset + bytes);
            t.add("data_offsets", offs);
            header.add(e.getKey(), t);
            offset += bytes;
        }
        byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
        int pad = (8 - json.length % 8) % 8; // keeps the data 8-byte aligned, as the reference writer does
        byte[] headerBytes = new byte[json.length + pad];
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        for (int i = json.length; i < headerBytes.length; i++) headerBytes[i] = ' ';
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length);
            out.write(len.array());
            out.write(headerBytes);
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (Tensor t : tensors.values()) {
                for (float v : t.data()) {
                    if (buf.remaining() < 4) {
                        out.write(buf.array(), 0, buf.position());
                        buf.clear();
                    }
                    if (dtype == DType.F32) buf.putFloat(v);
                    else buf.putShort(Half.fromFloat(v));
                }
            }
            out.write(buf.array(), 0, buf.position());
        }
    }

    public static Map<String, Tensor> read(Path file) throws IOException {
        return read(file, name -> false);
    }

    /** Reads every tensor but those skip names (whatever their dtype: a checkpoint's integer counters, say). */
    public static Map<String, Tensor> read(Path file, java.util.function.Predicate<String> skip) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": weights file not found");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw new IOException(file + ": not a safetensors file (too short)");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, file);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > Math.min(size - 8, 100_000_000L)) {
                throw new IOException(file + ": not a safetensors file (bad header length " + headerLen + ")");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8, file);
            JsonObject header;
            try {
                header = JsonParser.parseString(new String(hb.array(), StandardCharsets.UTF_8)).getAsJsonObject();
            } catch (JsonParseException | IllegalStateException e) {
                throw new IOException(file + ": corrupt safetensors header");
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                if (e.getKey().equals("__metadata__") || skip.test(e.getKey())) continue;
                try {
                    JsonObject t = e.getValue().getAsJsonObject();
                    String dtype = t.get("dtype").getAsString();
                    int width = switch (dtype) {
                        case "F32" -> 4;
                        case "F16" -> 2;
                        default -> throw new IOException(file + ": tensor " + e.getKey() + " has unsupported dtype " + dtype);
                    };
                    var shapeArr = t.getAsJsonArray("shape");
                    long[] shape = new long[shapeArr.size()];
                    long count = 1;
                    for (int i = 0; i < shape.length; i++) {
                        shape[i] = shapeArr.get(i).getAsLong();
                        if (shape[i] < 0) throw new IOException(file + ": tensor " + e.getKey() + " has a negative dimension");
                        count = Math.multiplyExact(count, shape[i]);
                    }
                    var offs = t.getAsJsonArray("data_offsets");
                    long begin = offs.get(0).getAsLong();
                    long end = offs.get(1).getAsLong();
                    if (begin < 0 || end > dataLen || end - begin != count * width || count > Integer.MAX_VALUE) {
                        throw new IOException(file + ": tensor " + e.getKey() + " lies outside the file (truncated?)");
                    }
                    ByteBuffer data = ByteBuffer.allocate((int) (end - begin)).order(ByteOrder.LITTLE_ENDIAN);
                    readFully(ch, data, dataStart + begin, file);
                    data.flip();
                    float[] v = new float[(int) count];
                    if (width == 4) data.asFloatBuffer().get(v);
                    else for (int i = 0; i < v.length; i++) v[i] = Half.toFloat(data.getShort());
                    out.put(e.getKey(), new Tensor(shape, v));
                } catch (RuntimeException ex) {
                    throw new IOException(file + ": corrupt entry for tensor " + e.getKey());
                }
            }
            return out;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos, Path file) throws IOException {
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) throw new IOException(file + ": truncated");
            pos += r;
        }
    }

    /** IEEE 754 half precision conversion (round to nearest even), as Java 17 has none built in. */
    public static final class Half {
        private Half() {}

        public static short fromFloat(float f) {
            int bits = Float.floatToRawIntBits(f);
            int sign = (bits >>> 16) & 0x8000;
            int exp = (bits >>> 23) & 0xff;
            int mant = bits & 0x7fffff;
            if (exp == 0xff) return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
            int e = exp - 127 + 15;
            if (e >= 0x1f) return (short) (sign | 0x7c00);
            if (e <= 0) {
                if (e < -10) return (short) sign;
                mant |= 0x800000;
                int shift = 14 - e;
                int half = mant >> shift;
                int rem = mant & ((1 << shift) - 1);
                int mid = 1 << (shift - 1);
                if (rem > mid || (rem == mid && (half & 1) != 0)) half++;
                return (short) (sign | half);
            }
            int half = (e << 10) | (mant >> 13);
            int rem = mant & 0x1fff;
            if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) half++;
            return (short) (sign | half);
        }

        public static float toFloat(short h) {
            int s = (h & 0x8000) << 16;
            int e = (h >>> 10) & 0x1f;
            int m = h & 0x3ff;
            if (e == 0) {
                if (m == 0) return Float.intBitsToFloat(s);
                float v = m / 1024f * (float) Math.pow(2, -14);
                return s != 0 ? -v : v;
            }
            if (e == 0x1f) return Float.intBitsToFloat(s | 0x7f800000 | (m << 13));
            return Float.intBitsToFloat(s | ((e - 15 + 127) << 23) | (m << 13));
        }
    }
}
