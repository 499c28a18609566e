package dev.siac.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
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
        Path chromium = DevTools.chromiumOrSkip("ReportBrowserTest");
        ReportData data = SyntheticReport.build(EVENTS, true);
        Path out = tmp.resolve("report");
        ReportWriter.write(data, out);

        try (ReportPage page = ReportPage.open(chromium, tmp, out)) {
            int audioCount = page.assertAudioPlayable();
            assertEquals(10 + EVENTS, audioCount, "10 players plus one hidden player per event");
            double originalDuration = page.eval("document.getElementById('audio-original').duration").getAsDouble();
            assertEquals(data.durationSeconds(), originalDuration, 0.01);
            page.assertImagesLoaded();
            page.assertOneMarkPerEvent(EVENTS);

            int target = 5;
            page.assertClickPlaysEvent(target, data.events().get(target).timeSeconds(),
                    data.events().get(target).audio().length / (double) SyntheticReport.SR);

            // The decomposition scrubber swaps the residual picture.
            page.eval("(() => { const s = document.getElementById('decomp-slider'); s.value = 7; "
                    + "s.dispatchEvent(new Event('input')); })()");
            assertTrue(page.eval("document.getElementById('decomp-img').getAttribute('src')").getAsString()
                    .endsWith("step-007.png"));
            assertEquals("step 8 / " + EVENTS, page.eval("document.getElementById('decomp-label').textContent").getAsString());
            // Switching back while the picture still loads would cancel that load, which counts as a failed request.
            assertTrue(page.waitFor("document.getElementById('decomp-img').complete", Duration.ofSeconds(10)));

            page.eval("(() => { const s = document.getElementById('decomp-slider'); s.value = 0; "
                    + "s.dispatchEvent(new Event('input')); document.activeElement.blur(); })()");
            page.screenshot(SCREENSHOT, target);
            page.assertNoErrorsAndNoNetwork(audioCount);
        }
    }
}
