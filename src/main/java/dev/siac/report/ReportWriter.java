package dev.siac.report;

import dev.siac.eval.Charts;
import dev.siac.dsp.Levels;
import static dev.siac.io.Messages.oneLine;
import dev.siac.io.AtomicFiles;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes the self-contained HTML article: {@code index.html} (styles and script inline), WAV files under
 * {@code audio/} and PNG pictures under {@code img/}. Nothing on the page refers outside its own directory, so it
 * works from a file system, a USB stick or any static server, and makes no network request.
 */
public final class ReportWriter {

    /** Marks a directory as one this writer made, so that re-running may replace it but nothing else. */
    static final String MARKER = ".siac-report";
    private static final double SPEC_RANGE_DB = 80;
    private static final int SPEC_W = 1200;
    private static final int SPEC_H = Plots.LOG_BINS * 3;
    private static final int STEP_W = 960;
    private static final int STEP_H = Plots.LOG_BINS * 2;
    private static final long TSNE_SEED = 0;

    // Scatterplot geometry, in SVG user units (the SVG scales to the page width).
    private static final int SVG_W = 1000;
    private static final int SVG_H = 400;
    private static final int PAD_L = 48;
    private static final int PAD_R = 18;
    private static final int PAD_T = 18;
    private static final int PAD_B = 40;

    private ReportWriter() {
    }

    /**
     * Builds the article in a temporary directory beside {@code outDir} and moves it into place, so a failure never
     * leaves a half-written report. An existing {@code outDir} is replaced only if it is empty or an earlier report.
     *
     * @throws IOException with a one-line message naming the directory, when it cannot be written or would
     *                     overwrite something that is not a report
     */
    public static void write(ReportData data, Path outDir) throws IOException {
        Path target = outDir.toAbsolutePath().normalize();
        Path parent = target.getParent();
        if (parent == null || target.getFileName() == null) {
            throw new IOException(target + ": cannot write a report to the file-system root");
        }
        checkReplaceable(target);
        Files.createDirectories(parent);
        Path tmp = AtomicFiles.temporaryDirectory(target, ".tmp");
        try {
            build(data, tmp);
            checkReplaceable(target);
            AtomicFiles.commitDirectory(tmp, target);
        } catch (IOException | RuntimeException e) {
            AtomicFiles.discard(tmp);
            if (e instanceof IOException io && io.getMessage() != null && io.getMessage().startsWith(target.toString())) {
                throw io;
            }
            throw new IOException(target + ": could not write the report: " + oneLine(e), e);
        }
    }

    /**
     * Fails the way {@link #write} would if {@code outDir} cannot take a report (the root, a file, a directory that is
     * neither empty nor an earlier report), so that a caller can refuse before spending minutes on the content.
     */
    public static void checkTarget(Path outDir) throws IOException {
        Path target = outDir.toAbsolutePath().normalize();
        if (target.getParent() == null || target.getFileName() == null) {
            throw new IOException(target + ": cannot write a report to the file-system root");
        }
        checkReplaceable(target);
    }

    private static void checkReplaceable(Path target) throws IOException {
        if (!Files.exists(target)) return;
        if (!Files.isDirectory(target)) throw new IOException(target + ": exists and is not a directory");
        if (Files.exists(target.resolve(MARKER))) return;
        try (Stream<Path> entries = Files.list(target)) {
            if (entries.findAny().isPresent()) {
                throw new IOException(target + ": exists, is not empty and is not a siac report; refusing to replace it");
            }
        }
    }


    // ---------------------------------------------------------------------------------------------------------------

    private static void build(ReportData d, Path dir) throws IOException {
        Files.createDirectories(dir.resolve("audio/events"));
        Files.createDirectories(dir.resolve("img/residual"));
        Files.writeString(dir.resolve(MARKER), "written by dev.siac.report.ReportWriter\n");
        int sr = d.sampleRate();

        if (d.original() != null) wav(dir, "audio/original.wav", limit(d.original()), sr);
        wav(dir, "audio/reconstruction.wav", limit(d.reconstruction()), sr);
        EventSteps steps = d.oneEvent();
        // The intermediate signals are tiny internal quantities; the seed peak-normalised them to make them audible.
        wav(dir, "audio/impulse.wav", normalise(steps.impulse()), sr);
        wav(dir, "audio/resonated.wav", normalise(steps.resonated()), sr);
        wav(dir, "audio/wet.wav", normalise(steps.wet()), sr);
        wav(dir, "audio/random-vectors.wav", limit(d.randomVectorsAudio()), sr);
        wav(dir, "audio/random-times.wav", limit(d.randomTimesAudio()), sr);
        wav(dir, "audio/perturbed.wav", limit(d.perturbedAudio()), sr);
        boolean streaming = d.streamReconstruction() != null;
        if (d.streamOriginal() != null) wav(dir, "audio/stream-original.wav", limit(d.streamOriginal()), sr);
        if (streaming) {
            wav(dir, "audio/stream-reconstruction.wav", limit(d.streamReconstruction()), sr);
        }
        List<EventView> events = d.events();
        for (int i = 0; i < events.size(); i++) wav(dir, eventWav(i), limit(events.get(i).audio()), sr);

        double stepSeconds = activeSeconds(steps.wet(), sr);
        try (NDManager manager = NDManager.newBaseManager()) {
            if (d.original() != null) spectrogram(manager, dir, "img/original.png", d.original(), sr, Double.POSITIVE_INFINITY);
            spectrogram(manager, dir, "img/reconstruction.png", d.reconstruction(), sr, Double.POSITIVE_INFINITY);
            spectrogram(manager, dir, "img/impulse.png", steps.impulse(), sr, stepSeconds);
            spectrogram(manager, dir, "img/resonated.png", steps.resonated(), sr, stepSeconds);
            spectrogram(manager, dir, "img/wet.png", steps.wet(), sr, stepSeconds);
            spectrogram(manager, dir, "img/random-vectors.png", d.randomVectorsAudio(), sr, Double.POSITIVE_INFINITY);
            spectrogram(manager, dir, "img/random-times.png", d.randomTimesAudio(), sr, Double.POSITIVE_INFINITY);
            spectrogram(manager, dir, "img/perturbed.png", d.perturbedAudio(), sr, Double.POSITIVE_INFINITY);
            if (d.streamOriginal() != null) {
                spectrogram(manager, dir, "img/stream-original.png", d.streamOriginal(), sr, Double.POSITIVE_INFINITY);
            }
            if (streaming) {
                spectrogram(manager, dir, "img/stream-reconstruction.png", d.streamReconstruction(), sr, Double.POSITIVE_INFINITY);
            }
        }
        float[][] deformation = steps.deformation();
        Plots.writePng(Plots.heatmap(deformation, SPEC_W, Math.max(120, Math.min(360, deformation.length * 24)), Colormap.HOT),
                dir.resolve("img/deformation.png"));
        float[][] latents = new float[events.size()][];
        for (int i = 0; i < events.size(); i++) latents[i] = events.get(i).vector();
        int dims = latents[0].length;
        Plots.writePng(Plots.heatmap(latents, Math.max(320, Math.min(960, dims * 20)),
                Math.max(120, Math.min(720, events.size() * 14)), Colormap.VIRIDIS), dir.resolve("img/latents.png"));
        double[] energies = residualPictures(d, dir);

        Layout layout = layout(events);
        String html = page(d, layout, energies, stepSeconds, streaming);
        Files.writeString(dir.resolve("index.html"), html, StandardCharsets.UTF_8);
    }

    private static String eventWav(int i) {
        return String.format(Locale.ROOT, "audio/events/event-%03d.wav", i);
    }

    private static String stepPng(int i) {
        return String.format(Locale.ROOT, "img/residual/step-%03d.png", i);
    }

    private static void wav(Path dir, String rel, float[] samples, int sr) throws IOException {
        Wav.write(dir.resolve(rel), samples, sr);
    }

    /** Scales a signal down only if it would clip; quieter signals keep their level so comparisons stay fair. */
    static float[] limit(float[] x) {
        float peak = Levels.peak(x);
        if (peak <= 1f) return x;
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = x[i] / peak;
        return y;
    }

    static float[] normalise(float[] x) {
        float peak = Levels.peak(x);
        if (peak == 0) return x;
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = x[i] * 0.9f / peak;
        return y;
    }

    /**
     * How much of an event clip is worth drawing: up to where it has decayed 60 dB below its peak, plus a margin.
     * Event clips span the whole window but ring out long before its end, which would squash the picture.
     */
    static double activeSeconds(float[] x, int sr) {
        int last = Levels.lastAbove(x, 0, 1e-3f);
        double seconds = Math.max(0.25, (last + 1) * 1.1 / sr);
        return Math.min(seconds, x.length / (double) sr);
    }

    private static void spectrogram(NDManager manager, Path dir, String rel, float[] audio, int sr, double seconds)
            throws IOException {
        float[][] spec = Plots.logFrequencySpectrogram(manager, audio, sr);
        int frames = spec[0].length;
        int keep = (int) Math.min(frames, Math.max(2, Math.ceil(seconds * sr / Plots.HOP) + 1));
        if (keep < frames) {
            for (int k = 0; k < spec.length; k++) spec[k] = java.util.Arrays.copyOf(spec[k], keep);
        }
        Plots.writePng(Plots.spectrogram(spec, SPEC_W, SPEC_H, Colormap.MAGMA, Plots.max(spec), SPEC_RANGE_DB), dir.resolve(rel));
    }

    /**
     * Writes one picture per encoder step, all on the first step's colour scale so that energy visibly disappears,
     * and returns each step's residual energy (sum of squared magnitudes) for the chart beside them.
     */
    private static double[] residualPictures(ReportData d, Path dir) throws IOException {
        List<float[]> residuals = d.residualSpectrograms();
        List<float[][]> log = new ArrayList<>();
        double[] energy = new double[residuals.size()];
        double reference = 0;
        for (int i = 0; i < residuals.size(); i++) {
            float[] r = residuals.get(i);
            for (float v : r) energy[i] += (double) v * v;
            float[][] l = Plots.toLogFrequency(r, d.specBins(), d.specFrames(), d.sampleRate());
            log.add(l);
            reference = Math.max(reference, Plots.max(l));
        }
        for (int i = 0; i < log.size(); i++) {
            Plots.writePng(Plots.spectrogram(log.get(i), STEP_W, STEP_H, Colormap.MAGMA, reference, SPEC_RANGE_DB),
                    dir.resolve(stepPng(i)));
        }
        return energy;
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Where each event goes in the scatterplot: 1-D t-SNE for height, 3-D t-SNE for colour (as the seed's code). */
    record Layout(double[] y, int[][] rgb) {
    }

    static Layout layout(List<EventView> events) {
        int n = events.size();
        double[][] vectors = new double[n][];
        for (int i = 0; i < n; i++) {
            float[] v = events.get(i).vector();
            vectors[i] = new double[v.length];
            for (int c = 0; c < v.length; c++) vectors[i][c] = v[c];
        }
        double[][] normalised = Tsne.minMaxColumns(vectors);
        double[][] y1 = Tsne.minMaxColumns(Tsne.defaults(1, TSNE_SEED).fit(normalised));
        double[][] y3 = Tsne.minMaxColumns(Tsne.defaults(3, TSNE_SEED).fit(normalised));
        double[] y = new double[n];
        int[][] rgb = new int[n][3];
        for (int i = 0; i < n; i++) {
            y[i] = y1[i][0];
            // Keep colours away from white and black so every mark stays visible on the page.
            for (int c = 0; c < 3; c++) rgb[i][c] = (int) Math.round(35 + 185 * y3[i][c]);
        }
        return new Layout(y, rgb);
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static String page(ReportData d, Layout layout, double[] energies, double stepSeconds, boolean streaming)
            throws IOException {
        int sr = d.sampleRate();
        List<EventView> events = d.events();
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                // No page resource may come from elsewhere: the CSP makes any accidental remote reference fail loudly.
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self' file:; ")
                .append("img-src 'self' file: data:; media-src 'self' file:; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n")
                .append("<meta name=\"generator\" content=\"siac report\">\n")
                .append("<title>").append(esc(d.title())).append("</title>\n<style>\n")
                .append(resource("report.css")).append("</style>\n</head>\n<body>\n<main>\n");

        h.append("<header class=\"title\"><div class=\"kicker\">Sparse Interpretable Audio Codec</div>\n<h1>")
                .append(esc(d.title())).append("</h1>\n<p class=\"lede\">This codec encodes audio as a sparse set of ")
                .append("<em>events</em> and their times of occurrence, rather than as a sequence of fixed-size frames. ")
                .append("Each event is a time, an amplitude and a ").append(events.get(0).vector().length)
                .append("-dimensional vector; a physics-inspired decoder turns the vector into an energy impulse, ")
                .append("lets it ring through evolving resonances and a room, and schedules it at its time.</p>\n")
                .append("<p class=\"muted\">")
                .append(String.format(Locale.ROOT, "%.2f s of audio at %d Hz, %d events.", d.durationSeconds(), sr, events.size()))
                .append(" Every sound on this page can be played; click an event in the scatterplot to hear it alone.</p>\n")
                .append("</header>\n");

        List<String[]> toc = new ArrayList<>();
        if (!d.numbers().isEmpty()) toc.add(new String[] {"numbers", "At a glance"});
        toc.add(new String[] {"original", "Original audio"});
        toc.add(new String[] {"reconstruction", "Reconstruction"});
        toc.add(new String[] {"scatterplot", "Event scatterplot"});
        toc.add(new String[] {"intermediates", "One event, step by step"});
        toc.add(new String[] {"decomposition", "Decomposition process"});
        toc.add(new String[] {"randomized", "Randomized"});
        toc.add(new String[] {"perturbations", "Random perturbations"});
        toc.add(new String[] {"vectors", "Event vectors"});
        if (streaming) toc.add(new String[] {"streaming", "Streaming"});
        h.append("<nav class=\"toc\"><strong>Contents</strong><ol>\n");
        for (String[] t : toc) h.append("<li><a href=\"#").append(t[0]).append("\">").append(t[1]).append("</a></li>\n");
        h.append("</ol></nav>\n");
        int[] section = {0};

        if (!d.numbers().isEmpty()) {
            heading(h, section, "numbers", "At a glance");
            h.append("<table class=\"numbers\"><tbody>\n");
            for (Map.Entry<String, String> e : d.numbers().entrySet()) {
                h.append("<tr><th scope=\"row\">").append(esc(e.getKey())).append("</th><td>").append(esc(e.getValue()))
                        .append("</td></tr>\n");
            }
            h.append("</tbody></table>\n");
            note(h, d, "numbers");
        }

        heading(h, section, "original", "Original audio");
        if (d.original() != null) {
            h.append("<p>The input segment, mono at ").append(sr).append(" Hz. Below the player is its spectrogram on a ")
                    .append("logarithmic frequency axis (84 bins, twelve per octave from C1, like a constant-Q transform); ")
                    .append("click it to play from that point.</p>\n");
        }
        if (d.original() == null && d.note("original") == null) h.append("<p>There is no original audio for this report.</p>\n");
        note(h, d, "original");
        if (d.original() != null) {
            player(h, "original", "Original", "audio/original.wav", "img/original.png", d.original().length / (double) sr);
        }

        heading(h, section, "reconstruction", "Reconstruction");
        h.append("<p>The sum of all decoded events. The encoder masks the second half of its analysis window when it ")
                .append("chooses the next event; this is what lets it slide along audio of any length (see streaming).</p>\n");
        note(h, d, "reconstruction");
        player(h, "reconstruction", "Reconstruction", "audio/reconstruction.wav", "img/reconstruction.png",
                d.reconstruction().length / (double) sr);

        heading(h, section, "scatterplot", "Event scatterplot");
        h.append("<p>Time is along the x-axis, and a ").append(events.get(0).vector().length)
                .append("D &rarr; 1D projection of event vectors using t-SNE gives the position along the y-axis. ")
                .append("Colours come from a second t-SNE, ").append(events.get(0).vector().length)
                .append("D &rarr; 3D (RGB), so similar events share similar colours. Each event is drawn as its ")
                .append("amplitude envelope. Redundant or overlapping events show up as clusters; sparser, less ")
                .append("overlapping events would make the representation easier still to interpret.</p>\n")
                .append("<p class=\"hint\">Hover over an event to see its time, amplitude and vector; click it (or focus it ")
                .append("and press Enter) to hear that event alone.</p>\n");
        note(h, d, "scatterplot");
        scatterplot(h, d, layout);
        h.append("<div class=\"now-playing\" id=\"now-playing\" aria-live=\"polite\"></div>\n<div hidden>\n");
        for (int i = 0; i < events.size(); i++) {
            h.append("<audio class=\"event-audio\" id=\"event-audio-").append(i).append("\" preload=\"auto\" src=\"")
                    .append(eventWav(i)).append("\"></audio>\n");
        }
        h.append("</div>\n");

        EventSteps steps = d.oneEvent();
        heading(h, section, "intermediates", "One event, step by step");
        h.append("<p>Here we take one event and show the intermediate steps of the decoder: the original energy ")
                .append("&ldquo;impulse&rdquo;, the choice of resonance and its evolution over time, and finally the ")
                .append("choice of a room impulse response. The sounds are peak-normalised; the spectrograms show the ")
                .append(String.format(Locale.ROOT, "first %.2f s", stepSeconds)).append(".</p>\n");
        note(h, d, "intermediates");
        h.append("<h3>Energy impulse</h3>\n");
        player(h, "impulse", "Impulse", "audio/impulse.wav", "img/impulse.png", stepSeconds);
        h.append("<h3>Energy convolved with the chosen resonances</h3>\n");
        player(h, "resonated", "Resonated (dry)", "audio/resonated.wav", "img/resonated.png", stepSeconds);
        h.append("<h3>Deformation: interpolation between the chosen resonances over time</h3>\n")
                .append("<figure class=\"matrix\"><img src=\"img/deformation.png\" alt=\"deformation matrix\">")
                .append("<figcaption>").append(steps.deformation().length).append(" resonance channels (rows) &times; ")
                .append(steps.deformation()[0].length).append(" frames (columns); brighter means more weight.</figcaption></figure>\n");
        h.append("<h3>Signal convolved with a room impulse response</h3>\n");
        player(h, "wet", "Wet (with room)", "audio/wet.wav", "img/wet.png", stepSeconds);

        heading(h, section, "decomposition", "Decomposition process");
        h.append("<p>The encoder removes energy from the spectrogram one event at a time. Drag the slider (or press ")
                .append("play) to watch the residual after each step. Energy is removed at every step, but the removed ")
                .append("pieces do not always map onto &ldquo;events&rdquo; as a listener would hear them.</p>\n");
        note(h, d, "decomposition");
        decomposition(h, energies);

        heading(h, section, "randomized", "Randomized");
        note(h, d, "randomized");
        h.append("<p>Here we generate random event vectors with the original event times.</p>\n");
        player(h, "random-vectors", "Random vectors, original times", "audio/random-vectors.wav", "img/random-vectors.png",
                d.randomVectorsAudio().length / (double) sr);
        h.append("<p>Here we use the original event vectors, but choose random times.</p>\n");
        player(h, "random-times", "Original vectors, random times", "audio/random-times.wav", "img/random-times.png",
                d.randomTimesAudio().length / (double) sr);

        heading(h, section, "perturbations", "Random perturbations");
        h.append("<p>Each event vector is &ldquo;perturbed&rdquo;, moved in the same direction in event space, by ")
                .append("adding one random vector of small magnitude to all of them.</p>\n");
        note(h, d, "perturbations");
        player(h, "perturbed", "Perturbed", "audio/perturbed.wav", "img/perturbed.png",
                d.perturbedAudio().length / (double) sr);

        heading(h, section, "vectors", "Event vectors");
        h.append("<p>Each event vector has ").append(events.get(0).vector().length).append(" dimensions; the decoder ")
                .append("generates an event from it, which is then scheduled at the event's time. During training energy ")
                .append("is removed for a fixed number of steps; at inference other stopping conditions (such as the norm ")
                .append("of the residual) are possible.</p>\n")
                .append("<figure class=\"matrix narrow\"><img src=\"img/latents.png\" alt=\"event vectors\"><figcaption>")
                .append(events.size()).append(" events (rows, in the order they were extracted) &times; ")
                .append(events.get(0).vector().length).append(" dimensions (columns).</figcaption></figure>\n");
        note(h, d, "vectors");

        if (streaming) {
            heading(h, section, "streaming", "Streaming");
            h.append("<p>Because the second half of each analysis window is masked when choosing events, the encoder ")
                    .append("can slide along overlapping windows and encode audio of any length.</p>\n");
            note(h, d, "streaming");
            if (d.streamOriginal() != null) {
                player(h, "stream-original", "Original (streaming)", "audio/stream-original.wav", "img/stream-original.png",
                        d.streamOriginal().length / (double) sr);
            }
            player(h, "stream-reconstruction", "Reconstruction (streaming)", "audio/stream-reconstruction.wav",
                    "img/stream-reconstruction.png", d.streamReconstruction().length / (double) sr);
        }

        h.append("</section>\n<footer>Generated by <code>siac report</code>. This page is self-contained: every sound and picture ")
                .append("lies next to it, and it loads nothing from the network.</footer>\n</main>\n");
        h.append("<script type=\"application/json\" id=\"siac-data\">").append(json(d, layout, energies)).append("</script>\n");
        h.append("<script>\n").append(resource("report.js")).append("</script>\n</body>\n</html>\n");
        return h.toString();
    }

    /** The caller's extra paragraph for a section, if it gave one (plain text, escaped here). */
    private static void note(StringBuilder h, ReportData d, String section) {
        String text = d.note(section);
        if (text != null) h.append("<p class=\"note\">").append(esc(text)).append("</p>\n");
    }

    private static void heading(StringBuilder h, int[] section, String id, String title) {
        if (section[0]++ > 0) h.append("</section>\n");
        h.append("<section id=\"").append(id).append("\">\n<h2><span class=\"num\">").append(section[0]).append("</span>")
                .append(esc(title)).append("</h2>\n");
    }

    private static void player(StringBuilder h, String id, String label, String wav, String png, double seconds) {
        h.append("<div class=\"player\"><div class=\"label\"><span>").append(esc(label)).append("</span><span class=\"meta\">")
                .append(String.format(Locale.ROOT, "%.2f s", seconds)).append("</span></div>\n")
                .append("<audio id=\"audio-").append(id).append("\" controls preload=\"auto\" src=\"").append(wav)
                .append("\"></audio>\n<div class=\"spec\" data-audio=\"audio-").append(id).append("\" data-seconds=\"")
                .append(String.format(Locale.ROOT, "%.4f", seconds)).append("\"><img src=\"").append(png)
                .append("\" alt=\"").append(esc(label)).append(" spectrogram\"><div class=\"playhead\"></div>")
                .append(String.format(Locale.ROOT, "<span class=\"axis top\">%.0f Hz</span>", Plots.binFrequency(Plots.LOG_BINS - 1)))
                .append(String.format(Locale.ROOT, "<span class=\"axis bottom\">%.0f Hz</span>", Plots.binFrequency(0)))
                .append("</div></div>\n");
    }

    private static void scatterplot(StringBuilder h, ReportData d, Layout layout) {
        double duration = d.durationSeconds();
        double plotW = SVG_W - PAD_L - PAD_R;
        double plotH = SVG_H - PAD_T - PAD_B;
        List<EventView> events = d.events();
        double globalMax = 0;
        for (EventView e : events) for (float v : e.envelope()) globalMax = Math.max(globalMax, Math.abs(v));
        if (globalMax == 0) globalMax = 1;

        h.append("<figure id=\"scatter-figure\" class=\"wide\">\n<svg id=\"scatter\" viewBox=\"0 0 ").append(SVG_W).append(' ')
                .append(SVG_H).append("\" role=\"img\" aria-label=\"event scatterplot\">\n")
                .append("<defs><clipPath id=\"plot-area\"><rect x=\"").append(PAD_L).append("\" y=\"0\" width=\"")
                .append(fmt(plotW)).append("\" height=\"").append(SVG_H - PAD_B + 2).append("\"/></clipPath></defs>\n");
        double tick = Charts.niceStep(duration / 8);
        for (double t = 0; t <= duration + 1e-9; t += tick) {
            double x = PAD_L + t / duration * plotW;
            h.append("<line class=\"gridline\" x1=\"").append(fmt(x)).append("\" x2=\"").append(fmt(x)).append("\" y1=\"")
                    .append(PAD_T).append("\" y2=\"").append(fmt(PAD_T + plotH)).append("\"/>")
                    .append("<text class=\"tick\" text-anchor=\"middle\" x=\"").append(fmt(x)).append("\" y=\"")
                    .append(fmt(PAD_T + plotH + 17)).append("\">").append(Charts.label(t, 2)).append("</text>\n");
        }
        h.append("<line class=\"axis-line\" x1=\"").append(PAD_L).append("\" x2=\"").append(fmt(PAD_L + plotW)).append("\" y1=\"")
                .append(fmt(PAD_T + plotH)).append("\" y2=\"").append(fmt(PAD_T + plotH)).append("\"/>\n")
                .append("<text class=\"axis-title\" text-anchor=\"middle\" x=\"").append(fmt(PAD_L + plotW / 2)).append("\" y=\"")
                .append(SVG_H - 4).append("\">time (s)</text>\n")
                .append("<text class=\"axis-title\" text-anchor=\"middle\" transform=\"translate(16 ")
                .append(fmt(PAD_T + plotH / 2)).append(") rotate(-90)\">t-SNE of event vector</text>\n")
                .append("<g clip-path=\"url(#plot-area)\">\n");

        // Marks are centred between 8% and 92% of the height so that the tallest envelopes are not cut off.
        for (int i = 0; i < events.size(); i++) {
            EventView e = events.get(i);
            float[] env = e.envelope();
            double clipSeconds = e.audio().length / (double) d.sampleRate();
            double segW = clipSeconds / env.length / duration * plotW;
            double cy = PAD_T + plotH * (0.92 - 0.84 * layout.y()[i]);
            int[] c = layout.rgb()[i];
            h.append("<g class=\"event\" data-index=\"").append(i).append("\" tabindex=\"0\" role=\"button\" aria-label=\"")
                    .append(String.format(Locale.ROOT, "event %d at %.3f s", i + 1, e.timeSeconds()))
                    .append("\" fill=\"rgba(").append(c[0]).append(',').append(c[1]).append(',').append(c[2]).append(",0.62)\">");
            for (int k = 0; k < env.length; k++) {
                double x = PAD_L + (e.timeSeconds() + k * clipSeconds / env.length) / duration * plotW;
                if (x > PAD_L + plotW) break;
                double rh = plotH * (0.006 + 0.075 * Math.sqrt(Math.abs(env[k]) / globalMax));
                double w = Math.max(segW * 0.86, 0.8);
                h.append("<rect x=\"").append(fmt(x)).append("\" y=\"").append(fmt(cy - rh / 2)).append("\" width=\"").append(fmt(w))
                        .append("\" height=\"").append(fmt(rh)).append("\" rx=\"").append(fmt(Math.min(2, w / 2))).append("\"/>");
            }
            h.append("</g>\n");
        }
        h.append("</g>\n</svg>\n<div class=\"tooltip\" id=\"scatter-tooltip\" role=\"tooltip\"></div>\n")
                .append("<figcaption>").append(events.size()).append(" events. Height of each mark: the event's amplitude ")
                .append("envelope (square-root scaled so quiet events stay visible).</figcaption>\n</figure>\n");
    }

    private static final int CHART_W = 960;
    private static final int CHART_H = 110;

    private static void decomposition(StringBuilder h, double[] energies) {
        int n = energies.length;
        double max = 0;
        for (double e : energies) max = Math.max(max, e);
        if (max == 0) max = 1;
        h.append("<div class=\"scrubber wide\">\n<div class=\"spec\"><img id=\"decomp-img\" src=\"").append(stepPng(0))
                .append("\" alt=\"residual spectrogram\"><span class=\"axis top\">")
                .append(String.format(Locale.ROOT, "%.0f Hz", Plots.binFrequency(Plots.LOG_BINS - 1)))
                .append("</span><span class=\"axis bottom\">")
                .append(String.format(Locale.ROOT, "%.0f Hz", Plots.binFrequency(0))).append("</span></div>\n")
                .append("<div class=\"controls\"><button type=\"button\" id=\"decomp-play\">Play</button>")
                .append("<input type=\"range\" id=\"decomp-slider\" min=\"0\" max=\"").append(n - 1)
                .append("\" value=\"0\" step=\"1\" aria-label=\"decomposition step\">")
                .append("<span class=\"step-label\" id=\"decomp-label\">step 1 / ").append(n).append("</span></div>\n");
        StringBuilder line = new StringBuilder();
        double left = 40;
        double right = CHART_W - 10;
        double top = 10;
        double bottom = CHART_H - 22;
        for (int i = 0; i < n; i++) {
            Point p = chartPoint(i, n, energies[i] / max, left, right, top, bottom);
            line.append(i == 0 ? "M" : "L").append(fmt(p.x())).append(' ').append(fmt(p.y()));
        }
        Point first = chartPoint(0, n, energies[0] / max, left, right, top, bottom);
        h.append("<svg id=\"energy-chart\" viewBox=\"0 0 ").append(CHART_W).append(' ').append(CHART_H)
                .append("\" aria-label=\"residual energy per step\">")
                .append("<path class=\"area\" d=\"").append(line).append("L").append(fmt(right)).append(' ').append(fmt(bottom))
                .append("L").append(fmt(left)).append(' ').append(fmt(bottom)).append("Z\"/>")
                .append("<path class=\"line\" d=\"").append(line).append("\"/>")
                .append("<circle class=\"dot\" id=\"energy-dot\" r=\"5\" cx=\"").append(fmt(first.x())).append("\" cy=\"")
                .append(fmt(first.y())).append("\"/>")
                .append("<text x=\"").append(fmt(left)).append("\" y=\"").append(CHART_H - 5).append("\">step 1</text>")
                .append("<text text-anchor=\"end\" x=\"").append(fmt(right)).append("\" y=\"").append(CHART_H - 5)
                .append("\">step ").append(n).append("</text>")
                .append("<text text-anchor=\"middle\" x=\"").append(fmt((left + right) / 2)).append("\" y=\"").append(CHART_H - 5)
                .append("\">residual energy (relative to the largest)</text>")
                .append("</svg>\n</div>\n");
    }

    /** A point of the energy chart, in SVG coordinates. */
    private record Point(double x, double y) {}

    private static Point chartPoint(int i, int n, double value, double left, double right, double top, double bottom) {
        double x = n == 1 ? (left + right) / 2 : left + (right - left) * i / (n - 1);
        double y = bottom - (bottom - top) * value;
        return new Point(x, y);
    }

    private static String json(ReportData d, Layout layout, double[] energies) {
        JsonObject root = new JsonObject();
        root.addProperty("duration", d.durationSeconds());
        JsonArray evs = new JsonArray();
        for (int i = 0; i < d.events().size(); i++) {
            EventView e = d.events().get(i);
            JsonObject o = new JsonObject();
            o.addProperty("t", e.timeSeconds());
            o.addProperty("amp", e.amplitude());
            o.addProperty("y", layout.y()[i]);
            JsonArray rgb = new JsonArray();
            for (int c : layout.rgb()[i]) rgb.add(c);
            o.add("color", rgb);
            JsonArray v = new JsonArray();
            for (float x : e.vector()) v.add(Math.round(x * 1e4) / 1e4);
            o.add("v", v);
            o.addProperty("audio", eventWav(i));
            evs.add(o);
        }
        root.add("events", evs);
        JsonArray steps = new JsonArray();
        double max = 0;
        for (double e : energies) max = Math.max(max, e);
        if (max == 0) max = 1;
        for (int i = 0; i < energies.length; i++) {
            Point p = chartPoint(i, energies.length, energies[i] / max, 40, CHART_W - 10, 10, CHART_H - 22);
            JsonObject s = new JsonObject();
            s.addProperty("src", stepPng(i));
            s.addProperty("energy", energies[i] / max);
            s.addProperty("x", Math.round(p.x() * 100) / 100.0);
            s.addProperty("y", Math.round(p.y() * 100) / 100.0);
            steps.add(s);
        }
        root.add("steps", steps);
        // Gson escapes <, > and & in strings, so nothing in the data can close the surrounding <script> element.
        Gson gson = new GsonBuilder().create();
        return gson.toJson(root);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ReportWriter.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException("report resource " + name + " is missing from the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
