package dev.siac.cli;

import dev.siac.codec.Event;
import dev.siac.codec.EventList;
import dev.siac.codec.Precision;
import dev.siac.codec.SiacFormat;
import dev.siac.codec.TestLists;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EditCommandTest {

    @TempDir
    Path dir;

    /** Events at 0, 1, 2, 3 s with amplitudes 1..4 and vectors (i, 10 i); silent spans 5000..15000, 50000..60000. */
    private static EventList fourSeconds() {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 4; i++) events.add(new Event(22050L * i, i + 1, new float[]{i, 10 * i}));
        return new EventList(22050, 4 * 22050, 0.9f, 2, TestLists.MODEL_ID, Precision.F32, events)
                .withSilence(dev.siac.codec.Silence.of(new long[] {5000, 50000}, new long[] {15000, 60000}));
    }

    private Path write(String name, EventList l) throws Exception {
        Path f = dir.resolve(name);
        SiacFormat.write(f, l);
        return f;
    }

    /** Runs edit on in.siac = fourSeconds() and returns the result read back. */
    private EventList edit(String... ops) throws Exception {
        Path in = write("in.siac", fourSeconds());
        Path out = dir.resolve("out.siac");
        Files.deleteIfExists(out);
        List<String> args = new ArrayList<>(List.of(in.toString(), "-o", out.toString()));
        args.addAll(List.of(ops));
        CliRun r = CliRun.of(new EditCommand(), args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("wrote " + out + ": "), r.out());
        return SiacFormat.read(out);
    }

    private static List<Long> times(EventList l) {
        return l.events().stream().map(Event::time).toList();
    }

    private static List<Float> amplitudes(EventList l) {
        return l.events().stream().map(Event::amplitude).toList();
    }

    /** --merge-twins: a shifted copy of the events lands on the originals' onsets and merges back into them. */
    @Test
    void mergeTwinsAfterATransplantOntoTheSameOnsets() throws Exception {
        write("other.siac", fourSeconds());
        EventList doubled = edit("--transplant", dir.resolve("other.siac") + "@0:4@0");
        assertEquals(8, doubled.size());
        EventList merged = edit("--transplant", dir.resolve("other.siac") + "@0:4@0", "--merge-twins");
        // the event at 0 s has the zero vector: no direction, so no twin
        assertEquals(List.of(0L, 0L, 22050L, 44100L, 66150L), times(merged));
        assertEquals(List.of(1f, 1f, 4f, 6f, 8f), amplitudes(merged), "each other pair: twice the amplitude, one event");
        for (int i = 1; i < 4; i++) assertArrayEquals(fourSeconds().events().get(i).vector(), merged.events().get(i + 1).vector());
    }

    /** --amplitude FACTOR@RANGE scales the amplitudes of the events in RANGE only (the studio's amplitude edit). */
    @Test
    void amplitudeScalesTheEventsInItsRange() throws Exception {
        assertEquals(List.of(1f, 1f, 1.5f, 4f), amplitudes(edit("--amplitude", "0.5@1:3")));
        assertEquals(List.of(2f, 4f, 6f, 8f), amplitudes(edit("--amplitude", "2@:")));
        assertEquals(times(fourSeconds()), times(edit("--amplitude", "0@:")), "amplitude 0 keeps the events");
        CliRun bad = CliRun.of(new EditCommand(), write("in.siac", fourSeconds()).toString(), "-o",
                dir.resolve("x.siac").toString(), "--amplitude", "-1@:");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("amplitude factor must be finite and >= 0"), bad.err());
    }

    @Test
    void operationsApplyInCommandLineOrder() throws Exception {
        EventList keepThenShift = edit("--keep-range", "0:2", "--shift", "1");
        assertEquals(List.of(22050L, 44100L), times(keepThenShift));
        assertEquals(List.of(1f, 2f), amplitudes(keepThenShift));
        EventList shiftThenKeep = edit("--shift", "1", "--keep-range", "0:2");
        assertEquals(List.of(22050L), times(shiftThenKeep));
        assertEquals(List.of(1f), amplitudes(shiftThenKeep));
        EventList repeated = edit("--shift", "0.5", "--keep-range", "1:", "--shift", "0.5");
        assertEquals(List.of(44100L, 66150L, 88200L), times(repeated)); // 0.5 s moves twice, the first event is cut
    }

    @Test
    void eachOperationMapsToItsEventListMethod() throws Exception {
        EventList l = fourSeconds();
        assertEquals(l.deleteTimeRange(1, 3), edit("--delete-range", "1:3"));
        assertEquals(l.keepTimeRange(Double.NEGATIVE_INFINITY, 2), edit("--keep-range", ":2"));
        assertEquals(l.keepAmplitudeAbove(2), edit("--min-amplitude", "2"));
        assertEquals(l.deleteAmplitudeAbove(3), edit("--max-amplitude", "3"));
        assertEquals(l.shift(-0.5), edit("--shift", "-0.5"));
        assertEquals(l.shift(-0.5), edit("--shift=-0.5"));
        assertEquals(l.shift(0.25, 1, 2), edit("--shift-range", "0.25@1:2"));
        assertEquals(l.stretchTimes(1.5), edit("--stretch", "1.5"));
        assertEquals(l.perturb(new float[]{-1, 2.5f}), edit("--perturb-by", "-1,2.5"));
        assertEquals(l.withPrecision(Precision.Q8), edit("--precision", "q8"));
        assertEquals(l.randomizeVectors(new Random(7)), edit("--seed", "7", "--randomize-vectors"));
        assertEquals(l.randomizeTimes(new Random(7)), edit("--randomize-times", "--seed", "7"));
        assertEquals(l.perturbRandom(new Random(7), 10f), edit("--perturb", "10", "--seed", "7"));
        assertEquals(l.withSilence(dev.siac.codec.Silence.NONE), edit("--drop-silence"));
        assertEquals(l.silence(), edit("--delete-range", "1:3").silence(), "deleting keeps the silent spans");
        assertEquals(dev.siac.codec.Silence.of(new long[] {5000, 50000}, new long[] {11025, 55125}),
                edit("--shift", "-0.5").silence(), "events moved into the spans (to 0.5 s and 2.5 s) cut them short");
        Random shared = new Random(3);
        assertEquals(l.randomizeVectors(shared).perturbRandom(shared, 2f),
                edit("--seed", "3", "--randomize-vectors", "--perturb", "2"), "one generator for all random operations");
    }

    @picocli.CommandLine.Command(name = "siac", subcommands = EditCommand.class)
    static final class Parent implements Runnable {
        @Override
        public void run() {
        }
    }

    /** Main registers edit as a sub-command: the order must come from the sub-command's own parse result. */
    @Test
    void orderIsKeptWhenRunAsASubcommand() throws Exception {
        Path in = write("in.siac", fourSeconds());
        Path out = dir.resolve("sub.siac");
        CliRun r = CliRun.of(new Parent(), "edit", in.toString(), "-o", out.toString(), "--shift", "1", "--keep-range", "0:2");
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(22050L), times(SiacFormat.read(out)));
    }

    @Test
    void transplantCopiesFromAnotherFile() throws Exception {
        EventList donor = new EventList(22050, 10 * 22050, 1, 2, "", Precision.F16, List.of(
                new Event(22050L * 5, 7, new float[]{70, 70}), new Event(22050L * 8, 8, new float[]{80, 80})));
        Path other = write("other@take2.siac", donor);
        EventList t = edit("--transplant", other + "@4:6@0.5");
        assertEquals(fourSeconds().transplant(donor, 4, 6, 0.5), t);
        assertEquals(List.of(0L, 22050L, 33075L, 44100L, 66150L), times(t)); // 5 s - 4 s + 0.5 s = 1.5 s
        assertArrayEquals(new float[]{70, 70}, t.events().get(2).vector());
    }

    @Test
    void precisionOptionChangesTheFileSize() throws Exception {
        Path in = write("big.siac", TestLists.encoderLike(5, 100, 32, Precision.F32));
        Path out = dir.resolve("small.siac");
        CliRun r = CliRun.of(new EditCommand(), in.toString(), "-o", out.toString(), "--precision", "Q8");
        assertEquals(0, r.code(), r.err());
        assertEquals(Precision.Q8, SiacFormat.read(out).precision());
        assertTrue(Files.size(out) * 3 < Files.size(in), Files.size(out) + " vs " + Files.size(in));
    }

    @Test
    void withoutSeedTheChosenSeedIsPrintedAndReproducesTheResult() throws Exception {
        Path in = write("in.siac", TestLists.encoderLike(6, 50, 8, Precision.F32));
        Path a = dir.resolve("a.siac");
        CliRun r = CliRun.of(new EditCommand(), in.toString(), "-o", a.toString(), "--randomize-vectors");
        assertEquals(0, r.code(), r.err());
        Matcher m = Pattern.compile("seed (-?\\d+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        Path b = dir.resolve("b.siac");
        assertEquals(0, CliRun.of(new EditCommand(), in.toString(), "-o", b.toString(), "--randomize-vectors", "--seed", m.group(1)).code());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        Path c = dir.resolve("c.siac");
        assertEquals(0, CliRun.of(new EditCommand(), in.toString(), "-o", c.toString(), "--shift", "1").code());
        assertFalse(CliRun.of(new EditCommand(), in.toString(), "-o", c.toString(), "--shift", "1").out().contains("seed"),
                "no seed is mentioned when nothing was random");
    }

    @Test
    void noOperationsCopiesTheFileAndOutputMayReplaceInput() throws Exception {
        Path in = write("in.siac", fourSeconds());
        byte[] before = Files.readAllBytes(in);
        assertEquals(0, CliRun.of(new EditCommand(), in.toString(), "-o", in.toString()).code());
        assertArrayEquals(before, Files.readAllBytes(in));
        assertEquals(0, CliRun.of(new EditCommand(), in.toString(), "-o", in.toString(), "--max-amplitude", "2").code());
        assertEquals(2, SiacFormat.read(in).size());
    }

    @Test
    void usageErrorsExitTwoAndWriteNothing() throws Exception {
        Path in = write("in.siac", fourSeconds());
        Path out = dir.resolve("out.siac");
        for (String[] bad : new String[][]{
                {"--keep-range", "3"}, {"--keep-range", "3:1"}, {"--shift", "abc"}, {"--shift-range", "1:2"},
                {"--transplant", "x.siac@1:2"}, {"--transplant", "x.siac@:2@1"}, {"--precision", "f8"},
                {"--stretch", "NaN"}, {"--unknown"}}) {
            List<String> args = new ArrayList<>(List.of(in.toString(), "-o", out.toString()));
            args.addAll(List.of(bad));
            CliRun r = CliRun.of(new EditCommand(), args.toArray(String[]::new));
            assertEquals(2, r.code(), String.join(" ", bad) + ": " + r.err());
            assertFalse(Files.exists(out), String.join(" ", bad));
        }
        assertEquals(2, CliRun.of(new EditCommand(), in.toString()).code(), "-o is required");
        assertOnlyFiles("in.siac");
    }

    @Test
    void runtimeErrorsExitOneWithOneLineAndWriteNothing() throws Exception {
        Path in = write("in.siac", fourSeconds());
        Path out = dir.resolve("out.siac");
        CliRun stretch = CliRun.of(new EditCommand(), in.toString(), "-o", out.toString(), "--stretch", "0");
        assertEquals(1, stretch.code());
        assertEquals("error: --stretch: stretch factor must be finite and > 0, got 0.0", stretch.err().strip());

        CliRun missing = CliRun.of(new EditCommand(), in.toString(), "-o", out.toString(),
                "--shift", "1", "--transplant", dir.resolve("gone.siac") + "@0:1@0");
        assertEquals(1, missing.code());
        assertEquals("error: " + dir.resolve("gone.siac") + ": no such file", missing.err().strip());

        Path wrongDim = write("dim3.siac", new EventList(22050, 100, 1, 3, "", Precision.F32, List.of()));
        CliRun dims = CliRun.of(new EditCommand(), in.toString(), "-o", out.toString(), "--transplant", wrongDim + "@0:1@0");
        assertEquals(1, dims.code());
        assertTrue(dims.err().startsWith("error: --transplant: cannot transplant: vector dimensions differ"), dims.err());

        CliRun perturbDim = CliRun.of(new EditCommand(), in.toString(), "-o", out.toString(), "--perturb-by", "1,2,3");
        assertEquals(1, perturbDim.code());

        Path broken = dir.resolve("broken.siac");
        byte[] data = Files.readAllBytes(in);
        data[20] ^= 1;
        Files.write(broken, data);
        CliRun crc = CliRun.of(new EditCommand(), broken.toString(), "-o", out.toString());
        assertEquals(1, crc.code());
        assertTrue(crc.err().startsWith("error: " + broken + ": bad CRC"), crc.err());
        assertEquals(1, crc.err().strip().lines().count());

        assertFalse(Files.exists(out));
        assertOnlyFiles("in.siac", "dim3.siac", "broken.siac");
    }

    private void assertOnlyFiles(String... names) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(names).stream().sorted().toList(),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no output or temporaries");
        }
    }

    @Test
    void dropBalanceForgetsTheBandBalanceAndNothingElse() throws Exception {
        EventList l = fourSeconds().withBalance(InspectCommandTest.balance());
        assertEquals(2, l.balance().frames(), "trimmed to the two frames 4 s need");
        Path in = write("in.siac", l);
        assertEquals(3, Files.readAllBytes(in)[4], "a balance makes version 3");
        Path out = dir.resolve("out.siac");
        CliRun r = CliRun.of(new EditCommand(), in.toString(), "-o", out.toString(), "--drop-balance");
        assertEquals(0, r.code(), r.err());
        EventList dropped = SiacFormat.read(out);
        assertEquals(l.withBalance(dev.siac.codec.Balance.NONE), dropped);
        assertEquals(fourSeconds(), dropped);
        assertArrayEquals(Files.readAllBytes(write("plain.siac", fourSeconds())), Files.readAllBytes(out),
                "back to version 2, byte for byte");
        // other edits keep it: it belongs to time, like the silent spans
        assertEquals(0, CliRun.of(new EditCommand(), in.toString(), "-o", out.toString(), "--delete-range", "1:3",
                "--precision", "q4").code());
        assertEquals(l.balance(), SiacFormat.read(out).balance());
        assertTrue(CliRun.of(new EditCommand(), "--help").out().contains("--drop-balance"));
    }

    @Test
    void editingDoesNotChangeTheInput() throws Exception {
        Path in = write("in.siac", fourSeconds());
        byte[] before = Files.readAllBytes(in);
        EventList edited = edit("--randomize-times", "--seed", "1");
        assertNotEquals(fourSeconds(), edited);
        assertArrayEquals(before, Files.readAllBytes(in));
    }
    /** Removes events from a Q8 file: the kept ones must come back exactly as they were (issue 3). */
    @Test
    void deletingFromAQ8FileLeavesTheKeptEventsBitIdentical() throws Exception {
        Path in = write("q8.siac", TestLists.encoderLike(11, 200, 32, Precision.Q8));
        EventList original = SiacFormat.read(in);
        // cut the first second and the event holding dimension 0's largest value, so the ranges shrink
        Event top = original.events().stream().max((a, b) -> Float.compare(a.vector()[0], b.vector()[0])).orElseThrow();
        double t = original.seconds(top.time());
        Path out = dir.resolve("q8-edited.siac");
        CliRun r = CliRun.of(new EditCommand(), in.toString(), "-o", out.toString(),
                "--delete-range", "0:1", "--delete-range", t + ":" + (t + 0.001));
        assertEquals(0, r.code(), r.err());
        EventList edited = SiacFormat.read(out);
        List<Event> expected = original.events().stream()
                .filter(e -> e.time() >= 22050 && e.time() != top.time()).toList();
        assertTrue(expected.size() < original.size() - 1);
        assertEquals(expected, edited.events(), "times, amplitudes and vectors unchanged");
        assertEquals(Precision.Q8, edited.precision());

        Path again = dir.resolve("q8-again.siac");
        assertEquals(0, CliRun.of(new EditCommand(), out.toString(), "-o", again.toString()).code());
        assertArrayEquals(Files.readAllBytes(out), Files.readAllBytes(again), "an edit with no operations rewrites the same bytes");
    }

    @Test
    void randomizingVectorsOfAQ8FileStillWorks() throws Exception {
        Path in = write("q8r.siac", TestLists.encoderLike(12, 80, 32, Precision.Q8));
        EventList original = SiacFormat.read(in);
        Path out = dir.resolve("q8r-edited.siac");
        assertEquals(0, CliRun.of(new EditCommand(), in.toString(), "-o", out.toString(),
                "--randomize-vectors", "--seed", "5").code());
        EventList edited = SiacFormat.read(out);
        assertEquals(original.randomizeVectors(new Random(5)).withPrecision(Precision.Q8), edited);
        assertNotEquals(original.events(), edited.events());
    }
}
