package dev.siac.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.siac.model.Models;
import dev.siac.model.SiacModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4: a corrupt or truncated checkpoint gives a clear error naming the file, and a checkpoint write cut short
 * leaves the previous checkpoint loadable.
 */
class CheckpointTest {
    @TempDir
    static Path tmp;
    static Path data;
    /** A run directory holding the checkpoint of 2 tiny steps; each test works on a copy. */
    static Path trained;
    static Map<String, float[]> weightsAt2;

    @BeforeAll
    static void trainTwoSteps() throws Exception {
        data = TrainTestSupport.dataDir(tmp);
        trained = tmp.resolve("trained");
        try (Trainer t = new Trainer(TrainTestSupport.options(data, trained, 2), quiet())) {
            t.run();
            weightsAt2 = TrainTestSupport.values(t.model().parameters().params());
        }
    }

    @Test
    void flippedBytesInTheWeightsAreNamed() throws Exception {
        Path run = copy("flipped");
        Path f = run.resolve(Checkpoint.DIR).resolve(Models.WEIGHTS);
        byte[] b = Files.readAllBytes(f);
        for (int i = b.length - 64; i < b.length - 32; i++) b[i] ^= 0x5A; // inside the last tensor's data
        Files.write(f, b);
        assertResumeFails(run, f, "corrupt or truncated");
    }

    @Test
    void aTruncatedOptimizerStateIsNamed() throws Exception {
        Path run = copy("truncated");
        Path f = run.resolve(Checkpoint.DIR).resolve(Checkpoint.OPTIMIZER);
        byte[] b = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(b, b.length / 2));
        assertResumeFails(run, f, "corrupt or truncated");
    }

    @Test
    void garbageStateIsNamed() throws Exception {
        Path run = copy("garbage");
        Path f = run.resolve(Checkpoint.DIR).resolve(Checkpoint.STATE);
        Files.write(f, new byte[] {(byte) 0xff, 0x00, '{', 'x', (byte) 0x80, 0x13, '\n', '"'});
        assertResumeFails(run, f, "corrupt checkpoint state");
    }

    @Test
    void stateWithoutChecksumsOrWithABadRngIsNamed() throws Exception {
        Path run = copy("nochecksum");
        Path f = run.resolve(Checkpoint.DIR).resolve(Checkpoint.STATE);
        String state = Files.readString(f, StandardCharsets.UTF_8);
        // valid JSON that lists no checksum of the weights: they would be loaded unchecked
        Files.writeString(f, state.replaceFirst("\"weights.safetensors\"", "\"weights.unlisted\""), StandardCharsets.UTF_8);
        assertResumeFails(run, f, "weights.safetensors");

        Path run2 = copy("badrng");
        Path f2 = run2.resolve(Checkpoint.DIR).resolve(Checkpoint.STATE);
        String state2 = Files.readString(f2, StandardCharsets.UTF_8);
        Files.writeString(f2, state2.replaceFirst("\"rng\": \"[^\"]*\"", "\"rng\": \"AAAA\""), StandardCharsets.UTF_8);
        assertResumeFails(run2, f2, "RNG");
    }

    @Test
    void aCrashBetweenTheRenamesLeavesThePreviousCheckpointLoadable() throws Exception {
        // crashed after checkpoint/ became checkpoint.old/ and before the new one was moved in: its temporary
        // directory, only partly written, is still there
        Path run = copy("midswap");
        Path ckpt = run.resolve(Checkpoint.DIR);
        Path old = run.resolve(Checkpoint.DIR + ".old");
        Files.move(ckpt, old);
        Path stale = Files.createDirectory(run.resolve(".checkpoint.1234567.tmp"));
        Files.copy(old.resolve(Models.CONFIG), stale.resolve(Models.CONFIG));
        Files.write(stale.resolve(Models.WEIGHTS), new byte[100]);
        Path staleBest = Files.createDirectory(run.resolve(".best.89abc.tmp"));
        Path staleOfOldRuns = Files.createDirectory(run.resolve(".checkpoint-1234567")); // as siac named them before

        assertEquals(old, Checkpoint.find(run));
        try (Trainer t = new Trainer(resume(run, 3), quiet())) {
            assertEquals(2, t.step());
            assertEquals(weightsAt2.keySet(), t.model().parameters().params().keySet());
            TrainTestSupport.values(t.model().parameters().params()).forEach((k, v) -> assertArrayEquals(weightsAt2.get(k), v, 0f, k));
            t.run();
        }
        // the next write puts things in order: a checkpoint of step 3, no .old, no stale temporary
        assertEquals(ckpt, Checkpoint.find(run));
        assertEquals(3, Checkpoint.verify(ckpt).step);
        assertFalse(Files.exists(old), "checkpoint.old removed");
        assertFalse(Files.exists(stale), "stale temporary removed");
        assertFalse(Files.exists(staleBest), "stale temporary of best/ removed");
        assertFalse(Files.exists(staleOfOldRuns), "stale temporary of an earlier siac removed");
    }

    /** A checkpoint is a directory like any the user creates (the umask's permissions), not a temp directory's 0700. */
    @Test
    void theCheckpointFollowsTheUmask() throws IOException {
        Path plain = Files.createDirectory(tmp.resolve("plain-" + System.nanoTime()));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(trained.resolve(Checkpoint.DIR)));
    }

    @Test
    void aCrashBeforeTheOldOneIsDeletedResumesTheNewOne() throws Exception {
        Path run = copy("afterswap");
        Path ckpt = run.resolve(Checkpoint.DIR);
        Path old = run.resolve(Checkpoint.DIR + ".old");
        copyTree(ckpt, old);
        Files.writeString(old.resolve(Checkpoint.STATE), "{\"step\": 1, half deleted", StandardCharsets.UTF_8);
        assertEquals(ckpt, Checkpoint.find(run));
        try (Trainer t = new Trainer(resume(run, 2), quiet())) {
            assertEquals(2, t.step());
        }
    }

    @Test
    void aFailedSwapNeverDeletesTheOnlyCompleteCheckpoint() throws Exception {
        // the swap fails where a crash could strike (here: its source is gone), in the two states it can start from
        Path missing = tmp.resolve("no-such-temporary");

        Path run = copy("onlyold");                       // a resumed interrupted swap: checkpoint.old alone
        Path old = run.resolve(Checkpoint.DIR + ".old");
        Files.move(run.resolve(Checkpoint.DIR), old);
        assertThrows(IOException.class, () -> Checkpoint.swapIn(run, missing));
        assertEquals(old, Checkpoint.find(run));
        assertLoadable(old);

        Path run2 = copy("normal");                       // the usual state: checkpoint/ alone
        assertThrows(IOException.class, () -> Checkpoint.swapIn(run2, missing));
        Path found = Checkpoint.find(run2);
        assertNotNull(found, "a checkpoint to resume from after the failed swap");
        assertLoadable(found);
    }

    private static void assertLoadable(Path dir) throws IOException {
        Checkpoint.State s = Checkpoint.verify(dir);
        assertEquals(2, s.step);
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.load(dir, m)) {
            TrainTestSupport.values(model.parameters().params()).forEach((k, v) -> assertArrayEquals(weightsAt2.get(k), v, 0f, k));
        }
    }

    private static void assertResumeFails(Path run, Path file, String what) throws IOException {
        byte[] before = Files.readAllBytes(file);
        IOException e = assertThrows(IOException.class, () -> new Trainer(resume(run, 4), quiet()).close());
        String m = e.getMessage();
        assertTrue(m.contains(file.toString()), "names " + file + ": " + m);
        assertTrue(m.contains(what), m);
        assertFalse(m.contains("\n"), "one line: " + m);
        assertArrayEquals(before, Files.readAllBytes(file), "the failed resume leaves the checkpoint as it was");
    }

    private static Trainer.Options resume(Path run, long steps) {
        Trainer.Options o = TrainTestSupport.options(data, run, steps);
        o.resume = true;
        o.given = java.util.Set.of("steps"); // as --steps N on the command line: a new target for the run
        return o;
    }

    private static Path copy(String name) throws IOException {
        Path to = tmp.resolve(name);
        copyTree(trained, to);
        return to;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(q);
                else Files.copy(p, q, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    }
}
