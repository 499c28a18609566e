package dev.siac.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siac.audio.AudioIO;
import dev.siac.audio.AudioReader;
import dev.siac.audio.Signal;
import dev.siac.audio.TestSignals;
import dev.siac.codec.Event;
import dev.siac.codec.EventList;
import dev.siac.codec.Precision;
import dev.siac.codec.SiacFormat;
import dev.siac.codec.TinyModel;
import dev.siac.model.ModelConfig;
import dev.siac.model.Models;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code siac encode} and {@code siac decode} on real files, with an untrained tiny model (8192-sample windows,
 * 4 events per window).
 *
 * <p>About level: an untrained model does not reproduce the input's RMS (its events are whatever its random
 * weights render), so no test compares the decoded RMS with the input's. What is asserted holds for any weights:
 * the file stores the input's peak as its gain, the decoder multiplies by it, an input 12 dB quieter decodes to
 * exactly a quarter of the signal, and silence decodes to digital silence.
 */
class EncodeDecodeCommandTest {
    private static final Path EXAMPLE = Path.of("examples", "example.wav");
    private static final int RATE = AudioIO.SAMPLE_RATE;

    @TempDir
    static Path shared;
    private static Path model;
    private static Path otherModel;
    /** The first 3 s of examples/example.wav (piano), as 16-bit PCM. */
    private static Path excerpt;

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() throws IOException {
        model = TinyModel.save(shared.resolve("tiny"), 1);
        otherModel = TinyModel.save(shared.resolve("tiny-other"), 2);
        float[] x = Arrays.copyOf(AudioIO.read(EXAMPLE).samples(), 3 * RATE);
        excerpt = TestSignals.writePcm16Wav(shared, "excerpt.wav", RATE, x);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static CliRun encode(Path in, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of(in.toString(), "-o", out.toString(), "--model", model.toString(), "-q"));
        args.addAll(List.of(extra));
        return CliRun.of(new EncodeCommand(), args.toArray(String[]::new));
    }

    private static CliRun decode(Path in, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of(in.toString(), "-o", out.toString(), "-q"));
        if (!List.of(extra).contains("--model")) args.addAll(List.of("--model", model.toString()));
        args.addAll(List.of(extra));
        return CliRun.of(new DecodeCommand(), args.toArray(String[]::new));
    }

    private static EventList encodeOk(Path in, Path out, String... extra) throws IOException {
        CliRun r = encode(in, out, extra);
        assertEquals(0, r.code(), r.err());
        return SiacFormat.read(out);
    }

    /** Decodes to a float WAV (exact samples) and reads it back. */
    private static float[] decodeFloat(Path siac, Path wav) throws IOException {
        CliRun r = decode(siac, wav, "--float");
        assertEquals(0, r.code(), r.err());
        return AudioIO.read(wav).samples();
    }

    private List<String> filesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static int[] perHalfWindow(EventList l) {
        int half = TinyModel.config().windowSamples / 2;
        int[] counts = new int[(int) ((l.lengthSamples() + half - 1) / half)];
        for (Event e : l.events()) counts[(int) (e.time() / half)]++;
        return counts;
    }

    // ------------------------------------------------------------------------------------------------ round trips

    static Stream<String> audioFiles() {
        return Stream.of("tone_pcm16_stereo_16k.wav", "tone_pcm8_mono_8k.wav", "tone_pcm24_stereo_48k.wav",
                "tone_pcm32_mono_22k.wav", "tone_float32_stereo_44k.wav", "tone_ext24_4ch_8k.wav", "tone_ulaw_8k.wav",
                "tone_stereo_22k.aiff", "tone_stereo_44k.flac", "tone_mono_24bit_48k.flac", "tone_3ch_8bit_16k.flac",
                "tone_stereo_44k.mp3", "tone_mono_22k.mp3", "tone_stereo_44k.ogg", "example.wav");
    }

    private static Path audioFile(String name) {
        return name.equals("example.wav") ? EXAMPLE : TestSignals.fixture(name);
    }

    /**
     * Every readable format: the .siac records the length and peak of the input as read (mono, 22050 Hz), and the
     * decoded WAV is mono, 22050 Hz, of exactly that length. Level: see the class comment.
     */
    @ParameterizedTest
    @MethodSource("audioFiles")
    void roundTripKeepsLengthRateAndPeakGain(String name) throws IOException {
        Path in = audioFile(name);
        Signal input = AudioIO.read(in);
        Path siac = dir.resolve("x.siac");
        CliRun enc = encode(in, siac);
        assertEquals(0, enc.code(), enc.err());
        assertEquals("", enc.err());
        assertTrue(enc.out().startsWith(siac + ": "), enc.out());
        EventList list = SiacFormat.read(siac);
        assertEquals(RATE, list.sampleRate());
        assertEquals(input.length(), list.lengthSamples());
        assertEquals(input.peak(), list.gain(), 0f, "the stored gain is the input's peak");
        assertEquals(Models.modelId(model), list.modelId());
        assertTrue(list.size() > 0, "a tone has energy everywhere");

        Path wav = dir.resolve("x.wav");
        CliRun dec = decode(siac, wav);
        assertEquals(0, dec.code(), dec.err());
        assertEquals("", dec.err());
        try (AudioReader r = AudioIO.open(wav)) {
            assertEquals(RATE, r.sourceSampleRate());
            assertEquals(1, r.sourceChannels());
            assertEquals(input.length(), r.sourceFrames());
        }
        for (float v : AudioIO.read(wav).samples()) assertTrue(Float.isFinite(v));
        assertEquals(List.of("x.siac", "x.wav"), filesIn(dir), "no temporary files left behind");
    }

    /**
     * The same music 12 dB quieter (times 0.25, exact in float) is normalised to the same samples: the same events,
     * a quarter of the gain, and a decode that is exactly a quarter of the louder one, sample by sample.
     */
    @Test
    void decodedLevelFollowsInputLevelExactly() throws IOException {
        float[] loud = AudioIO.read(excerpt).samples();
        float[] quiet = new float[loud.length];
        for (int i = 0; i < loud.length; i++) quiet[i] = loud[i] * 0.25f;
        Path quietWav = TestSignals.writeWav(dir, "quiet.wav", quiet, RATE);
        EventList a = encodeOk(excerpt, dir.resolve("loud.siac"));
        EventList b = encodeOk(quietWav, dir.resolve("quiet.siac"));
        assertEquals(a.events(), b.events());
        assertEquals(a.gain() * 0.25f, b.gain(), 0f);
        float[] ya = decodeFloat(dir.resolve("loud.siac"), dir.resolve("loud.wav"));
        float[] yb = decodeFloat(dir.resolve("quiet.siac"), dir.resolve("quiet-decoded.wav"));
        assertEquals(loud.length, ya.length);
        assertTrue(TinyModel.peak(ya) > 0);
        for (int i = 0; i < ya.length; i++) assertEquals(ya[i] * 0.25f, yb[i], 0f, "sample " + i);
    }

    @Test
    void silenceEncodesToNoEventsAndDecodesToDigitalSilence() throws IOException {
        Path in = TestSignals.writePcm16Wav(dir, "silence.wav", RATE, new float[2 * RATE + 17]);
        CliRun r = encode(in, dir.resolve("s.siac"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(": 0 events in 2.00 s of audio"), r.out());
        EventList list = SiacFormat.read(dir.resolve("s.siac"));
        assertEquals(0, list.size());
        float[] y = decodeFloat(dir.resolve("s.siac"), dir.resolve("s.wav"));
        assertEquals(2 * RATE + 17, y.length);
        for (float v : y) assertEquals(0f, Math.abs(v));
    }

    @Test
    void maxEventsPerWindowCapsEveryWindow() throws IOException {
        // --merge-twins 1: the model's own events, so that every window holds the cap
        int[] all = perHalfWindow(encodeOk(excerpt, dir.resolve("all.siac"), "--merge-twins", "1"));
        assertEquals(TinyModel.config().eventsPerWindow, Arrays.stream(all).max().orElse(0));
        int[] two = perHalfWindow(encodeOk(excerpt, dir.resolve("two.siac"), "--max-events-per-window", "2", "--merge-twins", "1"));
        assertEquals(2, Arrays.stream(two).max().orElse(0), Arrays.toString(two));
        int[] one = perHalfWindow(encodeOk(excerpt, dir.resolve("one.siac"), "--max-events-per-window", "1"));
        assertEquals(1, Arrays.stream(one).max().orElse(0), Arrays.toString(one));
        CliRun zero = encode(excerpt, dir.resolve("zero.siac"), "--max-events-per-window", "0");
        assertEquals(1, zero.code());
        assertTrue(zero.err().contains("--max-events-per-window"), zero.err());
    }

    /**
     * An untrained model's events remove far less than 10% of the spectral energy, so --stop-below 0.9 can never
     * stop a window before the cap (it may only give fewer events, never more); 0.9999 is reached and must end
     * windows early.
     */
    @Test
    void stopBelowGivesFewerEvents() throws IOException {
        int all = encodeOk(excerpt, dir.resolve("all.siac")).size();
        int at09 = encodeOk(excerpt, dir.resolve("a.siac"), "--stop-below", "0.9").size();
        int at09999 = encodeOk(excerpt, dir.resolve("b.siac"), "--stop-below", "0.9999").size();
        assertTrue(at09 <= all);
        assertTrue(at09999 < all, at09999 + " events with --stop-below 0.9999, " + all + " without");
        assertTrue(at09999 > 0);
        CliRun bad = encode(excerpt, dir.resolve("c.siac"), "--stop-below", "1");
        assertEquals(1, bad.code());
        assertEquals(List.of("a.siac", "all.siac", "b.siac"), filesIn(dir));
    }

    /** --refine keeps every onset and the event count, changes the events, removes at least as much, and decodes. */
    @Test
    void refineKeepsOnsetsAndRemovesAtLeastAsMuch() throws IOException {
        // --merge-twins 1: refined vectors merge differently, and the count is what is compared
        CliRun plain = encode(excerpt, dir.resolve("plain.siac"), "--precision", "f32", "--merge-twins", "1");
        CliRun refined = encode(excerpt, dir.resolve("refined.siac"), "--precision", "f32", "--refine", "3", "--refine-lr", "0.05",
                "--merge-twins", "1");
        assertEquals(0, plain.code(), plain.err());
        assertEquals(0, refined.code(), refined.err());
        EventList a = SiacFormat.read(dir.resolve("plain.siac"));
        EventList b = SiacFormat.read(dir.resolve("refined.siac"));
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) assertEquals(a.events().get(i).time(), b.events().get(i).time());
        assertTrue(!Arrays.equals(a.events().get(0).vector(), b.events().get(0).vector()), "refinement changed nothing");
        double removedPlain = removed(plain.out()), removedRefined = removed(refined.out());
        assertTrue(removedRefined > removedPlain - 0.01, removedPlain + " -> " + removedRefined);
        float[] y = decodeFloat(dir.resolve("refined.siac"), dir.resolve("refined.wav"));
        assertEquals(a.lengthSamples(), y.length);
        for (String[] bad : new String[][] {{"--refine", "-1"}, {"--refine", "2", "--refine-lr", "0"}}) {
            CliRun r = encode(excerpt, dir.resolve("bad.siac"), bad);
            assertEquals(1, r.code(), String.join(" ", bad));
            assertTrue(r.err().contains("--refine"), r.err());
        }
        assertFalse(Files.exists(dir.resolve("bad.siac")));
    }

    /**
     * --kbps: a 30 s file lands within 5% of the target, header included, at two targets either side of the model's
     * fixed rate; impossible targets are refused before any work, with nothing written.
     */
    @Test
    void kbpsTargetIsMetWithinFivePercent() throws IOException {
        Path in = TestSignals.writePcm16Wav(dir, "noise.wav", RATE, TestSignals.noise(30 * RATE, 0.4, 5));
        for (double kbps : new double[] {2, 4.5}) { // the tiny model at q4 (the default) places 3.1 kbps
            Path out = dir.resolve("k" + (int) kbps + ".siac");
            CliRun r = encode(in, out, "--kbps", Double.toString(kbps));
            assertEquals(0, r.code(), r.err());
            double got = Files.size(out) * 8 / 30.0 / 1000;
            assertEquals(kbps, got, 0.05 * kbps, "file size of --kbps " + kbps);
            assertTrue(r.out().contains(String.format(Locale.ROOT, "%.2f kbps", got)), r.out());
        }
        for (String bad : new String[] {"0", "-2", "0.01"}) {
            CliRun r = encode(in, dir.resolve("bad.siac"), "--kbps", bad);
            assertEquals(1, r.code(), bad);
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains(bad.equals("0.01") ? "header" : "--kbps"), r.err());
        }
        assertEquals(2, encode(in, dir.resolve("bad.siac"), "--kbps", "fast").code());
        CliRun both = encode(in, dir.resolve("bad.siac"), "--event-gains", "--no-level-fit");
        assertEquals(1, both.code());
        assertTrue(both.err().contains("--event-gains") && both.err().strip().lines().count() == 1, both.err());
        assertFalse(Files.exists(dir.resolve("bad.siac")));
    }

    /**
     * The band balance: stored by default (a version-3 file), absent with --no-balance or --no-level-fit (the same
     * events), finer with --balance-split, on mel_l1 alone with --balance-level off; bad values are one-line errors
     * with nothing written.
     */
    @Test
    void theBandBalanceIsStoredByDefaultAndItsOptionsShapeIt() throws IOException {
        Path in = TestSignals.writePcm16Wav(dir, "tones.wav", RATE, TestSignals.noise(3 * RATE, 0.4, 9));
        Path on = dir.resolve("on.siac"), off = dir.resolve("off.siac"), fine = dir.resolve("fine.siac"), nofit = dir.resolve("nofit.siac");
        assertEquals(0, encode(in, on).code());
        assertEquals(0, encode(in, off, "--no-balance").code());
        assertEquals(0, encode(in, fine, "--balance-split", "4").code());
        assertEquals(0, encode(in, nofit, "--no-level-fit").code());
        EventList a = SiacFormat.read(on), b = SiacFormat.read(off), f = SiacFormat.read(fine);
        assertEquals(3, Files.readAllBytes(on)[4], "a file with a balance is version 3");
        assertFalse(a.balance().isEmpty());
        assertTrue(b.balance().isEmpty() && SiacFormat.read(nofit).balance().isEmpty());
        assertEquals(b, a.withBalance(dev.siac.codec.Balance.NONE), "the same events");
        assertEquals(a.balance().hop() / 4, f.balance().hop());
        // --balance-level off (mel_l1 alone) and a looser tolerance: the same events under another balance
        Path melOnly = dir.resolve("mel.siac"), loose = dir.resolve("loose.siac");
        assertEquals(0, encode(in, melOnly, "--balance-level", "off").code());
        assertEquals(0, encode(in, loose, "--balance-level", "40").code());
        EventList m = SiacFormat.read(melOnly);
        assertEquals(b, m.withBalance(dev.siac.codec.Balance.NONE), "the same events");
        assertEquals(m.balance(), SiacFormat.read(loose).balance(), "a tolerance nothing exceeds: mel_l1 alone");
        for (String[] bad : new String[][] {{"--balance-split", "3"}, {"--balance-split", "0"}, {"--balance-level", "-1"},
                {"--balance-level", "loud"}, {"--balance-level", "2", "--no-balance"}}) {
            CliRun r = encode(in, dir.resolve("bad.siac"), bad);
            assertEquals(1, r.code(), String.join(" ", bad));
            assertTrue(r.err().contains(bad[0]) && r.err().strip().lines().count() == 1, r.err());
        }
        assertFalse(Files.exists(dir.resolve("bad.siac")));
    }

    /** An output that is the input (also through a link) or cannot be written is refused before any work. */
    @Test
    void outputThatIsTheInputOrUnwritableIsRefusedUpFront() throws IOException {
        Path wav = Files.copy(excerpt, dir.resolve("in.wav"));
        byte[] before = Files.readAllBytes(wav);
        CliRun same = encode(wav, wav);
        assertEquals(1, same.code());
        assertTrue(same.err().contains("is the input file"), same.err());
        Path link = Files.createSymbolicLink(dir.resolve("link.siac"), wav);
        assertEquals(1, encode(wav, link).code(), "a link to the input is the input");
        assertArrayEquals(before, Files.readAllBytes(wav), "the input is untouched");

        Path siac = dir.resolve("a.siac");
        encodeOk(wav, siac);
        byte[] events = Files.readAllBytes(siac);
        CliRun back = decode(siac, siac);
        assertEquals(1, back.code());
        assertTrue(back.err().contains("is the input file"), back.err());
        Path hard = Files.createLink(dir.resolve("hard.wav"), siac);
        assertEquals(1, decode(siac, hard).code(), "a hard link to the input is the input");
        assertArrayEquals(events, Files.readAllBytes(siac));

        CliRun toDir = decode(siac, dir);
        assertEquals(1, toDir.code());
        assertTrue(toDir.err().contains("is a directory"), toDir.err());
        assertEquals(1, toDir.err().strip().lines().count(), toDir.err());
        assertEquals(List.of("a.siac", "hard.wav", "in.wav", "link.siac"), filesIn(dir), "nothing else was written");
    }

    /** A file whose header claims more audio than a WAV holds is refused before decoding, not after 4 GiB. */
    @Test
    void decodeLongerThanAWavHoldsIsRefusedUpFront() throws IOException {
        EventList huge = new EventList(RATE, 3L << 30, 1f, TinyModel.config().vectorDim, "", Precision.F32, List.of());
        Path siac = dir.resolve("huge.siac");
        SiacFormat.write(siac, huge);
        CliRun r = decode(siac, dir.resolve("huge.wav"));
        assertEquals(1, r.code());
        assertTrue(r.err().contains("more than a WAV file can hold"), r.err());
        assertEquals(List.of("huge.siac"), filesIn(dir));
    }

    private static double removed(String summary) {
        Matcher m = Pattern.compile("energy removed ([-0-9.]+)").matcher(summary);
        assertTrue(m.find(), summary);
        return Double.parseDouble(m.group(1));
    }

    private static final Pattern SUMMARY = Pattern.compile(
            ": (\\d+) events in ([0-9.]+) s of audio, ([0-9.]+) events/s, ([0-9.]+) kbps \\((\\w+)\\)");

    /**
     * Every precision round-trips; the events differ only by the precision they are stored at (the encoder's
     * choices do not depend on it), and the printed bitrate is 8 * file bytes / duration / 1000.
     */
    @Test
    void everyPrecisionRoundTripsAndReportsItsBitrate() throws IOException {
        EventList f32 = null;
        double kbpsQ8 = 0, kbpsF32 = 0;
        for (Precision p : Precision.values()) {
            Path siac = dir.resolve(p.label() + ".siac");
            CliRun r = encode(excerpt, siac, "--precision", p.label());
            assertEquals(0, r.code(), r.err());
            Matcher m = SUMMARY.matcher(r.out());
            assertTrue(m.find(), r.out());
            EventList list = SiacFormat.read(siac);
            assertEquals(p, list.precision());
            assertEquals(list.size(), Integer.parseInt(m.group(1)));
            assertEquals(p.label(), m.group(5));
            double seconds = list.lengthSamples() / (double) RATE;
            double kbps = 8.0 * Files.size(siac) / seconds / 1000;
            assertEquals(kbps, Double.parseDouble(m.group(4)), 0.0051, r.out());
            assertEquals(list.size() / seconds, Double.parseDouble(m.group(3)), 0.051, r.out());
            if (p == Precision.F32) {
                f32 = list;
                kbpsF32 = kbps;
            } else {
                assertEquals(f32.withPrecision(p), list, "the " + p.label() + " file holds the f32 events at " + p.label());
            }
            if (p == Precision.Q8) kbpsQ8 = kbps;
            float[] y = decodeFloat(siac, dir.resolve(p.label() + ".wav"));
            assertEquals(3 * RATE, y.length);
            for (float v : y) assertTrue(Float.isFinite(v));
        }
        assertTrue(kbpsQ8 < kbpsF32 / 2, "q8 " + kbpsQ8 + " kbps vs f32 " + kbpsF32);
    }

    /** The printed figures are parseable whatever the default locale (a German one writes "1,5"). */
    @Test
    void summaryUsesDotsForDecimals() throws IOException {
        Locale saved = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            CliRun r = encode(excerpt, dir.resolve("x.siac"));
            assertEquals(0, r.code(), r.err());
            assertTrue(SUMMARY.matcher(r.out()).find(), r.out());
            CliRun d = decode(dir.resolve("x.siac"), dir.resolve("x.wav"));
            assertEquals(0, d.code(), d.err());
            assertTrue(d.out().matches("(?s).*-> 3\\.00 s of audio, [0-9]+\\.[0-9]x real time\\s*"), d.out());
        } finally {
            Locale.setDefault(saved);
        }
    }

    // ------------------------------------------------------------------------------------------------ editing

    /**
     * {@code siac edit --delete-range 0:1} removes exactly the events with onset in [0, 1) s and keeps every other
     * event bit for bit. Decoding is a sum of events, so the decode of the edited file is the decode of the original
     * minus that of the removed events: identical from the end of the last removed event's span on (each event rings
     * for N samples plus its guard), and before that, different by exactly what the removed events render.
     * (Measured bit-identical; the 1e-6 tolerance only allows libtorch kernels to round differently when the
     * decoder's batches of 8 events are made up differently.) Stored at f32: a q8 file is requantised on its new
     * per-dimension grid when an edit changes a dimension's min or max, which changes the kept vectors slightly.
     */
    @Test
    void deletingARangeRemovesThoseEventsAndTheirSoundOnly() throws IOException {
        Path orig = dir.resolve("orig.siac");
        EventList original = encodeOk(excerpt, orig, "--precision", "f32");
        Path edited = dir.resolve("edited.siac");
        Path removed = dir.resolve("removed.siac");
        assertEquals(0, CliRun.of(new EditCommand(), orig.toString(), "-o", edited.toString(), "--delete-range", "0:1").code());
        assertEquals(0, CliRun.of(new EditCommand(), orig.toString(), "-o", removed.toString(), "--keep-range", "0:1").code());

        List<Event> kept = original.events().stream().filter(e -> e.time() >= RATE).toList();
        List<Event> gone = original.events().stream().filter(e -> e.time() < RATE).toList();
        assertTrue(!gone.isEmpty() && !kept.isEmpty());
        EventList e = SiacFormat.read(edited);
        assertEquals(original.withEvents(kept), e, "header unchanged, the other events bit for bit");
        assertEquals(original.withEvents(gone), SiacFormat.read(removed));

        float[] y = decodeFloat(orig, dir.resolve("orig.wav"));
        float[] ye = decodeFloat(edited, dir.resolve("edited.wav"));
        float[] yr = decodeFloat(removed, dir.resolve("removed.wav"));
        ModelConfig c = TinyModel.config();
        int guard = (c.fineShiftSamples + c.stftHop - 1) / c.stftHop * c.stftHop;
        long lastGone = gone.get(gone.size() - 1).time();
        // first sample no removed event touches: its span, then the band balance's filter frame that still holds it
        int reach = (int) (lastGone + c.windowSamples + guard + dev.siac.codec.BalanceFilter.N);
        assertTrue(reach < y.length);
        double scale = TinyModel.peak(y);
        double worst = 0;
        for (int i = 0; i < y.length; i++) {
            worst = Math.max(worst, Math.abs(y[i] - (ye[i] + yr[i])));
            if (i >= reach) assertEquals(y[i], ye[i], 1e-6 * scale, "sample " + i + " is past every removed event");
        }
        assertTrue(worst <= 1e-6 * scale, "original - (edited + removed) reaches " + worst + " (peak " + scale + ")");
        double changed = 0;
        for (int i = 0; i < reach; i++) changed = Math.max(changed, Math.abs(y[i] - ye[i]));
        assertTrue(changed > 1e-3 * scale, "the removed events were audible, so the start must change");
    }

    /**
     * Events moved far outside the signal by an edit (here 10^9 s later) cannot sound: the decode is silent and
     * finishes at once.
     */
    @Test
    void eventsShiftedFarPastTheEndDecodeToSilence() throws IOException {
        Path orig = dir.resolve("orig.siac");
        encodeOk(excerpt, orig);
        Path moved = dir.resolve("moved.siac");
        assertEquals(0, CliRun.of(new EditCommand(), orig.toString(), "-o", moved.toString(), "--shift", "1e9").code());
        float[] y = decodeFloat(moved, dir.resolve("moved.wav"));
        assertEquals(3 * RATE, y.length);
        for (float v : y) assertEquals(0f, Math.abs(v));
    }

    // ------------------------------------------------------------------------------------------------ errors

    private record Failure(CliRun run, String stderr) {}

    /** Runs a command capturing both picocli's error writer and the process's System.err. */
    private static Failure failing(Object command, String... args) {
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true));
        CliRun r;
        try {
            r = CliRun.of(command, args);
        } finally {
            System.setErr(saved);
        }
        return new Failure(r, r.err() + captured);
    }

    /** Exit code 1, one line on stderr naming the file, and nothing in the output directory. */
    private void assertFails(Failure f, Path file, Path outDir, String... words) throws IOException {
        assertEquals(1, f.run().code(), f.stderr());
        List<String> lines = f.stderr().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), "one line on stderr: " + f.stderr());
        assertTrue(lines.get(0).contains(file.toString()), "names " + file + ": " + lines.get(0));
        for (String w : words) assertTrue(lines.get(0).toLowerCase(Locale.ROOT).contains(w), "says '" + w + "': " + lines.get(0));
        assertEquals(List.of(), filesIn(outDir), "output directory must stay empty");
        assertTrue(f.run().out().isEmpty(), f.run().out());
    }

    private Path outDir() throws IOException {
        return Files.createDirectories(dir.resolve("out"));
    }

    private void assertEncodeFails(Path in, String... words) throws IOException {
        Path out = outDir();
        Failure f = failing(new EncodeCommand(), in.toString(), "-o", out.resolve("x.siac").toString(),
                "--model", model.toString());
        assertFails(f, in, out, words);
    }

    private void assertDecodeFails(Path in, Path withModel, String... words) throws IOException {
        Path out = outDir();
        Failure f = failing(new DecodeCommand(), in.toString(), "-o", out.resolve("x.wav").toString(),
                "--model", withModel.toString());
        assertFails(f, in, out, words);
    }

    @Test
    void missingInputFile() throws IOException {
        assertEncodeFails(dir.resolve("missing.wav"), "not found");
    }

    @Test
    void emptyInputFile() throws IOException {
        assertEncodeFails(Files.write(dir.resolve("empty.wav"), new byte[0]));
    }

    @ParameterizedTest
    @ValueSource(ints = {30, 2000})
    void truncatedWav(int keep) throws IOException {
        byte[] full = Files.readAllBytes(TestSignals.fixture("tone_pcm16_stereo_16k.wav"));
        assertEncodeFails(Files.write(dir.resolve("cut.wav"), Arrays.copyOf(full, keep)));
    }

    @Test
    void textFileNamedWav() throws IOException {
        assertEncodeFails(Files.writeString(dir.resolve("notes.wav"), "these are my notes, not audio\n".repeat(20)));
    }

    @Test
    void unsupportedEncoding() throws IOException {
        Path in = Files.copy(TestSignals.fixture("tone_imaadpcm_8k.wav"), dir.resolve("adpcm.wav"));
        assertEncodeFails(in, "unsupported");
    }

    @ParameterizedTest
    @ValueSource(floats = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY})
    void nonFiniteSamplesInFloatWav(float bad) throws IOException {
        float[] x = TestSignals.sine(440, 0.5, RATE, RATE);
        x[12345] = bad;
        assertEncodeFails(TestSignals.writeWav(dir, "bad.wav", x, RATE), "nan/inf");
    }

    @Test
    void outputDirectoryMissing() throws IOException {
        Path out = dir.resolve("no-such-dir").resolve("x.siac");
        Failure f = failing(new EncodeCommand(), excerpt.toString(), "-o", out.toString(), "--model", model.toString(), "-q");
        assertEquals(1, f.run().code());
        List<String> lines = f.stderr().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), f.stderr());
        assertTrue(lines.get(0).contains(out.toString()), lines.get(0));
        assertTrue(!Files.exists(out.getParent()));
    }

    private Path goodSiac() throws IOException {
        Path siac = dir.resolve("good.siac");
        encodeOk(TestSignals.fixture("tone_pcm32_mono_22k.wav"), siac);
        return siac;
    }

    @Test
    void siacWithBadCrc() throws IOException {
        byte[] b = Files.readAllBytes(goodSiac());
        b[b.length / 2] ^= 0x10;
        assertDecodeFails(Files.write(dir.resolve("damaged.siac"), b), model, "crc");
    }

    @Test
    void siacWithUnsupportedVersion() throws IOException {
        byte[] b = Files.readAllBytes(goodSiac());
        b[4] = 4;
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b, 0, b.length - 4);
        java.nio.ByteBuffer.wrap(b, b.length - 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt((int) crc.getValue());
        assertDecodeFails(Files.write(dir.resolve("v4.siac"), b), model, "version 4");
    }

    @Test
    void siacMissingOrEmpty() throws IOException {
        assertDecodeFails(dir.resolve("missing.siac"), model);
        assertDecodeFails(Files.write(dir.resolve("empty.siac"), new byte[0]), model);
    }

    @Test
    void siacFromAnotherModel() throws IOException {
        assertDecodeFails(goodSiac(), otherModel, "model");
    }

    /** A file without a model id (allowed by the format) whose vectors do not fit the model. */
    @Test
    void siacWithVectorsOfAnotherSize() throws IOException {
        EventList l = new EventList(RATE, 1000, 1f, 16, "", Precision.F32, List.of(new Event(0, 1f, new float[16])));
        Path siac = dir.resolve("dim16.siac");
        SiacFormat.write(siac, l);
        assertDecodeFails(siac, model, "16");
    }
}
