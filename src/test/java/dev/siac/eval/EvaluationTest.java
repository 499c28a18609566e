package dev.siac.eval;

import dev.siac.audio.Signal;
import dev.siac.codec.Event;
import dev.siac.codec.EventList;
import dev.siac.codec.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-clip redundancy and octave levels reach results.csv and summary.md, per codec and per group. */
class EvaluationTest {

    private static final int SR = 22050;
    private static final double MINUS_6_DB = 20 * Math.log10(0.5);

    /**
     * Decodes at a fixed gain. With events it reports four, two of them twins (redundancy 0.5); without, it is a
     * peer.
     */
    private record GainCodec(String name, float gain, boolean withEvents) implements ClipCodec {
        @Override
        public CodecResult run(Signal clip) {
            float[] y = new float[clip.length()];
            for (int i = 0; i < y.length; i++) y[i] = gain * clip.samples()[i];
            if (!withEvents) return new CodecResult(new Signal(y, SR), 1000, -1, Double.NaN, 0.01, 0.01);
            EventList events = new EventList(SR, clip.length(), 1f, 2, "", Precision.F32, List.of(
                    new Event(0, 1f, new float[]{1, 0}),
                    new Event(100, 1f, new float[]{1, 0.1f}),
                    new Event(3000, 1f, new float[]{0, 1}),
                    new Event(6000, 1f, new float[]{1, 0})));
            return new CodecResult(new Signal(y, SR), 1000, events.size(), 0.5, 0.01, 0.01, events);
        }
    }

    private static Evaluation.Clip noiseClip(String name, String group, long seed) {
        Random r = new Random(seed);
        float[] x = new float[SR / 2];
        for (int i = 0; i < x.length; i++) x[i] = (float) (0.1 * r.nextGaussian());
        return new Evaluation.Clip(name, group, () -> new Signal(x, SR));
    }

    @Test
    void redundancyAndOctaveLevelsPerCodecAndGroup(@TempDir Path dir) throws Exception {
        List<ClipCodec> codecs = List.of(new GainCodec("half", 0.5f, true), new GainCodec("copy", 1f, false));
        Evaluation eval = new Evaluation(codecs, List.of(), new PrintWriter(new StringWriter()));
        Evaluation.Report report = eval.runClips(
                List.of(noiseClip("m", "music", 1), noiseClip("s", "speech", 2)), dir);

        List<String> lines = Files.readAllLines(report.csv());
        List<String> header = List.of(lines.get(0).split(",", -1));
        assertEquals(List.of("clip", "group", "codec", "duration_s", "kbps", "events_per_s", "mel_l1", "stft_dist",
                "si_sdr_db", "snr_db", "energy_removed", "redundancy", "encode_rtf", "decode_rtf",
                "level_db_100", "level_db_200", "level_db_400", "level_db_800", "level_db_1600", "level_db_3200",
                "level_db_6400", "max_abs_level_db"), header);
        assertEquals(5, lines.size());
        for (String line : lines.subList(1, lines.size())) {
            String[] row = line.split(",", -1);
            boolean half = row[2].equals("half");
            assertEquals(half ? "0.5" : "", row[header.indexOf("redundancy")], line);
            for (int hz : Metrics.OCTAVE_BANDS_HZ) {
                double level = Double.parseDouble(row[header.indexOf("level_db_" + hz)]);
                assertEquals(half ? MINUS_6_DB : 0.0, level, 1e-6, hz + " Hz: " + line);
            }
            assertEquals(half ? -MINUS_6_DB : 0.0, Double.parseDouble(row[header.indexOf("max_abs_level_db")]), 1e-6);
        }

        String md = Files.readString(report.summary());
        assertTrue(md.contains("| codec | clips | kbps | events/s | mel_l1 ↓ | stft_dist ↓ | si_sdr dB ↑ | snr dB ↑"
                + " | energy_removed | redundancy | encode RTF | decode RTF |"), md);
        assertTrue(md.contains(" | 0.500 | 0.500 | 50.0 | 50.0 |\n"), "half's energy_removed, redundancy, RTFs: " + md);
        assertTrue(md.contains(" | n/a | n/a | 50.0 | 50.0 |\n"), "a peer has no redundancy: " + md);
        String levels = md.substring(md.indexOf("## Level per octave band (dB, decoded vs input)"));
        assertTrue(levels.contains("| codec | clips | 100 Hz | 200 Hz | 400 Hz | 800 Hz | 1.6 kHz | 3.2 kHz | 6.4 kHz"
                + " | max abs |"), levels);
        String sixDown = " | -6.02".repeat(7) + " | 6.02 |\n";
        String zero = " | 0.00".repeat(8) + " |\n";
        assertTrue(levels.contains("| half | 2" + sixDown), levels);
        assertTrue(levels.contains("| copy | 2" + zero), levels);
        String byGroup = levels.substring(levels.indexOf("### By group"));
        for (String group : List.of("music", "speech")) {
            assertTrue(byGroup.contains("| " + group + " | half | 1" + sixDown), byGroup);
            assertTrue(byGroup.contains("| " + group + " | copy | 1" + zero), byGroup);
        }
    }

    @Test
    void anEventListMustMatchTheEventCount() {
        Signal y = new Signal(new float[10], SR);
        EventList two = new EventList(SR, 10, 1f, 1, "", Precision.F32,
                List.of(new Event(0, 1f, new float[]{1}), new Event(5, 1f, new float[]{1})));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ClipCodec.CodecResult(y, 10, 3, 0.5, 0, 0, two));
        assertEquals("codec result: 3 events counted but the event list holds 2", e.getMessage());
        assertEquals(two, new ClipCodec.CodecResult(y, 10, 2, 0.5, 0, 0, two).eventList());
        assertEquals(null, new ClipCodec.CodecResult(y, 10, 2, 0.5, 0, 0).eventList());
    }
}
