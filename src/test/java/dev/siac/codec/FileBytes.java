package dev.siac.codec;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32;

/** Hand-made .siac bytes for tests that must get past the CRC check to reach a specific field. */
final class FileBytes {

    private FileBytes() {
    }

    /** A copy whose last four bytes are the CRC32 of everything before them. */
    static byte[] fixCrc(byte[] file) {
        byte[] b = file.clone();
        if (b.length < 4) return b;
        CRC32 crc = new CRC32();
        crc.update(b, 0, b.length - 4);
        long v = crc.getValue();
        for (int i = 0; i < 4; i++) b[b.length - 4 + i] = (byte) (v >>> (8 * i));
        return b;
    }

    /** Appends a CRC to a body. */
    static byte[] sealed(byte[] body) {
        return fixCrc(Arrays.copyOf(body, body.length + 4));
    }

    /** Builder for a body, little-endian like the format. */
    static final class Body {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Body bytes(byte... b) {
            out.writeBytes(b);
            return this;
        }

        Body magic() {
            return bytes((byte) 'S', (byte) 'I', (byte) 'A', (byte) 'C');
        }

        Body u8(int v) {
            out.write(v);
            return this;
        }

        Body u16(int v) {
            return bytes(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).array());
        }

        Body u32(long v) {
            return bytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
        }

        Body i64(long v) {
            return bytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        }

        Body f32(float v) {
            return u32(Float.floatToRawIntBits(v) & 0xffffffffL);
        }

        Body varint(long v) {
            while ((v & ~0x7fL) != 0) {
                out.write((int) ((v & 0x7f) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        /** Magic through event count, with a zero model id. */
        Body header(int version, int precision, int dim, long sampleRate, long length, float gain, long count) {
            return magic().u8(version).u8(precision).u16(dim).u32(sampleRate).i64(length).f32(gain)
                    .bytes(new byte[32]).u32(count);
        }

        byte[] sealed() {
            return FileBytes.sealed(out.toByteArray());
        }
    }
}
