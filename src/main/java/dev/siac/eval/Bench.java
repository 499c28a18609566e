package dev.siac.eval;

import dev.siac.io.AtomicFiles;
import dev.siac.audio.AudioIO;
import dev.siac.audio.WavEncoding;
import dev.siac.audio.WavWriter;
import dev.siac.codec.EventList;
import dev.siac.codec.SiacFormat;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The speed suite behind {@code siac bench}: every measurement runs in a JVM of its own, so its peak RSS is that
 * of the measurement alone, not of whatever ran before it in the same process.
 *
 * <p>Children are started with a command prefix supplied by the caller (a java command line ending with a main
 * class) followed by one of these modes, and answer with one line {@code siac-bench key=value ...} on stdout:
 * <ul>
 *   <li>{@code step PRESET iterative WARMUP REPEATS} and {@code step PRESET train WARMUP REPEATS BATCH CHUNK}:
 *       keys {@code median min max} (seconds) and {@code audio} (new audio per window, seconds);</li>
 *   <li>{@code model PRESET DIR}: saves an untrained model of the preset;</li>
 *   <li>{@code cli ARGS...}: runs a siac sub-command; key {@code seconds} is its wall time in the JVM
 *       (model loading and file I/O included, JVM start excluded);</li>
 * </ul>
 * and always {@code threads} (the engine's intra-op threads) and {@code vmhwm_kb} (the JVM's VmHWM at exit).
 */
public final class Bench {

    /** The reference implementation on this kind of machine (docs/REFERENCE_TIMINGS.md, paper configuration). */
    public static final double REF_ITERATIVE_SECONDS = 4.31;
    public static final double REF_TRAIN_STEP_SECONDS = 33.1;
    public static final long REF_INFERENCE_RSS_KB = 812L * 1024;
    public static final long REF_TRAIN_RSS_KB = Math.round(13.9 * 1024 * 1024);
    /** The preset whose figures are compared with the reference. */
    public static final String REFERENCE_PRESET = "paper";

    public static final String BEGIN = "<!-- bench:begin -->";
    public static final String END = "<!-- bench:end -->";
    public static final String RESULT_PREFIX = "siac-bench";

    private static final Path TIME = Path.of("/usr/bin/time");

    /**
     * @param presets       presets timed for iterative and a training step
     * @param steps         which of them: "iterative", "train" (both by default)
     * @param streamPreset  the preset of the untrained model that encodes and decodes the synthetic streams
     * @param streamModel   a model directory to use for the streams instead (e.g. the shipped one), or null
     * @param streamMinutes lengths of the synthetic streams
     */
    public record Options(List<String> presets, Set<String> steps, String streamPreset, Path streamModel,
                          List<Double> streamMinutes, int warmup, int repeats, int batch, int chunk, int workers) {
        public static final Set<String> STEPS = Set.of("iterative", "train");

        public Options {
            presets = List.copyOf(presets);
            steps = Set.copyOf(steps);
            if (!STEPS.containsAll(steps)) throw new IllegalArgumentException("steps are iterative and/or train, got " + steps);
            if (steps.isEmpty()) presets = List.of();
            streamMinutes = List.copyOf(streamMinutes);
            if (presets.isEmpty() && streamMinutes.isEmpty()) throw new IllegalArgumentException("nothing to measure");
            if (warmup < 0) throw new IllegalArgumentException("warm-up runs must be >= 0, got " + warmup);
            if (repeats < 1) throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
            if (batch < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batch);
            if (workers < 1) throw new IllegalArgumentException("workers must be >= 1, got " + workers);
            if (chunk < 1) throw new IllegalArgumentException("chunk must be >= 1, got " + chunk);
            for (double m : streamMinutes) {
                if (!(m > 0) || m > 24 * 60) throw new IllegalArgumentException("stream length must be in (0, 1440] minutes, got " + m);
            }
            for (String p : presets) {
                if (p.isBlank() || p.contains(" ")) throw new IllegalArgumentException("bad preset name '" + p + "'");
            }
        }
    }

    /**
     * One measured row. NaN where not applicable: {@code audioSeconds} of a training step, reference figures of
     * rows the reference did not measure.
     */
    public record Row(String preset, String what, int runs, double medianSeconds, double minSeconds, double maxSeconds,
                      double audioSeconds, long peakRssKb, int threads, double refSeconds, long refRssKb) {
        /** Seconds of audio per wall second. */
        public double rtf() {
            return Double.isNaN(audioSeconds) ? Double.NaN : audioSeconds / medianSeconds;
        }
    }

    public record Result(List<Row> rows, String machine, int cpus, Set<Integer> threads, String date, String command,
                         String rssMethod, Options options) {
    }

    private final List<String> child;
    private final PrintWriter progress;

    /**
     * @param childCommand the command that starts a child JVM up to and including its main class; the mode
     *                     arguments are appended
     * @param progress     where one line per measurement goes (stderr in the CLI)
     */
    public Bench(List<String> childCommand, PrintWriter progress) {
        if (childCommand.isEmpty()) throw new IllegalArgumentException("empty child command");
        this.child = List.copyOf(childCommand);
        this.progress = Objects.requireNonNull(progress);
    }

    /**
     * Runs every measurement, one child JVM each, in a temporary directory that is deleted afterwards.
     *
     * @param command the command line to record beside the results
     * @throws IOException a child failed (the message names the measurement and quotes its last error line)
     */
    public Result run(Options o, String command) throws IOException, InterruptedException {
        boolean useTime = timeWorks();
        String rssMethod = useTime ? "/usr/bin/time -v (maximum resident set size of the child JVM)"
                : "VmHWM of the child JVM read in-process at exit (/usr/bin/time not found: apt-get install -y time)";
        List<Row> rows = new ArrayList<>();
        Path tmp = Files.createTempDirectory("siac-bench");
        try {
            for (String preset : o.presets()) {
                boolean ref = preset.equals(REFERENCE_PRESET);
                if (o.steps().contains("iterative")) {
                    Child it = runChild(tmp, useTime, "iterative " + preset, "step", preset, "iterative",
                            Integer.toString(o.warmup()), Integer.toString(o.repeats()));
                    rows.add(stepRow(preset, "iterative, one window, no grad", o.repeats(), it,
                            ref ? REF_ITERATIVE_SECONDS : Double.NaN, ref ? REF_INFERENCE_RSS_KB : -1, true));
                }
                if (o.steps().contains("train")) {
                    Child tr = runChild(tmp, useTime, "train step " + preset, "step", preset, "train",
                            Integer.toString(o.warmup()), Integer.toString(o.repeats()),
                            Integer.toString(o.batch()), Integer.toString(o.chunk()), Integer.toString(o.workers()));
                    rows.add(stepRow(preset, "training step, batch " + o.batch() + ", " + o.workers() + " workers",
                            o.repeats(), tr, ref ? REF_TRAIN_STEP_SECONDS : Double.NaN, ref ? REF_TRAIN_RSS_KB : -1, false));
                }
            }
            if (!o.streamMinutes().isEmpty()) {
                Path model = o.streamModel();
                if (model == null) {
                    model = tmp.resolve("model-" + o.streamPreset());
                    runChild(tmp, false, "untrained " + o.streamPreset() + " model", "model", o.streamPreset(),
                            model.toString());
                }
                for (double minutes : o.streamMinutes()) {
                    String label = minutesLabel(minutes);
                    Path wav = tmp.resolve("stream-" + label + ".wav");
                    Path siac = tmp.resolve("stream-" + label + ".siac");
                    Path back = tmp.resolve("stream-" + label + "-decoded.wav");
                    progress.printf(Locale.ROOT, "bench: writing a %s synthetic stream%n", label);
                    progress.flush();
                    long samples = writeSyntheticWav(wav, minutes * 60, 7);
                    double audio = samples / (double) AudioIO.SAMPLE_RATE;
                    Child enc = runChild(tmp, useTime, "encode " + label, "cli", "encode", wav.toString(),
                            "-o", siac.toString(), "--model", model.toString(), "-q");
                    // an encoder whose switch is off everywhere ends a window early, so the speed depends on how
                    // many events were placed: the row says it
                    EventList placed = SiacFormat.read(siac);
                    rows.add(cliRow(streamName(o), String.format(Locale.ROOT, "encode %s stream (%.1f events/s)",
                            label, placed.size() / audio), enc, audio));
                    Files.delete(wav);
                    Child dec = runChild(tmp, useTime, "decode " + label, "cli", "decode", siac.toString(),
                            "-o", back.toString(), "--model", model.toString(), "-q");
                    rows.add(cliRow(streamName(o), "decode " + label + " stream", dec, audio));
                    Files.deleteIfExists(siac);
                    Files.deleteIfExists(back);
                }
            }
        } finally {
            AtomicFiles.deleteTree(tmp);
        }
        Set<Integer> threads = new LinkedHashSet<>();
        for (Row r : rows) threads.add(r.threads());
        Machine cpu = machine();
        return new Result(List.copyOf(rows), cpu.model(), cpu.cpus(), threads,
                ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), command, rssMethod, o);
    }

    /** The stream rows' preset column: the preset, or the name of the config file or model directory. */
    private static String streamName(Options o) {
        if (o.streamModel() != null) return o.streamModel().getFileName().toString();
        String p = o.streamPreset();
        return p.endsWith(".json") ? Path.of(p).getFileName().toString().replaceAll("\\.json$", "") : p;
    }

    private Row stepRow(String preset, String what, int runs, Child c, double refSeconds, long refRss, boolean audio) {
        return new Row(preset, what, runs, c.number("median"), c.number("min"), c.number("max"),
                audio ? c.number("audio") : Double.NaN, c.peakRssKb, (int) c.number("threads"), refSeconds, refRss);
    }

    private Row cliRow(String preset, String what, Child c, double audioSeconds) {
        double s = c.number("seconds");
        return new Row(preset, what, 1, s, s, s, audioSeconds, c.peakRssKb, (int) c.number("threads"), Double.NaN, -1);
    }

    /** This JVM's peak resident set (VmHWM of /proc/self/status) in kB, or -1 where there is none (off Linux). */
    public static long peakResidentKb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmHWM:")) return Long.parseLong(l.replaceAll("\\D", ""));
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    static String minutesLabel(double minutes) {
        return minutes == Math.rint(minutes) ? (long) minutes + "-minute"
                : String.format(Locale.ROOT, "%.2f-minute", minutes).replaceAll("0+-", "-").replace(".-", "-");
    }

    // ------------------------------------------------------------------ children

    private record Child(Map<String, String> values, long peakRssKb, String what) {
        double number(String key) {
            String v = values.get(key);
            if (v == null) throw new IllegalStateException(what + ": child reported no '" + key + "'");
            return Double.parseDouble(v);
        }
    }

    private Child runChild(Path tmp, boolean useTime, String what, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(tmp, "child", ".out");
        Path err = Files.createTempFile(tmp, "child", ".err");
        Path timeReport = Files.createTempFile(tmp, "child", ".time");
        List<String> cmd = new ArrayList<>();
        if (useTime) cmd.addAll(List.of(TIME.toString(), "-v", "-o", timeReport.toString()));
        cmd.addAll(child);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        // as the launcher does: libgomp's spinning waiters would steal the other thread pool's core
        pb.environment().putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
        progress.printf(Locale.ROOT, "bench: %s ...%n", what);
        progress.flush();
        long t0 = System.nanoTime();
        Process p = pb.start();
        int code;
        try {
            code = p.waitFor();
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            throw e;
        }
        String stdout = Files.readString(out, StandardCharsets.UTF_8);
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        String time = Files.readString(timeReport, StandardCharsets.UTF_8);
        for (Path f : List.of(out, err, timeReport)) Files.deleteIfExists(f);
        Map<String, String> values = parseResult(stdout);
        if (code != 0 || values == null) {
            throw new IOException(what + ": child JVM " + (code != 0 ? "exited with " + code : "reported no result")
                    + ": " + lastLine(stderr.isBlank() ? stdout : stderr));
        }
        long rss = useTime ? parseMaxRssKb(time) : -1;
        if (rss <= 0 && values.containsKey("vmhwm_kb")) rss = Long.parseLong(values.get("vmhwm_kb"));
        progress.printf(Locale.ROOT, "bench: %s done in %.1f s (peak RSS %s MiB)%n", what, (System.nanoTime() - t0) / 1e9,
                mib(rss));
        progress.flush();
        return new Child(values, rss, what);
    }

    private static boolean timeWorks() {
        if (!Files.isExecutable(TIME)) return false;
        try {
            // GNU time (apt package "time"); a BSD or busybox time knows neither -v nor its report format
            Process p = new ProcessBuilder(TIME.toString(), "-v", "true").redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 && parseMaxRssKb(s) > 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The last {@code siac-bench ...} line of a child's stdout as key/value pairs, or null when there is none. */
    static Map<String, String> parseResult(String stdout) {
        Map<String, String> last = null;
        for (String line : stdout.split("\\R")) {
            if (!line.startsWith(RESULT_PREFIX + " ")) continue;
            last = new HashMap<>();
            for (String kv : line.substring(RESULT_PREFIX.length() + 1).trim().split("\\s+")) {
                int eq = kv.indexOf('=');
                if (eq > 0) last.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return last;
    }

    /** GNU time's "Maximum resident set size (kbytes): N", or -1. */
    static long parseMaxRssKb(String timeOutput) {
        long found = -1;
        for (String line : timeOutput.split("\\R")) {
            String t = line.trim();
            if (t.startsWith("Maximum resident set size (kbytes):")) {
                try {
                    found = Long.parseLong(t.substring(t.indexOf(':') + 1).trim());
                } catch (NumberFormatException ignored) {
                    // not GNU time's line after all
                }
            }
        }
        return found;
    }

    private static String lastLine(String s) {
        String[] lines = s.strip().split("\\R");
        String last = lines[lines.length - 1].strip();
        return last.isEmpty() ? "(no output)" : last;
    }

    /** The CPU's model name and how many there are. */
    record Machine(String model, int cpus) {}

    /** lscpu's model name and CPU count; /proc/cpuinfo and the JVM when lscpu is missing. */
    static Machine machine() {
        String model = null;
        String cpus = null;
        try {
            Process p = new ProcessBuilder("lscpu").redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() == 0) {
                for (String line : s.split("\\R")) {
                    if (line.startsWith("Model name:") && model == null) model = line.substring(line.indexOf(':') + 1).trim();
                    if (line.startsWith("CPU(s):") && cpus == null) cpus = line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // lscpu not installed: below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (model == null) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (line.startsWith("model name")) {
                        model = line.substring(line.indexOf(':') + 1).trim();
                        break;
                    }
                }
            } catch (IOException | RuntimeException e) {
                model = System.getProperty("os.arch") + " (CPU model unknown)";
            }
        }
        if (cpus == null || !cpus.matches("\\d+")) cpus = Integer.toString(Runtime.getRuntime().availableProcessors());
        return new Machine(model == null ? "unknown CPU" : model, Integer.parseInt(cpus));
    }

    // ------------------------------------------------------------------ synthetic input

    /**
     * Writes {@code seconds} of deterministic test audio (22050 Hz, 16-bit): decaying harmonic tones over five
     * octaves and short filtered noise bursts at random onsets, the kind of material the codec is built for.
     * Damped resonators make this cost a few multiplications per sample, so an hour takes seconds.
     *
     * @return the number of samples written
     */
    public static long writeSyntheticWav(Path file, double seconds, long seed) throws IOException {
        long total = Math.round(seconds * AudioIO.SAMPLE_RATE);
        if (total <= 0) throw new IllegalArgumentException("synthetic stream must be longer than 0 s");
        double sr = AudioIO.SAMPLE_RATE;
        SplitMix rng = new SplitMix(seed);
        List<Voice> active = new ArrayList<>();
        long nextOnset = 0;
        float[] buf = new float[4096];
        try (WavWriter w = AudioIO.createWav(file, AudioIO.SAMPLE_RATE, WavEncoding.PCM16)) {
            for (long pos = 0; pos < total; pos += buf.length) {
                int n = (int) Math.min(buf.length, total - pos);
                java.util.Arrays.fill(buf, 0, n, 0f);
                while (nextOnset < pos + n) {
                    active.add(Voice.random(rng, nextOnset, sr));
                    nextOnset += 1 + (long) (-Math.log(1 - rng.uniform()) * 0.4 * sr);
                }
                long blockEnd = pos + n;
                for (Voice v : active) v.render(buf, pos, n);
                active.removeIf(v -> v.end <= blockEnd);
                for (int i = 0; i < n; i++) buf[i] = Math.max(-1f, Math.min(1f, buf[i]));
                w.write(buf, 0, n);
            }
            w.commit();
        }
        return total;
    }

    /** A decaying tone (up to four partials) or a low-passed noise burst. */
    private static final class Voice {
        final long start;
        final long end;
        // tone: per partial a damped resonator y[n] = a·y[n-1] - b·y[n-2] + x[n], struck by one impulse
        // x[0] = A·sin(w), which rings as A·r^n·sin((n+1)w)
        final double[] a, b, y1, y2, kick;
        // noise: decaying envelope over one-pole low-passed white noise
        final double decay, lowpass;
        double env, lp;
        final SplitMix noiseRng;

        private Voice(long start, long end, double[] a, double[] b, double[] kick, double env0, double decay,
                      double lowpass, SplitMix noiseRng) {
            this.start = start;
            this.end = end;
            this.a = a;
            this.b = b;
            this.kick = kick;
            this.y1 = a == null ? null : new double[a.length];
            this.y2 = a == null ? null : new double[a.length];
            this.env = env0;
            this.decay = decay;
            this.lowpass = lowpass;
            this.noiseRng = noiseRng;
        }

        static Voice random(SplitMix rng, long onset, double sr) {
            if (rng.uniform() < 0.3) {
                double tau = 0.01 + 0.14 * rng.uniform();
                long len = (long) (tau * 7 * sr) + 1;
                return new Voice(onset, onset + len, null, null, null, 0.05 + 0.25 * rng.uniform(),
                        Math.exp(-1 / (tau * sr)), 0.05 + 0.9 * rng.uniform(), new SplitMix(rng.next()));
            }
            double f0 = 55 * Math.pow(2, 5 * rng.uniform());
            double tau = 0.05 + 0.95 * rng.uniform();
            double amp = 0.05 + 0.25 * rng.uniform();
            int partials = 1 + (int) (rng.uniform() * 4);
            // each partial a two-pole resonator y = a y[-1] - b y[-2] + kick (one impulse)
            double[] a = new double[partials], b = new double[partials], kick = new double[partials];
            int m = 0;
            for (int k = 1; k <= partials; k++, m++) {
                double f = f0 * k * (1 + 0.002 * k * k);  // slightly stretched partials, like a stiff string
                if (f >= sr * 0.45) break;
                double r = Math.exp(-k / (tau * sr));     // higher partials die sooner
                double w = 2 * Math.PI * f / sr;
                a[m] = 2 * r * Math.cos(w);
                b[m] = r * r;
                kick[m] = amp / k * Math.sin(w);
            }
            return new Voice(onset, onset + (long) (tau * 7 * sr) + 1, Arrays.copyOf(a, m), Arrays.copyOf(b, m),
                    Arrays.copyOf(kick, m), 0, 0, 0, null);
        }

        void render(float[] buf, long pos, int n) {
            int from = (int) Math.max(0, start - pos);
            int to = (int) Math.min(n, end - pos);
            if (noiseRng != null) {
                for (int i = from; i < to; i++) {
                    lp += lowpass * ((noiseRng.uniform() * 2 - 1) - lp);
                    buf[i] += (float) (env * lp);
                    env *= decay;
                }
                return;
            }
            for (int k = 0; k < a.length; k++) {
                double p1 = y1[k], p2 = y2[k], ak = a[k], bk = b[k], x = kick[k];
                for (int i = from; i < to; i++) {
                    double y = ak * p1 - bk * p2 + x;
                    x = 0;
                    p2 = p1;
                    p1 = y;
                    buf[i] += (float) y;
                }
                kick[k] = x;
                y1[k] = p1;
                y2[k] = p2;
            }
        }
    }

    /** A small, fast, seedable generator (SplitMix64): the stream is the same on every JVM. */
    private static final class SplitMix {
        private long state;

        SplitMix(long seed) {
            state = seed;
        }

        long next() {
            long z = (state += 0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        double uniform() {
            return (next() >>> 11) * 0x1.0p-53;
        }
    }

    // ------------------------------------------------------------------ report

    /** The Markdown section (markers included) that {@link #writeSection} puts into BENCHMARKS.md. */
    public static String markdown(Result r) {
        StringBuilder md = new StringBuilder();
        md.append(BEGIN).append('\n');
        md.append("## Speed (`siac bench`)\n\n");
        md.append("- date: ").append(r.date()).append('\n');
        md.append("- machine: ").append(r.machine()).append(", ").append(r.cpus()).append(" CPUs (lscpu)\n");
        md.append("- threads: ").append(joinInts(r.threads()))
                .append(" (DJL `JniUtils.getNumThreads()` in each measuring JVM)\n");
        md.append("- command: `").append(r.command()).append("`\n");
        Options o = r.options();
        md.append("- method: every row is a JVM of its own. iterative and training step: median (min–max) over ")
                .append(o.repeats()).append(" run(s) after ").append(o.warmup())
                .append(" warm-up, random weights, noise input (`StepTimer`); the training step is forward,")
                .append(" loss, backward and Adam with ").append(o.chunk()).append(" events recomputed per chunk, the batch split over ")
                .append(o.workers()).append(" workers as `siac train` does.")
                .append(" Encode/decode: one run of the CLI command on a synthetic stream (decaying tones and noise")
                .append(" bursts) with ").append(o.streamModel() == null
                        ? "an untrained `" + o.streamPreset() + "` model (its own initialisation, seed 0)"
                        : "the model `" + o.streamModel() + "`")
                .append(", wall time inside the JVM (model loading and file I/O included, JVM start excluded). Encoding")
                .append(" time depends on the events placed (a window ends early when the encoder's switch is off")
                .append(" everywhere), so the encode row gives the events/s placed.\n");
        md.append("- RTF = seconds of audio per wall second (higher is faster); for `iterative` the audio is the")
                .append(" half window of new audio each window encodes, as in the reference's own RTF.\n");
        md.append("- peak RSS: ").append(r.rssMethod()).append('\n');
        md.append("- reference: the reference PyTorch implementation on this kind of machine, paper configuration, 2")
                .append(" threads (docs/REFERENCE_TIMINGS.md); ratios are siac / reference (below 1: siac is faster")
                .append(" or smaller).\n\n");
        md.append("| preset | measurement | time s | RTF | peak RSS MiB | reference s | time ratio | reference RSS MiB | RSS ratio |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : r.rows()) {
            String time = row.runs() > 1
                    ? String.format(Locale.ROOT, "%s (%s–%s)", secs(row.medianSeconds()), secs(row.minSeconds()),
                    secs(row.maxSeconds()))
                    : secs(row.medianSeconds());
            md.append("| ").append(row.preset()).append(" | ").append(row.what()).append(" | ").append(time)
                    .append(" | ").append(Double.isNaN(row.rtf()) ? "–" : String.format(Locale.ROOT, "%.2f", row.rtf()))
                    .append(" | ").append(mib(row.peakRssKb()))
                    .append(" | ").append(Double.isNaN(row.refSeconds()) ? "–" : secs(row.refSeconds()))
                    .append(" | ").append(Double.isNaN(row.refSeconds()) ? "–"
                            : String.format(Locale.ROOT, "%.2f", row.medianSeconds() / row.refSeconds()))
                    .append(" | ").append(row.refRssKb() <= 0 ? "–" : mib(row.refRssKb()))
                    .append(" | ").append(row.refRssKb() <= 0 || row.peakRssKb() <= 0 ? "–"
                            : String.format(Locale.ROOT, "%.2f", row.peakRssKb() / (double) row.refRssKb()))
                    .append(" |\n");
        }
        md.append(END).append('\n');
        return md.toString();
    }

    private static String joinInts(Set<Integer> xs) {
        StringBuilder s = new StringBuilder();
        for (int x : xs) s.append(s.length() == 0 ? "" : ", ").append(x);
        return s.toString();
    }

    private static String secs(double s) {
        return s >= 100 ? String.format(Locale.ROOT, "%.0f", s)
                : s >= 10 ? String.format(Locale.ROOT, "%.1f", s)
                : s >= 0.1 ? String.format(Locale.ROOT, "%.2f", s)
                : String.format(Locale.ROOT, "%.4f", s);
    }

    private static String mib(long kb) {
        return kb <= 0 ? "n/a" : String.format(Locale.ROOT, "%.0f", kb / 1024.0);
    }

    /**
     * Puts {@code section} (markers included) between the markers of {@code doc}, keeping every other line; a
     * document without markers gets the section appended.
     *
     * @throws IllegalArgumentException the markers are unbalanced, so the text to replace is not known
     */
    public static String replaceSection(String doc, String section) {
        int b = doc.indexOf(BEGIN), e = doc.indexOf(END);
        if (b < 0 && e < 0) {
            String sep = doc.isEmpty() ? "" : doc.endsWith("\n\n") ? "" : doc.endsWith("\n") ? "\n" : "\n\n";
            return doc + sep + section;
        }
        if (b < 0 || e < 0 || e < b || doc.indexOf(BEGIN, b + 1) >= 0 || doc.indexOf(END, e + 1) >= 0) {
            throw new IllegalArgumentException("expected one '" + BEGIN + "' followed by one '" + END + "'");
        }
        int after = e + END.length();
        if (after < doc.length() && doc.charAt(after) == '\n') after++;
        return doc.substring(0, b) + section + doc.substring(after);
    }

    /** Replaces the bench section of {@code file} (created when missing), atomically. */
    public static void writeSection(Path file, String section) throws IOException {
        String doc = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8)
                : "# Benchmarks\n\nWritten by `siac bench`; text outside the marked section is kept.\n\n";
        String updated;
        try {
            updated = replaceSection(doc, section);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        AtomicFiles.write(file, tmp -> Files.writeString(tmp, updated, StandardCharsets.UTF_8));
    }
}
