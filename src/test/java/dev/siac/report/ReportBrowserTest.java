package dev.siac.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opens a generated report in headless Chromium and uses it the way a reader would: the page must load without
 * errors or network access, every sound must be playable, and clicking an event must play that event.
 */
class ReportBrowserTest {

    private static final int EVENTS = 12;
    private static final Path SCREENSHOT = Path.of("target", "report-screenshot.png");

    @TempDir
    Path tmp;

    @Test
    void pageLoadsOfflineAndEventsPlayOnClick() throws Exception {
        Optional<Path> chromium = DevTools.findChromium();
        if (chromium.isEmpty()) {
            String why = "ReportBrowserTest skipped: no chromium binary (looked for $SIAC_CHROMIUM, chromium, "
                    + "chromium-browser, google-chrome on PATH); install it with apt-get install -y chromium";
            System.out.println(why);
            Assumptions.abort(why);
        }
        ReportData data = SyntheticReport.build(EVENTS, true);
        Path out = tmp.resolve("report");
        ReportWriter.write(data, out);
        String pageUri = out.resolve("index.html").toUri().toString();
        String dirUri = out.toUri().toString();

        Path profile = Files.createDirectories(tmp.resolve("profile"));
        try (DevTools dt = DevTools.start(chromium.get(), profile, tmp.resolve("chromium.log"))) {
            dt.openPage();
            dt.send("Runtime.enable", null);
            dt.send("Log.enable", null);
            dt.send("Network.enable", null);
            dt.send("Page.enable", null);
            JsonObject metrics = new JsonObject();
            metrics.addProperty("width", 1200);
            metrics.addProperty("height", 900);
            metrics.addProperty("deviceScaleFactor", 1);
            metrics.addProperty("mobile", false);
            dt.send("Emulation.setDeviceMetricsOverride", metrics);

            dt.send("Page.navigate", DevTools.obj("url", pageUri));
            dt.awaitEvent("Page.loadEventFired", e -> true, Duration.ofSeconds(30));

            boolean audioReady = dt.waitFor("[...document.querySelectorAll('audio')].every(a => a.readyState >= 1 "
                    + "&& a.duration > 0 && !a.error)", Duration.ofSeconds(30));
            assertTrue(audioReady, "audio not playable: " + dt.eval("JSON.stringify([...document.querySelectorAll('audio')]"
                    + ".filter(a => !(a.readyState >= 1 && a.duration > 0)).map(a => [a.id, a.currentSrc, a.readyState, "
                    + "a.duration, a.error && a.error.code]))"));
            int audioCount = dt.eval("document.querySelectorAll('audio').length").getAsInt();
            assertEquals(10 + EVENTS, audioCount, "10 players plus one hidden player per event");
            double originalDuration = dt.eval("document.getElementById('audio-original').duration").getAsDouble();
            assertEquals(data.durationSeconds(), originalDuration, 0.01);

            assertTrue(dt.waitFor("[...document.images].every(i => i.complete && i.naturalWidth > 0)", Duration.ofSeconds(20)),
                    "some picture did not load");

            assertEquals(EVENTS, dt.eval("document.querySelectorAll('#scatter g.event').length").getAsInt(),
                    "one mark group per event");
            assertEquals(EVENTS, dt.eval("new Set([...document.querySelectorAll('#scatter g.event')]"
                    + ".map(g => g.dataset.index)).size").getAsInt(), "each group belongs to a different event");
            assertTrue(dt.eval("[...document.querySelectorAll('#scatter g.event')].every(g => g.querySelectorAll('rect').length > 0)")
                    .getAsBoolean(), "every group draws its envelope");

            int target = 5;
            double[] point = clickablePoint(dt, target);
            mouse(dt, "mouseMoved", point);
            assertTrue(dt.waitFor("getComputedStyle(document.getElementById('scatter-tooltip')).display === 'block'",
                    Duration.ofSeconds(5)), "hovering shows the tooltip");
            String tip = dt.eval("document.getElementById('scatter-tooltip').textContent").getAsString();
            assertTrue(tip.contains("Event " + (target + 1)) && tip.contains(String.format("%.3f s",
                    data.events().get(target).timeSeconds())), "tooltip names the event and its time: " + tip);

            mouse(dt, "mousePressed", point);
            mouse(dt, "mouseReleased", point);
            String audioId = "event-audio-" + target;
            assertTrue(dt.waitFor("!document.getElementById('" + audioId + "').paused", Duration.ofSeconds(10)),
                    "clicking the event starts its audio");
            assertTrue(dt.waitFor("document.getElementById('" + audioId + "').currentTime > 0.05", Duration.ofSeconds(10)),
                    "the event's audio advances");
            JsonElement playing = dt.eval("window.siacReport.playing");
            assertEquals(audioId, playing.getAsString());
            JsonArray nowPlaying = dt.eval("[...document.querySelectorAll('audio')].filter(a => !a.paused).map(a => a.id)")
                    .getAsJsonArray();
            assertEquals(1, nowPlaying.size(), "exactly one sound plays: " + nowPlaying);
            double clip = data.events().get(target).audio().length / (double) SyntheticReport.SR;
            assertEquals(clip, dt.eval("document.getElementById('" + audioId + "').duration").getAsDouble(), 0.01,
                    "the sound is the event alone, not the whole mix");
            assertTrue(dt.eval("document.querySelector('#scatter g.event[data-index=\"" + target + "\"]')"
                    + ".classList.contains('playing')").getAsBoolean(), "the playing event is highlighted");

            // The decomposition scrubber swaps the residual picture.
            dt.eval("(() => { const s = document.getElementById('decomp-slider'); s.value = 7; "
                    + "s.dispatchEvent(new Event('input')); })()");
            assertTrue(dt.eval("document.getElementById('decomp-img').getAttribute('src')").getAsString()
                    .endsWith("step-007.png"));
            assertEquals("step 8 / " + EVENTS, dt.eval("document.getElementById('decomp-label').textContent").getAsString());

            dt.eval("document.querySelectorAll('audio').forEach(a => a.pause())");
            dt.eval("(() => { const s = document.getElementById('decomp-slider'); s.value = 0; "
                    + "s.dispatchEvent(new Event('input')); document.activeElement.blur(); })()");
            screenshot(dt, target);

            List<String> problems = new ArrayList<>();
            List<String> requests = new ArrayList<>();
            for (JsonObject e : dt.events()) {
                String method = e.get("method").getAsString();
                JsonObject p = e.getAsJsonObject("params");
                switch (method) {
                    case "Runtime.exceptionThrown" -> problems.add("exception: " + p.get("exceptionDetails"));
                    case "Runtime.consoleAPICalled" -> {
                        String type = p.get("type").getAsString();
                        if (type.equals("error") || type.equals("assert")) problems.add("console." + type + ": " + p.get("args"));
                    }
                    case "Log.entryAdded" -> {
                        JsonObject entry = p.getAsJsonObject("entry");
                        if (entry.get("level").getAsString().equals("error")) problems.add("log: " + entry);
                    }
                    case "Network.requestWillBeSent" -> requests.add(p.getAsJsonObject("request").get("url").getAsString());
                    case "Network.loadingFailed" -> problems.add("failed load: " + p);
                    default -> {
                    }
                }
            }
            assertEquals(List.of(), problems, "no errors on the page");
            assertFalse(requests.isEmpty(), "network events were recorded");
            // data: URLs never leave the page (Chromium's own audio controls draw their icons with them).
            for (String url : requests) {
                assertTrue(url.startsWith(dirUri) || url.startsWith("data:"), "request outside the report directory: " + url);
            }
            assertTrue(requests.stream().filter(u -> u.startsWith(dirUri)).count() >= 1 + audioCount,
                    "the page and its sounds came from the report directory: " + requests.size() + " requests");
        }
        assertTrue(Files.size(SCREENSHOT) > 10_000, "screenshot written");
    }

    /** A point on the event's mark that is not covered by another event's mark. */
    private static double[] clickablePoint(DevTools dt, int index) {
        JsonElement p = dt.eval("(() => {"
                + " const g = document.querySelector('#scatter g.event[data-index=\"" + index + "\"]');"
                + " g.scrollIntoView({block: 'center'});"
                + " const rects = [...g.querySelectorAll('rect')].map(r => r.getBoundingClientRect())"
                + "   .sort((a, b) => b.height - a.height);"
                + " for (const r of rects) {"
                + "   const x = r.left + r.width / 2, y = r.top + r.height / 2;"
                + "   const hit = document.elementFromPoint(x, y);"
                + "   if (hit && hit.closest('g.event') === g) return [x, y];"
                + " }"
                + " return null; })()");
        assertTrue(p != null && p.isJsonArray(), "event " + index + " has no uncovered point to click");
        JsonArray a = p.getAsJsonArray();
        return new double[] {a.get(0).getAsDouble(), a.get(1).getAsDouble()};
    }

    private static void mouse(DevTools dt, String type, double[] point) {
        JsonObject m = DevTools.obj("type", type);
        m.addProperty("x", point[0]);
        m.addProperty("y", point[1]);
        if (!type.equals("mouseMoved")) {
            m.addProperty("button", "left");
            m.addProperty("clickCount", 1);
        }
        dt.send("Input.dispatchMouseEvent", m);
    }

    /**
     * Full-page screenshot with the tooltip of {@code hovered} showing: the viewport is first grown to the whole page,
     * since capturing beyond the viewport re-lays the page out and drops the hover.
     */
    private static void screenshot(DevTools dt, int hovered) throws Exception {
        JsonObject layout = dt.send("Page.getLayoutMetrics", null);
        JsonObject size = layout.has("cssContentSize") ? layout.getAsJsonObject("cssContentSize")
                : layout.getAsJsonObject("contentSize");
        JsonObject metrics = new JsonObject();
        metrics.addProperty("width", 1200);
        metrics.addProperty("height", (int) Math.ceil(size.get("height").getAsDouble()));
        metrics.addProperty("deviceScaleFactor", 1);
        metrics.addProperty("mobile", false);
        dt.send("Emulation.setDeviceMetricsOverride", metrics);
        dt.eval("window.scrollTo(0, 0)");
        double[] point = clickablePoint(dt, hovered);
        mouse(dt, "mouseMoved", new double[] {point[0] + 1, point[1]});
        assertTrue(dt.waitFor("getComputedStyle(document.getElementById('scatter-tooltip')).display === 'block'",
                Duration.ofSeconds(5)));
        String png = dt.send("Page.captureScreenshot", DevTools.obj("format", "png")).get("data").getAsString();
        Files.createDirectories(SCREENSHOT.getParent());
        Files.write(SCREENSHOT, Base64.getDecoder().decode(png));
    }
}
