package dev.siac.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.siac.audio.AudioIO;
import dev.siac.audio.Signal;
import dev.siac.audio.WavEncoding;
import dev.siac.cli.EncodeCommand;
import dev.siac.cli.ReportCommand;
import dev.siac.model.ModelConfig;
import dev.siac.model.Models;
import dev.siac.model.Safetensors;
import dev.siac.model.SiacModel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code siac report} end to end: a real (tiny) model saved to disk, a 6 s clip, the command as a user runs it, and
 * the page it writes opened in headless Chromium.
 */
class ReportCommandTest {

    private static final Path SCREENSHOT = Path.of("target", "report-command-screenshot.png");
    private static final Path SIAC_SCREENSHOT = Path.of("target", "report-command-siac-screenshot.png");

    @TempDir
    static Path shared;
    static Path modelDir;
    static Path clip;
    static ModelConfig config;

    @TempDir
    Path tmp;

    @BeforeAll
    static void modelAndClip() throws Exception {
        config = ModelConfig.preset("tiny");
        config.init = "physical"; // the reference initialisation starts with a silent switch: no events to show
        modelDir = shared.resolve("tiny-model");
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(config, 11, m)) {
            Models.save(model, modelDir, Safetensors.DType.F32);
        }
        clip = shared.resolve("notes.wav");
        AudioIO.writeWav(clip, new Signal(ReportFixtures.notes(6.0, 3), ReportFixtures.SR), WavEncoding.PCM16);
    }

    record Run(int code, String out, String err) {
    }

    static Run run(Object command, String... args) {
        CommandLine cl = new CommandLine(command);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void audioReportIsWrittenAndWorksInABrowser() throws Exception {
        Path out = tmp.resolve("report");
        Run r = run(new ReportCommand(), clip.toString(), "-o", out.toString(), "--model", modelDir.toString(),
                "--seed", "3", "--stream-seconds", "4", "-q");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("index.html") && r.out().contains(config.eventsPerWindow + " events"), r.out());
        int events = config.eventsPerWindow;
        for (String f : List.of("index.html", "audio/original.wav", "audio/reconstruction.wav", "audio/impulse.wav",
                "audio/resonated.wav", "audio/wet.wav", "audio/random-vectors.wav", "audio/random-times.wav",
                "audio/perturbed.wav", "audio/stream-original.wav", "audio/stream-reconstruction.wav",
                "img/deformation.png", "img/latents.png")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), "missing " + f);
        }
        for (int i = 0; i < events; i++) {
            assertTrue(Files.isRegularFile(out.resolve(String.format(Locale.ROOT, "audio/events/event-%03d.wav", i))));
            assertTrue(Files.isRegularFile(out.resolve(String.format(Locale.ROOT, "img/residual/step-%03d.png", i))));
        }
        assertFalse(Files.exists(out.resolve(String.format(Locale.ROOT, "audio/events/event-%03d.wav", events))));
        // Sizes come from the model's config: the tiny window is 8192 samples, the streamed part the first 4 s.
        assertEquals(config.windowSamples, wavSamples(out.resolve("audio/original.wav")));
        assertEquals(4 * ReportFixtures.SR, wavSamples(out.resolve("audio/stream-reconstruction.wav")));
        String html = Files.readString(out.resolve("index.html"), StandardCharsets.UTF_8);
        assertTrue(html.contains("only the first half of the window is reproduced"), "the page says what is masked");
        assertTrue(html.contains("mel L1 (streamed reconstruction vs input)"));
        assertTrue(html.contains("kbps"));

        Path chromium = DevTools.chromiumOrSkip("ReportCommandTest");
        try (ReportPage page = ReportPage.open(chromium, tmp, out)) {
            int audioCount = page.assertAudioPlayable();
            assertEquals(10 + events, audioCount, "10 players plus one hidden player per event");
            page.assertImagesLoaded();
            page.assertOneMarkPerEvent(events);
            int target = page.clickableEvent(events - 1, events);
            Path eventWav = out.resolve(String.format(Locale.ROOT, "audio/events/event-%03d.wav", target));
            double time = page.eval("window.siacReport.data.events[" + target + "].t").getAsDouble();
            page.assertClickPlaysEvent(target, time, wavSamples(eventWav) / (double) ReportFixtures.SR);
            page.screenshot(SCREENSHOT, target);
            page.assertNoErrorsAndNoNetwork(audioCount);
        }
    }

    @Test
    void eventFileReportHasNoOriginalUnlessGiven() throws Exception {
        Path siac = tmp.resolve("notes.siac");
        Run enc = run(new EncodeCommand(), clip.toString(), "-o", siac.toString(), "--model", modelDir.toString(), "-q");
        assertEquals(0, enc.code(), enc.err());

        Path out = tmp.resolve("from-events");
        Run r = run(new ReportCommand(), siac.toString(), "-o", out.toString(), "--model", modelDir.toString(), "-q");
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(out.resolve("audio/original.wav")), "no original audio to play");
        assertFalse(Files.exists(out.resolve("audio/stream-original.wav")));
        assertTrue(Files.isRegularFile(out.resolve("audio/stream-reconstruction.wav")), "the file is decoded");
        String html = Files.readString(out.resolve("index.html"), StandardCharsets.UTF_8);
        assertFalse(html.contains("id=\"audio-original\""));
        assertTrue(html.contains("there is no original to play"), "the page says why the original is missing");
        int players = count(html, "<audio ");
        int events = count(html, "class=\"event\" data-index=");
        assertTrue(events > 0);
        assertEquals(events, count(html, "class=\"event-audio\""));

        Path chromium = DevTools.chromiumOrSkip("ReportCommandTest");
        try (ReportPage page = ReportPage.open(chromium, tmp, out)) {
            int audioCount = page.assertAudioPlayable();
            assertEquals(players, audioCount);
            page.assertImagesLoaded();
            page.assertOneMarkPerEvent(events);
            int target = page.clickableEvent(0, events);
            Path eventWav = out.resolve(String.format(Locale.ROOT, "audio/events/event-%03d.wav", target));
            double time = page.eval("window.siacReport.data.events[" + target + "].t").getAsDouble();
            page.assertClickPlaysEvent(target, time, wavSamples(eventWav) / (double) ReportFixtures.SR);
            page.screenshot(SIAC_SCREENSHOT, target);
            page.assertNoErrorsAndNoNetwork(audioCount);
        }

        Path withAudio = tmp.resolve("from-events-with-audio");
        r = run(new ReportCommand(), siac.toString(), "-o", withAudio.toString(), "--model", modelDir.toString(),
                "--audio", clip.toString(), "-q");
        assertEquals(0, r.code(), r.err());
        assertEquals(config.windowSamples, wavSamples(withAudio.resolve("audio/original.wav")));
        assertTrue(Files.isRegularFile(withAudio.resolve("audio/stream-original.wav")));
        assertFalse(Files.readString(withAudio.resolve("index.html")).contains("n/a (no original audio"));
    }

    @Test
    void badInputsGiveOneLineAndTheRightExitCode() throws Exception {
        Path out = tmp.resolve("never");
        Run r = run(new ReportCommand(), tmp.resolve("missing.wav").toString(), "-o", out.toString(),
                "--model", modelDir.toString());
        assertEquals(1, r.code());
        assertOneLine(r.err(), "missing.wav");
        assertFalse(Files.exists(out));

        r = run(new ReportCommand(), clip.toString(), "-o", out.toString(), "--model", modelDir.toString(),
                "--stream-seconds", "0");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--stream-seconds"), r.err());

        r = run(new ReportCommand(), clip.toString(), "-o", out.toString(), "--model", modelDir.toString(),
                "--audio", clip.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--audio"), r.err());

        Path damaged = tmp.resolve("damaged.siac");
        Files.write(damaged, new byte[] {'S', 'I', 'A', 'C', 1, 2, 3});
        r = run(new ReportCommand(), damaged.toString(), "-o", out.toString(), "--model", modelDir.toString(), "-q");
        assertEquals(1, r.code());
        assertOneLine(r.err(), "damaged.siac");
        assertFalse(Files.exists(out));

        Path notText = tmp.resolve("notes.txt");
        Files.writeString(notText, "this is not audio");
        r = run(new ReportCommand(), notText.toString(), "-o", out.toString(), "--model", modelDir.toString(), "-q");
        assertEquals(1, r.code());
        assertOneLine(r.err(), "notes.txt");
        assertFalse(Files.exists(out));

        Path occupied = Files.createDirectories(tmp.resolve("occupied"));
        Files.writeString(occupied.resolve("keep.txt"), "mine");
        r = run(new ReportCommand(), clip.toString(), "-o", occupied.toString(), "--model", modelDir.toString(), "-q");
        assertEquals(1, r.code());
        assertOneLine(r.err(), "occupied");
        assertEquals(List.of("keep.txt"), Files.list(occupied).map(p -> p.getFileName().toString()).toList(),
                "a directory that is not a report is left alone");
        try (var left = Files.list(tmp)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no temporary directory left");
        }
    }

    private static void assertOneLine(String err, String naming) {
        String text = err.strip();
        assertFalse(text.contains("\n"), "one line: " + err);
        assertTrue(text.startsWith("error: ") && text.contains(naming), "names " + naming + ": " + err);
    }

    private static int count(String html, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(html);
        int n = 0;
        while (m.find()) n++;
        return n;
    }

    /** Samples of a 16-bit mono WAV as the report writes it (44-byte header). */
    private static long wavSamples(Path wav) throws Exception {
        return (Files.size(wav) - 44) / 2;
    }
}
