package dev.siac.studio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.siac.report.DevTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The studio driven in headless Chromium the way a person uses it (mouse and keyboard): every edit made in the page
 * gives the same file as the `siac edit` arguments it shows, undo gives back each earlier file byte for byte,
 * playback starts and stops, no request leaves the studio's loopback address, and nothing logs an error.
 */
class StudioBrowserTest {

    private static final Path SCREENSHOT = Path.of("target", "studio-screenshot.png");
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private DevTools dt;
    private StudioFixture f;

    /**
     * The picture in docs/: the bundled model's encoding of examples/example.wav in the studio, with a selection.
     * Run with {@code mvn -o test -Dtest=StudioBrowserTest -Dsiac.studio.screenshot=docs/studio.png}.
     */
    @Test
    @org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "siac.studio.screenshot", matches = ".+")
    void screenshotOfTheExample() throws Exception {
        Path chromium = DevTools.findChromium().orElseThrow();
        try (StudioFixture fixture = new StudioFixture(tmp, Path.of("models", "default"), Path.of("examples", "example.wav"))) {
            f = fixture;
            dt = DevTools.start(chromium, Files.createDirectories(tmp.resolve("profile")), tmp.resolve("chromium.log"));
            try {
                open();
                rulerSelect(1.0, 2.5);
                double[] p = centre("circle.event.selected");
                mouse("mouseMoved", p, 0);
                assertTrue(dt.waitFor("!document.getElementById('tooltip').classList.contains('hidden')", WAIT));
                Path file = Path.of(System.getProperty("siac.studio.screenshot"));
                String png = dt.send("Page.captureScreenshot", DevTools.obj("format", "png")).get("data").getAsString();
                Files.write(file, Base64.getDecoder().decode(png));
                assertNoErrorsAndLoopbackOnly(false);
            } finally {
                dt.close();
            }
        }
    }

    @Test
    void editsInThePageEqualSiacEditAndUndoRestoresEveryFile() throws Exception {
        Path chromium = DevTools.chromiumOrSkip("StudioBrowserTest");
        try (StudioFixture fixture = new StudioFixture(tmp)) {
            f = fixture;
            Path profile = Files.createDirectories(tmp.resolve("profile"));
            dt = DevTools.start(chromium, profile, tmp.resolve("chromium.log"));
            try {
                run();
            } finally {
                dt.close();
            }
        }
    }

    private void run() throws Exception {
        open();
        int count = f.session.current().size();
        assertEquals(count, dt.eval("document.querySelectorAll('circle.event').length").getAsInt(), "one mark per event");
        assertEquals(Integer.toString(count), text("stat-count"));
        assertTrue(dt.waitFor("document.getElementById('spectrogram').complete "
                + "&& document.getElementById('spectrogram').naturalWidth === 1200", WAIT), "the spectrogram loads");

        List<byte[]> files = new ArrayList<>();
        files.add(f.session.siacBytes());

        // click an event: it plays alone
        int target = clickable(count / 2);
        double[] p = centre("circle.event[data-index=\"" + target + "\"]");
        mouse("mousePressed", p, 1);
        mouse("mouseReleased", p, 0);
        assertTrue(dt.waitFor("siacStudio.playing === 'event' && siacStudio.playingEvent === " + target, WAIT),
                "clicking an event plays it");
        assertTrue(dt.waitFor("siacStudio.position() > 0.02", WAIT), "its audio advances");
        assertEquals(1, dt.eval("siacStudio.selected.size").getAsInt());

        // the whole mix: Space plays, Escape stops
        key(" ", "Space", 32, 0);
        assertTrue(dt.waitFor("siacStudio.playing === 'all' && siacStudio.position() > 0.05", WAIT), "Space plays the mix");
        key("Escape", "Escape", 27, 0);
        assertTrue(dt.waitFor("siacStudio.playing === null", WAIT), "Escape stops");

        // select 0.25 s to 1.0 s on the ruler, then drag one selected mark 60 px later
        rulerSelect(0.25, 1.0);
        int inRange = f.session.current().indicesInTimeRange(0.25, 1.0).length;
        assertTrue(inRange > 0);
        assertEquals(inRange, dt.eval("siacStudio.selected.size").getAsInt(), "the ruler selects the range's events");
        int grab = dt.eval("[...document.querySelectorAll('circle.event.selected')].map(c => +c.dataset.index)"
                + ".find(i => { const c = document.querySelector('circle.event[data-index=\"' + i + '\"]');"
                + " const r = c.getBoundingClientRect(); return document.elementFromPoint(r.left + r.width / 2,"
                + " r.top + r.height / 2) === c; })").getAsInt();
        double[] from = centre("circle.event[data-index=\"" + grab + "\"]");
        mouse("mousePressed", from, 1);
        for (int k = 1; k <= 6; k++) mouse("mouseMoved", new double[] {from[0] + 10 * k, from[1]}, 1);
        mouse("mouseReleased", new double[] {from[0] + 60, from[1]}, 0);
        files.add(step(files, "--shift-range "));
        assertEquals(inRange, dt.eval("siacStudio.selected.size").getAsInt(), "the moved events stay selected");

        // a range, then the Delete key
        rulerSelect(1.2, 1.5);
        key("Delete", "Delete", 46, 0);
        files.add(step(files, "--delete-range "));

        // everything, then '-' (amplitude x 0.8)
        key("a", "KeyA", 65, 2);
        assertEquals(f.session.current().size(), dt.eval("siacStudio.selected.size").getAsInt(), "Ctrl+A selects all");
        key("-", "Minus", 189, 0);
        files.add(step(files, "--amplitude 0.8@"));

        // P perturbs the selection (all of it) with a seed the studio shows
        key("p", "KeyP", 80, 0);
        files.add(step(files, "--perturb 0.5 --seed "));

        // paste b.siac's first half second at 1.3 s
        JsonObject doc = dt.send("DOM.getDocument", null);
        JsonObject q = new JsonObject();
        q.addProperty("nodeId", doc.getAsJsonObject("root").get("nodeId").getAsInt());
        q.addProperty("selector", "#in-file");
        int node = dt.send("DOM.querySelector", q).get("nodeId").getAsInt();
        JsonObject set = new JsonObject();
        set.addProperty("nodeId", node);
        JsonArray paths = new JsonArray();
        paths.add(f.b.toString());
        set.add("files", paths);
        dt.send("DOM.setFileInputFiles", set);
        dt.eval("document.getElementById('in-from').value = '0'; document.getElementById('in-to').value = '0.5';"
                + " document.getElementById('in-at').value = '1.3'");
        clickButton("btn-transplant");
        files.add(step(files, "--transplant b.siac@"));

        // the page's numbers follow the file
        assertEquals(Integer.toString(f.session.current().size()), text("stat-count"));
        assertEquals(String.format(java.util.Locale.ROOT, "%.2f", f.session.kbps()), text("stat-kbps"));

        // save from the page: the file is the studio's current one
        dt.eval("document.getElementById('in-save-name').value = 'edited.siac'");
        clickButton("btn-save");
        assertTrue(dt.waitFor("document.getElementById('status').textContent.startsWith('saved ')", WAIT));
        assertArrayEquals(files.get(files.size() - 1), Files.readAllBytes(f.out.resolve("edited.siac")));

        // undo every step with Ctrl+Z: each earlier file comes back byte for byte
        for (int k = files.size() - 1; k >= 1; k--) {
            int position = k - 1;
            key("z", "KeyZ", 90, 2);
            assertTrue(dt.waitFor("siacStudio.state.position === " + position + " && siacStudio.busy === 0", WAIT), "undo to " + position);
            assertArrayEquals(files.get(position), f.session.siacBytes(), "undo restores file " + position);
            assertEquals(Integer.toString(f.session.current().size()), text("stat-count"));
        }
        key("z", "KeyZ", 90, 2 | 8);
        assertTrue(dt.waitFor("siacStudio.state.position === 1 && siacStudio.busy === 0", WAIT), "Ctrl+Shift+Z redoes");
        assertArrayEquals(files.get(1), f.session.siacBytes());
        assertEquals(0, dt.eval("siacStudio.errors").getAsInt(), "no error shown: " + dt.eval("siacStudio.lastError"));

        // the mix the page holds is the studio's
        assertEquals(f.session.mix().length, dt.eval("siacStudio.mix.length").getAsInt());

        screenshot();
        assertNoErrorsAndLoopbackOnly(true);
    }

    private void open() throws Exception {
        dt.openPage(1240, 860);
        dt.send("Page.navigate", DevTools.obj("url", f.server.url()));
        assertTrue(dt.waitFor("!!(window.siacStudio && window.siacStudio.ready)", WAIT), "the page loads its state");
    }

    /** Waits for the next history step, checks its siac edit arguments give the same file, and returns that file. */
    private byte[] step(List<byte[]> files, String argsStart) throws Exception {
        int position = files.size();
        assertTrue(dt.waitFor("siacStudio.state.position === " + position + " && siacStudio.busy === 0", WAIT),
                "step " + position + " (" + argsStart.trim() + ") reached; status: " + text("status"));
        String args = dt.eval("siacStudio.state.history[" + position + "].edit").getAsString();
        assertTrue(args.startsWith(argsStart), args);
        Path prev = tmp.resolve("prev.siac");
        Files.write(prev, files.get(position - 1));
        byte[] cli = StudioServerTest.sharedEdit(prev, tmp.resolve("cli.siac"), args, tmp);
        assertArrayEquals(cli, f.session.siacBytes(), "the page's edit = siac edit " + args);
        assertTrue(dt.waitFor("siacStudio.mixVersion === siacStudio.state.version", WAIT), "the new audio arrived");
        return cli;
    }

    private void rulerSelect(double fromSec, double toSec) throws Exception {
        double duration = dt.eval("siacStudio.state.duration").getAsDouble();
        JsonArray r = dt.eval("(() => { const r = document.getElementById('ruler').getBoundingClientRect();"
                + " return [r.left, r.top + r.height / 2, r.width]; })()").getAsJsonArray();
        double left = r.get(0).getAsDouble(), y = r.get(1).getAsDouble(), w = r.get(2).getAsDouble();
        // the page rounds the range to milliseconds; aim inside each millisecond
        double[] a = {left + (fromSec + 0.0004) / duration * w, y};
        double[] b = {left + (toSec + 0.0004) / duration * w, y};
        mouse("mousePressed", a, 1);
        mouse("mouseMoved", new double[] {(a[0] + b[0]) / 2, y}, 1);
        mouse("mouseMoved", b, 1);
        mouse("mouseReleased", b, 0);
        JsonElement range = dt.eval("siacStudio.range");
        assertTrue(range != null && range.isJsonArray(), "a range is selected");
        double pixel = Math.max(0.0015, 1.5 * duration / w); // mouse positions are whole pixels
        assertEquals(fromSec, range.getAsJsonArray().get(0).getAsDouble(), pixel);
        assertEquals(toSec, range.getAsJsonArray().get(1).getAsDouble(), pixel);
    }

    private int clickable(int wanted) {
        return dt.eval("(() => { const cs = [...document.querySelectorAll('circle.event')];"
                + " for (let k = 0; k < cs.length; k++) { const c = cs[(" + wanted + " + k) % cs.length];"
                + "   const r = c.getBoundingClientRect();"
                + "   if (document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === c) return +c.dataset.index; }"
                + " return -1; })()").getAsInt();
    }

    private double[] centre(String selector) {
        JsonArray a = dt.eval("(() => { const r = document.querySelector('" + selector.replace("'", "\\'")
                + "').getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()").getAsJsonArray();
        return new double[] {a.get(0).getAsDouble(), a.get(1).getAsDouble()};
    }

    private void clickButton(String id) {
        double[] p = centre("#" + id);
        mouse("mousePressed", p, 1);
        mouse("mouseReleased", p, 0);
    }

    private String text(String id) {
        return dt.eval("document.getElementById('" + id + "').textContent").getAsString();
    }

    private void mouse(String type, double[] point, int buttons) {
        dt.mouse(type, point, buttons);
    }

    /** A key press; modifiers: 2 = Ctrl, 8 = Shift. */
    private void key(String key, String code, int keyCode, int modifiers) {
        for (String type : List.of("keyDown", "keyUp")) {
            JsonObject k = DevTools.obj("type", type);
            k.addProperty("key", key);
            k.addProperty("code", code);
            k.addProperty("windowsVirtualKeyCode", keyCode);
            k.addProperty("modifiers", modifiers);
            dt.send("Input.dispatchKeyEvent", k);
        }
    }

    private void screenshot() throws Exception {
        rulerSelect(0.5, 1.25);
        int hovered = clickable(3);
        double[] p = centre("circle.event[data-index=\"" + hovered + "\"]");
        mouse("mouseMoved", p, 0);
        assertTrue(dt.waitFor("!document.getElementById('tooltip').classList.contains('hidden')", WAIT), "hover shows a tooltip");
        String png = dt.send("Page.captureScreenshot", DevTools.obj("format", "png")).get("data").getAsString();
        Files.createDirectories(SCREENSHOT.toAbsolutePath().getParent());
        Files.write(SCREENSHOT, Base64.getDecoder().decode(png));
        assertTrue(Files.size(SCREENSHOT) > 10_000);
    }

    private void assertNoErrorsAndLoopbackOnly(boolean edited) {
        DevTools.PageLog log = dt.pageLog(Set.of("error", "assert", "warning"), level -> !level.equals("verbose"));
        List<String> requests = log.requests();
        assertEquals(List.of(), log.problems(), "no errors or warnings on the page");
        assertFalse(requests.isEmpty());
        String base = f.base() + "/";
        for (String url : requests) {
            assertTrue(url.startsWith(base) || url.startsWith("data:"), "request outside the studio: " + url);
        }
        if (edited) assertTrue(requests.stream().anyMatch(u -> u.contains("/api/edit")), "the edits went through the API");
    }
}
