package dev.siac.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siac.audio.AudioIO;
import dev.siac.audio.TestSignals;
import dev.siac.codec.Event;
import dev.siac.codec.SiacFormat;
import dev.siac.codec.TinyModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** siac encode / decode of several files into a folder, -j files at once. */
class ManyFilesTest {
    private static final int RATE = AudioIO.SAMPLE_RATE;

    @TempDir
    static Path shared;
    private static Path model;
    private static Path first;
    private static Path second;

    @TempDir
    Path dir;

    @BeforeAll
    static void setUp() throws IOException {
        model = TinyModel.save(shared.resolve("tiny"), 1);
        float[] x = AudioIO.read(Path.of("examples", "example.wav")).samples();
        first = TestSignals.writePcm16Wav(shared, "first.wav", RATE, Arrays.copyOf(x, 2 * RATE));
        second = TestSignals.writePcm16Wav(shared, "second.wav", RATE, Arrays.copyOfRange(x, 3 * RATE, 4 * RATE + 500));
    }

    private static CliRun run(Object command, List<Path> inputs, Path out, String... extra) {
        List<String> args = new ArrayList<>();
        for (Path p : inputs) args.add(p.toString());
        args.addAll(List.of("-o", out.toString(), "--model", model.toString(), "-q"));
        args.addAll(List.of(extra));
        return CliRun.of(command, args.toArray(String[]::new));
    }

    private static List<String> filesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * The files of a folder run with two jobs are those of one file at a time, to float rounding (one libtorch thread
     * instead of two groups sums differently): the same onsets, amplitudes and vectors within 1e-4, and the same
     * events decoded to samples within 1e-5 of the peak.
     */
    @Test
    void twoJobsWriteWhatSingleRunsWrite() throws IOException {
        Path many = Files.createDirectories(dir.resolve("many"));
        CliRun enc = run(new EncodeCommand(), List.of(first, second), many, "-j", "2", "--precision", "f32");
        assertEquals(0, enc.code(), enc.err());
        assertEquals(2, enc.out().lines().count(), enc.out());
        assertEquals(List.of("first.siac", "second.siac"), filesIn(many));
        CliRun dec = run(new DecodeCommand(), List.of(many.resolve("first.siac"), many.resolve("second.siac")), many,
                "-j", "2", "--float");
        assertEquals(0, dec.code(), dec.err());
        assertEquals(List.of("first.siac", "first.wav", "second.siac", "second.wav"), filesIn(many));

        for (String name : List.of("first", "second")) {
            Path in = name.equals("first") ? first : second;
            Path siac = dir.resolve(name + ".siac"), wav = dir.resolve(name + ".wav");
            assertEquals(0, run(new EncodeCommand(), List.of(in), siac, "--precision", "f32").code());
            List<Event> want = SiacFormat.read(siac).events(), got = SiacFormat.read(many.resolve(name + ".siac")).events();
            assertTrue(!want.isEmpty() && want.size() == got.size(), name + ": " + want.size() + " vs " + got.size());
            for (int i = 0; i < want.size(); i++) {
                assertEquals(want.get(i).time(), got.get(i).time(), name + " onset " + i);
                assertEquals(want.get(i).amplitude(), got.get(i).amplitude(), 1e-4 * want.get(i).amplitude(), name + " amplitude " + i);
                for (int d = 0; d < want.get(i).vector().length; d++) {
                    assertEquals(want.get(i).vector()[d], got.get(i).vector()[d], 1e-4, name + " vector " + i);
                }
            }
            assertEquals(0, run(new DecodeCommand(), List.of(many.resolve(name + ".siac")), wav, "--float").code());
            float[] y = AudioIO.read(wav).samples(), yMany = AudioIO.read(many.resolve(name + ".wav")).samples();
            assertEquals(y.length, yMany.length);
            float tol = 1e-5f * TinyModel.peak(y);
            for (int i = 0; i < y.length; i++) assertEquals(y[i], yMany[i], tol, name + " sample " + i);
        }
    }

    /** A file that fails gets one line and no output; the others are written; the exit code says it. */
    @Test
    void aFailingFileIsOneLineAndTheOthersAreWritten() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path missing = dir.resolve("missing.wav");
        Path broken = Files.write(dir.resolve("broken.wav"), new byte[] {1, 2, 3});
        CliRun r = run(new EncodeCommand(), List.of(first, missing, broken, second), out, "-j", "2");
        assertEquals(1, r.code());
        List<String> errors = r.err().lines().filter(l -> !l.isBlank()).toList();
        assertEquals(2, errors.size(), r.err());
        assertTrue(errors.get(0).startsWith("error: ") && errors.get(0).contains(missing.toString()), errors.get(0));
        assertTrue(errors.get(1).contains(broken.toString()), errors.get(1));
        assertEquals(List.of("first.siac", "second.siac"), filesIn(out), "no partial outputs");
        assertEquals(2, r.out().lines().count(), r.out());
    }

    /** Several inputs need an existing folder, and two inputs may not share an output name: refused before any work. */
    @Test
    void outputsAreCheckedUpFront() throws IOException {
        Path notAFolder = dir.resolve("x.siac");
        CliRun r = run(new EncodeCommand(), List.of(first, second), notAFolder);
        assertEquals(1, r.code());
        assertTrue(r.err().contains("names a folder"), r.err());
        Path other = Files.createDirectories(dir.resolve("other"));
        Path twin = Files.copy(first, other.resolve("first.wav"));
        Path out = Files.createDirectories(dir.resolve("out"));
        CliRun same = run(new EncodeCommand(), List.of(first, twin), out);
        assertEquals(1, same.code());
        assertTrue(same.err().contains("would both be written"), same.err());
        assertEquals(1, same.err().strip().lines().count(), same.err());
        assertEquals(List.of(), filesIn(out));
        assertEquals(1, run(new EncodeCommand(), List.of(first, second), out, "-j", "0").code());
    }
}
