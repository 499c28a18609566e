package dev.siac.train.corpus;

import dev.siac.io.Messages;
import dev.siac.audio.AudioException;
import dev.siac.audio.AudioIO;
import dev.siac.audio.AudioReader;
import dev.siac.audio.Signal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Recorded speech in many languages from KDE KLettres (Debian package {@code klettres-data}, GPL-2+): about
 * 1800 short recordings of letters and syllables, {@code klettres/LANG/alpha/*.ogg} and
 * {@code klettres/LANG/syllab/*.ogg}, one speaker per language. One file is about a second, too short for a
 * training window, so the files of one language and folder are joined in file-name order, each trimmed of
 * its silence and followed by {@link #GAP_SECONDS} of silence, into pieces of {@link #TARGET_SECONDS} or so
 * (see {@link #chunks}). Planning decodes every file once to learn its trimmed length (about 1800 files,
 * seconds of work). All pieces of a language are one split unit ({@code klettres.LANG}), so validation
 * holds out whole languages, i.e. voices.
 */
public final class Klettres {

    /** Silence between two utterances of a piece. */
    public static final double GAP_SECONDS = 0.3;
    /** A folder is cut into pieces of about this length: between 2/3 of it and 1.5 times it (less only for a short folder). */
    public static final double TARGET_SECONDS = 40;
    /** Any audio the project reads; the package holds Ogg Vorbis. */
    static final String AUDIO_FILE = "(?i).*\\.(ogg|oga|wav|flac|mp3|aiff?)";

    private Klettres() {
    }

    /**
     * The pieces under {@code root}: the package directory (its {@code usr/share/klettres} is used) or a
     * directory laid out like that one, {@code LANG/FOLDER/file}. A file that cannot be read is reported in
     * {@code warnings} and left out.
     */
    public static List<WorkItem> plan(Path root, long seed, List<String> warnings) throws IOException {
        Path base = Files.isDirectory(root.resolve("usr/share/klettres")) ? root.resolve("usr/share/klettres") : root;
        List<WorkItem> items = new ArrayList<>();
        for (Path langDir : subdirectories(base)) {
            String lang = CorpusPlan.fileStem(langDir);
            for (Path folder : subdirectories(langDir)) {
                List<Path> files = new ArrayList<>();
                List<Double> seconds = new ArrayList<>();
                for (Path f : audioFiles(folder)) {
                    try {
                        seconds.add(seconds(f));
                        files.add(f);
                    } catch (IOException e) {
                        warnings.add(Messages.oneLine(e));
                    }
                }
                if (files.isEmpty()) continue;
                List<List<Integer>> chunks = chunks(seconds.stream().mapToDouble(Double::doubleValue).toArray());
                for (int c = 0; c < chunks.size(); c++) {
                    List<Path> part = chunks.get(c).stream().map(files::get).toList();
                    String stem = String.format(Locale.ROOT, "%s.%s.%02d", lang, CorpusPlan.fileStem(folder), c + 1);
                    items.add(new WorkItem(CorpusPlan.KLETTRES, Manifest.SPEECH, "klettres." + lang, stem, "orig",
                            () -> join(part, GAP_SECONDS)));
                }
            }
        }
        items.sort(CorpusPlan.shuffled(seed, WorkItem::stem));
        return items;
    }

    /**
     * Cuts consecutive utterances (their lengths in seconds, each counted with its gap) into k runs of
     * about equal length, k = the total over {@link #TARGET_SECONDS}, rounded, at least 1. Returns the
     * indices of each run, in order.
     */
    static List<List<Integer>> chunks(double[] seconds) {
        double total = 0;
        for (double s : seconds) total += s + GAP_SECONDS;
        int k = (int) Math.max(1, Math.min(seconds.length, Math.round(total / TARGET_SECONDS)));
        List<List<Integer>> out = new ArrayList<>();
        List<Integer> run = new ArrayList<>();
        double done = 0;
        for (int i = 0; i < seconds.length; i++) {
            run.add(i);
            done += seconds[i] + GAP_SECONDS;
            // Close the run at the next boundary, leaving at least one utterance for every run still to come.
            if (out.size() < k - 1 && done >= total * (out.size() + 1) / k && seconds.length - i - 1 >= k - out.size() - 1) {
                out.add(run);
                run = new ArrayList<>();
            }
        }
        if (!run.isEmpty()) out.add(run);
        return out;
    }

    /**
     * The files one after another at {@link AudioIO#SAMPLE_RATE}, each trimmed of leading and trailing
     * silence, with {@code gapSeconds} of silence between two of them. A silent file adds nothing.
     *
     * @throws IOException a file cannot be read; the message names it
     */
    public static Signal join(List<Path> files, double gapSeconds) throws IOException {
        int gap = (int) Math.round(gapSeconds * AudioIO.SAMPLE_RATE);
        List<float[]> parts = new ArrayList<>();
        long total = 0;
        for (Path f : files) {
            Signal s = Trim.silence(readUtterance(f));
            if (s.length() == 0) continue;
            parts.add(s.samples());
            total += s.length() + (parts.size() > 1 ? gap : 0);
        }
        if (total > Integer.MAX_VALUE - 16) throw new IOException(files.get(0).getParent() + ": too much audio to join");
        float[] out = new float[(int) total];
        int at = 0;
        for (float[] p : parts) {
            if (at > 0) at += gap;
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return new Signal(out, AudioIO.SAMPLE_RATE);
    }

    /**
     * Length after trimming, which is what a piece is made of: many files hold seconds of silence around a
     * one-second letter, so their header lengths would make pieces far shorter than planned.
     */
    private static double seconds(Path f) throws IOException {
        return Trim.silence(readUtterance(f)).durationSeconds();
    }

    /**
     * The file as {@link AudioIO#read} gives it, except that an Ogg stream whose last page lacks the
     * end-of-stream flag keeps the audio decoded up to there instead of failing. All Arabic and Malayalam
     * recordings of klettres-data are so (their encoder never set the flag), yet whole: what decodes is
     * exactly the length their last page's granule position gives, as {@code soxi} reports. A file cut
     * short at a page boundary looks the same and would be kept shorter (for a one-second letter, at worst
     * a clipped utterance); a damaged file (bad checksum, missing data) still fails.
     */
    static Signal readUtterance(Path f) throws IOException {
        try {
            return AudioIO.read(f);
        } catch (AudioException e) {
            if (!e.problem().startsWith(MISSING_END)) throw e;
        }
        float[] x = new float[1 << 16];
        int n = 0;
        try (AudioReader r = AudioIO.open(f)) {
            while (true) {
                if (n == x.length) x = Arrays.copyOf(x, x.length * 2);
                int got = r.read(x, n, x.length - n);
                if (got < 0) break;
                n += got;
            }
        } catch (AudioException e) {
            if (!e.problem().startsWith(MISSING_END)) throw e;
        }
        return new Signal(Arrays.copyOf(x, n), AudioIO.SAMPLE_RATE);
    }

    /** How the decoder words a stream that ends, undamaged, without an end-of-stream page. */
    private static final String MISSING_END = "truncated Ogg Vorbis file: ends without an end-of-stream page";

    private static List<Path> subdirectories(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted().toList();
        }
    }

    /** The audio files directly in {@code dir}, in file-name order. */
    private static List<Path> audioFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().matches(AUDIO_FILE))
                    .sorted(java.util.Comparator.comparing(f -> f.getFileName().toString())).toList();
        }
    }
}
