package dev.siac.cli;

import ai.djl.ndarray.NDManager;
import dev.siac.eval.Bench;
import dev.siac.eval.Peers;
import dev.siac.model.ModelConfig;
import dev.siac.model.Models;
import dev.siac.model.Safetensors;
import dev.siac.model.SiacModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code siac eval} with the real siac codec (a tiny model saved to disk) beside Opus, on two short clips. */
class EvalSiacEndToEndTest {

    /** Decaying tones and noise bursts, the material a codec of events is for. */
    /**
     * An untrained encoder places an event only where its switch is positive. With random banks the tiny model may
     * find none in a whole clip; the physical initialisation biases the switch on, as the shipped presets do.
     */
    private static Path tinyModel(Path dir) throws Exception {
        Path model = dir.resolve("tiny-model");
        ModelConfig config = ModelConfig.preset("tiny");
        config.init = "physical";
        try (NDManager m = NDManager.newBaseManager(); SiacModel tiny = Models.create(config, 0, m)) {
            Models.save(tiny, model, Safetensors.DType.F32);
        }
        return model;
    }

    private static Path clip(Path dir, String name, double seconds, long seed) throws Exception {
        Path p = dir.resolve(name);
        Bench.writeSyntheticWav(p, seconds, seed);
        return p;
    }

    @Test
    void siacAndOpusSideBySide(@TempDir Path dir) throws Exception {
        Path model = tinyModel(dir);
        Path a = clip(dir, "a.wav", 1.0, 1);
        Path b = clip(dir, "b.wav", 1.5, 2);
        Path report = dir.resolve("report");
        boolean opus = Peers.findTool("opusenc").isPresent() && Peers.findTool("opusdec").isPresent();

        CliRun r = CliRun.of(new EvalCommand(SiacClipCodec::forModel), "--model", model.toString(), "--peers", "opus",
                "-o", report.toString(), a.toString(), b.toString());
        assertEquals(0, r.code(), r.err());

        List<String> lines = Files.readAllLines(report.resolve("results.csv"));
        List<String> header = List.of(lines.get(0).split(",", -1));
        List<String[]> siac = new ArrayList<>(), peer = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] row = line.split(",", -1);
            (row[2].equals("siac") ? siac : peer).add(row);
        }
        assertEquals(2, siac.size(), String.join("\n", lines));
        for (String[] row : siac) {
            double kbps = Double.parseDouble(row[header.indexOf("kbps")]);
            double eps = Double.parseDouble(row[header.indexOf("events_per_s")]);
            double mel = Double.parseDouble(row[header.indexOf("mel_l1")]);
            assertTrue(kbps > 0 && kbps < 100, "siac kbps " + kbps);
            assertTrue(eps > 0, "siac events/s " + eps);
            assertTrue(Double.isFinite(mel) && mel > 0, "an untrained model is not lossless: mel_l1 " + mel);
            assertTrue(Double.parseDouble(row[header.indexOf("encode_rtf")]) > 0);
            assertTrue(Double.parseDouble(row[header.indexOf("decode_rtf")]) > 0);
            // SiacClipCodec hands over the events it read back, so redundancy is a share, not "not applicable"
            double redundancy = Double.parseDouble(row[header.indexOf("redundancy")]);
            assertTrue(redundancy >= 0 && redundancy <= 1, "siac redundancy " + redundancy);
            assertTrue(Double.isFinite(Double.parseDouble(row[header.indexOf("level_db_200")])));
        }
        String summary = Files.readString(report.resolve("summary.md"));
        assertTrue(summary.contains("| siac | 2 |"), summary);
        if (opus) {
            assertEquals(2, peer.size());
            assertTrue(peer.stream().allMatch(row -> row[2].equals("opus-6k")));
            assertTrue(summary.contains("| opus-6k | 2 |"), summary);
            for (String[] row : peer) {
                double kbps = Double.parseDouble(row[header.indexOf("kbps")]);
                assertTrue(kbps > 5 && kbps < 12, "opus at 6 kbps hard CBR, container included: " + kbps);
                assertEquals("", row[header.indexOf("redundancy")], "a peer has no events");
            }
        } else {
            assertEquals(0, peer.size());
            assertTrue(summary.contains("opus-6k skipped") && summary.contains("apt-get install -y opus-tools"), summary);
            assertTrue(r.err().contains("apt-get install -y opus-tools"), r.err());
        }
    }

    /** --precision q4 measures siac storing 4-bit vector codes, named siac-q4: the same events in fewer bytes. */
    @Test
    void precisionQ8IsMeasuredAsItsOwnCodecBesideTheDefaultQ4(@TempDir Path dir) throws Exception {
        Path model = tinyModel(dir);
        Path a = clip(dir, "a.wav", 1.5, 1);
        double[] kbps = new double[2];
        String[] names = {"siac", "siac-q8"};
        for (int i = 0; i < 2; i++) {
            java.util.Map<String, String> row = firstSiacRow(model, a, dir.resolve("report" + i),
                    i == 1 ? List.of("--precision", "q8") : List.of());
            assertEquals(names[i], row.get("codec"), row.toString());
            kbps[i] = Double.parseDouble(row.get("kbps"));
        }
        assertTrue(kbps[0] < kbps[1], "the default q4 " + kbps[0] + " kbps against q8 " + kbps[1]);
    }

    /** siac merges twins by default; --merge-twins 1 measures the model's own events, named siac-nomerge: never fewer. */
    @Test
    void mergeTwinsIsMeasuredAsItsOwnCodec(@TempDir Path dir) throws Exception {
        Path model = tinyModel(dir);
        Path a = clip(dir, "a.wav", 1.5, 1);
        double[] eventsPerSecond = new double[2];
        String[] names = {"siac", "siac-nomerge"};
        for (int i = 0; i < 2; i++) {
            java.util.Map<String, String> row = firstSiacRow(model, a, dir.resolve("report" + i),
                    i == 1 ? List.of("--merge-twins", "1") : List.of());
            assertEquals(names[i], row.get("codec"), row.toString());
            eventsPerSecond[i] = Double.parseDouble(row.get("events_per_s"));
        }
        assertTrue(eventsPerSecond[1] >= eventsPerSecond[0], eventsPerSecond[1] + " events/s unmerged vs " + eventsPerSecond[0]);
        CliRun bad = CliRun.of(EvalCommand.withOptions(SiacClipCodec::forModel), "--merge-twins", "2", "-o",
                dir.resolve("x").toString(), a.toString());
        assertEquals(2, bad.code());
    }

    /**
     * siac fits each window's level by default; --no-level-fit measures the model's own amplitudes, named siac-nofit:
     * the same events at another level (its energy removed is the model's own, which the fit trades for level).
     */
    @Test
    void noLevelFitIsMeasuredAsItsOwnCodec(@TempDir Path dir) throws Exception {
        Path model = tinyModel(dir);
        Path a = clip(dir, "a.wav", 1.5, 1);
        java.util.Map<String, String> fit = firstSiacRow(model, a, dir.resolve("fit"), List.of());
        java.util.Map<String, String> own = firstSiacRow(model, a, dir.resolve("own"), List.of("--no-level-fit"));
        assertEquals("siac", fit.get("codec"));
        assertEquals("siac-nofit", own.get("codec"));
        assertEquals(fit.get("events_per_s"), own.get("events_per_s"));
        assertTrue(!fit.get("energy_removed").equals(own.get("energy_removed")), fit + " against " + own);
    }

    /** Runs siac eval (with --options) of one clip, peers none, and returns the first results.csv row by column. */
    private static java.util.Map<String, String> firstSiacRow(Path model, Path clip, Path report, List<String> extra)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("--model", model.toString(), "--peers", "none", "-o", report.toString()));
        args.addAll(extra);
        args.add(clip.toString());
        CliRun r = CliRun.of(EvalCommand.withOptions(SiacClipCodec::forModel), args.toArray(new String[0]));
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(report.resolve("results.csv"));
        String[] header = lines.get(0).split(",", -1), row = lines.get(1).split(",", -1);
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < header.length; i++) out.put(header[i], row[i]);
        return out;
    }
}
