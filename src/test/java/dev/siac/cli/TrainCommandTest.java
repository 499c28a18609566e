package dev.siac.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `siac train` end to end through picocli, on the tiny preset and the example clip. */
class TrainCommandTest {
    @TempDir
    Path tmp;

    private Path data() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Files.copy(Path.of("examples", "example.wav"), data.resolve("example.wav"));
        return data;
    }

    @Test
    void trainsCheckpointsLogsAndPlotsThenResumes() throws Exception {
        Path data = data();
        Path run = tmp.resolve("run");
        CliRun r = CliRun.of(new TrainCommand(), "--data", data.toString(), "--preset", "tiny", "--out", run.toString(),
                "--steps", "3", "--checkpoint-every", "2");
        assertEquals(0, r.code(), r.err());

        Path state = run.resolve("checkpoint").resolve("state.json");
        assertTrue(Files.isRegularFile(state));
        assertEquals(3, JsonParser.parseString(Files.readString(state)).getAsJsonObject().get("step").getAsInt());
        for (String f : List.of("config.json", "weights.safetensors", "optimizer.safetensors")) {
            assertTrue(Files.isRegularFile(run.resolve("checkpoint").resolve(f)), f);
        }

        List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"), StandardCharsets.UTF_8);
        assertEquals(3, lines.size(), String.join("\n", lines));
        for (int i = 0; i < 3; i++) {
            JsonObject o = JsonParser.parseString(lines.get(i)).getAsJsonObject();
            assertEquals(i + 1, o.get("step").getAsInt());
            assertTrue(Double.isFinite(o.get("loss").getAsDouble()), lines.get(i));
            double er = o.get("energy_removed").getAsDouble();
            assertTrue(er > -1 && er <= 1, lines.get(i));
        }

        BufferedImage png = ImageIO.read(run.resolve("loss.png").toFile());
        assertNotNull(png, "loss.png is a PNG");
        assertTrue(png.getWidth() > 100 && png.getHeight() > 100);
        assertNoLeftovers(run);

        // --resume continues the same run: one more step, the log grows by one record
        CliRun r2 = CliRun.of(new TrainCommand(), "--data", data.toString(), "--preset", "tiny", "--out", run.toString(),
                "--steps", "4", "--resume");
        assertEquals(0, r2.code(), r2.err());
        lines = Files.readAllLines(run.resolve("metrics.jsonl"), StandardCharsets.UTF_8);
        assertEquals(4, lines.size());
        assertEquals(4, new Gson().fromJson(lines.get(3), JsonObject.class).get("step").getAsInt());
        assertEquals(4, JsonParser.parseString(Files.readString(state)).getAsJsonObject().get("step").getAsInt());
        assertEquals(4, JsonParser.parseString(Files.readString(run.resolve("recipe.json"))).getAsJsonObject().get("steps")
                .getAsInt(), "--steps given on resume is the run's new target");
        assertNoLeftovers(run);

        // without --resume, an existing checkpoint is not overwritten
        CliRun again = CliRun.of(new TrainCommand(), "--data", data.toString(), "--preset", "tiny", "--out", run.toString(),
                "--steps", "1");
        assertOneLineError(again, "--resume");
        assertEquals(4, JsonParser.parseString(Files.readString(state)).getAsJsonObject().get("step").getAsInt());
    }

    @Test
    void curriculumAndValidationWriteTheBestModel() throws Exception {
        Path run = tmp.resolve("cur");
        Path data = data();
        CliRun r = CliRun.of(new TrainCommand(), "--data", data.toString(), "--preset", "tiny", "--out", run.toString(),
                "--steps", "2", "--curriculum", "2", "--curriculum-start", "0.5", "--valid-every", "1", "--valid-segments", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(run.resolve("best").resolve("weights.safetensors")), r.err());
        assertTrue(Files.isRegularFile(run.resolve("best").resolve("best.json")));
        try (Stream<Path> s = Files.list(run)) {
            assertEquals(List.of("best", "checkpoint", "loss.png", "metrics.jsonl", "recipe.json"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        for (String[] bad : new String[][] {{"--curriculum", "-1"}, {"--curriculum-start", "0"}, {"--valid-segments", "0"}}) {
            List<String> args = new java.util.ArrayList<>(List.of("--data", data.toString(), "--preset", "tiny",
                    "--out", tmp.resolve("bad").toString(), "--steps", "1"));
            args.addAll(List.of(bad));
            assertOneLineError(CliRun.of(new TrainCommand(), args.toArray(String[]::new)), bad[0]);
            assertFalse(Files.exists(tmp.resolve("bad")), "nothing left behind for " + bad[0]);
        }
    }

    @Test
    void askingForAGpuIsAnErrorNotAFallback() throws Exception {
        Path run = tmp.resolve("run");
        CliRun r = CliRun.of(new TrainCommand(), "--data", data().toString(), "--preset", "tiny", "--out", run.toString(),
                "--steps", "1", "--device", "gpu");
        assertOneLineError(r, "--device gpu");
        // this build ships the CPU libtorch: without a GPU the message says so; with one, that it cannot be used
        if (Engine.getInstance().getGpuCount() == 0) assertTrue(r.err().contains("no GPU"), r.err());
        else assertTrue(r.err().contains("CPU libtorch only"), r.err());
        assertFalse(Files.exists(run), "nothing trained, nothing written");
    }

    @Test
    void aMissingDataDirectoryIsAOneLineError() {
        Path missing = tmp.resolve("no-such-data");
        Path run = tmp.resolve("run");
        CliRun r = CliRun.of(new TrainCommand(), "--data", missing.toString(), "--preset", "tiny", "--out", run.toString(),
                "--steps", "1");
        assertOneLineError(r, missing.toString());
        assertTrue(r.err().contains("not found"), r.err());
        assertFalse(Files.exists(run), "no empty run directory left behind");
    }

    @Test
    void resumeWithoutACheckpointIsAOneLineError() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        CliRun r = CliRun.of(new TrainCommand(), "--data", data().toString(), "--preset", "tiny", "--out", run.toString(),
                "--steps", "1", "--resume");
        assertOneLineError(r, "no checkpoint");
        try (Stream<Path> s = Files.list(run)) {
            assertEquals(0, s.count(), "nothing written");
        }
    }

    /** One unreadable file among the training audio is skipped with a warning that counts it; training goes on. */
    @Test
    void anUnreadableTrainingFileIsSkippedWithAWarning() throws Exception {
        Path d = data();
        Files.write(d.resolve("broken.wav"), "RIFF\0\0\0\0WAVEjunk".getBytes(StandardCharsets.ISO_8859_1));
        Path run = tmp.resolve("skip");
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        CliRun r;
        System.setErr(new java.io.PrintStream(log, true, StandardCharsets.UTF_8)); // the training log's stream
        try {
            r = CliRun.of(new TrainCommand(), "--data", d.toString(), "--preset", "tiny", "--out", run.toString(),
                    "--steps", "1", "--valid-every", "0");
        } finally {
            System.setErr(stderr);
        }
        assertEquals(0, r.code(), r.err());
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("warning: skipped 1 unreadable file, e.g. " + d.resolve("broken.wav")), text);
        assertEquals(1, JsonParser.parseString(Files.readString(run.resolve("checkpoint").resolve("state.json")))
                .getAsJsonObject().get("step").getAsInt());
    }

    private static void assertOneLineError(CliRun r, String mentions) {
        assertEquals(1, r.code(), r.err());
        String err = r.err().strip();
        assertTrue(err.startsWith("error: "), err);
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.contains(mentions), err);
    }

    private static void assertNoLeftovers(Path run) throws Exception {
        try (Stream<Path> s = Files.list(run)) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("checkpoint", "loss.png", "metrics.jsonl", "recipe.json"), names);
        }
    }
}
