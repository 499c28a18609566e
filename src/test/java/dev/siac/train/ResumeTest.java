package dev.siac.train;

import dev.siac.model.Adam;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 4: 2 steps, checkpoint, resume, 2 more steps equals 4 steps straight, bit for bit, same seed. */
class ResumeTest {
    @TempDir
    Path tmp;

    @Test
    void twoPlusTwoStepsWithAResumeEqualFourSteps() throws Exception {
        check(false);
    }

    @Test
    void adversarialTwoPlusTwoStepsWithAResumeEqualFourSteps() throws Exception {
        // the discriminator (weights and Adam moments) is checkpointed, and its dropout masks are drawn from a
        // generator seeded per step, so resuming replays the same masks
        check(true);
    }

    private void check(boolean adversarial) throws Exception {
        Path data = TrainTestSupport.dataDir(tmp);
        Map<String, float[]> straight = train(data, tmp.resolve("straight"), 4, false, adversarial);

        Path run = tmp.resolve("resumed");
        train(data, run, 2, false, adversarial);
        assertTrue(Files.isRegularFile(run.resolve(Checkpoint.DIR).resolve(Checkpoint.STATE)), "checkpoint after 2 steps");
        Map<String, float[]> resumed = train(data, run, 4, true, adversarial);

        assertSameBits(straight, resumed, "after 4 steps", "after 2 + resume + 2");
        // the resumed run's metrics continue the first run's: steps 1..4, once each
        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"), StandardCharsets.UTF_8);
        assertEquals(4, lines.size(), String.join("\n", lines));
        for (int s = 1; s <= 4; s++) assertTrue(lines.get(s - 1).startsWith("{\"step\":" + s + ","), lines.get(s - 1));
    }

    /**
     * Trains to step `steps` and returns every state the continuation depends on, copied: the model's parameters,
     * Adam's moments and (adversarially) the discriminator's parameters and moments. Both runs changing weights by
     * the same amounts is not enough on its own: the moments carry into every later step.
     */
    private static Map<String, float[]> train(Path data, Path out, long steps, boolean resume, boolean adversarial)
            throws Exception {
        Trainer.Options o = TrainTestSupport.options(data, out, steps);
        o.resume = resume;
        if (resume) o.seed += 1000; // ignored on resume: the checkpoint's seed goes on
        if (resume) o.given = java.util.Set.of("steps"); // the recipe's other options are the run's
        o.adversarial = adversarial;
        o.chunk = 3;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Trainer t = new Trainer(o, new PrintStream(log, true, StandardCharsets.UTF_8))) {
            t.run();
            assertEquals(steps, t.step());
            Map<String, float[]> state = new LinkedHashMap<>();
            TrainTestSupport.values(t.model().parameters().params()).forEach((k, v) -> state.put("model " + k, v));
            TrainTestSupport.values(t.adam().firstMoments()).forEach((k, v) -> state.put("adam m " + k, v));
            TrainTestSupport.values(t.adam().secondMoments()).forEach((k, v) -> state.put("adam v " + k, v));
            if (adversarial) {
                Discriminator d = t.discriminator();
                TrainTestSupport.values(d.params()).forEach((k, v) -> state.put("disc " + k, v));
                TrainTestSupport.values(d.adam().firstMoments()).forEach((k, v) -> state.put("disc m " + k, v));
                TrainTestSupport.values(d.adam().secondMoments()).forEach((k, v) -> state.put("disc v " + k, v));
            }
            return state;
        }
    }

    /**
     * The recipe is the run's: a run with warm-up, cosine schedule, curriculum and the adversarial option, stopped at
     * step 3 (as Ctrl-C stops it) and resumed by a command that gives no recipe flag (other defaults than the run's),
     * ends bit for bit where the uninterrupted run ends; an explicit flag overrides the recipe and is logged.
     */
    @Test
    void resumedWithNoFlagsFollowsTheRunsRecipe() throws Exception {
        Path data = TrainTestSupport.dataDir(tmp);
        Map<String, float[]> straight = run(recipe(data, tmp.resolve("straight")), -1, null);

        Path run = tmp.resolve("interrupted");
        run(recipe(data, run), 3, null);
        Trainer.Options plain = TrainTestSupport.options(data, run, 0); // the flags' defaults: no warm-up, lr 1e-3, ...
        plain.resume = true;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Map<String, float[]> resumed = run(plain, -1, log);
        assertSameBits(straight, resumed, "uninterrupted", "stopped at 3 and resumed");

        Trainer.Options longer = TrainTestSupport.options(data, run, 7);
        longer.resume = true;
        longer.given = java.util.Set.of("steps");
        ByteArrayOutputStream log2 = new ByteArrayOutputStream();
        run(longer, -1, log2);
        assertTrue(log2.toString(StandardCharsets.UTF_8).contains("recipe: --steps 7 given, the run had 6"), log2.toString());
        assertTrue(Files.readString(run.resolve(Recipe.FILE)).contains("\"steps\": 7"), "the override is saved");
    }

    private static Trainer.Options recipe(Path data, Path out) {
        Trainer.Options o = TrainTestSupport.options(data, out, 6);
        o.lr = 3e-3;
        o.warmup = 2;
        o.schedule = "cosine";
        o.scheduleSteps = 5;
        o.curriculumSteps = 4;
        o.curriculumStart = 0.5;
        o.adversarial = true;
        o.chunk = 3;
        return o;
    }

    /** Runs until the options' steps, or stops after step stopAfter (> 0) as Ctrl-C would; returns the state. */
    private static Map<String, float[]> run(Trainer.Options o, int stopAfter, ByteArrayOutputStream log) throws Exception {
        ByteArrayOutputStream sink = log != null ? log : new ByteArrayOutputStream();
        Trainer[] holder = new Trainer[1];
        PrintStream out = new PrintStream(sink, true, StandardCharsets.UTF_8) {
            @Override
            public PrintStream printf(String format, Object... args) {
                PrintStream r = super.printf(format, args);
                if (stopAfter > 0 && format.startsWith("step ") && args.length > 0 && args[0] instanceof Long s
                        && s == stopAfter) {
                    holder[0].requestStop();
                }
                return r;
            }
        };
        try (Trainer t = new Trainer(o, out)) {
            holder[0] = t;
            t.run();
            Map<String, float[]> state = new LinkedHashMap<>();
            TrainTestSupport.values(t.model().parameters().params()).forEach((k, v) -> state.put("model " + k, v));
            TrainTestSupport.values(t.adam().firstMoments()).forEach((k, v) -> state.put("adam m " + k, v));
            TrainTestSupport.values(t.adam().secondMoments()).forEach((k, v) -> state.put("adam v " + k, v));
            Discriminator d = t.discriminator();
            if (d != null) TrainTestSupport.values(d.params()).forEach((k, v) -> state.put("disc " + k, v));
            state.put("step", new float[] {t.step()});
            return state;
        }
    }

    private static void assertSameBits(Map<String, float[]> expected, Map<String, float[]> actual, String a, String b) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String name : expected.keySet()) {
            float[] x = expected.get(name), y = actual.get(name);
            for (int i = 0; i < x.length; i++) {
                if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
                    fail(name + "[" + i + "]: " + x[i] + " " + a + ", " + y[i] + " " + b);
                }
            }
        }
    }

    /** Every option the recipe saves is one it restores on resume, and the other way round. */
    @Test
    void theRecipeRestoresEveryKeyItSaves() {
        assertEquals(new java.util.TreeSet<>(Recipe.KEYS), new java.util.TreeSet<>(Recipe.of(new Trainer.Options()).keySet()));
    }
}
