package dev.siac.eval;

import dev.siac.audio.AudioIO;
import dev.siac.audio.AudioReader;
import dev.siac.audio.Signal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An evaluation set of fixed-length excerpts cut from audio files. Clip i of a file is samples
 * [i·n, (i+1)·n) at 22050 Hz; a tail shorter than n is left out, and a file shorter than n is one clip of its own
 * length (short speech utterances would otherwise vanish from the set). The choice depends on nothing but the
 * files and their order, so two runs measure the same audio.
 */
public final class ClipSet {
    private ClipSet() {
    }

    /**
     * One file to cut.
     *
     * @param file  the audio file
     * @param name  how its clips are named in the report (e.g. its path relative to the corpus)
     * @param group group tag (music, speech) or "" when untagged
     */
    public record Source(Path file, String name, String group) {
    }

    /** What {@link #cut} chose, and how many files were shorter than one clip (used whole). */
    public record Selection(List<Evaluation.Clip> clips, int files, int shortFiles) {
    }

    /**
     * Cuts every file into clips of {@code clipSeconds} and keeps at most {@code maxClips} of them (0 = all).
     * When clips must be dropped, the kept ones alternate between groups and, within a group, between files
     * (first clip of every file, then second clips, ...), so a limited set still hears every kind and many pieces.
     *
     * @throws IOException a file cannot be read; the message names it
     */
    public static Selection cut(List<Source> sources, double clipSeconds, int maxClips) throws IOException {
        if (!(clipSeconds > 0) || Double.isInfinite(clipSeconds)) {
            throw new IllegalArgumentException("clip length must be a positive number of seconds, got " + clipSeconds);
        }
        if (maxClips < 0) throw new IllegalArgumentException("--max-clips must be >= 0, got " + maxClips);
        int n = (int) Math.round(clipSeconds * AudioIO.SAMPLE_RATE);
        if (n < 1) throw new IllegalArgumentException("clip length " + clipSeconds + " s is shorter than one sample");

        // per group, per file: the file's clips in time order
        Map<String, List<List<Evaluation.Clip>>> byGroup = new LinkedHashMap<>();
        int shortFiles = 0;
        for (Source s : sources) {
            long len = lengthSamples(s.file());
            List<Evaluation.Clip> clips = new ArrayList<>();
            if (len > 0 && len < n) {
                shortFiles++;
                clips.add(new Evaluation.Clip(s.name(), s.group(), () -> excerpt(s.file(), 0, (int) len)));
            }
            for (long i = 0; (i + 1) * n <= len; i++) {
                long start = i * n;
                String name = s.name() + "@" + seconds(start) + "-" + seconds(start + n) + "s";
                clips.add(new Evaluation.Clip(name, s.group(), () -> excerpt(s.file(), start, n)));
            }
            byGroup.computeIfAbsent(s.group() == null ? "" : s.group().trim(), k -> new ArrayList<>()).add(clips);
        }

        List<List<Evaluation.Clip>> perGroup = new ArrayList<>();
        for (List<List<Evaluation.Clip>> files : byGroup.values()) perGroup.add(interleave(files));
        List<Evaluation.Clip> all = interleave(perGroup);
        if (maxClips > 0 && all.size() > maxClips) all = all.subList(0, maxClips);
        return new Selection(List.copyOf(all), sources.size(), shortFiles);
    }

    /** Round robin: first element of each list, then the second of each, ... (the corpus plan orders its work so too). */
    public static <T> List<T> interleave(List<List<T>> lists) {
        List<T> out = new ArrayList<>();
        for (int k = 0; ; k++) {
            boolean any = false;
            for (List<T> l : lists) {
                if (k < l.size()) {
                    out.add(l.get(k));
                    any = true;
                }
            }
            if (!any) return out;
        }
    }

    private static String seconds(long samples) {
        String s = String.format(Locale.ROOT, "%.3f", samples / (double) AudioIO.SAMPLE_RATE);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** Length at 22050 Hz: from the header when no resampling happens, else by reading the file through. */
    static long lengthSamples(Path file) throws IOException {
        try (AudioReader r = AudioIO.open(file)) {
            if (r.sourceSampleRate() == AudioIO.SAMPLE_RATE && r.sourceFrames() >= 0) return r.sourceFrames();
            float[] buf = new float[1 << 16];
            long len = 0;
            int got;
            while ((got = r.read(buf, 0, buf.length)) >= 0) len += got;
            return len;
        }
    }

    /** Samples [start, start + length) of a file, read by streaming past the ones before. */
    static Signal excerpt(Path file, long start, int length) throws IOException {
        float[] out = new float[length];
        try (AudioReader r = AudioIO.open(file)) {
            float[] skip = new float[1 << 16];
            long skipped = 0;
            while (skipped < start) {
                int got = r.read(skip, 0, (int) Math.min(skip.length, start - skipped));
                if (got < 0) break;
                skipped += got;
            }
            int filled = 0;
            while (filled < length) {
                int got = skipped < start ? -1 : r.read(out, filled, length - filled);
                if (got < 0) {
                    throw new IOException(file + ": ends at sample " + (skipped + filled) + ", before the clip ["
                            + start + ", " + (start + length) + ") is complete");
                }
                filled += got;
            }
        }
        return new Signal(out, AudioIO.SAMPLE_RATE);
    }
}
