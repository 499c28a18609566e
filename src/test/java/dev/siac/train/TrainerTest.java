package dev.siac.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import dev.siac.audio.AudioIO;
import dev.siac.audio.Signal;
import dev.siac.audio.WavEncoding;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 4: the tiny model learns on real audio; the collapse to silence is detected and reported. */
class TrainerTest {
    @TempDir
    Path tmp;

    @Test
    void theLossGoesDownOnRealAudio() throws Exception {
        Path data = TrainTestSupport.dataDir(tmp);
        Trainer.Options o = TrainTestSupport.options(data, tmp.resolve("run"), 30);
        o.config.init = "physical"; // audible events from step 1, so the loss moves from the start
        o.collapseWindow = 10;     // a healthy run must not be reported as collapsed
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Trainer.Validation before, after;
        try (Trainer t = new Trainer(o, new PrintStream(log, true, StandardCharsets.UTF_8))) {
            before = t.validate();
            t.run();
            after = t.validate();
        }
        List<Map<?, ?>> steps = new ArrayList<>();
        for (Map<?, ?> r : records(o.out)) if (r.containsKey("loss")) steps.add(r);
        assertEquals(30, steps.size());
        double first = 0, last = 0;
        for (int i = 0; i < 5; i++) {
            first += ((Number) steps.get(i).get("loss")).doubleValue() / 5;
            last += ((Number) steps.get(steps.size() - 1 - i).get("loss")).doubleValue() / 5;
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(last < first, "mean loss of the last 5 steps " + last + ", of the first 5 " + first + "\n" + text);
        // the same held on fixed segments the steps did not choose: more of their energy is removed
        assertTrue(after.energyRemoved() > before.energyRemoved(), "validation energy removed " + before + " -> " + after);
        assertFalse(text.contains("WARNING"), text);
    }

    @Test
    void energyRemovedStuckAtZeroIsReportedAsACollapse() throws Exception {
        // digital silence: Segments' max + 1e-12 normalisation keeps it at 0, there is nothing to remove
        Path data = Files.createDirectories(tmp.resolve("silence"));
        AudioIO.writeWav(data.resolve("silence.wav"), new Signal(new float[AudioIO.SAMPLE_RATE], AudioIO.SAMPLE_RATE), WavEncoding.PCM16);
        Trainer.Options o = TrainTestSupport.options(data, tmp.resolve("run"), 4);
        o.collapseWindow = 3;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Trainer t = new Trainer(o, new PrintStream(log, true, StandardCharsets.UTF_8))) {
            t.run();
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("WARNING: energy removed has stayed near 0"), text);
        assertEquals(1, text.split("WARNING", -1).length - 1, "warned once: " + text);
        List<Map<?, ?>> warnings = new ArrayList<>();
        for (Map<?, ?> r : records(o.out)) if (r.containsKey("warning")) warnings.add(r);
        assertEquals(1, warnings.size(), warnings.toString());
        assertEquals("collapse", warnings.get(0).get("warning"));
        assertEquals(3.0, ((Number) warnings.get(0).get("step")).doubleValue()); // as soon as a window is full
        assertTrue(warnings.get(0).get("message").toString().contains("collapsed to silence"));
    }

    @Test
    void curriculumGrowsSegmentsAndEventsToTheFullWindow() {
        Trainer.Options o = new Trainer.Options();
        assertEquals(List.of(1.0, 32.0), List.of(Trainer.curriculum(o, 32, 0).fraction(), (double) Trainer.curriculum(o, 32, 0).events()), "off by default");
        o.curriculumSteps = 100;
        o.curriculumStart = 0.25;
        assertEquals(0.25, Trainer.curriculum(o, 32, 0).fraction(), 1e-12);
        assertEquals(8.0, (double) Trainer.curriculum(o, 32, 0).events());
        assertEquals(0.625, Trainer.curriculum(o, 32, 50).fraction(), 1e-12);
        assertEquals(20.0, (double) Trainer.curriculum(o, 32, 50).events());
        assertEquals(1.0, Trainer.curriculum(o, 32, 100).fraction());
        assertEquals(32.0, (double) Trainer.curriculum(o, 32, 100).events());
        assertEquals(32.0, (double) Trainer.curriculum(o, 32, 5000).events());
        for (long s = 0; s < 100; s++) {
            Trainer.Curriculum a = Trainer.curriculum(o, 32, s), b = Trainer.curriculum(o, 32, s + 1);
            assertTrue(b.fraction() >= a.fraction() && b.events() >= a.events(), "never shrinks");
        }
        assertEquals(1.0, (double) Trainer.curriculum(o, 1, 0).events(), "at least one event");
    }

    @Test
    void curriculumStepsTrainWithFewerEventsAndTheBestValidationModelIsKept() throws Exception {
        Path data = TrainTestSupport.dataDir(tmp);
        Trainer.Options o = TrainTestSupport.options(data, tmp.resolve("run"), 4);
        o.curriculumSteps = 4;
        o.curriculumStart = 0.5;
        o.validEvery = 2;
        o.validSegments = 2;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (Trainer t = new Trainer(o, new PrintStream(log, true, StandardCharsets.UTF_8))) {
            t.run();
        }
        String text = log.toString(StandardCharsets.UTF_8);
        List<Double> valid = new ArrayList<>();
        for (Map<?, ?> r : records(o.out)) if (r.containsKey("valid_mel_l1")) valid.add(((Number) r.get("valid_mel_l1")).doubleValue());
        assertEquals(2, valid.size(), text);
        Path best = o.out.resolve(Checkpoint.BEST);
        assertTrue(Files.isRegularFile(best.resolve("weights.safetensors")), text);
        Map<?, ?> info = new Gson().fromJson(Files.readString(best.resolve(Checkpoint.BEST_INFO)), Map.class);
        double bestMel = Math.min(valid.get(0), valid.get(1));
        assertEquals(bestMel, ((Number) info.get("valid_mel_l1")).doubleValue(), 1e-12);
        assertEquals(valid.get(1) < valid.get(0) ? 4.0 : 2.0, ((Number) info.get("step")).doubleValue());
        String measuredOn = (String) info.get("measured_on");
        assertTrue(measuredOn.matches("\\d+ segments of (validation|training) audio [0-9a-f]{16}"), measuredOn);
        assertEquals(bestMel, Checkpoint.bestValidMelL1(o.out, measuredOn), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, Checkpoint.bestValidMelL1(o.out, "16 segments of other audio"),
                "a best measured on other segments does not compare");
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager();
             dev.siac.model.SiacModel loaded = dev.siac.model.Models.load(best, m)) {
            assertEquals("tiny", loaded.config.preset);
        }
    }

    @Test
    void aCurriculumStepUsesFewerEventsThanAFullOne() throws Exception {
        Path data = TrainTestSupport.dataDir(tmp);
        Trainer.Options o = TrainTestSupport.options(data, tmp.resolve("run"), 1);
        o.curriculumSteps = 1000;
        o.curriculumStart = 0.25;
        try (Trainer t = new Trainer(o, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
            // tiny: 4 events per window; the first curriculum step renders one, on a quarter window of audio
            assertEquals(1.0, (double) Trainer.curriculum(o, t.model().config.eventsPerWindow, 0).events());
            t.run();
        }
        assertEquals(1, records(o.out).stream().filter(r -> r.containsKey("loss")).count());
    }

    @Test
    void collapseIsAMeanNearZeroOverTheLastWindow() {
        assertTrue(Double.isNaN(Trainer.collapse(history(0, 0, 0, 0), 5)), "fewer steps than the window");
        assertEquals(0.001, Trainer.collapse(history(0.001, 0.001, 0.001, 0.001, 0.001), 5), 1e-12);
        assertTrue(Double.isNaN(Trainer.collapse(history(0.02, 0.02, 0.02, 0.02, 0.02), 5)), "a model that works");
        // learned, then fell to silence: only the last window counts
        assertEquals(0.0, Trainer.collapse(history(0.3, 0.3, 0.3, 0, 0, 0, 0, 0), 5), 1e-12);
        // stuck at first, now learning
        assertTrue(Double.isNaN(Trainer.collapse(history(0, 0, 0, 0.02, 0.02, 0.02, 0.02, 0.02), 5)));
        // adding energy (negative removal) is no better than removing none
        assertEquals(-0.01, Trainer.collapse(history(-0.01, -0.01, -0.01), 3), 1e-12);
        // the threshold itself is not a collapse
        double t = Trainer.COLLAPSE_THRESHOLD;
        assertTrue(Double.isNaN(Trainer.collapse(history(t, t, t), 3)));
    }

    private static List<LossPlot.Point> history(double... energyRemoved) {
        List<LossPlot.Point> h = new ArrayList<>();
        for (int i = 0; i < energyRemoved.length; i++) h.add(new LossPlot.Point(i + 1, -energyRemoved[i], energyRemoved[i]));
        return h;
    }

    static List<Map<?, ?>> records(Path run) throws Exception {
        List<Map<?, ?>> out = new ArrayList<>();
        Gson gson = new Gson();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"), StandardCharsets.UTF_8)) out.add(gson.fromJson(line, Map.class));
        return out;
    }
}
