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
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * A generated report opened in headless Chromium, with the checks every report must pass: it loads without errors
 * or network access, every sound is playable, every picture loads, and clicking an event plays that event alone.
 */
final class ReportPage implements AutoCloseable {

    private static final int WIDTH = 1200;

    private final DevTools dt;
    private final String dirUri;

    private ReportPage(DevTools dt, String dirUri) {
        this.dt = dt;
        this.dirUri = dirUri;
    }

    /** Starts a fresh browser (profile under {@code tmp}) and loads {@code reportDir/index.html}. */
    static ReportPage open(Path chromium, Path tmp, Path reportDir) throws Exception {
        Path profile = Files.createDirectories(tmp.resolve("profile-" + System.nanoTime()));
        DevTools dt = DevTools.start(chromium, profile, tmp.resolve("chromium-" + System.nanoTime() + ".log"));
        try {
            dt.openPage(WIDTH, 900);
            dt.send("Page.navigate", DevTools.obj("url", reportDir.resolve("index.html").toUri().toString()));
            dt.awaitEvent("Page.loadEventFired", e -> true, Duration.ofSeconds(30));
            return new ReportPage(dt, reportDir.toUri().toString());
        } catch (Exception | Error e) {
            dt.close();
            throw e;
        }
    }

    DevTools devTools() {
        return dt;
    }

    JsonElement eval(String expression) {
        return dt.eval(expression);
    }

    boolean waitFor(String expression, Duration timeout) throws InterruptedException {
        return dt.waitFor(expression, timeout);
    }

    /** Every audio element has a source the browser decoded to a positive duration; returns how many there are. */
    int assertAudioPlayable() throws InterruptedException {
        boolean ready = dt.waitFor("[...document.querySelectorAll('audio')].every(a => a.readyState >= 1 "
                + "&& a.duration > 0 && !a.error)", Duration.ofSeconds(30));
        assertTrue(ready, "audio not playable: " + dt.eval("JSON.stringify([...document.querySelectorAll('audio')]"
                + ".filter(a => !(a.readyState >= 1 && a.duration > 0)).map(a => [a.id, a.currentSrc, a.readyState, "
                + "a.duration, a.error && a.error.code]))"));
        return dt.eval("document.querySelectorAll('audio').length").getAsInt();
    }

    void assertImagesLoaded() throws InterruptedException {
        assertTrue(dt.waitFor("[...document.images].every(i => i.complete && i.naturalWidth > 0)", Duration.ofSeconds(20)),
                "some picture did not load");
    }

    /** One mark group per event, each for a different event and each drawing its envelope. */
    void assertOneMarkPerEvent(int events) {
        assertEquals(events, dt.eval("document.querySelectorAll('#scatter g.event').length").getAsInt(),
                "one mark group per event");
        assertEquals(events, dt.eval("new Set([...document.querySelectorAll('#scatter g.event')]"
                + ".map(g => g.dataset.index)).size").getAsInt(), "each group belongs to a different event");
        assertTrue(dt.eval("[...document.querySelectorAll('#scatter g.event')].every(g => g.querySelectorAll('rect').length > 0)")
                .getAsBoolean(), "every group draws its envelope");
    }

    /** Hovering shows the tooltip; clicking starts the event's own sound, which lasts {@code clipSeconds}. */
    void assertClickPlaysEvent(int index, double timeSeconds, double clipSeconds) throws InterruptedException {
        double[] point = clickablePoint(index);
        mouse("mouseMoved", point);
        assertTrue(dt.waitFor("getComputedStyle(document.getElementById('scatter-tooltip')).display === 'block'",
                Duration.ofSeconds(5)), "hovering shows the tooltip");
        String tip = dt.eval("document.getElementById('scatter-tooltip').textContent").getAsString();
        assertTrue(tip.contains("Event " + (index + 1)) && tip.contains(String.format("%.3f s", timeSeconds)),
                "tooltip names the event and its time: " + tip);

        mouse("mousePressed", point);
        mouse("mouseReleased", point);
        String audioId = "event-audio-" + index;
        assertTrue(dt.waitFor("!document.getElementById('" + audioId + "').paused", Duration.ofSeconds(10)),
                "clicking the event starts its audio");
        assertTrue(dt.waitFor("document.getElementById('" + audioId + "').currentTime > 0.05", Duration.ofSeconds(10)),
                "the event's audio advances");
        assertEquals(audioId, dt.eval("window.siacReport.playing").getAsString());
        JsonArray nowPlaying = dt.eval("[...document.querySelectorAll('audio')].filter(a => !a.paused).map(a => a.id)")
                .getAsJsonArray();
        assertEquals(1, nowPlaying.size(), "exactly one sound plays: " + nowPlaying);
        assertEquals(clipSeconds, dt.eval("document.getElementById('" + audioId + "').duration").getAsDouble(), 0.01,
                "the sound is the event alone, not the whole mix");
        assertTrue(dt.eval("document.querySelector('#scatter g.event[data-index=\"" + index + "\"]')"
                + ".classList.contains('playing')").getAsBoolean(), "the playing event is highlighted");
    }

    /**
     * No exception, console error or failed load happened, and every request stayed inside the report directory
     * (data: URLs never leave the page: Chromium's own audio controls draw their icons with them).
     */
    void assertNoErrorsAndNoNetwork(int audioCount) {
        DevTools.PageLog log = dt.pageLog(Set.of("error", "assert"), "error"::equals);
        List<String> requests = log.requests();
        assertEquals(List.of(), log.problems(), "no errors on the page");
        assertFalse(requests.isEmpty(), "network events were recorded");
        for (String url : requests) {
            assertTrue(url.startsWith(dirUri) || url.startsWith("data:"), "request outside the report directory: " + url);
        }
        assertTrue(requests.stream().filter(u -> u.startsWith(dirUri)).count() >= 1 + audioCount,
                "the page and its sounds came from the report directory: " + requests.size() + " requests");
    }

    /** A point on the event's mark that is not covered by another event's mark. */
    double[] clickablePoint(int index) {
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

    /** Index of an event whose mark can be clicked without hitting another event's mark, preferring {@code wanted}. */
    int clickableEvent(int wanted, int events) {
        for (int k = 0; k < events; k++) {
            int i = (wanted + k) % events;
            JsonElement ok = dt.eval("(() => {"
                    + " const g = document.querySelector('#scatter g.event[data-index=\"" + i + "\"]');"
                    + " g.scrollIntoView({block: 'center'});"
                    + " return [...g.querySelectorAll('rect')].some(rr => { const r = rr.getBoundingClientRect();"
                    + "   const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
                    + "   return hit && hit.closest('g.event') === g; }); })()");
            if (ok != null && ok.getAsBoolean()) return i;
        }
        throw new AssertionError("no event mark can be clicked without hitting another one");
    }

    /** A mouse event with no button held (a move) or of the left button (press, release). */
    void mouse(String type, double[] point) {
        dt.mouse(type, point, type.equals("mousePressed") ? 1 : 0);
    }

    /**
     * Full-page screenshot with the tooltip of {@code hovered} showing: the viewport is first grown to the whole page,
     * since capturing beyond the viewport re-lays the page out and drops the hover.
     */
    void screenshot(Path file, int hovered) throws Exception {
        dt.eval("document.querySelectorAll('audio').forEach(a => a.pause())");
        JsonObject layout = dt.send("Page.getLayoutMetrics", null);
        JsonObject size = layout.has("cssContentSize") ? layout.getAsJsonObject("cssContentSize")
                : layout.getAsJsonObject("contentSize");
        dt.viewport(WIDTH, (int) Math.ceil(size.get("height").getAsDouble()));
        dt.eval("window.scrollTo(0, 0)");
        double[] point = clickablePoint(hovered);
        mouse("mouseMoved", new double[] {point[0] + 1, point[1]});
        assertTrue(dt.waitFor("getComputedStyle(document.getElementById('scatter-tooltip')).display === 'block'",
                Duration.ofSeconds(5)));
        String png = dt.send("Page.captureScreenshot", DevTools.obj("format", "png")).get("data").getAsString();
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.write(file, Base64.getDecoder().decode(png));
        assertTrue(Files.size(file) > 10_000, "screenshot written");
    }

    @Override
    public void close() {
        dt.close();
    }
}
