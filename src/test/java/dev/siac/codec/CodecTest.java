package dev.siac.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.siac.model.ModelConfig;
import dev.siac.model.Models;
import dev.siac.model.SiacModel;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streaming codec on an untrained tiny model (8192-sample windows, hop 4096, 4 events per window). What is
 * asserted holds for any weights: chunking, timing, length, gain and silence handling. How well the events
 * reproduce the input is a property of training and is not tested here.
 */
class CodecTest {
    private static NDManager manager;
    private static SiacModel model;
    private static Codec codec;
    private static ModelConfig c;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        model = Models.create(TinyModel.config(), 1, manager);
        codec = new Codec(model, "");
        c = model.config;
    }

    @AfterAll
    static void close() {
        model.close();
        manager.close();
    }

    private static Codec.Options options(int maxEvents, double stopBelow) {
        return new Codec.Options(maxEvents, stopBelow, Precision.F32);
    }

    private static Codec.Result encode(float[] x, Codec.Options o, int... chunks) throws IOException {
        return codec.encode(TinyModel.source(x, chunks), TinyModel.peak(x), o, null);
    }

    private static float[] decode(EventList list) throws IOException {
        TinyModel.Collector out = new TinyModel.Collector();
        codec.decode(list, out, null);
        return out.samples();
    }

    private static EventList withGain(EventList l, float gain) {
        return new EventList(l.sampleRate(), l.lengthSamples(), gain, l.vectorDim(), l.modelId(), l.precision(), l.events());
    }

    /** Events per half window (the span of onsets one window may place). */
    private static int[] perHalfWindow(EventList l) {
        int half = c.windowSamples / 2;
        int[] counts = new int[(int) ((l.lengthSamples() + half - 1) / half)];
        for (Event e : l.events()) counts[(int) (e.time() / half)]++;
        return counts;
    }

    @Test
    void chunkedInputGivesBitIdenticalEvents() throws IOException {
        float[] x = TinyModel.noise(30000, 0.5, 3);
        Codec.Result whole = encode(x, options(c.eventsPerWindow, 0));
        assertFalse(whole.events().events().isEmpty());
        for (int[] chunks : new int[][] {{1}, {7, 1000, 4097}, {8191, 3}, {65537}, {30000}}) {
            Codec.Result parts = encode(x, options(c.eventsPerWindow, 0), chunks);
            assertEquals(whole.events(), parts.events(), "chunks " + Arrays.toString(chunks));
            assertEquals(whole.energyRemoved(), parts.energyRemoved(), 0.0, "chunks " + Arrays.toString(chunks));
        }
    }

    /**
     * Digital silence in the input is stored as spans (found on the input's own scale, in any chunking) and decodes
     * as exact zeros, while the events around it still ring where the input did not stop; without the spans the
     * events' tails reach into the gap.
     */
    @Test
    void digitalSilenceIsStoredAndDecodesAsExactZeros() throws IOException {
        float[] x = TinyModel.noise(30000, 0.5, 9);
        for (int i = 0; i < x.length; i++) x[i] = 0.2f * x[i] + 0.3f * Math.signum(x[i]); // no sample near zero
        java.util.Arrays.fill(x, 9000, 15000, 0f);
        for (int i = 15000; i < 16000; i++) x[i] = (i % 2 == 0 ? 0.5f : -0.5f) * Silence.THRESHOLD; // quieter than 16 bits
        java.util.Arrays.fill(x, 29000, 30000, 0f); // shorter than Silence.MIN_SAMPLES: left to the events
        EventList events = encode(x, options(c.eventsPerWindow, 0), 777).events();
        assertEquals(Silence.of(new long[] {9000}, new long[] {16000}), events.silence());
        assertEquals(events, encode(x, options(c.eventsPerWindow, 0), 1, 4096).events(), "any chunking");
        float[] y = decode(events);
        for (int i = 9000; i < 16000; i++) assertEquals(0f, y[i], "sample " + i);
        EventList without = encode(x, options(c.eventsPerWindow, 0).withSilence(false)).events();
        assertEquals(Silence.NONE, without.silence());
        assertEquals(events.events(), without.events(), "the spans do not change the events");
        float[] ringing = decode(without);
        double inGap = 0;
        for (int i = 9000; i < 16000; i++) inGap += Math.abs(ringing[i]);
        assertTrue(inGap > 0, "without spans the events' tails reach into the gap");
        for (int i = 0; i < 9000; i++) assertEquals(ringing[i], y[i], "sample " + i + ", before the gap");
    }

    /**
     * A part covering the whole source is the whole encode; a part keeps only its own events, spans and frames; a part
     * must start on a window hop and may not carry a bitrate target.
     */
    @Test
    void aPartOfTheSourceKeepsItsOwnEventsSpansAndFrames() throws IOException {
        float[] x = TinyModel.noise(40000, 0.5, 11);
        java.util.Arrays.fill(x, 15000, 20000, 0f);
        Codec.Options o = options(c.eventsPerWindow, 0).withLevelFit(true);
        Codec.Result whole = encode(x, o);
        Codec.Part all = codec.encodePart(TinyModel.source(x), x.length, TinyModel.peak(x), o, 0, x.length, null);
        assertEquals(whole.events().events(), all.events());
        assertEquals(whole.events().silence(), all.silence());
        assertEquals(whole.energyRemoved(), all.energyRemoved(), 0.0);
        int hop = c.windowSamples / 2;
        Codec.Part middle = codec.encodePart(TinyModel.source(x), x.length, TinyModel.peak(x), o, 2L * hop, 4L * hop, null);
        assertFalse(middle.events().isEmpty());
        assertTrue(middle.events().stream().allMatch(e -> e.time() >= 2L * hop && e.time() < 4L * hop));
        assertEquals(whole.events().silence().clipped(2L * hop, 4L * hop, 0), middle.silence());
        assertTrue(middle.inputL1() > 0 && middle.inputL1() < all.inputL1());
        assertThrows(IllegalArgumentException.class,
                () -> codec.encodePart(TinyModel.source(x), x.length, TinyModel.peak(x), o, hop + 1, 4L * hop, null));
        assertThrows(IllegalArgumentException.class, () -> codec.encodePart(TinyModel.source(x), x.length,
                TinyModel.peak(x), o.withTargetKbps(2), 0, x.length, null));
    }

    /**
     * How a signal is cut into parts depends on its length only: a power-of-two count, each part at least PART_HOPS
     * window hops, every cut on the window grid, the first part longer by the others' context so that they cost the
     * same; too short for two parts: one.
     */
    @Test
    void partsDependOnTheLengthOnlyAndCostTheSame() {
        long hop = c.windowSamples / 2;
        assertArrayEquals(new long[] {0, 5 * hop + 7}, codec.partBounds(5 * hop + 7));
        assertArrayEquals(new long[] {0, 0}, codec.partBounds(0));
        for (long hops : new long[] {47, 48, 77, 95, 96, 200, 1212}) {
            long length = hops * hop - 123;
            long[] b = codec.partBounds(length);
            int parts = b.length - 1;
            assertEquals(Long.highestOneBit(Math.max(1, hops / Codec.PART_HOPS)), parts, hops + " hops");
            assertEquals(0, b[0]);
            assertEquals(length, b[parts]);
            for (int k = 1; k < parts; k++) {
                assertEquals(0, b[k] % hop, "cut " + k + " on the grid");
                long windows = (b[k] - b[k - 1]) / hop + (k > 1 ? Codec.CONTEXT_HOPS : 0);
                assertTrue(windows >= Codec.PART_HOPS - 1, hops + " hops, part " + (k - 1) + ": " + windows);
                long first = b[1] / hop;
                assertTrue(Math.abs(windows - first) <= 1, hops + " hops, part " + (k - 1) + " costs " + windows + " windows, the first " + first);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> codec.partBounds(100, Codec.CONTEXT_HOPS));
    }

    /**
     * The level fit keeps the greedy choice (same onsets and vectors) and gives each window's events one gain, in any
     * chunking; the decode comes closer to the input in mel_l1, which the fit aims at.
     */
    @Test
    void levelFitScalesEachWindowsEventsByOneGainAndBringsTheDecodeCloser() throws IOException {
        float[] x = TinyModel.noise(40000, 0.5, 5);
        for (int i = 20000; i < x.length; i++) x[i] *= 0.1f; // a quieter second part: windows want other gains
        Codec.Options plainOptions = options(c.eventsPerWindow, 0);
        Codec.Options fitOptions = plainOptions.withLevelFit(true);
        Codec.Result plain = encode(x, plainOptions);
        Codec.Result fitted = encode(x, fitOptions);
        List<Event> a = plain.events().events(), b = fitted.events().events();
        assertEquals(a.size(), b.size());
        int half = c.windowSamples / 2;
        java.util.Map<Long, Double> gains = new java.util.HashMap<>();
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).time(), b.get(i).time());
            assertArrayEquals(a.get(i).vector(), b.get(i).vector());
            double g = (double) b.get(i).amplitude() / a.get(i).amplitude();
            Double first = gains.putIfAbsent(a.get(i).time() / half, g);
            if (first != null) assertEquals(first, g, 1e-5 * first, "one gain per window");
        }
        assertTrue(gains.values().stream().anyMatch(g -> Math.abs(g - 1) > 0.01), "gains " + gains);
        double before = dev.siac.eval.Metrics.melL1(x, decode(plain.events()), c.sampleRate);
        double after = dev.siac.eval.Metrics.melL1(x, decode(fitted.events()), c.sampleRate);
        assertTrue(after < before, "mel_l1 " + before + " -> " + after);
        assertNotEquals(plain.energyRemoved(), fitted.energyRemoved(), "energy removed is that of the stored events");
        assertEquals(plain.energyRemoved(), fitted.modelEnergyRemoved(), 0.0, "and the model's own, as without the fit");
        Codec.Result chunked = encode(x, fitOptions, 7, 1000, 4097);
        assertEquals(fitted.events(), chunked.events());
        assertEquals(fitted.energyRemoved(), chunked.energyRemoved(), 0.0);
    }

    /**
     * The band balance: the same events as the level fit alone; one frame of codes per window hop; a decode closer to
     * the input in mel_l1 on a signal whose balance the events miss (white noise with a loud low octave); the list
     * without it decodes as the level fit's; chunking-invariant; only with the level fit.
     */
    @Test
    void theBandBalanceBringsTheDecodeCloserWithTheSameEvents() throws IOException {
        float[] x = TinyModel.noise(40000, 0.3, 9);
        for (int i = 0; i < x.length; i++) x[i] += (float) (0.8 * Math.sin(2 * Math.PI * 180 * i / c.sampleRate));
        Codec.Options fitOptions = options(c.eventsPerWindow, 0).withLevelFit(true);
        Codec.Options balanceOptions = fitOptions.withBalance(true);
        Codec.Result fitted = encode(x, fitOptions);
        Codec.Result balanced = encode(x, balanceOptions);
        assertTrue(fitted.events().balance().isEmpty());
        Balance b = balanced.events().balance();
        int hop = c.windowSamples / 2; // frames of 8192 samples by default, at most a window hop (this one's 4096)
        assertEquals(hop, b.hop());
        assertEquals((x.length + hop - 1) / hop, b.frames(), "a frame per window hop");
        Balance fine = encode(x, balanceOptions.withBalanceSplit(4)).events().balance();
        assertEquals(hop / 4, fine.hop());
        assertEquals((x.length + fine.hop() - 1) / fine.hop(), fine.frames(), "four frames per window hop");
        // frames of 256 samples: the first four of each hop have no spectrogram frame centred in them that the window
        // holds (a frame's centre lies 1024 samples after its start) and take the fifth's codes
        Balance finest = encode(x, balanceOptions.withBalanceSplit(16)).events().balance();
        for (int h = 0; h * 16 + 4 < finest.frames(); h++) {
            byte[] measured = java.util.Arrays.copyOfRange(finest.codes(), (h * 16 + 4) * Balance.BANDS, (h * 16 + 5) * Balance.BANDS);
            for (int f = h * 16; f < h * 16 + 4; f++) {
                assertArrayEquals(measured, java.util.Arrays.copyOfRange(finest.codes(), f * Balance.BANDS, (f + 1) * Balance.BANDS), "frame " + f);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> encode(x, balanceOptions.withBalanceSplit(3)), "3 does not divide a hop");
        assertFalse(b.isFlat(), b.toString());
        assertEquals(fitted.events(), balanced.events().withBalance(Balance.NONE), "the same events and gains");
        double without = dev.siac.eval.Metrics.melL1(x, decode(fitted.events()), c.sampleRate);
        double with = dev.siac.eval.Metrics.melL1(x, decode(balanced.events()), c.sampleRate);
        assertTrue(with < without - 0.01, "mel_l1 " + without + " -> " + with + " (" + b + ")");
        assertArrayEquals(decode(fitted.events()), decode(balanced.events().withBalance(Balance.NONE)), 0f);
        assertEquals(balanced.events(), encode(x, balanceOptions, 7, 1000, 4097).events());
        assertFalse(balanceOptions.withLevelFit(false).balance(), "no level fit, no balance");
        assertTrue(options(c.eventsPerWindow, 0).withBalance(true).levelFit(), "the balance brings the level fit");
        assertTrue(Codec.Options.defaults(c).balance(), "on by default");
        // the level tolerance (LevelFitTest checks what it does) changes the codes only, and holds in the decode
        assertEquals(Codec.Options.DEFAULT_BALANCE_LEVEL_DB, balanceOptions.balanceLevelDb(), 0.0, "held by default");
        Codec.Result melOnly = encode(x, balanceOptions.withBalanceLevel(Double.POSITIVE_INFINITY));
        assertEquals(fitted.events(), melOnly.events().withBalance(Balance.NONE));
        assertNotEquals(b, melOnly.events().balance());
        // on a signal the events can reach in every octave (their own decode) made peaky in time (a twentieth of each
        // 0.2 s eight times louder), where mel_l1 alone fits the quiet cells and leaves the power low: the level holds
        // in the decode as the encoder measured it
        float[] own = decode(fitted.events());
        for (int i = 0; i < own.length; i++) if ((i / 220) % 20 == 0) own[i] *= 8;
        double[] held = dev.siac.eval.Metrics.octaveLevelErrors(own, decode(encode(own, balanceOptions).events()), c.sampleRate);
        double[] free = dev.siac.eval.Metrics.octaveLevelErrors(own, decode(encode(own, balanceOptions.withBalanceLevel(Double.POSITIVE_INFINITY)).events()), c.sampleRate);
        assertTrue(dev.siac.eval.Metrics.maxAbsLevelDb(held) <= Codec.Options.DEFAULT_BALANCE_LEVEL_DB + 0.5,
                "each octave within the tolerance in the decode: " + java.util.Arrays.toString(held) + " (mel_l1 alone: " + java.util.Arrays.toString(free) + ")");
        assertTrue(dev.siac.eval.Metrics.maxAbsLevelDb(free) > dev.siac.eval.Metrics.maxAbsLevelDb(held) + 1,
                "mel_l1 alone leaves an octave farther: " + java.util.Arrays.toString(free));
        assertThrows(IllegalArgumentException.class, () -> balanceOptions.withBalanceLevel(0));
    }

    /**
     * Event gains: the same events as the level fit (onsets, vectors), each amplitude within 6 dB of the window fit's,
     * not all scaled alike; the decode no farther from the input in mel_l1 (each event's gain starts at its window's
     * and is kept on ties); chunking-invariant; only with the level fit.
     */
    @Test
    void eventGainsRefineEachEventsLevelWithinSixDecibelsOfItsWindows() throws IOException {
        float[] x = TinyModel.noise(40000, 0.5, 5);
        for (int i = 20000; i < x.length; i++) x[i] *= 0.1f;
        for (int i = 0; i < x.length; i += 3000) for (int k = 0; k < 300 && i + k < x.length; k++) x[i + k] *= 4; // bursts
        Codec.Options fitOptions = options(c.eventsPerWindow, 0).withLevelFit(true);
        Codec.Options eachOptions = fitOptions.withEventGains(true);
        Codec.Result fitted = encode(x, fitOptions);
        Codec.Result each = encode(x, eachOptions);
        List<Event> a = fitted.events().events(), b = each.events().events();
        assertEquals(a.size(), b.size());
        int differ = 0;
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).time(), b.get(i).time());
            assertArrayEquals(a.get(i).vector(), b.get(i).vector());
            double db = 20 * Math.log10((double) b.get(i).amplitude() / a.get(i).amplitude());
            assertTrue(Math.abs(db) <= Codec.EVENT_GAIN_RANGE_DB + 0.01, "event " + i + ": " + db + " dB");
            if (Math.abs(db) > 0.05) differ++;
        }
        assertTrue(differ > 0, "some event's gain moved");
        double window = dev.siac.eval.Metrics.melL1(x, decode(fitted.events()), c.sampleRate);
        double events = dev.siac.eval.Metrics.melL1(x, decode(each.events()), c.sampleRate);
        assertTrue(events <= window + 1e-3, "mel_l1 " + window + " -> " + events);
        assertEquals(each.events(), encode(x, eachOptions, 7, 1000, 4097).events());
        assertFalse(eachOptions.withLevelFit(false).eventGains(), "no level fit, no event gains");
        assertTrue(options(c.eventsPerWindow, 0).withEventGains(true).levelFit(), "event gains bring the level fit");
        Codec.Options o = eachOptions;
        assertThrows(IllegalArgumentException.class, () -> new Codec.Options(o.maxEventsPerWindow(), o.stopBelow(),
                o.precision(), 0, o.refineLr(), 0, o.mergeCosine(), 0, true, false, true, false, Double.POSITIVE_INFINITY, 1));
    }

    /**
     * Lengths off the window (8192) and hop (256) grids. Noise has energy in every frame, and this model's switch
     * is positive on it, so every half window (the onsets one window may place) must get at least one event,
     * the last, partial one included: padding at the end exists so that the last samples can receive onsets.
     * Exception: a half window holding only a few samples. A frame sees samples [256f, 256f + 2048) through a
     * Hann window that starts at 0, so a frame's first samples are all but invisible (the weight of sample i is
     * sin^2(pi i / 2048)): the 1-sample input, or the one sample past 8192 in an 8193-sample input, has no
     * spectral energy there to place an event on. 20 samples (8212) have.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 100, 8191, 8193, 8192 + 20, 30000})
    void onsetsCoverTheSignalAndDecodeHasItsExactLength(int length) throws IOException {
        float[] x = TinyModel.noise(length, 0.5, length);
        EventList events = encode(x, options(c.eventsPerWindow, 0), 333).events();
        assertEquals(length, events.lengthSamples());
        assertEquals(TinyModel.peak(x), events.gain());
        for (Event e : events.events()) {
            assertTrue(e.time() >= 0 && e.time() < length, "onset " + e.time() + " outside [0, " + length + ")");
            assertEquals(0, e.time() % c.stftHop, "onset " + e.time() + " off the frame grid");
        }
        int[] counts = perHalfWindow(events);
        int half = c.windowSamples / 2;
        for (int w = 0; w < counts.length; w++) {
            if (length - (long) w * half < 16) continue;
            assertTrue(counts[w] >= 1, "no onset in samples [" + w * half + ", "
                    + Math.min(length, (w + 1L) * half) + ") of " + length + ": " + Arrays.toString(counts));
        }
        float[] y = decode(events);
        assertEquals(length, y.length);
        for (float v : y) assertTrue(Float.isFinite(v));
        if (events.size() > 0) assertTrue(TinyModel.peak(y) > 0, "events were placed, the decode must not be silent");
    }

    /**
     * Level, as far as it holds for any weights: the stored gain is the input's peak, and decoding multiplies the
     * rendered events by it, exactly. (Whether the events reproduce the input's RMS depends on training.)
     */
    @Test
    void decodeScalesByTheStoredGainExactly() throws IOException {
        float[] x = TinyModel.noise(20000, 0.8, 11);
        EventList events = encode(x, options(c.eventsPerWindow, 0)).events();
        assertEquals(TinyModel.peak(x), events.gain());
        float[] one = decode(withGain(events, 1f));
        float g = 0.37f;
        float[] scaled = decode(withGain(events, g));
        assertTrue(TinyModel.peak(one) > 0);
        for (int i = 0; i < one.length; i++) assertEquals(g * one[i], scaled[i], 0f, "sample " + i);
        for (float v : decode(withGain(events, 0f))) assertEquals(0f, Math.abs(v)); // -0.0 is silence too
    }

    /**
     * An input 12 dB quieter (by an exact power of two) is normalised to the same samples, so it gets the same
     * events, a quarter of the gain, and exactly a quarter of the decoded signal: the decoded level follows the
     * input's level exactly, whatever the absolute level an untrained model renders.
     */
    @Test
    void quieterInputGivesSameEventsAndProportionallyQuieterDecode() throws IOException {
        float[] loud = TinyModel.noise(20000, 0.9, 5);
        float[] quiet = new float[loud.length];
        for (int i = 0; i < loud.length; i++) quiet[i] = loud[i] * 0.25f;
        EventList a = encode(loud, options(c.eventsPerWindow, 0)).events();
        EventList b = encode(quiet, options(c.eventsPerWindow, 0)).events();
        assertEquals(a.events(), b.events());
        assertEquals(a.gain() * 0.25f, b.gain(), 0f);
        float[] ya = decode(a);
        float[] yb = decode(b);
        for (int i = 0; i < ya.length; i++) assertEquals(ya[i] * 0.25f, yb[i], 0f, "sample " + i);
    }

    @Test
    void silenceEncodesToNoEventsAndDecodesToDigitalSilence() throws IOException {
        float[] x = new float[20000];
        Codec.Result r = encode(x, options(c.eventsPerWindow, 0));
        assertEquals(0, r.events().size());
        assertEquals(0f, r.events().gain());
        assertArrayEquals(x, decode(r.events()));
    }

    /**
     * A signal hundreds of dB below full scale (subnormal floats) is silence for every purpose; 1/peak overflows to
     * infinity there, which must not turn the zeros into NaN and the input into an error.
     */
    @Test
    void subnormalLevelInputIsSilenceNotAnError() throws IOException {
        float[] x = new float[10000];
        for (int i = 0; i < x.length; i += 2) x[i] = 1e-39f;
        Codec.Result r = encode(x, options(c.eventsPerWindow, 0));
        float[] y = decode(r.events());
        assertEquals(x.length, y.length);
        for (float v : y) assertTrue(Float.isFinite(v) && Math.abs(v) <= 1e-38f);
    }

    @Test
    void nanInTheSourceIsRefused() {
        float[] x = TinyModel.noise(5000, 0.5, 2);
        x[4321] = Float.NaN;
        IOException e = assertThrows(IOException.class,
                () -> codec.encode(TinyModel.source(x), 0.5f, options(c.eventsPerWindow, 0), null));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void maxEventsPerWindowCapsEveryWindow() throws IOException {
        float[] x = TinyModel.noise(30000, 0.5, 9);
        int[] all = perHalfWindow(encode(x, options(c.eventsPerWindow, 0)).events());
        assertEquals(c.eventsPerWindow, Arrays.stream(all).max().orElse(0), "without a cap windows reach the model's count");
        for (int cap : new int[] {1, 2}) {
            int[] capped = perHalfWindow(encode(x, options(cap, 0)).events());
            for (int w = 0; w < capped.length; w++) {
                assertTrue(capped[w] >= 1 && capped[w] <= cap, "window " + w + ": " + Arrays.toString(capped));
            }
        }
    }

    /**
     * Stopping by residual energy. An untrained model's events remove well under 1% of the spectral energy, so
     * a threshold of 0.9 is never reached (it may only ever give fewer events, never more); a threshold of
     * 0.9999 is, so it must end windows early.
     */
    @Test
    void stopBelowEndsWindowsEarly() throws IOException {
        float[] x = TinyModel.noise(30000, 0.5, 9);
        int all = encode(x, options(c.eventsPerWindow, 0)).events().size();
        int at09 = encode(x, options(c.eventsPerWindow, 0.9)).events().size();
        int at09999 = encode(x, options(c.eventsPerWindow, 0.9999)).events().size();
        assertTrue(at09 <= all);
        assertTrue(at09999 < all, at09999 + " events with --stop-below 0.9999, " + all + " without");
        assertTrue(at09999 > 0);
    }

    /**
     * Edits may move events anywhere (FORMAT.md: negative times, times past the length). Such events cannot reach
     * the output: decoding must skip them, quickly, and must not alias a far-away time into the signal.
     */
    @Test
    void eventsOutsideTheSignalDecodeToNothing() throws IOException {
        float[] x = TinyModel.noise(12000, 0.5, 4);
        EventList encoded = encode(x, options(c.eventsPerWindow, 0)).events();
        float[] v = encoded.events().get(0).vector();
        long length = 12000;
        List<Event> far = new ArrayList<>();
        far.add(new Event(length + 1_000_000_000_000L, 1f, v));   // past the end by 1.4 years
        far.add(new Event(-(1L << 32) + 4096, 1f, v));             // (int) of its offset would be 3840
        far.add(new Event(Long.MIN_VALUE + 1, 1f, v));
        far.add(new Event(Long.MAX_VALUE, 1f, v));
        EventList list = new EventList(c.sampleRate, length, 1f, c.vectorDim, "", Precision.F32, far);
        float[] y = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> decode(list));
        assertArrayEquals(new float[(int) length], y);
    }

    @Test
    void eventsFromAnotherVectorSizeAreRefused() {
        EventList list = new EventList(c.sampleRate, 100, 1f, c.vectorDim + 1, "", Precision.F32,
                List.of(new Event(0, 1f, new float[c.vectorDim + 1])));
        assertThrows(IOException.class, () -> decode(list));
    }

    @Test
    void emptyInputGivesAnEmptyListAndAnEmptyDecode() throws IOException {
        Codec.Result r = encode(new float[0], options(c.eventsPerWindow, 0));
        assertEquals(0, r.events().lengthSamples());
        assertEquals(0, r.events().size());
        assertEquals(0, decode(r.events()).length);
    }

    /**
     * The reader looks 65536 samples ahead; an input longer than that is read before its end is known. Every window
     * must then choose its onsets as it does for the same samples from a source whose length is known at once. (Before
     * the fix, every window of an end not yet known put all its events on its first frame.)
     */
    @Test
    void inputLongerThanTheLookAheadGivesTheEventsOfAKnownLength() throws IOException {
        float[] x = TinyModel.noise(200_000, 0.5, 21);
        Codec.Result streamed = encode(x, options(c.eventsPerWindow, 0), 1000);
        Codec.Result known = codec.encode(TinyModel.source(x), x.length, TinyModel.peak(x), options(c.eventsPerWindow, 0), null);
        assertEquals(known.events(), streamed.events());
        assertEquals(known.energyRemoved(), streamed.energyRemoved(), 0.0);
        assertTrue(streamed.energyRemoved() > 0, "energy removed is summed over every window: " + streamed.energyRemoved());
        // the untrained switch picks onsets across each onset half, not only its first frame
        int half = c.windowSamples / 2;
        long offStart = streamed.events().events().stream().filter(e -> e.time() % half != 0).count();
        assertTrue(offStart > streamed.events().size() / 2, offStart + " of " + streamed.events().size()
                + " onsets off a window's first frame");
    }

    @Test
    void aSourceThatBreaksItsAnnouncedLengthIsAnError() {
        float[] x = TinyModel.noise(90_000, 0.5, 2);
        IOException shorter = assertThrows(IOException.class,
                () -> codec.encode(TinyModel.source(x), x.length + 10, 0.5f, options(c.eventsPerWindow, 0), null));
        assertTrue(shorter.getMessage().contains("ended after 90000 samples"), shorter.getMessage());
        IOException longer = assertThrows(IOException.class,
                () -> codec.encode(TinyModel.source(x), x.length - 10, 0.5f, options(c.eventsPerWindow, 0), null));
        assertTrue(longer.getMessage().contains("more than the 89990 samples"), longer.getMessage());
    }

    /**
     * The last window holds only the audio left after the previous one: it gets events in proportion to that, so a
     * file's events per second do not depend on where it ends (before the fix a window's full count went onto a few
     * frames at the end of the file). Noise makes this model's switch positive everywhere, so every window spends its
     * whole budget: the count is exact.
     */
    @ParameterizedTest
    @ValueSource(ints = {8192, 8192 + 300, 3 * 4096 + 2000, 20 * 4096, 20 * 4096 + 20, 20 * 4096 + 4000})
    void eventsPerSecondDoNotDependOnWhereTheFileEnds(int length) throws IOException {
        float[] x = TinyModel.noise(length, 0.5, length);
        EventList events = encode(x, options(c.eventsPerWindow, 0), 5000).events();
        int half = c.windowSamples / 2;
        int advance = half / c.stftHop;
        int[] counts = perHalfWindow(events);
        int lastCols = (int) (((length - 1L) % half) / c.stftHop) + 1;
        int lastBudget = (c.eventsPerWindow * lastCols + advance - 1) / advance;
        for (int w = 0; w < counts.length - 1; w++) assertEquals(c.eventsPerWindow, counts[w], "full window " + w);
        assertEquals(lastBudget, counts[counts.length - 1], "last window, " + lastCols + " of " + advance + " frames");
        double rate = events.size() / (double) length;
        double model = c.eventsPerWindow / (double) half;
        // at most one event more than the model's rate: the last window's share rounded up
        assertTrue(rate >= model - 1e-12 && rate <= model + 1.0 / length, "events per sample " + rate + ", model " + model);
    }

    /**
     * A bitrate target: the file lands within 5% of it, header included, and loud windows get more events than quiet
     * ones. Half-window blocks of noise alternate between two levels 40 dB apart.
     */
    @ParameterizedTest
    @ValueSource(doubles = {4, 12})
    void targetBitrateIsMetAndSpentWhereTheEnergyIs(double kbps) throws IOException {
        int half = c.windowSamples / 2;
        int blocks = 160;
        float[] x = TinyModel.noise(blocks * half, 0.5, 77);
        for (int b = 1; b < blocks; b += 2) for (int i = b * half; i < (b + 1) * half; i++) x[i] *= 0.01f;
        Codec.Options o = new Codec.Options(4 * c.eventsPerWindow, 0, Precision.Q8).withTargetKbps(kbps);
        EventList events = codec.encode(TinyModel.source(x), x.length, TinyModel.peak(x), o, null).events();
        double seconds = x.length / (double) c.sampleRate;
        double got = SiacFormat.encodedSize(events) * 8 / seconds / 1000;
        assertEquals(kbps, got, 0.05 * kbps, "kbps of " + events.size() + " events");
        int[] counts = perHalfWindow(events);
        int loud = 0, quiet = 0;
        for (int w = 0; w < counts.length; w++) {
            if (w % 2 == 0) loud += counts[w];
            else quiet += counts[w];
        }
        assertTrue(loud > 1.3 * quiet, "loud windows " + loud + " events, quiet ones " + quiet);
    }

    /**
     * Merging at cosine -1 joins every pair of same-onset events (any two non-zero vectors are above it): each onset
     * then holds one event, and no onset is lost.
     */
    @Test
    void mergeTwinsLeavesOneEventPerOnset() throws IOException {
        float[] x = TinyModel.noise(60_000, 0.5, 13);
        EventList plain = encode(x, options(c.eventsPerWindow, 0)).events();
        EventList merged = encode(x, options(c.eventsPerWindow, 0).withMergeTwins(-1)).events();
        long onsetsPlain = plain.events().stream().mapToLong(Event::time).distinct().count();
        long onsetsMerged = merged.events().stream().mapToLong(Event::time).distinct().count();
        assertEquals(onsetsMerged, merged.size(), "one event per onset");
        assertTrue(onsetsPlain < plain.size(), "this input has same-onset events to merge: " + plain.size() + " events on "
                + onsetsPlain + " onsets");
        assertTrue(onsetsMerged >= onsetsPlain, onsetsMerged + " onsets merged, " + onsetsPlain + " plain");
    }
}
