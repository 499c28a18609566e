package dev.siac.train.corpus;

import dev.siac.io.AtomicFiles;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The list of clips in a corpus directory, {@code DIR/manifest.tsv}: one line per clip with its path
 * (relative to DIR, '/'-separated), split, kind, source, piece id and duration in seconds, after a header
 * line. Training reads {@link #train()}, evaluation {@link #valid()}.
 */
public final class Manifest {

    public static final String FILE_NAME = "manifest.tsv";
    public static final String HEADER = "path\tsplit\tkind\tsource\tpiece\tseconds";
    /** Music as arranged: MIDI originals, produced recordings. */
    public static final String MUSIC = "music";
    /** MIDI rendered with one instrument (piano, organ, strings, ...) on every melodic channel. */
    public static final String SUSTAINED = "sustained";
    /** MIDI drum channel alone. */
    public static final String PERCUSSION = "percussion";
    public static final String SPEECH = "speech";
    /** Every kind a manifest may hold; evaluation groups by whichever are present. */
    public static final List<String> KINDS = List.of(MUSIC, SUSTAINED, PERCUSSION, SPEECH);
    private static final Set<String> SPLITS = Set.of(Split.TRAIN, Split.VALID);

    /**
     * One clip.
     *
     * @param file    absolute path of the WAV file (the manifest stores it relative to the corpus directory)
     * @param split   {@code train} or {@code valid}
     * @param kind    one of {@link #KINDS}
     * @param source  where it came from ({@code midi}, {@code wesnoth}, {@code speech}, {@code klettres})
     * @param piece   the unit kept whole by the split: every clip of a piece is in the same split
     * @param seconds duration
     */
    public record Entry(Path file, String split, String kind, String source, String piece, double seconds) {
        public Entry {
            if (!SPLITS.contains(split)) throw new IllegalArgumentException("split must be train or valid, got '" + split + "'");
            checkKind(kind);
            for (String f : new String[] {source, piece}) {
                if (f == null || f.isEmpty() || f.matches(".*[\\t\\r\\n].*")) {
                    throw new IllegalArgumentException("source and piece must be non-empty without tabs or newlines, got '" + f + "'");
                }
            }
            if (!(seconds >= 0) || Double.isInfinite(seconds)) throw new IllegalArgumentException("bad duration " + seconds);
        }

        public Entry withSplit(String newSplit) {
            return new Entry(file, newSplit, kind, source, piece, seconds);
        }
    }

    /** Fails unless {@code kind} is one of {@link #KINDS}. */
    static void checkKind(String kind) {
        if (!KINDS.contains(kind)) throw new IllegalArgumentException("kind must be one of " + String.join(", ", KINDS) + ", got '" + kind + "'");
    }

    private final Path dir;
    private final List<Entry> entries;

    public Manifest(Path dir, Collection<Entry> entries) {
        this.dir = dir.toAbsolutePath().normalize();
        this.entries = List.copyOf(entries);
    }

    /** Reads {@code dir/manifest.tsv}; a malformed line fails with its line number. */
    public static Manifest read(Path dir) throws IOException {
        Path base = dir.toAbsolutePath().normalize();
        Path file = base.resolve(FILE_NAME);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no corpus manifest (build one with: siac corpus --out " + dir + ")");
        }
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IOException(file + ": line 1: expected the header '" + HEADER.replace('\t', ' ') + "' (tab-separated)");
        }
        List<Entry> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) continue;
            String[] f = line.split("\t", -1);
            if (f.length != 6) {
                throw new IOException(file + ": line " + (i + 1) + ": expected 6 tab-separated fields, got " + f.length);
            }
            try {
                Path p = base.resolve(f[0]).normalize();
                if (!p.startsWith(base)) throw new IllegalArgumentException("path '" + f[0] + "' leaves the corpus directory");
                out.add(new Entry(p, f[1], f[2], f[3], f[4], Double.parseDouble(f[5])));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return new Manifest(base, out);
    }

    /** Writes {@code dir/manifest.tsv} atomically: readers see the old file or the new one, never half. */
    public void write() throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(FILE_NAME);
        AtomicFiles.write(target, tmp -> {
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(HEADER);
                w.write('\n');
                for (Entry e : entries) {
                    w.write(relative(e.file()) + "\t" + e.split() + "\t" + e.kind() + "\t" + e.source() + "\t" + e.piece()
                            + "\t" + String.format(Locale.ROOT, "%.3f", e.seconds()) + "\n");
                }
            }
        });
    }

    /** The file's path relative to the corpus directory, with '/' on every platform. */
    public String relative(Path file) {
        Path rel = dir.relativize(file.toAbsolutePath().normalize());
        if (rel.startsWith("..")) throw new IllegalArgumentException(file + " is outside the corpus directory " + dir);
        return rel.toString().replace(rel.getFileSystem().getSeparator(), "/");
    }


    public Path dir() {
        return dir;
    }

    public List<Entry> entries() {
        return entries;
    }

    public List<Entry> train() {
        return entries.stream().filter(e -> e.split().equals(Split.TRAIN)).toList();
    }

    public List<Entry> valid() {
        return entries.stream().filter(e -> e.split().equals(Split.VALID)).toList();
    }

    /** Total seconds of the given entries. */
    public static double seconds(Collection<Entry> entries) {
        return entries.stream().mapToDouble(Entry::seconds).sum();
    }
}
