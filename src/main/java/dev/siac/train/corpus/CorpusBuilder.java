package dev.siac.train.corpus;

import static dev.siac.io.Messages.oneLine;
import dev.siac.audio.AudioIO;
import dev.siac.audio.Signal;
import dev.siac.audio.WavEncoding;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Turns a list of {@link WorkItem}s into WAV files under {@code DIR/audio} and {@code DIR/manifest.tsv}.
 *
 * <p>Re-running is cheap: an item whose file exists and is listed in the manifest is not made again.
 * Each WAV is written to a temporary file beside it and moved into place, so an interrupted run
 * leaves only whole files; the manifest is rewritten (atomically) as work progresses and at the end.
 * Splits are recomputed from all pieces every time the manifest is written (see {@link Split}).
 */
public final class CorpusBuilder {

    /** Clips shorter than this after trimming are dropped: too short for a training window. */
    public static final double MIN_SECONDS = 1.0;
    private static final long FLUSH_MILLIS = 20_000;

    private final Path dir;
    private final double maxSeconds;
    private final PrintStream progressOut;

    /**
     * @param dir         corpus directory
     * @param maxMinutes  total minutes of audio to hold, shared equally by the sources present in the work
     *                    list (a source stops after the item that reaches its share); infinite for no limit
     * @param progressOut where the progress bar is drawn (null: standard error)
     */
    public CorpusBuilder(Path dir, double maxMinutes, PrintStream progressOut) {
        if (!(maxMinutes > 0)) throw new IllegalArgumentException("--max-minutes must be positive, got " + maxMinutes);
        this.dir = dir.toAbsolutePath().normalize();
        this.maxSeconds = maxMinutes * 60;
        this.progressOut = progressOut;
    }

    /** Per-source counts of one run. */
    public static final class SourceStats {
        public int made;
        public int reused;
        public int failed;
        public int silent;
        public int overBudget;
        public double seconds;
        public double madeSeconds;
    }

    /** What a run did. */
    public record Summary(Map<String, SourceStats> bySource, Manifest manifest, List<String> warnings, double wallSeconds) {

        public int failed() {
            return bySource.values().stream().mapToInt(s -> s.failed).sum();
        }

        /** A few lines for the terminal: minutes per source and split. */
        public String describe() {
            StringBuilder b = new StringBuilder();
            for (Map.Entry<String, SourceStats> e : new TreeMap<>(bySource).entrySet()) {
                SourceStats s = e.getValue();
                b.append(String.format(Locale.ROOT, "%-8s %7.1f min (%d made, %d already there, %d failed, %d silent, %d over the size limit)%n",
                        e.getKey(), s.seconds / 60, s.made, s.reused, s.failed, s.silent, s.overBudget));
            }
            Map<String, double[]> splits = new TreeMap<>();
            for (Manifest.Entry en : manifest.entries()) {
                double[] v = splits.computeIfAbsent(en.split() + " " + en.kind(), k -> new double[2]);
                v[0] += en.seconds();
                v[1]++;
            }
            splits.forEach((k, v) -> b.append(String.format(Locale.ROOT, "%-16s %7.1f min in %d clips%n", k, v[0] / 60, (int) v[1])));
            b.append(String.format(Locale.ROOT, "manifest: %s (%d clips), %.0f s", manifest.dir().resolve(Manifest.FILE_NAME),
                    manifest.entries().size(), wallSeconds));
            return b.toString();
        }
    }

    public Summary build(List<WorkItem> items) throws IOException {
        long t0 = System.nanoTime();
        Files.createDirectories(dir);
        removeLeftovers();
        Map<String, Manifest.Entry> entries = new LinkedHashMap<>();
        Manifest old = Files.exists(dir.resolve(Manifest.FILE_NAME)) ? Manifest.read(dir) : new Manifest(dir, List.of());
        for (Manifest.Entry e : old.entries()) {
            if (Files.isRegularFile(e.file())) entries.put(old.relative(e.file()), e);
        }

        Set<String> sources = new LinkedHashSet<>();
        items.forEach(i -> sources.add(i.source()));
        double perSource = maxSeconds / Math.max(1, sources.size());
        Map<String, SourceStats> stats = new LinkedHashMap<>();
        sources.forEach(s -> stats.put(s, new SourceStats()));
        List<String> warnings = new ArrayList<>();

        long lastFlush = System.currentTimeMillis();
        ProgressBarBuilder pbb = new ProgressBarBuilder().setTaskName("corpus").setInitialMax(items.size())
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).continuousUpdate();
        if (progressOut != null) pbb.setConsumer(new ConsoleProgressBarConsumer(progressOut));
        try (ProgressBar pb = pbb.build()) {
            for (WorkItem item : items) {
                SourceStats st = stats.get(item.source());
                pb.setExtraMessage(String.format(Locale.ROOT, "%s %.1f min", item.source(), st.seconds / 60));
                if (st.seconds >= perSource) {
                    st.overBudget++;
                    pb.step();
                    continue;
                }
                String rel = item.relativePath();
                Path target = dir.resolve(rel);
                Manifest.Entry done = entries.get(rel);
                if (done != null) {
                    st.reused++;
                    st.seconds += done.seconds();
                    pb.step();
                    continue;
                }
                Signal clip;
                try {
                    clip = Trim.silence(item.producer().produce());
                } catch (IOException | RuntimeException e) {
                    st.failed++;
                    warnings.add(rel + ": " + oneLine(e));
                    pb.step();
                    continue;
                }
                if (clip.durationSeconds() < MIN_SECONDS) {
                    st.silent++;
                    pb.step();
                    continue;
                }
                writeAtomically(target, clip);
                // The split is settled when the manifest is written, from all pieces present then.
                entries.put(rel, new Manifest.Entry(target, Split.TRAIN, item.kind(), item.source(), item.piece(),
                        clip.durationSeconds()));
                st.made++;
                st.seconds += clip.durationSeconds();
                st.madeSeconds += clip.durationSeconds();
                pb.step();
                if (System.currentTimeMillis() - lastFlush > FLUSH_MILLIS) {
                    withSplits(entries.values()).write();
                    lastFlush = System.currentTimeMillis();
                }
            }
            pb.setExtraMessage("done");
        }
        Manifest manifest = withSplits(entries.values());
        manifest.write();
        return new Summary(stats, manifest, warnings, (System.nanoTime() - t0) / 1e9);
    }

    /** The manifest for these entries with splits assigned over all of their pieces. */
    Manifest withSplits(Iterable<Manifest.Entry> entries) {
        Map<String, Set<String>> piecesBySource = new HashMap<>();
        for (Manifest.Entry e : entries) piecesBySource.computeIfAbsent(e.source(), k -> new TreeSet<>()).add(e.piece());
        Map<String, String> split = Split.assign(piecesBySource);
        List<Manifest.Entry> out = new ArrayList<>();
        for (Manifest.Entry e : entries) out.add(e.withSplit(split.get(e.piece())));
        // Sorted, so the manifest is the same whatever order earlier runs made the clips in.
        out.sort(java.util.Comparator.comparing(Manifest.Entry::file));
        return new Manifest(dir, out);
    }

    /**
     * A run killed outright (no finally blocks) leaves its hidden temporary files behind; they are never
     * read, only wasted space, so the next run removes them.
     */
    private void removeLeftovers() throws IOException {
        List<Path> roots = new ArrayList<>(List.of(dir));
        if (Files.isDirectory(dir.resolve("audio"))) {
            try (Stream<Path> s = Files.list(dir.resolve("audio"))) {
                s.filter(Files::isDirectory).forEach(roots::add);
            }
        }
        for (Path r : roots) {
            try (Stream<Path> s = Files.list(r)) {
                for (Path f : s.toList()) {
                    String n = f.getFileName().toString();
                    if (n.startsWith(".") && (n.endsWith(".part") || n.endsWith(".tmp")) && Files.isRegularFile(f)) {
                        Files.deleteIfExists(f);
                    }
                }
            }
        }
    }

    private static void writeAtomically(Path target, Signal clip) throws IOException {
        Files.createDirectories(target.getParent());
        AudioIO.writeWav(target, clip, WavEncoding.PCM16); // temporary file beside it, then one move
    }

}
