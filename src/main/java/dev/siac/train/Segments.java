package dev.siac.train;

import static dev.siac.io.Messages.oneLine;
import dev.siac.audio.AudioIO;
import dev.siac.audio.Signal;
import dev.siac.train.corpus.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Training data: every supported audio file of a folder (or the train/valid split of a siac corpus manifest),
 * decoded once to 22050 Hz mono and held as 16-bit samples; random segments drawn as MODEL_SPEC §5A says.
 */
public final class Segments {
    private static final List<String> EXTENSIONS = List.of(".wav", ".wave", ".aif", ".aiff", ".flac", ".mp3", ".ogg", ".oga");

    private final List<String> names = new ArrayList<>();
    private final List<short[]> audio = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();

    private Segments() {}

    public int files() {
        return audio.size();
    }

    public double seconds() {
        long n = 0;
        for (short[] a : audio) n += a.length;
        return n / (double) AudioIO.SAMPLE_RATE;
    }

    /** The files of split ("train" or "valid") of a corpus dir with manifest.tsv, or all audio under a plain folder. */
    public static List<Path> list(Path dir, String split) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException(dir + ": data directory not found");
        if (Files.isRegularFile(dir.resolve(Manifest.FILE_NAME))) {
            Manifest m = Manifest.read(dir);
            List<Path> out = new ArrayList<>();
            for (Manifest.Entry e : split.equals("valid") ? m.valid() : m.train()) out.add(e.file());
            return out;
        }
        if (split.equals("valid")) return List.of();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> EXTENSIONS.stream().anyMatch(x -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(x)))
                    .sorted().toList();
        }
    }

    /**
     * Reads every file; one that cannot be read is skipped (its one-line reason in {@link #skipped()}), so that one bad
     * file among thousands does not stop a training run.
     */
    public static Segments load(List<Path> files) {
        Segments s = new Segments();
        for (Path f : files) {
            Signal sig;
            try {
                sig = AudioIO.read(f);
            } catch (IOException e) {
                s.skipped.add(oneLine(e));
                continue;
            }
            if (sig.length() == 0) continue;
            short[] q = new short[sig.length()];
            float[] x = sig.samples();
            for (int i = 0; i < q.length; i++) q[i] = (short) Math.round(Math.max(-1f, Math.min(1f, x[i])) * 32767f);
            s.names.add(f.toString());
            s.audio.add(q);
        }
        return s;
    }

    /**
     * One training example: a uniformly chosen file, zero-padded to at least 2n, a uniform start in [0, len - n),
     * n samples, divided by its signed maximum (+1e-12) as the reference does.
     */
    public float[] sample(Random rng, int n) {
        return sample(rng, n, false);
    }

    /**
     * One training example as {@link #sample(Random, int)}, with the file chosen uniformly (the reference's way) or,
     * byDuration, with probability proportional to its length as padded (at least 2n): every stretch of audio equally
     * likely, so that many short files do not outweigh a few long ones. The start is drawn the same way either way.
     */
    public float[] sample(Random rng, int n, boolean byDuration) {
        short[] a = audio.get(byDuration ? fileByDuration(rng, n) : rng.nextInt(audio.size()));
        int len = Math.max(a.length, 2 * n);
        int start = rng.nextInt(len - n);
        return normalised(a, start, n);
    }

    /** A file index drawn with probability proportional to max(length, 2n): one walk over the file lengths. */
    private int fileByDuration(Random rng, int n) {
        long total = 0;
        for (short[] a : audio) total += Math.max(a.length, 2L * n);
        long r = (long) (rng.nextDouble() * total);
        for (int i = 0; i < audio.size(); i++) {
            r -= Math.max(audio.get(i).length, 2L * n);
            if (r < 0) return i;
        }
        return audio.size() - 1;
    }

    /** A fixed segment: file i from start (zero beyond its end), normalised like training examples. */
    public float[] segment(int file, int start, int n) {
        return normalised(audio.get(file), start, n);
    }

    /** The files that could not be read, each as a one-line reason naming the file. */
    public List<String> skipped() {
        return List.copyOf(skipped);
    }

    /** Identifies the audio: the files' names and lengths (SHA-256, 16 hex digits). */
    public String id() {
        try {
            java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < names.size(); i++) {
                d.update((names.get(i) + "\t" + audio.get(i).length + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return java.util.HexFormat.of().formatHex(d.digest()).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public int length(int file) {
        return audio.get(file).length;
    }

    private static float[] normalised(short[] a, int start, int n) {
        float[] x = new float[n];
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            int j = start + i;
            x[i] = j < a.length ? a[j] / 32768f : 0f;
            max = Math.max(max, x[i]);
        }
        float norm = max + 1e-12f;
        for (int i = 0; i < n; i++) x[i] /= norm;
        return x;
    }
}
