package dev.siac.train;

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

        assertEquals(straight.keySet(), resumed.keySet());
        for (String name : straight.keySet()) {
            float[] a = straight.get(name), b = resumed.get(name);
            for (int i = 0; i < a.length; i++) {
                if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                    fail(name + "[" + i + "]: " + a[i] + " after 4 steps, " + b[i] + " after 2 + resume + 2");
                }
            }
        }
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
}
