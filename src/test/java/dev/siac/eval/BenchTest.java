package dev.siac.eval;

import dev.siac.audio.AudioIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchTest {

    private static final String SECTION = Bench.BEGIN + "\nnew table\n" + Bench.END + "\n";

    @Test
    void sectionReplacementKeepsEverythingOutsideTheMarkers() {
        String doc = "# Benchmarks\n\nbefore\n" + Bench.BEGIN + "\nold\nlines\n" + Bench.END + "\nafter\n";
        assertEquals("# Benchmarks\n\nbefore\n" + SECTION + "after\n", Bench.replaceSection(doc, SECTION));
        assertEquals("text\n\n" + SECTION, Bench.replaceSection("text\n", SECTION), "no markers: appended");
        assertEquals(SECTION, Bench.replaceSection("", SECTION));
        assertThrows(IllegalArgumentException.class, () -> Bench.replaceSection(Bench.END + "\n" + Bench.BEGIN, SECTION));
        assertThrows(IllegalArgumentException.class, () -> Bench.replaceSection("a " + Bench.BEGIN + " b", SECTION));
        assertThrows(IllegalArgumentException.class,
                () -> Bench.replaceSection(Bench.BEGIN + Bench.END + Bench.BEGIN + Bench.END, SECTION));
    }

    @Test
    void writeSectionCreatesTheFileAndRefusesUnbalancedMarkers(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("docs").resolve("BENCHMARKS.md");
        Bench.writeSection(f, SECTION);
        String first = Files.readString(f);
        assertTrue(first.startsWith("# Benchmarks\n") && first.endsWith(SECTION), first);
        Bench.writeSection(f, SECTION.replace("new table", "newer"));
        assertEquals(first.replace("new table", "newer"), Files.readString(f));

        Path broken = Files.writeString(dir.resolve("B.md"), "keep " + Bench.BEGIN + " me");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> Bench.writeSection(broken, SECTION));
        assertTrue(e.getMessage().startsWith(broken + ": expected one"), e.getMessage());
        assertEquals("keep " + Bench.BEGIN + " me", Files.readString(broken));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(2, s.count(), "no temp file left");
        }
    }

    @Test
    void childOutputAndGnuTimeReportAreParsed() {
        Map<String, String> r = Bench.parseResult("encode: 3 events\nsiac-bench seconds=1.5 threads=2\n"
                + "siac-bench seconds=2.25 threads=4 vmhwm_kb=1234\n");
        assertEquals(Map.of("seconds", "2.25", "threads", "4", "vmhwm_kb", "1234"), r);
        assertNull(Bench.parseResult("no result here\nsiac-benchmark x=1\n"));
        String time = "\tCommand being timed: \"java -cp x Main\"\n\tUser time (seconds): 1.20\n"
                + "\tMaximum resident set size (kbytes): 204800\n\tExit status: 0\n";
        assertEquals(204800, Bench.parseMaxRssKb(time));
        assertEquals(-1, Bench.parseMaxRssKb("0.00user 0.00system 0:00.00elapsed"));
    }

    @Test
    void syntheticStreamIsDeterministicBoundedAndEventful(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.wav"), b = dir.resolve("b.wav"), c = dir.resolve("c.wav");
        assertEquals(3L * AudioIO.SAMPLE_RATE, Bench.writeSyntheticWav(a, 3, 7));
        Bench.writeSyntheticWav(b, 3, 7);
        Bench.writeSyntheticWav(c, 3, 8);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(c)), "the seed matters");

        float[] x = AudioIO.read(a).samples();
        assertEquals(3 * AudioIO.SAMPLE_RATE, x.length);
        int frame = AudioIO.SAMPLE_RATE / 10;
        double min = Double.MAX_VALUE, max = 0;
        int quiet = 0;
        for (int f = 0; f + frame <= x.length; f += frame) {
            double e = 0;
            for (int i = f; i < f + frame; i++) e += x[i] * x[i];
            double rms = Math.sqrt(e / frame);
            min = Math.min(min, rms);
            max = Math.max(max, rms);
            if (rms < 1e-3) quiet++;
        }
        assertTrue(max > 0.02 && max < 1, "level " + max);
        assertTrue(max > 3 * min, "onsets and decays make the level move: " + min + ".." + max);
        assertTrue(quiet <= 3, quiet + " silent tenths of a second out of 30");
        assertThrows(IllegalArgumentException.class, () -> Bench.writeSyntheticWav(dir.resolve("z.wav"), 0, 1));
    }

    @Test
    void markdownComparesThePaperPresetWithTheReference() {
        Bench.Options o = new Bench.Options(List.of("small", "paper"), Bench.Options.STEPS, "small", null, List.of(10.0), 1, 3, 2, 4, 2);
        List<Bench.Row> rows = List.of(
                new Bench.Row("small", "iterative, one window, no grad", 3, 1.0, 0.9, 1.2, 2.97, 400 * 1024, 2,
                        Double.NaN, -1),
                new Bench.Row("paper", "iterative, one window, no grad", 3, 8.62, 8.0, 9.0, 2.97, 1624 * 1024, 2,
                        Bench.REF_ITERATIVE_SECONDS, Bench.REF_INFERENCE_RSS_KB),
                new Bench.Row("paper", "training step, batch 2", 3, 16.55, 16.0, 17.0, Double.NaN, 7117L * 1024, 2,
                        Bench.REF_TRAIN_STEP_SECONDS, Bench.REF_TRAIN_RSS_KB),
                new Bench.Row("small", "encode 10-minute stream (10.8 events/s)", 1, 300, 300, 300, 600, 500 * 1024, 2, Double.NaN, -1));
        String md = Bench.markdown(new Bench.Result(rows, "AMD EPYC", 2, Set.of(2), "2026-01-01T00:00:00Z",
                "siac bench", "test", o));
        assertTrue(md.startsWith(Bench.BEGIN + "\n") && md.endsWith(Bench.END + "\n"), md);
        assertTrue(md.contains("| small | iterative, one window, no grad | 1.00 (0.90–1.20) | 2.97 | 400 | – | – | – | – |"), md);
        assertTrue(md.contains("| paper | iterative, one window, no grad | 8.62 (8.00–9.00) | 0.34 | 1624 | 4.31 | 2.00 | 812 | 2.00 |"), md);
        assertTrue(md.contains("| paper | training step, batch 2 | 16.6 (16.0–17.0) | – | 7117 | 33.1 | 0.50 | 14234 | 0.50 |"), md);
        assertTrue(md.contains("| small | encode 10-minute stream (10.8 events/s) | 300 | 2.00 | 500 | – | – | – | – |"), md);
        assertTrue(md.contains("- machine: AMD EPYC, 2 CPUs"), md);
        assertTrue(md.contains("- threads: 2 "), md);
    }

    @Test
    void aFailingChildIsNamedAndLeavesNoTempFiles() throws Exception {
        Path sh = Path.of("/bin/sh");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(sh), "needs /bin/sh");
        long before = countBenchTempDirs();
        java.io.StringWriter progress = new java.io.StringWriter();
        // the child is a shell that complains and fails, whatever mode it is given
        Bench bench = new Bench(List.of(sh.toString(), "-c", "echo 'weights.safetensors: damaged' >&2; exit 3", "sh"),
                new java.io.PrintWriter(progress, true));
        Bench.Options o = new Bench.Options(List.of("tiny"), Bench.Options.STEPS, "tiny", null, List.of(), 0, 1, 2, 4, 2);
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> bench.run(o, "siac bench"));
        assertEquals("iterative tiny: child JVM exited with 3: weights.safetensors: damaged", e.getMessage());
        assertEquals(before, countBenchTempDirs(), "the temporary directory is removed");
    }

    /** --what train (what bench-model --what train did): the first child times the training step, not iterative. */
    @Test
    void onlyTheChosenStepsAreTimed() throws Exception {
        Path sh = Path.of("/bin/sh");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(sh), "needs /bin/sh");
        Bench bench = new Bench(List.of(sh.toString(), "-c", "echo \"mode $1 $3 $7 $8\" >&2; exit 3", "sh"),
                new java.io.PrintWriter(new java.io.StringWriter(), true));
        Bench.Options o = new Bench.Options(List.of("tiny"), Set.of("train"), "tiny", null, List.of(), 0, 1, 2, 4, 1);
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> bench.run(o, "siac bench --what train"));
        // the child's arguments: step PRESET train WARMUP REPEATS BATCH CHUNK WORKERS
        assertEquals("train step tiny: child JVM exited with 3: mode step train 4 1", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new Bench.Options(List.of("tiny"), Set.of("encode"), "tiny", null, List.of(), 0, 1, 2, 4, 1));
    }

    private static long countBenchTempDirs() throws java.io.IOException {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("siac-bench")).count();
        }
    }

    @Test
    void optionsRefuseNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new Bench.Options(List.of(), Bench.Options.STEPS, "small", null, List.of(), 1, 3, 2, 4, 2));
        assertThrows(IllegalArgumentException.class, () -> new Bench.Options(List.of("small"), Bench.Options.STEPS, "small", null, List.of(-1.0), 1, 3, 2, 4, 2));
        assertThrows(IllegalArgumentException.class, () -> new Bench.Options(List.of("small"), Bench.Options.STEPS, "small", null, List.of(), 1, 0, 2, 4, 2));
        assertEquals("1-minute", Bench.minutesLabel(1));
        assertEquals("0.5-minute", Bench.minutesLabel(0.5));
        assertEquals("0.05-minute", Bench.minutesLabel(0.05));
    }
}
