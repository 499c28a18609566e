package dev.siac.cli;

import dev.siac.audio.AudioIO;
import dev.siac.audio.Signal;
import dev.siac.audio.WavEncoding;
import dev.siac.eval.ClipCodec;
import dev.siac.eval.Peers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvalCommandTest {

    private static final int SR = 22050;

    /** A lossless stand-in for siac: every metric of an exact copy is known in closed form. */
    static final class IdentityCodec implements ClipCodec {
        final List<Path> models = new ArrayList<>();

        @Override
        public String name() {
            return "identity";
        }

        @Override
        public CodecResult run(Signal clip) {
            float[] copy = Arrays.copyOf(clip.samples(), clip.length());
            // 4 bytes per sample (raw float32) and 10 events per clip, so kbps and events/s have known values.
            return new CodecResult(new Signal(copy, clip.sampleRate()), 4L * clip.length(), 10, 0.75, 0.01, 0.02);
        }
    }

    private record Run(int exit, String err) {
    }

    private static Run run(Function<Path, ClipCodec> factory, String... args) {
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new EvalCommand(factory));
        cmd.setErr(new PrintWriter(err, true));
        cmd.setOut(new PrintWriter(new StringWriter(), true));
        int exit = cmd.execute(args);
        return new Run(exit, err.toString());
    }

    private static Path clip(Path dir, String name, double hz, double seconds) throws Exception {
        int n = (int) (seconds * SR);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            double t = (double) i / SR;
            x[i] = (float) (0.3 * Math.sin(2 * Math.PI * hz * t) * (0.6 + 0.4 * Math.sin(2 * Math.PI * 2 * t))
                    + 0.1 * Math.sin(2 * Math.PI * 3 * hz * t));
        }
        Path p = dir.resolve(name);
        AudioIO.writeWav(p, new Signal(x, SR), WavEncoding.PCM16);
        return p;
    }

    private static List<String[]> csv(Path file) throws Exception {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file)) rows.add(line.split(",", -1));
        return rows;
    }

    @Test
    void endToEndWithPeersAndIdentityCodec(@TempDir Path dir) throws Exception {
        boolean opus = Peers.findTool("opusenc").isPresent() && Peers.findTool("opusdec").isPresent();
        boolean codec2 = Peers.findTool("c2enc").isPresent() && Peers.findTool("c2dec").isPresent();
        Path a = clip(dir, "a.wav", 220, 1.0);
        Path b = clip(dir, "b.wav", 330, 1.5);
        Path report = dir.resolve("report");
        IdentityCodec identity = new IdentityCodec();
        Path model = Files.createDirectory(dir.resolve("model"));
        Run r = run(m -> {
            identity.models.add(m);
            return identity;
        }, "--model", model.toString(), "--peers", "opus,codec2", "-o", report.toString(), a.toString(), b.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(List.of(model), identity.models);

        List<String[]> rows = csv(report.resolve("results.csv"));
        List<String> header = List.of(rows.get(0));
        List<String> levels = List.of("level_db_100", "level_db_200", "level_db_400", "level_db_800", "level_db_1600",
                "level_db_3200", "level_db_6400", "max_abs_level_db");
        List<String> expected = new ArrayList<>(List.of("clip", "group", "codec", "duration_s", "kbps", "events_per_s",
                "mel_l1", "stft_dist", "si_sdr_db", "snr_db", "energy_removed", "redundancy", "encode_rtf",
                "decode_rtf"));
        expected.addAll(levels);
        assertEquals(expected, header);
        int peers = (opus ? 1 : 0) + (codec2 ? 2 : 0);
        assertEquals(1 + 2 * (1 + peers), rows.size());
        int col = header.indexOf("mel_l1");
        int identityRows = 0;
        for (String[] row : rows.subList(1, rows.size())) {
            double mel = Double.parseDouble(row[col]);
            if (row[2].equals("identity")) {
                identityRows++;
                double duration = Double.parseDouble(row[3]);
                assertEquals(0.0, mel, 0.0);
                assertEquals(0.0, Double.parseDouble(row[header.indexOf("stft_dist")]), 0.0);
                assertEquals("inf", row[header.indexOf("snr_db")]);
                assertEquals(4 * 8 * SR / 1000.0, Double.parseDouble(row[header.indexOf("kbps")]), 1e-9);
                assertEquals(10 / duration, Double.parseDouble(row[header.indexOf("events_per_s")]), 1e-9);
                assertEquals(0.75, Double.parseDouble(row[header.indexOf("energy_removed")]), 0.0);
                assertEquals(duration / 0.01, Double.parseDouble(row[header.indexOf("encode_rtf")]), 1e-6);
                // an exact copy has the input's energy in every band; it reports no event list
                for (String level : levels) assertEquals("0.0", row[header.indexOf(level)], level);
                assertEquals("", row[header.indexOf("redundancy")], "a codec without an event list");
            } else {
                assertTrue(mel > 0 && mel < 2, row[2] + " mel_l1 " + mel);
                assertEquals("", row[header.indexOf("events_per_s")], "not applicable to peers");
                assertEquals("", row[header.indexOf("energy_removed")]);
                assertEquals("", row[header.indexOf("redundancy")]);
                // a peer has decoded audio, so a level in the bands where the clip (220/660 Hz) has its energy
                for (String level : List.of("level_db_200", "level_db_400")) {
                    assertTrue(Double.isFinite(Double.parseDouble(row[header.indexOf(level)])), row[2] + " " + level);
                }
            }
        }
        assertEquals(2, identityRows);
        assertEquals(a.toString(), rows.get(1)[0]);

        String summary = Files.readString(report.resolve("summary.md"));
        assertTrue(summary.contains("- clips: 2"), summary);
        assertTrue(summary.contains("| identity | 2 | 705.60 | 8.3 | 0.0000 | 0.000 |"), summary);
        assertTrue(summary.contains("| 0.750 | n/a |"), "energy_removed, then no redundancy: " + summary);
        assertTrue(summary.contains("## Level per octave band (dB, decoded vs input)"), summary);
        assertTrue(summary.contains("| identity | 2" + " | 0.00".repeat(8) + " |\n"), summary);
        if (opus) assertTrue(summary.contains("| opus-6k | 2 |"), summary);
        if (codec2) assertTrue(summary.contains("| codec2-700C | 2 |"), summary);
        if (!opus) assertTrue(summary.contains("apt-get install -y opus-tools"), summary);
        assertFalse(summary.contains("## By group"), "no tags given");

        BufferedImage png = ImageIO.read(report.resolve("quality_vs_bitrate.png").toFile());
        assertNotNull(png);
        assertEquals(960, png.getWidth());
        try (Stream<Path> s = Files.list(report)) {
            assertEquals(3, s.count(), "no temp files left behind");
        }
        assertTrue(r.err().contains("eval [2/2] b.wav identity"), r.err());
    }

    @Test
    void manifestWithGroupTags(@TempDir Path dir) throws Exception {
        Path clips = Files.createDirectory(dir.resolve("clips"));
        clip(clips, "m.wav", 440, 0.5);
        clip(clips, "s.wav", 180, 0.5);
        clip(clips, "u.wav", 300, 0.5);
        Path manifest = Files.writeString(dir.resolve("val.tsv"),
                "# validation\nclips/m.wav\tmusic\n\nclips/s.wav\tspeech\nclips/u.wav\n");
        Path report = dir.resolve("r");
        Run r = run(m -> new IdentityCodec(), "--peers", "none", "--manifest", manifest.toString(),
                "-o", report.toString());
        assertEquals(0, r.exit(), r.err());
        List<String[]> rows = csv(report.resolve("results.csv"));
        assertEquals(4, rows.size());
        assertEquals("music", rows.get(1)[1]);
        assertEquals("speech", rows.get(2)[1]);
        assertEquals("", rows.get(3)[1]);
        String summary = Files.readString(report.resolve("summary.md"));
        assertTrue(summary.contains("## By group"), summary);
        assertTrue(summary.contains("| music | identity | 1 |"), summary);
        assertTrue(summary.contains("| speech | identity | 1 |"), summary);
        assertTrue(summary.contains("| identity | 3 |"), summary);
    }

    private static Run runIn(Path workingDir, java.util.Map<String, String> env, String... args) {
        StringWriter err = new StringWriter();
        EvalCommand eval = new EvalCommand(m -> new IdentityCodec());
        eval.workingDir = workingDir;
        eval.env = env::get;
        CommandLine cmd = new CommandLine(eval);
        cmd.setErr(new PrintWriter(err, true));
        cmd.setOut(new PrintWriter(new StringWriter(), true));
        return new Run(cmd.execute(args), err.toString());
    }

    /**
     * A corpus as `siac corpus` leaves it: music 13 s (two 6-s clips and a tail) and speech 4 s (one short clip)
     * in the validation split, and a training file that evaluation must not touch.
     */
    private static Path corpus(Path dir) throws Exception {
        Path c = Files.createDirectories(dir.resolve("valid"));
        clip(c, "piece.wav", 440, 13.0);
        clip(c, "utt.wav", 180, 4.0);
        Files.createDirectories(dir.resolve("train"));
        clip(dir.resolve("train"), "t.wav", 300, 1.0);
        Files.writeString(dir.resolve(dev.siac.train.corpus.Manifest.FILE_NAME),
                dev.siac.train.corpus.Manifest.HEADER + "\n"
                        + "train/t.wav\ttrain\tmusic\tmidi\tp1\t1.000\n"
                        + "valid/utt.wav\tvalid\tspeech\tspeech\tu1\t4.000\n"
                        + "valid/piece.wav\tvalid\tmusic\tmidi\tp2\t13.000\n");
        return dir;
    }

    @Test
    void defaultClipSetIsTheCorpusValidationSplitIn6SecondClipsByKind(@TempDir Path dir) throws Exception {
        corpus(Files.createDirectories(dir.resolve("corpus")));
        Path report = dir.resolve("r");
        // no CLIPS, no --manifest, no --corpus, no $SIAC_CORPUS: ./corpus
        Run r = runIn(dir, java.util.Map.of(), "--peers", "none", "-o", report.toString());
        assertEquals(0, r.exit(), r.err());
        List<String[]> rows = csv(report.resolve("results.csv"));
        assertEquals(4, rows.size(), "two 6-s music clips and one short speech clip");
        // music first, alternating with speech while both last
        assertEquals(List.of("valid/piece.wav@0-6s", "valid/utt.wav", "valid/piece.wav@6-12s"),
                rows.subList(1, 4).stream().map(x -> x[0]).toList());
        assertEquals(List.of("music", "speech", "music"), rows.subList(1, 4).stream().map(x -> x[1]).toList());
        assertEquals(6.0, Double.parseDouble(rows.get(1)[3]), 1e-9);
        assertEquals(6.0, Double.parseDouble(rows.get(3)[3]), 1e-9);
        assertEquals(4.0, Double.parseDouble(rows.get(2)[3]), 1e-9);
        String summary = Files.readString(report.resolve("summary.md"));
        assertTrue(summary.contains("| music | identity | 2 |"), summary);
        assertTrue(summary.contains("| speech | identity | 1 |"), summary);
        assertTrue(r.err().contains("eval: 3 clips of 6 s from 2 files (1 shorter files used whole)"), r.err());
    }

    @Test
    void corpusFromEnvironmentOrOptionWithClipOptions(@TempDir Path dir) throws Exception {
        Path c = corpus(Files.createDirectories(dir.resolve("elsewhere")));
        Path report = dir.resolve("r");
        Run r = runIn(dir, java.util.Map.of(EvalCommand.CORPUS_ENV, c.toString()),
                "--peers", "none", "--clip-seconds", "2", "--max-clips", "5", "-o", report.toString());
        assertEquals(0, r.exit(), r.err());
        List<String[]> rows = csv(report.resolve("results.csv"));
        // music: 6 clips of 2 s; speech: 2; alternating, the first five kept
        assertEquals(List.of("valid/piece.wav@0-2s", "valid/utt.wav@0-2s", "valid/piece.wav@2-4s",
                "valid/utt.wav@2-4s", "valid/piece.wav@4-6s"), rows.subList(1, rows.size()).stream().map(x -> x[0]).toList());

        Path r2 = dir.resolve("r2");
        Run viaOption = runIn(dir, java.util.Map.of(EvalCommand.CORPUS_ENV, dir.resolve("nothing-here").toString()),
                "--peers", "none", "--corpus", c.toString(), "--max-clips", "1", "-o", r2.toString());
        assertEquals(0, viaOption.exit(), viaOption.err());
        assertEquals(2, csv(r2.resolve("results.csv")).size(), "--corpus wins over $SIAC_CORPUS");
    }

    @Test
    void wholeFilesMeasuresTheCorpusFilesUncut(@TempDir Path dir) throws Exception {
        Path c = corpus(Files.createDirectories(dir.resolve("c")));
        Path report = dir.resolve("r");
        Run r = runIn(dir, java.util.Map.of(), "--peers", "none", "--corpus", c.toString(), "--whole-files",
                "-o", report.toString());
        assertEquals(0, r.exit(), r.err());
        List<String[]> rows = csv(report.resolve("results.csv"));
        assertEquals(List.of("valid/piece.wav", "valid/utt.wav"), rows.subList(1, rows.size()).stream().map(x -> x[0]).toList());
        assertEquals(13.0, Double.parseDouble(rows.get(1)[3]), 1e-9);
        assertEquals(4.0, Double.parseDouble(rows.get(2)[3]), 1e-9);
        assertEquals(2, runIn(dir, java.util.Map.of(), "--peers", "none", "--corpus", c.toString(), "--whole-files",
                "--clip-seconds", "3", "-o", report.toString()).exit(), "--whole-files and --clip-seconds contradict");
    }

    @Test
    void noClipsAndNoCorpusIsAClearError(@TempDir Path dir) {
        Run r = runIn(dir, java.util.Map.of(), "--peers", "none", "-o", dir.resolve("r").toString());
        assertEquals(1, r.exit());
        Path looked = dir.resolve("corpus").resolve("manifest.tsv").toAbsolutePath().normalize();
        assertTrue(r.err().contains("no clips given and no corpus found at " + looked), r.err());
        assertTrue(r.err().contains("run `siac corpus --out corpus` first"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(dir.resolve("r")));

        Run env = runIn(dir, java.util.Map.of(EvalCommand.CORPUS_ENV, "/no/such/corpus"),
                "--peers", "none", "-o", dir.resolve("r").toString());
        assertEquals(1, env.exit());
        assertTrue(env.err().contains("/no/such/corpus/manifest.tsv ($SIAC_CORPUS)"), env.err());
    }

    @Test
    void corpusWithoutValidationClipsIsAnError(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("manifest.tsv"), dev.siac.train.corpus.Manifest.HEADER + "\n");
        Run r = runIn(dir, java.util.Map.of(), "--peers", "none", "--corpus", dir.toString(),
                "-o", dir.resolve("r").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("no clips in the validation split"), r.err());
    }

    @Test
    void usageErrorsExitWithTwo(@TempDir Path dir) throws Exception {
        Path a = clip(dir, "a.wav", 220, 0.3);
        Path m = Files.writeString(dir.resolve("m.tsv"), "a.wav\n");
        assertEquals(2, run(x -> new IdentityCodec(), "--peers", "mp3", "-o", dir.toString(), a.toString()).exit());
        assertEquals(2, run(x -> new IdentityCodec(), "--manifest", m.toString(), "-o", dir.toString(), a.toString())
                .exit());
        assertEquals(2, run(x -> new IdentityCodec(), a.toString()).exit(), "-o is required");
        assertEquals(2, run(x -> new IdentityCodec(), "--corpus", dir.toString(), "-o", dir.toString(), a.toString())
                .exit(), "--corpus only without CLIPS");
        assertEquals(2, run(x -> new IdentityCodec(), "--clip-seconds", "0", "-o", dir.toString(), a.toString()).exit());
        assertEquals(2, run(x -> new IdentityCodec(), "--max-clips", "-1", "-o", dir.toString(), a.toString()).exit());
    }

    @Test
    void failingCodecLeavesNoReport(@TempDir Path dir) throws Exception {
        Path a = clip(dir, "a.wav", 220, 0.3);
        Path report = dir.resolve("r");
        ClipCodec broken = new ClipCodec() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public CodecResult run(Signal clip) {
                throw new IllegalStateException("weights are\ncorrupt");
            }
        };
        Run r = run(m -> broken, "--peers", "none", "-o", report.toString(), a.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("siac eval: " + a + ": codec broken failed: weights are corrupt"), r.err());
        assertFalse(Files.exists(report.resolve("results.csv")));
        assertFalse(Files.exists(report.resolve("summary.md")));
    }

    @Test
    void missingClipIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("nope.wav");
        Run r = run(m -> new IdentityCodec(), "--peers", "none", "-o", dir.resolve("r").toString(),
                missing.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains(missing + ": no such file"), r.err());
    }
}
