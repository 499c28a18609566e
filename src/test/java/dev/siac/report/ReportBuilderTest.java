package dev.siac.report;

import dev.siac.dsp.Levels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.siac.codec.Codec;
import dev.siac.codec.Event;
import dev.siac.codec.EventList;
import dev.siac.codec.Precision;
import dev.siac.codec.SiacFormat;
import dev.siac.dsp.Spectral;
import dev.siac.eval.Metrics;
import dev.siac.model.ModelConfig;
import dev.siac.model.Models;
import dev.siac.model.SiacModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The builder against the real (tiny) model: what the page shows must be what the model did. */
class ReportBuilderTest {

    private static NDManager manager;
    private static SiacModel model;
    private static Codec codec;
    private static ModelConfig c;
    private static float[] clip;

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager();
        c = ModelConfig.preset("tiny");
        c.init = "physical"; // the reference initialisation starts with a silent switch: no events to show
        model = Models.create(c, 3, manager);
        codec = new Codec(model, null);
        clip = ReportFixtures.notes(2.0, 5);
    }

    @AfterAll
    static void tearDown() {
        model.close();
        manager.close();
    }

    private static ReportBuilder builder(long seed, double streamSeconds) {
        return new ReportBuilder(codec, new ReportBuilder.Options(seed, streamSeconds, "tiny"), null);
    }

    @Test
    void audioReportShowsWhatTheEncoderDid() throws IOException {
        ReportData d = builder(1, 1.5).fromAudio("clip", clip, true);
        int n = c.windowSamples;
        int hop = c.stftHop;
        assertArrayEquals(Arrays.copyOf(clip, n), d.original(), "the original is the input's first window");
        assertEquals(c.eventsPerWindow, d.events().size());
        assertEquals(c.eventsPerWindow, d.residualSpectrograms().size(), "one residual per encoder step");
        assertEquals(c.bins(), d.specBins());
        assertEquals(c.frames(), d.specFrames());
        assertEquals(n, d.reconstruction().length);

        // Re-render the events from the times, amplitudes and vectors the page shows: they must add up to the
        // reconstruction, and the input spectrogram minus their spectrograms must be the last residual.
        float gain = Levels.peak(Arrays.copyOf(clip, n));
        float[] sum = new float[n];
        float[] residual;
        try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager()) {
            scope.suppressNotUsedWarning();
            float[] norm = new float[n];
            for (int i = 0; i < n; i++) norm[i] = clip[i] / gain;
            residual = Spectral.magnitude(m.create(norm, new Shape(1, n))).toFloatArray();
            for (EventView e : d.events()) {
                long onset = Math.round(e.timeSeconds() * c.sampleRate);
                assertEquals(0, onset % hop, "onsets lie on frames");
                assertTrue(onset / hop < c.onsetFrames(), "onsets lie in the window's first half");
                NDArray ev = model.generate(m.create(e.vector(), new Shape(1, c.vectorDim)), new long[] {onset / hop},
                        m.create(new float[] {e.amplitude()}));
                float[] a = ev.toFloatArray();
                for (int i = 0; i < n; i++) sum[i] += a[i] * gain;
                float[] spec = Spectral.magnitude(ev).toFloatArray();
                for (int i = 0; i < residual.length; i++) residual[i] -= spec[i];
                // The event's own clip is its rendered sound from its onset, at the input's level.
                for (int i = 0; i < e.audio().length; i++) assertEquals(a[(int) onset + i] * gain, e.audio()[i], 1e-5f);
            }
        }
        assertClose(sum, d.reconstruction(), 1e-4, "reconstruction = sum of events");
        assertClose(residual, d.residualSpectrograms().get(c.eventsPerWindow - 1), 1e-3, "last residual");
        double amps = d.events().stream().mapToDouble(EventView::amplitude).sum();
        assertTrue(amps > 0, "the physical initialisation places audible events");

        // The streamed part: the first 1.5 s, encoded and decoded by the codec; its mel_l1 is the number shown.
        int streamLength = (int) Math.ceil(1.5 * c.sampleRate);
        assertArrayEquals(Arrays.copyOf(clip, streamLength), d.streamOriginal());
        Codec.Result r = codec.encode(source(d.streamOriginal()), Levels.peak(d.streamOriginal()),
                Codec.Options.defaults(c), null);
        float[] decoded = decode(r.events());
        assertClose(decoded, d.streamReconstruction(), 1e-5, "streamed reconstruction");
        assertEquals(String.format("%.3f", Metrics.melL1(d.streamOriginal(), decoded, c.sampleRate)),
                d.numbers().get("mel L1 (streamed reconstruction vs input)"));
        assertEquals(Integer.toString(r.events().size()), d.numbers().get("streamed events"));
        assertTrue(d.numbers().get("bitrate").contains(SiacFormat.toBytes(r.events()).length + " bytes"));
        assertTrue(d.note("reconstruction").contains("first half"));
        assertTrue(d.note("perturbations").contains("U(-10, 10)"));

        // The intermediate steps belong to the loudest event.
        int loudest = 0;
        for (int i = 1; i < d.events().size(); i++) if (energy(d.events().get(i).audio()) > energy(d.events().get(loudest).audio())) loudest = i;
        try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager()) {
            scope.suppressNotUsedWarning();
            SiacModel.Rendered rr = model.render(m.create(d.events().get(loudest).vector(), new Shape(1, c.vectorDim)), true);
            assertArrayEquals(rr.out().toFloatArray(), d.oneEvent().wet());
            assertArrayEquals(rr.impulse().toFloatArray(), d.oneEvent().impulse());
            assertEquals(rr.deformations().getShape().get(1), d.oneEvent().deformation().length);
        }
    }

    @Test
    void randomisedSectionsFollowTheSeed() throws IOException {
        ReportData a = builder(7, 0.5).fromAudio("clip", clip, false);
        ReportData b = builder(7, 0.5).fromAudio("clip", clip, false);
        ReportData other = builder(8, 0.5).fromAudio("clip", clip, false);
        assertArrayEquals(a.randomVectorsAudio(), b.randomVectorsAudio());
        assertArrayEquals(a.randomTimesAudio(), b.randomTimesAudio());
        assertArrayEquals(a.perturbedAudio(), b.perturbedAudio());
        assertArrayEquals(a.reconstruction(), other.reconstruction(), "the seed changes only the randomised sections");
        assertFalse(Arrays.equals(a.randomVectorsAudio(), other.randomVectorsAudio()));
        assertFalse(Arrays.equals(a.randomTimesAudio(), other.randomTimesAudio()));
        assertFalse(Arrays.equals(a.perturbedAudio(), other.perturbedAudio()));
        for (float[] x : List.of(a.randomVectorsAudio(), a.randomTimesAudio(), a.perturbedAudio())) {
            assertFalse(Arrays.equals(x, a.reconstruction()), "a randomised version differs from the reconstruction");
            assertTrue(energy(x) > 0);
        }
        // 0.5 s is longer than half the tiny window (0.19 s), so the streaming section is shown.
        assertNotNull(a.streamReconstruction());
    }

    @Test
    void eventFileReportDecodesItsEventsLikeTheCodec() throws IOException {
        Codec.Result r = codec.encode(source(clip), Levels.peak(clip), Codec.Options.defaults(c), null);
        EventList list = r.events();
        int n = c.windowSamples;
        long bytes = SiacFormat.toBytes(list).length;
        ReportData d = builder(1, 1.0).fromEvents("events", list, bytes, null);
        assertNull(d.original(), "an event file has no original audio");
        assertTrue(d.note("original").contains("no original"));
        long inWindow = list.events().stream().filter(e -> e.time() < n).count();
        assertEquals(inWindow, d.events().size());
        assertEquals(inWindow, d.residualSpectrograms().size());

        float[] decoded = decode(list);
        // An event after the window may start up to a hop early (negative sub-frame shift), and the band balance's
        // frames reach a filter length ahead: compare before that.
        assertFalse(list.balance().isFlat(), "the report applies a balance");
        int upTo = n - c.stftHop - dev.siac.codec.BalanceFilter.N;
        assertClose(Arrays.copyOf(decoded, upTo), Arrays.copyOf(d.reconstruction(), upTo), 1e-5, "window = codec's decode");
        int streamLength = (int) Math.ceil(1.0 * c.sampleRate);
        assertEquals(streamLength, d.streamReconstruction().length);
        int streamUpTo = streamLength - c.stftHop - dev.siac.codec.BalanceFilter.N;
        assertClose(Arrays.copyOf(decoded, streamUpTo), Arrays.copyOf(d.streamReconstruction(), streamUpTo), 1e-5,
                "streamed = codec's decode");
        assertNull(d.streamOriginal());
        assertTrue(d.numbers().get("mel L1 (decoded vs original)").startsWith("n/a"));
        assertTrue(d.numbers().get("bitrate").contains(bytes + " bytes"));

        ReportData withAudio = builder(1, 1.0).fromEvents("events", list, bytes, clip);
        assertArrayEquals(Arrays.copyOf(clip, n), withAudio.original());
        assertArrayEquals(Arrays.copyOf(clip, streamLength), withAudio.streamOriginal());
        assertEquals(String.format("%.3f over the first %.2f s", Metrics.melL1(withAudio.streamOriginal(),
                withAudio.streamReconstruction(), c.sampleRate), streamLength / (double) c.sampleRate),
                withAudio.numbers().get("mel L1 (decoded vs original)"));
    }

    @Test
    void eventFileWithLateEventsUsesTheFirstWindowThatHasAny() throws IOException {
        int n = c.windowSamples;
        float[] v = new float[c.vectorDim];
        Arrays.fill(v, 0.1f);
        long late = 3L * n + 512;
        EventList list = new EventList(c.sampleRate, 5L * n, 1f, c.vectorDim, "", Precision.F32,
                List.of(new Event(late, 0.5f, v)));
        ReportBuilder b = builder(1, 1.0);
        assertEquals(late / (n / 2) * (n / 2), b.windowStart(list));
        ReportData d = b.fromEvents("late", list, 100, null);
        assertEquals(1, d.events().size());
        assertEquals((late - b.windowStart(list)) / (double) c.sampleRate, d.events().get(0).timeSeconds(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> b.fromEvents("empty",
                new EventList(c.sampleRate, n, 1f, c.vectorDim, "", Precision.F32, new ArrayList<>()), 10, null));
    }

    @Test
    void silenceMakesAReportWithoutNonFiniteValues() throws IOException {
        ReportData d = builder(1, 0.3).fromAudio("silence", new float[c.sampleRate / 2], false);
        assertEquals(c.eventsPerWindow, d.events().size());
        assertEquals("0", d.numbers().get("streamed events"));
    }

    @Test
    void envelopeAndTrimming() {
        float[] x = new float[1000];
        for (int i = 0; i < 100; i++) x[i] = i % 2 == 0 ? 1 : -1;
        float[] env = ReportBuilder.envelope(x, 10);
        assertEquals(1f, env[0], 0f);
        assertEquals(0f, env[9], 0f);
        float[] tiny = ReportBuilder.envelope(new float[] {2f, -4f}, 4);
        assertArrayEquals(new float[] {2f, 2f, 4f, 4f}, tiny, "short clips repeat their samples");
        float[] y = new float[10000];
        y[100] = 1;
        y[3000] = 0.01f;
        y[6000] = 1e-4f;
        assertEquals(3001 + 1024, ReportBuilder.audibleEnd(y, 0, 10), "the tail below -60 dB is dropped");
        assertEquals(9000, ReportBuilder.audibleEnd(y, 0, 9000), "never shorter than asked");
    }

    private static Codec.SampleSource source(float[] x) {
        int[] pos = {0};
        return (buf, off, len) -> {
            if (pos[0] >= x.length) return -1;
            int k = Math.min(len, x.length - pos[0]);
            System.arraycopy(x, pos[0], buf, off, k);
            pos[0] += k;
            return k;
        };
    }

    private static float[] decode(EventList list) throws IOException {
        float[] out = new float[(int) list.lengthSamples()];
        int[] pos = {0};
        codec.decode(list, (buf, off, len) -> {
            System.arraycopy(buf, off, out, pos[0], len);
            pos[0] += len;
        }, null);
        return out;
    }

    private static double energy(float[] x) {
        double e = 0;
        for (float v : x) e += (double) v * v;
        return e;
    }

    private static void assertClose(float[] expected, float[] actual, double relTol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 0;
        for (float v : expected) scale = Math.max(scale, Math.abs(v));
        double worst = 0;
        for (int i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        assertTrue(worst <= relTol * Math.max(scale, 1e-6), what + ": largest difference " + worst + " (scale " + scale + ")");
    }
}
