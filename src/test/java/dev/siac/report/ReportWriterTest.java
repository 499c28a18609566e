package dev.siac.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {

    @TempDir
    static Path shared;
    static Path out;
    static ReportData data;

    @BeforeAll
    static void writeOnce() throws IOException {
        data = SyntheticReport.build(12, true);
        out = shared.resolve("report");
        ReportWriter.write(data, out);
    }

    @Test
    void everyReferencedFileExistsAndNothingPointsOutside() throws IOException {
        String html = Files.readString(out.resolve("index.html"));
        Matcher m = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(html);
        int refs = 0;
        while (m.find()) {
            String ref = m.group(1);
            if (ref.startsWith("#")) continue;
            assertFalse(ref.contains(":") || ref.startsWith("/") || ref.contains(".."), "non-local reference " + ref);
            assertTrue(Files.isRegularFile(out.resolve(ref)), "missing " + ref);
            refs++;
        }
        // 10 players (sound + spectrogram) + 12 event sounds + 1 decomposition picture + 2 matrices
        assertEquals(35, refs);
        assertFalse(html.contains("http://") || html.contains("https://"), "no absolute URLs at all");
        assertTrue(html.contains("mel L1 &lt;test &amp; escape&gt;"), "table labels are escaped");
        for (int i = 0; i < 12; i++) assertTrue(Files.isRegularFile(out.resolve(String.format("img/residual/step-%03d.png", i))));
    }

    @Test
    void wavFilesHoldTheSignalsAs16BitPcm() throws IOException {
        byte[] bytes = Files.readAllBytes(out.resolve("audio/reconstruction.wav"));
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("RIFF", new String(bytes, 0, 4));
        assertEquals("WAVE", new String(bytes, 8, 4));
        assertEquals(1, b.getShort(20), "PCM");
        assertEquals(1, b.getShort(22), "mono");
        assertEquals(SyntheticReport.SR, b.getInt(24));
        assertEquals(16, b.getShort(34));
        assertEquals(data.reconstruction().length * 2, b.getInt(40));
        int i = 5000;
        assertEquals(Math.round(data.reconstruction()[i] * 32767), b.getShort(44 + 2 * i), 1);
        byte[] event = Files.readAllBytes(out.resolve("audio/events/event-003.wav"));
        assertEquals(data.events().get(3).audio().length * 2, ByteBuffer.wrap(event).order(ByteOrder.LITTLE_ENDIAN).getInt(40));
    }

    @Test
    void picturesHaveTheirDocumentedSizes() throws IOException {
        BufferedImage spec = ImageIO.read(out.resolve("img/original.png").toFile());
        assertEquals(1200, spec.getWidth());
        assertEquals(252, spec.getHeight());
        BufferedImage latents = ImageIO.read(out.resolve("img/latents.png").toFile());
        assertEquals(640, latents.getWidth());
        assertEquals(168, latents.getHeight());
        BufferedImage step = ImageIO.read(out.resolve("img/residual/step-000.png").toFile());
        assertEquals(960, step.getWidth());
    }

    @Test
    void residualPicturesShareOneScaleSoEnergyVisiblyDisappears() throws IOException {
        double first = meanBrightness(ImageIO.read(out.resolve("img/residual/step-000.png").toFile()));
        double last = meanBrightness(ImageIO.read(out.resolve("img/residual/step-011.png").toFile()));
        assertTrue(last < first, "last step " + last + " should be darker than the first " + first);
    }

    private static double meanBrightness(BufferedImage img) {
        double s = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                s += ((rgb >> 16) & 0xff) + ((rgb >> 8) & 0xff) + (rgb & 0xff);
            }
        }
        return s / (img.getWidth() * img.getHeight());
    }

    @Test
    void scatterplotHasOneGroupPerEventAndTheClustersAreApart() throws IOException {
        String html = Files.readString(out.resolve("index.html"));
        assertEquals(12, count(html, "<g class=\"event\""));
        ReportWriter.Layout layout = ReportWriter.layout(data.events());
        // Even-indexed events are the low family; their vectors form one cluster, so their heights must too.
        double evenMax = -1, evenMin = 2, oddMax = -1, oddMin = 2;
        for (int i = 0; i < 12; i++) {
            double y = layout.y()[i];
            if (i % 2 == 0) {
                evenMax = Math.max(evenMax, y);
                evenMin = Math.min(evenMin, y);
            } else {
                oddMax = Math.max(oddMax, y);
                oddMin = Math.min(oddMin, y);
            }
        }
        assertTrue(evenMax < oddMin || oddMax < evenMin, "clusters interleave in the scatterplot");
        assertEquals(0.0, Math.min(evenMin, oddMin), 1e-12);
        assertEquals(1.0, Math.max(evenMax, oddMax), 1e-12);
    }

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) n++;
        return n;
    }

    @Test
    void streamingSectionIsOmittedWithoutStreamingData(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("no-stream");
        ReportWriter.write(SyntheticReport.build(3, false), target);
        String html = Files.readString(target.resolve("index.html"));
        assertFalse(html.contains("id=\"streaming\""));
        assertFalse(Files.exists(target.resolve("audio/stream-original.wav")));
        assertEquals(3, count(html, "<g class=\"event\""));
    }

    @Test
    void withoutAnOriginalItsPlayersAreLeftOutAndNotesAreShown(@TempDir Path dir) throws IOException {
        ReportData d = SyntheticReport.build(3, true);
        ReportData noOriginal = new ReportData(d.title(), d.sampleRate(), null, d.reconstruction(), d.events(), d.oneEvent(),
                d.residualSpectrograms(), d.specBins(), d.specFrames(), d.randomVectorsAudio(), d.randomTimesAudio(),
                d.perturbedAudio(), null, d.streamReconstruction(), d.numbers(),
                java.util.Map.of("original", "No audio <here> & none", "streaming", "Decoded only."));
        assertEquals(d.reconstruction().length / (double) d.sampleRate(), noOriginal.durationSeconds(), 1e-12);
        Path target = dir.resolve("events-only");
        ReportWriter.write(noOriginal, target);
        String html = Files.readString(target.resolve("index.html"));
        assertFalse(Files.exists(target.resolve("audio/original.wav")));
        assertFalse(Files.exists(target.resolve("img/original.png")));
        assertFalse(Files.exists(target.resolve("audio/stream-original.wav")));
        assertTrue(Files.isRegularFile(target.resolve("audio/stream-reconstruction.wav")));
        assertFalse(html.contains("id=\"audio-original\"") || html.contains("id=\"audio-stream-original\""));
        assertTrue(html.contains("<p class=\"note\">No audio &lt;here&gt; &amp; none</p>"), "notes are escaped text");
        assertTrue(html.contains("<p class=\"note\">Decoded only.</p>"));
        assertEquals(8, count(html, "<audio id="), "the eight players that do not need the original");

        assertThrows(IllegalArgumentException.class, () -> new ReportData(d.title(), d.sampleRate(), null, d.reconstruction(),
                d.events(), d.oneEvent(), d.residualSpectrograms(), d.specBins(), d.specFrames(), d.randomVectorsAudio(),
                d.randomTimesAudio(), d.perturbedAudio(), null, null, d.numbers(), java.util.Map.of("nowhere", "x")));
    }

    @Test
    void rewritingReplacesAnEarlierReportAtomically(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("r");
        ReportWriter.write(SyntheticReport.build(4, false), target);
        Files.writeString(target.resolve("stale.txt"), "from an earlier run");
        ReportWriter.write(SyntheticReport.build(2, false), target);
        assertFalse(Files.exists(target.resolve("stale.txt")), "the old report is replaced, not merged");
        assertEquals(2, count(Files.readString(target.resolve("index.html")), "<g class=\"event\""));
        assertEquals(List.of("r"), listNames(dir), "no temp or backup directories are left behind");
    }

    @Test
    void refusesToReplaceADirectoryThatIsNotAReport(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("mine");
        Files.createDirectories(target);
        Files.writeString(target.resolve("thesis.tex"), "precious");
        IOException e = assertThrows(IOException.class, () -> ReportWriter.write(SyntheticReport.build(2, false), target));
        assertTrue(e.getMessage().startsWith(target.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertEquals("precious", Files.readString(target.resolve("thesis.tex")));
        assertEquals(List.of("mine"), listNames(dir));

        Path file = dir.resolve("file");
        Files.writeString(file, "x");
        assertThrows(IOException.class, () -> ReportWriter.write(SyntheticReport.build(2, false), file));
    }

    private static List<String> listNames(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void badDataIsRejectedWithAOneLineMessage() {
        ReportData good = SyntheticReport.build(2, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ReportData(good.title(),
                good.sampleRate(), good.original(), good.reconstruction(), good.events(), good.oneEvent(),
                good.residualSpectrograms(), good.specBins() + 1, good.specFrames(), good.randomVectorsAudio(),
                good.randomTimesAudio(), good.perturbedAudio(), null, null, good.numbers()));
        assertTrue(e.getMessage().contains("residual spectrogram 0"), e.getMessage());
        float[] nan = good.original().clone();
        nan[7] = Float.NaN;
        e = assertThrows(IllegalArgumentException.class, () -> new ReportData(good.title(), good.sampleRate(), nan,
                good.reconstruction(), good.events(), good.oneEvent(), good.residualSpectrograms(), good.specBins(),
                good.specFrames(), good.randomVectorsAudio(), good.randomTimesAudio(), good.perturbedAudio(), null, null,
                good.numbers()));
        assertTrue(e.getMessage().contains("original") && e.getMessage().contains("index 7"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ReportData(good.title(), good.sampleRate(), good.original(),
                good.reconstruction(), good.events(), good.oneEvent(), good.residualSpectrograms(), good.specBins(),
                good.specFrames(), good.randomVectorsAudio(), good.randomTimesAudio(), good.perturbedAudio(),
                good.original(), null, good.numbers()));
        assertThrows(IllegalArgumentException.class, () -> new EventView(-1, 1, new float[2], new float[2], new float[2]));
        assertThrows(IllegalArgumentException.class, () -> new EventSteps(new float[2], new float[2],
                new float[][] {{1, 2}, {3}}, new float[2]));
    }

    @Test
    void levelsAreKeptUnlessTheyWouldClip() {
        float[] quiet = {0.1f, -0.2f};
        assertTrue(quiet == ReportWriter.limit(quiet));
        float[] loud = ReportWriter.limit(new float[] {2f, -4f});
        assertEquals(-1f, loud[1], 0f);
        assertEquals(0.5f, loud[0], 0f);
        assertEquals(-0.9f, ReportWriter.normalise(quiet)[1], 1e-6f);
        assertNotEquals(0, ReportWriter.activeSeconds(SyntheticReport.decayingSine(440, 9, 1, 0.5), SyntheticReport.SR));
    }
}
