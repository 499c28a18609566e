package dev.siac;

import dev.siac.audio.Signal;
import ai.djl.ndarray.NDManager;
import dev.siac.audio.AudioException;
import dev.siac.audio.AudioIO;
import dev.siac.audio.AudioReader;
import dev.siac.audio.WavEncoding;
import dev.siac.audio.WavWriter;
import ai.djl.pytorch.jni.JniUtils;
import dev.siac.codec.Codec;
import dev.siac.codec.Event;
import dev.siac.codec.EventList;
import dev.siac.codec.Silence;
import dev.siac.io.Futures;
import dev.siac.codec.SiacFormat;
import dev.siac.model.ModelConfig;
import dev.siac.model.Models;
import dev.siac.model.SiacModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * siac for programs: load a model, encode audio to events, decode events to audio, read and write {@code .siac} files.
 * Edits are methods of the immutable {@link EventList} ({@code deleteTimeRange}, {@code shift}, {@code perturb},
 * {@code transplant}, ...). One instance holds one model (and its native memory) until {@link #close}; it may be used
 * from one thread at a time.
 *
 * <pre>{@code
 * try (Siac siac = Siac.load(Path.of("models/default"))) {
 *     EventList events = siac.encode(Path.of("song.flac"));           // any length, any common format
 *     Siac.write(events.deleteTimeRange(10, 12), Path.of("song.siac"));
 *     siac.decode(Siac.read(Path.of("song.siac")), Path.of("song.wav"));
 * }
 * }</pre>
 */
public final class Siac implements AutoCloseable {
    /** A file's peak |sample| (the encoder normalises by it) and its length in samples at the model's rate. */
    public record Scan(float peak, long length) {
    }

    private final NDManager manager;
    private final SiacModel model;
    private final Codec codec;
    private final Path modelDir;
    private final String modelId;

    private Siac(NDManager manager, SiacModel model, Path dir, String id) {
        this.manager = manager;
        this.model = model;
        this.modelDir = dir;
        this.modelId = id;
        this.codec = new Codec(model, id);
    }

    /** Loads a model directory ({@code config.json} + {@code weights.safetensors}, as {@code siac package-model} writes). */
    public static Siac load(Path modelDir) throws IOException {
        if (!Files.isRegularFile(modelDir.resolve(Models.CONFIG))) {
            throw new IOException(modelDir + ": not a siac model directory (no " + Models.CONFIG + ")");
        }
        NDManager m = NDManager.newBaseManager();
        try {
            SiacModel model = Models.load(modelDir, m);
            return new Siac(m, model, modelDir, Models.modelId(modelDir));
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    public ModelConfig config() {
        return model.config;
    }

    /** SHA-256 of the weights: what a {@code .siac} file records so that it is decoded by the model that made it. */
    public String modelId() {
        return modelId;
    }

    public Path modelDirectory() {
        return modelDir;
    }

    /** The model's sample rate: {@link #encode(float[])} takes and {@link #decode(EventList)} returns mono audio at it. */
    public int sampleRate() {
        return model.config.sampleRate;
    }

    /** The codec itself, for streaming from any source ({@link Codec#encode(Codec.SampleSource, long, float, Codec.Options, IntConsumer)}). */
    public Codec codec() {
        return codec;
    }

    /** The model's own settings: its events per window, q8 vectors, no refinement, no bitrate target. */
    public Codec.Options defaultOptions() {
        return Codec.Options.defaults(model.config);
    }

    // ------------------------------------------------------------------------------------------------ encode

    public EventList encode(Path audioFile) throws IOException {
        return encode(audioFile, defaultOptions(), null).events();
    }

    /**
     * Encodes a file of any length and format siac reads (WAV, AIFF, FLAC, MP3, Ogg Vorbis), streaming: memory does
     * not grow with the length. The file is read twice, once for its peak and length, once to encode.
     *
     * @param windowsDone called with the number of windows done (null: not told); a file has about
     *                    length / (windowSamples / 2) windows
     */
    public Codec.Result encode(Path audioFile, Codec.Options options, IntConsumer windowsDone) throws IOException {
        Scan scan = scan(audioFile);
        try (AudioReader r = AudioIO.open(audioFile)) {
            return codec.encode(r::read, scan.length(), scan.peak(), options, windowsDone);
        } catch (AudioException e) {
            throw e; // already "<file>: <problem>"
        } catch (IOException e) {
            throw new IOException(audioFile + ": " + e.getMessage(), e);
        }
    }

    /** Parts of fewer window hops than this are not worth a thread: such files are encoded in one part. */
    public static final int MIN_HOPS_PER_PART = 8;
    /** Window hops of context encoded before a part (their events dropped) so that its first window sees tails. */
    static final int CONTEXT_HOPS = 2;

    /**
     * {@link #encode(Path, Codec.Options, IntConsumer)} in up to jobs parts at once, each on a thread of its own with
     * an equal share of libtorch's threads: the greedy encoder's windows depend on each other, so one encode keeps
     * one core busy and a second core only helps by taking a part of the file. Each part reads its stretch of the
     * file (streaming, memory does not grow with the length) with two window hops of context before it and one
     * window after (the codec's {@link Codec#encodePart}): the first part's events are exactly those of a whole
     * encode, a later part's differ in its first windows only, where the whole encode's earlier events would have
     * left their tails (measured in docs/BENCHMARKS.md). Parts have at least {@link #MIN_HOPS_PER_PART} window hops;
     * with a bitrate target, or jobs = 1, the file is encoded whole.
     */
    public Codec.Result encode(Path audioFile, Codec.Options options, IntConsumer windowsDone, int jobs) throws IOException {
        if (jobs < 1) throw new IllegalArgumentException("jobs must be at least 1, got " + jobs);
        Scan scan = scan(audioFile);
        long length = scan.length();
        long hop = model.config.windowSamples / 2;
        long hops = (length + hop - 1) / hop;
        int parts = (int) Math.min(jobs, hops / MIN_HOPS_PER_PART);
        if (parts <= 1 || options.targetKbps() > 0) return encode(audioFile, options, windowsDone);
        long[] bounds = new long[parts + 1];
        for (int i = 0; i < parts; i++) bounds[i] = hops * i / parts * hop;
        bounds[parts] = length;
        int perPart = Math.max(1, JniUtils.getNumThreads() / parts);
        int[] done = new int[parts];
        ExecutorService pool = Executors.newFixedThreadPool(parts, r -> {
            Thread t = new Thread(r, "siac-part");
            t.setDaemon(true);
            return t;
        });
        List<Future<Codec.Part>> futures = new ArrayList<>();
        try {
            long[] origins = new long[parts];
            for (int i = 0; i < parts; i++) {
                final int k = i;
                long from = Math.max(0, bounds[k] - CONTEXT_HOPS * hop);
                long to = Math.min(length, bounds[k + 1] + model.config.windowSamples + model.config.stftWindow);
                origins[k] = from;
                futures.add(pool.submit(() -> {
                    JniUtils.setGradMode(false); // a new thread records by default
                    JniUtils.setNumThreads(perPart); // OpenMP's thread count is each thread's own setting
                    try (AudioReader r = AudioIO.open(audioFile)) {
                        skip(r, from, audioFile);
                        long[] left = {to - from};
                        Codec.SampleSource stretch = (buf, off, len) -> {
                            if (left[0] == 0) return -1;
                            int got = r.read(buf, off, (int) Math.min(len, left[0]));
                            if (got > 0) left[0] -= got;
                            return got;
                        };
                        return codec.encodePart(stretch, to - from, scan.peak(), options, bounds[k] - from,
                                bounds[k + 1] - from, n -> {
                                    if (windowsDone == null) return;
                                    synchronized (done) {
                                        done[k] = n;
                                        int sum = 0;
                                        for (int d : done) sum += d;
                                        windowsDone.accept((int) Math.min(sum, hops));
                                    }
                                });
                    }
                }));
            }
            List<Event> events = new ArrayList<>();
            List<Silence> spans = new ArrayList<>();
            double input = 0, residual = 0, modelResidual = 0;
            for (int k = 0; k < parts; k++) {
                Codec.Part p = await(futures.get(k), audioFile);
                for (Event e : p.events()) events.add(new Event(e.time() + origins[k], e.amplitude(), e.vector()));
                spans.add(p.silence().clipped(0, Long.MAX_VALUE, origins[k]));
                input += p.inputL1();
                residual += p.residualL1();
                modelResidual += p.modelResidualL1();
            }
            EventList list = new EventList(sampleRate(), length, scan.peak(), model.config.vectorDim, modelId,
                    options.precision(), events).withSilence(Silence.concat(spans)).withPrecision(options.precision());
            return new Codec.Result(list, input > 0 ? 1 - residual / input : 0, input > 0 ? 1 - modelResidual / input : 0);
        } finally {
            pool.shutdownNow();
            Futures.awaitAll(futures); // a failed part's sibling may still be using the model
        }
    }

    /** Reads and drops the first count samples of r. */
    private static void skip(AudioReader r, long count, Path file) throws IOException {
        float[] scratch = new float[1 << 16];
        long left = count;
        while (left > 0) {
            int got = r.read(scratch, 0, (int) Math.min(scratch.length, left));
            if (got < 0) throw new IOException(file + ": ended before sample " + count + " (it changed while being read?)");
            left -= got;
        }
    }

    private static Codec.Part await(Future<Codec.Part> f, Path file) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(file + ": interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof AudioException a) throw a;
            if (c instanceof IOException io) throw new IOException(file + ": " + io.getMessage(), io);
            if (c instanceof RuntimeException re) throw re;
            throw new IOException(file + ": " + c, c);
        }
    }

    /** Encodes mono samples at {@link #sampleRate()}. */
    public EventList encode(float[] samples) throws IOException {
        return encode(samples, defaultOptions()).events();
    }

    public Codec.Result encode(float[] samples, Codec.Options options) throws IOException {
        return codec.encode(Codec.SampleSource.of(samples), samples.length, new Signal(samples, sampleRate()).peak(),
                options, null);
    }

    /** Reads a file once in blocks for its {@link Scan}; NaN or infinite samples are an error naming the file. */
    public static Scan scan(Path audioFile) throws IOException {
        try (AudioReader r = AudioIO.open(audioFile)) {
            float[] buf = new float[1 << 16];
            float peak = 0;
            long len = 0;
            int got;
            while ((got = r.read(buf, 0, buf.length)) >= 0) {
                for (int i = 0; i < got; i++) {
                    float v = buf[i];
                    if (!Float.isFinite(v)) throw new IOException(audioFile + ": contains NaN/Inf samples at sample " + (len + i));
                    peak = Math.max(peak, Math.abs(v));
                }
                len += got;
            }
            return new Scan(peak, len);
        }
    }

    // ------------------------------------------------------------------------------------------------ decode

    /** The events' audio in memory (mono at {@link #sampleRate()}); for signals of at most 2^31 - 1 samples. */
    public float[] decode(EventList events) throws IOException {
        checkModel(events, null);
        return codec.decode(events);
    }

    /** Decodes to a 16-bit WAV file, streaming, written atomically. */
    public void decode(EventList events, Path wavFile) throws IOException {
        decode(events, wavFile, WavEncoding.PCM16, null);
    }

    public void decode(EventList events, Path wavFile, WavEncoding encoding, IntConsumer eventsDone) throws IOException {
        checkModel(events, null);
        try (WavWriter w = AudioIO.createWav(wavFile, events.sampleRate(), encoding)) {
            codec.decode(events, w::write, eventsDone);
            w.commit();
        }
    }

    /**
     * Refuses events made by another model: their vectors mean nothing to this one. A list without a model id passes
     * the id check; its vectors must still fit this model.
     *
     * @param file named in the message (null: none)
     */
    public void checkModel(EventList events, Path file) throws IOException {
        String what = file == null ? "the events" : file.toString();
        if (events.vectorDim() != model.config.vectorDim || events.sampleRate() != model.config.sampleRate) {
            throw new IOException(what + ": holds " + events.vectorDim() + "-d vectors at " + events.sampleRate()
                    + " Hz, but the model at " + modelDir + " decodes " + model.config.vectorDim + "-d vectors at "
                    + model.config.sampleRate + " Hz (pass the matching --model)");
        }
        if (!events.modelId().isEmpty() && !events.modelId().equals(modelId)) {
            throw new IOException(what + ": encoded with model " + events.modelId().substring(0, 12)
                    + " but the model at " + modelDir + " is " + modelId.substring(0, 12) + " (pass the matching --model)");
        }
    }

    // ------------------------------------------------------------------------------------------------ files

    /** Reads and checks a {@code .siac} file (docs/FORMAT.md); needs no model. */
    public static EventList read(Path siacFile) throws IOException {
        return SiacFormat.read(siacFile);
    }

    /** Writes a {@code .siac} file atomically. */
    public static void write(EventList events, Path siacFile) throws IOException {
        SiacFormat.write(siacFile, events);
    }

    @Override
    public void close() {
        model.close();
        manager.close();
    }
}
