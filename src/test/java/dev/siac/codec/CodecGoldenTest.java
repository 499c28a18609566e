package dev.siac.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.siac.audio.AudioIO;
import dev.siac.model.Models;
import dev.siac.model.SiacModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped model's encoder and decoder against their output before the speed rewrites of issue 15: the first
 * {@link #SAMPLES} samples of examples/example.wav (piano; one full window and the last, short one) encoded with
 * {@link #OPTIONS}, and those events decoded. The fixture (src/test/resources/golden/) holds the events as a .siac
 * file (f32 vectors, stored exactly) and the decoded samples as little-endian float32.
 *
 * <p>Regenerate (only when the output is meant to change) with
 * {@code mvn -o test -Dtest=CodecGoldenTest -Dsiac.golden.write=true}, from the project root.
 *
 * <p>Tolerances: onsets exact; amplitudes and vector components within 2e-4 relative to the largest of their kind;
 * decoded samples within 1e-4 of the clip's peak. Float rounding of a rewritten chain (other FFT sizes, operations in
 * another order) stays orders of magnitude below these; any change of the events or of the render fails.
 */
class CodecGoldenTest {
    static final Path DIR = Path.of("src", "test", "resources", "golden");
    static final Path EVENTS = DIR.resolve("example-events.siac");
    static final Path SAMPLES_FILE = DIR.resolve("example-decoded.f32");
    static final int SAMPLES = 70_000;
    static final Codec.Options OPTIONS = new Codec.Options(16, 0, Precision.F32);

    private static NDManager manager;
    private static Codec codec;
    private static float[] input;

    @BeforeAll
    static void load() throws IOException {
        manager = NDManager.newBaseManager();
        SiacModel model = Models.load(Path.of("models", "default"), manager);
        codec = new Codec(model, Models.modelId(Path.of("models", "default")));
        input = Arrays.copyOf(AudioIO.read(Path.of("examples", "example.wav")).samples(), SAMPLES);
        if (Boolean.getBoolean("siac.golden.write")) write();
    }

    @AfterAll
    static void close() {
        codec.model().close();
        manager.close();
    }

    private static float peak(float[] x) {
        float p = 0;
        for (float v : x) p = Math.max(p, Math.abs(v));
        return p;
    }

    private static EventList encode() throws IOException {
        return codec.encode(Codec.SampleSource.of(input), input.length, peak(input), OPTIONS, null).events();
    }

    private static void write() throws IOException {
        Files.createDirectories(DIR);
        EventList events = encode();
        SiacFormat.write(EVENTS, events);
        float[] y = codec.decode(events);
        ByteBuffer b = ByteBuffer.allocate(4 * y.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(y);
        Files.write(SAMPLES_FILE, b.array());
    }

    private static float[] goldenSamples() throws IOException {
        byte[] bytes = Files.readAllBytes(SAMPLES_FILE);
        float[] y = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(y);
        return y;
    }

    @Test
    void encodeGivesTheGoldenEvents() throws IOException {
        List<Event> want = SiacFormat.read(EVENTS).events();
        List<Event> got = encode().events();
        assertTrue(want.size() > 16, "the fixture holds events of both windows: " + want.size());
        assertEquals(want.size(), got.size(), "event count");
        float ampScale = 0, vecScale = 0;
        for (Event e : want) {
            ampScale = Math.max(ampScale, Math.abs(e.amplitude()));
            vecScale = Math.max(vecScale, peak(e.vector()));
        }
        for (int i = 0; i < want.size(); i++) {
            Event w = want.get(i), g = got.get(i);
            assertEquals(w.time(), g.time(), "onset of event " + i);
            assertEquals(w.amplitude(), g.amplitude(), 2e-4 * ampScale, "amplitude of event " + i);
            for (int d = 0; d < w.vector().length; d++) {
                assertEquals(w.vector()[d], g.vector()[d], 2e-4 * vecScale, "vector[" + d + "] of event " + i);
            }
        }
    }

    @Test
    void decodeGivesTheGoldenSamples() throws IOException {
        EventList events = SiacFormat.read(EVENTS);
        float[] want = goldenSamples();
        float[] got = codec.decode(events);
        assertEquals(want.length, got.length);
        float tol = 1e-4f * peak(want);
        assertTrue(peak(want) > 0.01f, "the golden decode is not silence");
        int worst = 0;
        for (int i = 0; i < want.length; i++) {
            if (Math.abs(want[i] - got[i]) > Math.abs(want[worst] - got[worst])) worst = i;
        }
        System.out.printf("golden decode: largest difference %.3g of the peak, at sample %d%n",
                Math.abs(want[worst] - got[worst]) / peak(want), worst);
        assertEquals(want[worst], got[worst], tol, "largest difference, at sample " + worst);
    }
}
