package dev.siac.eval;

import static dev.siac.io.Messages.oneLine;
import dev.siac.io.AtomicFiles;
import dev.siac.audio.AudioIO;
import dev.siac.audio.Signal;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * Runs codecs over clips, measures each clip with every metric of METRICS.md, and writes the report:
 * {@code results.csv} (one row per clip and codec), {@code summary.md} (per-codec means, each clip weighted equally,
 * plus per-group means when clips are tagged) and {@code quality_vs_bitrate.png}. The three files appear together
 * or not at all.
 */
public final class Evaluation {

    public static final String CSV = "results.csv";
    public static final String SUMMARY = "summary.md";
    public static final String PLOT = "quality_vs_bitrate.png";

    /**
     * One clip through one codec. Not-applicable values are NaN (events/s, energy_removed and redundancy of peers,
     * the level of a band the clip has no energy in).
     *
     * @param levelDb the level error of each band of {@link Metrics#OCTAVE_BANDS_HZ}
     */
    public record Row(String clip, String group, String codec, double durationSeconds,
                      double melL1, double stftDist, double siSdr, double snr,
                      double kbps, double eventsPerSecond, double energyRemoved, double redundancy,
                      double encodeRtf, double decodeRtf, double[] levelDb) {
        public Row {
            if (levelDb.length != Metrics.OCTAVE_BANDS_HZ.size()) {
                throw new IllegalArgumentException("row has " + levelDb.length + " octave levels, expected "
                        + Metrics.OCTAVE_BANDS_HZ.size());
            }
        }

        public double maxAbsLevelDb() {
            return Metrics.maxAbsLevelDb(levelDb);
        }
    }

    public record Report(List<Row> rows, List<String> skipped, Path csv, Path summary, Path plot) {
    }

    private final List<ClipCodec> codecs;
    private final List<String> skipped;
    private final PrintWriter progress;

    /**
     * @param codecs   the codecs to measure, in report order
     * @param skipped  codecs that could not run, each a one-line reason (written into summary.md and to progress)
     * @param progress where per-clip progress lines go (stderr in the CLI)
     */
    public Evaluation(List<ClipCodec> codecs, List<String> skipped, PrintWriter progress) {
        this.codecs = List.copyOf(codecs);
        this.skipped = List.copyOf(skipped);
        this.progress = Objects.requireNonNull(progress);
        Set<String> names = new LinkedHashSet<>();
        for (ClipCodec c : codecs) {
            if (!names.add(c.name())) throw new IllegalArgumentException("two codecs are both named '" + c.name() + "'");
        }
    }

    /**
     * One clip to measure: the name it has in the report, its group tag ("" when untagged) and how to read it.
     * A clip is read only when its turn comes, so a long list of excerpts costs the memory of one.
     */
    public record Clip(String name, String group, ClipSource source) {
        public Clip {
            Objects.requireNonNull(name);
            Objects.requireNonNull(source);
            group = group == null ? "" : group.trim();
        }

        /** A whole audio file, named by its path. */
        public static Clip of(Path file, String group) {
            return new Clip(file.toString(), group, () -> AudioIO.read(file));
        }
    }

    /** Reads one clip's samples (mono, 22050 Hz); the message of a failure names the file. */
    @FunctionalInterface
    public interface ClipSource {
        Signal load() throws IOException;
    }

    /**
     * Evaluates every codec on every clip and writes the report into {@code reportDir} (created if missing).
     *
     * @param groupOf the clip's group tag ("music", "speech", ...) or null/blank when untagged
     * @throws IOException a clip cannot be read, a codec fails on a clip, or the report cannot be written; the
     *                     message is one line naming the clip (and codec)
     */
    public Report run(List<Path> clips, Function<Path, String> groupOf, Path reportDir) throws IOException {
        List<Clip> list = new ArrayList<>();
        for (Path p : clips) list.add(Clip.of(p, groupOf == null ? null : groupOf.apply(p)));
        return runClips(list, reportDir);
    }

    /** As {@link #run}, for clips that need not be whole files (e.g. 6-second excerpts of a corpus). */
    public Report runClips(List<Clip> clips, Path reportDir) throws IOException {
        if (clips.isEmpty()) throw new IllegalArgumentException("no clips to evaluate");
        if (codecs.isEmpty()) throw new IllegalArgumentException("no codec to evaluate" + skippedSuffix());
        for (String s : skipped) progress.println("eval: " + s);
        List<Row> rows = new ArrayList<>();
        int i = 0;
        for (Clip clip : clips) {
            i++;
            Signal x = clip.source().load();
            if (x.length() == 0) throw new IOException(clip.name() + ": clip has no samples");
            for (ClipCodec codec : codecs) {
                Row row;
                try {
                    row = measure(clip.name(), clip.group(), x, codec);
                } catch (Exception e) {
                    if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                    throw new IOException(clip.name() + ": codec " + codec.name() + " failed: " + oneLine(e), e);
                }
                rows.add(row);
                progress.printf(Locale.ROOT, "eval [%d/%d] %s %s: mel_l1 %s, kbps %s%n", i, clips.size(),
                        shortName(clip.name()), codec.name(), fmt(row.melL1(), 4), fmt(row.kbps(), 2));
                progress.flush();
            }
        }
        return write(rows, reportDir);
    }

    /**
     * Writes results.csv, summary.md and the plot of rows measured elsewhere (e.g. by a cluster job, one
     * {@link #measure} per clip) into reportDir, together or not at all; the codecs given to the constructor are not used.
     */
    public Report write(List<Row> rows, Path reportDir) throws IOException {
        if (rows.isEmpty()) throw new IllegalArgumentException("no measurements to report" + skippedSuffix());
        Files.createDirectories(reportDir);
        Path csv = reportDir.resolve(CSV), summary = reportDir.resolve(SUMMARY), plot = reportDir.resolve(PLOT);
        Map<Path, AtomicFiles.Content> files = new LinkedHashMap<>(); // all three, or none
        files.put(csv, tmp -> writeCsv(rows, tmp));
        files.put(summary, tmp -> writeSummary(rows, tmp));
        files.put(plot, tmp -> writePlot(rows, tmp));
        AtomicFiles.writeAll(files);
        progress.println("eval: wrote " + csv + ", " + summary + ", " + plot);
        return new Report(List.copyOf(rows), skipped, csv, summary, plot);
    }

    /** The last path component: progress lines stay short when clips live deep in a corpus. */
    private static String shortName(String name) {
        int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf(java.io.File.separatorChar));
        return slash < 0 ? name : name.substring(slash + 1);
    }

    /** Runs one codec on one clip and computes every metric. */
    public static Row measure(String clipName, String group, Signal x, ClipCodec codec) throws Exception {
        ClipCodec.CodecResult r = codec.run(x);
        Signal y = r.decoded();
        if (y.sampleRate() != x.sampleRate()) {
            throw new IllegalStateException("decoded audio is " + y.sampleRate() + " Hz, the clip " + x.sampleRate() + " Hz");
        }
        double duration = x.durationSeconds();
        Metrics.Scores s = Metrics.all(x.samples(), y.samples(), x.sampleRate());
        double kbps = 8.0 * r.encodedBytes() / duration / 1000.0;
        double eventsPerSecond = r.events() < 0 ? Double.NaN : r.events() / duration;
        double redundancy = r.eventList() == null ? Double.NaN : Metrics.redundancy(r.eventList());
        return new Row(clipName, group == null ? "" : group, codec.name(), duration,
                s.melL1(), s.stftDist(), s.siSdr(), s.snr(), kbps, eventsPerSecond, r.energyRemoved(), redundancy,
                rtf(duration, r.encodeSeconds()), rtf(duration, r.decodeSeconds()), s.levelDb());
    }

    private static double rtf(double audioSeconds, double wallSeconds) {
        if (Double.isNaN(wallSeconds) || wallSeconds < 0) return Double.NaN;
        return wallSeconds == 0 ? Double.POSITIVE_INFINITY : audioSeconds / wallSeconds;
    }

    private String skippedSuffix() {
        return skipped.isEmpty() ? "" : " (" + String.join("; ", skipped) + ")";
    }


    // ------------------------------------------------------------------ columns

    private record Column(String csvName, String mdName, int digits, ToDoubleFunction<Row> value) {
    }

    private static final List<Column> COLUMNS = List.of(
            new Column("kbps", "kbps", 2, Row::kbps),
            new Column("events_per_s", "events/s", 1, Row::eventsPerSecond),
            new Column("mel_l1", "mel_l1 ↓", 4, Row::melL1),
            new Column("stft_dist", "stft_dist ↓", 3, Row::stftDist),
            new Column("si_sdr_db", "si_sdr dB ↑", 2, Row::siSdr),
            new Column("snr_db", "snr dB ↑", 2, Row::snr),
            new Column("energy_removed", "energy_removed", 3, Row::energyRemoved),
            new Column("redundancy", "redundancy", 3, Row::redundancy),
            new Column("encode_rtf", "encode RTF", 1, Row::encodeRtf),
            new Column("decode_rtf", "decode RTF", 1, Row::decodeRtf));

    /** The octave level errors: a table of their own in summary.md (seven bands would crowd the first one). */
    private static final List<Column> LEVEL_COLUMNS = levelColumns();

    private static final List<Column> CSV_COLUMNS = concat(COLUMNS, LEVEL_COLUMNS);

    private static List<Column> levelColumns() {
        List<Column> out = new ArrayList<>();
        for (int b = 0; b < Metrics.OCTAVE_BANDS_HZ.size(); b++) {
            int band = b, hz = Metrics.OCTAVE_BANDS_HZ.get(b); // the band's lower edge
            String label = hz >= 1000 ? String.format(Locale.ROOT, "%.1f kHz", hz / 1000.0) : hz + " Hz";
            out.add(new Column("level_db_" + hz, label, 2, r -> r.levelDb()[band]));
        }
        out.add(new Column("max_abs_level_db", "max abs", 2, Row::maxAbsLevelDb));
        return List.copyOf(out);
    }

    private static List<Column> concat(List<Column> a, List<Column> b) {
        List<Column> out = new ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }

    // ------------------------------------------------------------------ results.csv

    static void writeCsv(List<Row> rows, Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            StringBuilder header = new StringBuilder("clip,group,codec,duration_s");
            for (Column c : CSV_COLUMNS) header.append(',').append(c.csvName());
            w.write(header.append('\n').toString());
            for (Row r : rows) {
                StringBuilder line = new StringBuilder();
                line.append(csvText(r.clip())).append(',').append(csvText(r.group())).append(',')
                        .append(csvText(r.codec())).append(',').append(csvNumber(r.durationSeconds()));
                for (Column c : CSV_COLUMNS) line.append(',').append(csvNumber(c.value().applyAsDouble(r)));
                w.write(line.append('\n').toString());
            }
        }
    }

    /** Full precision; "inf"/"-inf" (as Python and pandas read them); empty where not applicable. */
    private static String csvNumber(double v) {
        if (Double.isNaN(v)) return "";
        if (v == Double.POSITIVE_INFINITY) return "inf";
        if (v == Double.NEGATIVE_INFINITY) return "-inf";
        return Double.toString(v);
    }

    private static String csvText(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    // ------------------------------------------------------------------ summary.md

    /** Mean over the values that apply (NaN = not applicable); NaN when none applies. */
    static double mean(List<Row> rows, ToDoubleFunction<Row> f) {
        double sum = 0;
        int n = 0;
        for (Row r : rows) {
            double v = f.applyAsDouble(r);
            if (Double.isNaN(v)) continue;
            sum += v;
            n++;
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    static String fmt(double v, int digits) {
        if (Double.isNaN(v)) return "n/a";
        if (v == Double.POSITIVE_INFINITY) return "inf";
        if (v == Double.NEGATIVE_INFINITY) return "-inf";
        return String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    private void writeSummary(List<Row> rows, Path file) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# siac evaluation\n\n");
        md.append("- date: ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append('\n');
        md.append("- machine: ").append(cpuModel()).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" processors available to the JVM\n");
        Set<String> clipNames = new LinkedHashSet<>();
        for (Row r : rows) clipNames.add(r.clip());
        md.append("- clips: ").append(clipNames.size()).append('\n');
        md.append("- metrics as defined in METRICS.md; means weight each clip equally; ↓ lower is better, ↑ higher;"
                + " RTF = seconds of audio per wall second; n/a = not applicable\n");
        for (String s : skipped) md.append("- ").append(s).append('\n');
        Map<String, List<Row>> byGroup = new LinkedHashMap<>();
        for (Row r : rows) if (!r.group().isEmpty()) byGroup.computeIfAbsent(r.group(), k -> new ArrayList<>()).add(r);
        List<Row> tagged = new ArrayList<>();
        for (List<Row> g : byGroup.values()) tagged.addAll(g);
        md.append("\n## All clips\n\n");
        table(md, rows, false, COLUMNS);
        if (!tagged.isEmpty()) {
            md.append("\n## By group\n\n");
            table(md, tagged, true, COLUMNS);
        }
        md.append("\n## Level per octave band (dB, decoded vs input)\n\n");
        md.append("10·log10 of the decode's energy over the input's in each octave band (from the edge named to twice it, the last to Nyquist)"
                + " of the 2048/256 STFT; negative = the decode is quieter; max abs = the largest absolute error"
                + " among a clip's bands; n/a = the input has no energy in the band\n\n");
        table(md, rows, false, LEVEL_COLUMNS);
        if (!tagged.isEmpty()) {
            md.append("\n### By group\n\n");
            table(md, tagged, true, LEVEL_COLUMNS);
        }
        Files.writeString(file, md.toString(), StandardCharsets.UTF_8);
    }

    private static void table(StringBuilder md, List<Row> rows, boolean byGroup, List<Column> columns) {
        md.append(byGroup ? "| group | codec | clips |" : "| codec | clips |");
        for (Column c : columns) md.append(' ').append(c.mdName()).append(" |");
        md.append('\n').append(byGroup ? "|---|---|---:|" : "|---|---:|");
        md.append("---:|".repeat(columns.size())).append('\n');
        Map<String, List<Row>> cells = new LinkedHashMap<>();
        for (Row r : rows) cells.computeIfAbsent((byGroup ? r.group() + "\u0000" : "") + r.codec(), k -> new ArrayList<>()).add(r);
        for (List<Row> cell : cells.values()) {
            Row first = cell.get(0);
            md.append("| ");
            if (byGroup) md.append(mdText(first.group())).append(" | ");
            md.append(mdText(first.codec())).append(" | ").append(cell.size()).append(" |");
            for (Column c : columns) md.append(' ').append(fmt(mean(cell, c.value()), c.digits())).append(" |");
            md.append('\n');
        }
    }

    private static String mdText(String s) {
        return s.replace("|", "\\|");
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException | UncheckedIOException ignored) {
            // not Linux: fall through to the JVM's description
        }
        return System.getProperty("os.arch") + " (CPU model unknown)";
    }

    // ------------------------------------------------------------------ quality_vs_bitrate.png

    private static final Color[] PALETTE = {
            new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e),
            new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};

    static void writePlot(List<Row> rows, Path file) throws IOException {
        int width = 960, height = 640, left = 80, right = 40, top = 50, bottom = 70;
        double xMin = Double.POSITIVE_INFINITY, xMax = 0, yMax = 0;
        for (Row r : rows) {
            if (plottable(r)) {
                xMin = Math.min(xMin, r.kbps());
                xMax = Math.max(xMax, r.kbps());
                yMax = Math.max(yMax, r.melL1());
            }
        }
        // Bitrates of interest span decades (codec2 700C at 0.8 kbps, Opus at 6, lossless at hundreds): log axis.
        if (xMax == 0) {
            xMin = 1;
            xMax = 10;
        }
        final double lgLo = Math.log10(xMin / 1.25), lgHi = Math.log10(Math.max(xMax * 1.25, xMin * 2));
        final double yTop = Charts.niceCeil(yMax <= 0 ? 1 : yMax * 1.08);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            int pw = width - left - right, ph = height - top - bottom;
            Function<Double, Double> px = v -> left + (Math.log10(v) - lgLo) / (lgHi - lgLo) * pw;
            Function<Double, Double> py = v -> top + ph - v / yTop * ph;

            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            FontMetrics fm = g.getFontMetrics();
            for (int i = 0; i <= 5; i++) {
                double yv = yTop * i / 5;
                int gy = (int) Math.round(py.apply(yv));
                g.setColor(new Color(0xe6e6e6));
                g.draw(new Line2D.Double(left, gy, left + pw, gy));
                g.setColor(Color.DARK_GRAY);
                String ys = Charts.label(yv, 3);
                g.drawString(ys, left - fm.stringWidth(ys) - 8, gy + fm.getAscent() / 2 - 1);
            }
            for (double xv : Charts.logTicks(Math.pow(10, lgLo), Math.pow(10, lgHi))) {
                int gx = (int) Math.round(px.apply(xv));
                g.setColor(new Color(0xe6e6e6));
                g.draw(new Line2D.Double(gx, top, gx, top + ph));
                g.setColor(Color.DARK_GRAY);
                String xs = Charts.label(xv, 3);
                g.drawString(xs, gx - fm.stringWidth(xs) / 2, top + ph + fm.getAscent() + 6);
            }
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(1.2f));
            g.drawRect(left, top, pw, ph);
            String xLabel = "bitrate (kbps, log scale)";
            g.drawString(xLabel, left + pw / 2 - fm.stringWidth(xLabel) / 2, height - 22);
            Graphics2D gy = (Graphics2D) g.create();
            gy.rotate(-Math.PI / 2);
            String yLabel = "mel_l1 (lower is better)";
            gy.drawString(yLabel, -(top + ph / 2) - fm.stringWidth(yLabel) / 2, 24);
            gy.dispose();
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString("Quality vs bitrate (faint: clips, solid: mean per codec)", left, 30);

            Map<String, List<Row>> byCodec = new LinkedHashMap<>();
            for (Row r : rows) byCodec.computeIfAbsent(r.codec(), k -> new ArrayList<>()).add(r);
            int ci = 0;
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            for (Map.Entry<String, List<Row>> e : byCodec.entrySet()) {
                Color c = PALETTE[ci++ % PALETTE.length];
                g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), 70));
                for (Row r : e.getValue()) {
                    if (!plottable(r)) continue;
                    g.fill(new Ellipse2D.Double(px.apply(r.kbps()) - 3, py.apply(r.melL1()) - 3, 6, 6));
                }
                List<Row> ok = e.getValue().stream().filter(Evaluation::plottable).toList();
                if (ok.isEmpty()) continue;
                double mx = mean(ok, Row::kbps), my = mean(ok, Row::melL1);
                double cx = px.apply(mx), cy = py.apply(my);
                g.setColor(c);
                g.fill(new Ellipse2D.Double(cx - 6, cy - 6, 12, 12));
                g.setColor(Color.BLACK);
                g.draw(new Ellipse2D.Double(cx - 6, cy - 6, 12, 12));
                g.setColor(c.darker());
                String label = e.getKey();
                int lx = (int) Math.round(cx + 10);
                if (lx + g.getFontMetrics().stringWidth(label) > left + pw) {
                    lx = (int) Math.round(cx - 10 - g.getFontMetrics().stringWidth(label));
                }
                g.drawString(label, lx, (int) Math.round(cy - 8));
            }
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(img, "png", file.toFile())) throw new IOException(file + ": no PNG writer available");
    }

    private static boolean plottable(Row r) {
        return Double.isFinite(r.kbps()) && r.kbps() > 0 && Double.isFinite(r.melL1());
    }

}
