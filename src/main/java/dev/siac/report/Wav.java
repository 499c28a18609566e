package dev.siac.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** The report's own 16-bit PCM mono WAV writer: the page needs nothing else, and browsers all play it. */
final class Wav {

    private Wav() {
    }

    /** Writes {@code samples} (nominal range [-1, 1]; values beyond it are clipped) as 16-bit mono PCM. */
    static void write(Path file, float[] samples, int sampleRate) throws IOException {
        int dataBytes = samples.length * 2;
        ByteBuffer b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {'R', 'I', 'F', 'F'}).putInt(36 + dataBytes).put(new byte[] {'W', 'A', 'V', 'E'});
        b.put(new byte[] {'f', 'm', 't', ' '}).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(sampleRate).putInt(sampleRate * 2).putShort((short) 2).putShort((short) 16);
        b.put(new byte[] {'d', 'a', 't', 'a'}).putInt(dataBytes);
        for (float s : samples) {
            float c = Math.max(-1f, Math.min(1f, s));
            b.putShort((short) Math.round(c * 32767f));
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(b.array());
        }
    }
}
