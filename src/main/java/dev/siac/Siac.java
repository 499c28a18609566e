package dev.siac;

import dev.siac.audio.Signal;
import ai.djl.ndarray.NDManager;
import dev.siac.audio.AudioException;
import dev.siac.audio.AudioIO;
import dev.siac.audio.AudioReader;
import dev.siac.audio.WavEncoding;
import dev.siac.audio.WavWriter;
import dev.siac.codec.Codec;
import dev.siac.codec.EventList;
import dev.siac.codec.SiacFormat;
import dev.siac.model.ModelConfig;
import dev.siac.model.Models;
import dev.siac.model.SiacModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
     * not grow with the length. The file is read once for its peak and length, then once more to encode. A file long
     * enough is encoded in parts, one after the other ({@link Codec#encodeInParts}); {@link #encode(Path,
     * Codec.Options, IntConsumer, int)} encodes them at once, with the same result.
     *
     * @param windowsDone called with the number of windows done (null: not told); a file has about
     *                    length / (windowSamples / 2) windows
     */
    public Codec.Result encode(Path audioFile, Codec.Options options, IntConsumer windowsDone) throws IOException {
        return encode(audioFile, options, windowsDone, 1);
    }

    /**
     * As {@link #encode(Path, Codec.Options, IntConsumer)}, up to jobs of the file's parts at once, each on a thread of
     * its own ({@link Codec#encodeInParts}: the parts depend on the file's length only, so the events do not depend
     * on jobs). A file shorter than two parts ({@link Codec#PART_HOPS} window hops each, 71 s with the default model),
     * or a bitrate target, is encoded whole on the calling thread.
     */
    public Codec.Result encode(Path audioFile, Codec.Options options, IntConsumer windowsDone, int jobs) throws IOException {
        return encode(audioFile, scan(audioFile), options, windowsDone, jobs);
    }

    /** As {@link #encode(Path, Codec.Options, IntConsumer, int)} with the file's {@link #scan} already made (read once less). */
    public Codec.Result encode(Path audioFile, Scan scan, Codec.Options options, IntConsumer windowsDone, int jobs)
            throws IOException {
        if (jobs < 1) throw new IllegalArgumentException("jobs must be at least 1, got " + jobs);
        Codec.Stretches stretches = (from, to) -> {
            AudioReader r = AudioIO.open(audioFile);
            try {
                skip(r, from);
            } catch (IOException | RuntimeException e) {
                r.close();
                throw e;
            }
            long[] left = {to - from};
            return new Codec.Stretch() {
                @Override
                public int read(float[] buf, int off, int len) throws IOException {
                    if (left[0] == 0) return -1;
                    int got = r.read(buf, off, (int) Math.min(len, left[0]));
                    if (got > 0) left[0] -= got;
                    return got;
                }

                @Override
                public void close() throws IOException {
                    r.close();
                }
            };
        };
        try {
            return codec.encodeInParts(stretches, scan.length(), scan.peak(), options, windowsDone, jobs);
        } catch (AudioException e) {
            throw e; // already "<file>: <problem>"
        } catch (IOException e) {
            throw new IOException(audioFile + ": " + e.getMessage(), e);
        }
    }

    /** Reads and drops the first count samples of r. */
    private static void skip(AudioReader r, long count) throws IOException {
        float[] scratch = new float[1 << 16];
        long left = count;
        while (left > 0) {
            int got = r.read(scratch, 0, (int) Math.min(scratch.length, left));
            if (got < 0) throw new IOException("ended before sample " + count + " (it changed while being read?)");
            left -= got;
        }
    }

    /** Encodes mono samples at {@link #sampleRate()}. */
    public EventList encode(float[] samples) throws IOException {
        return encode(samples, defaultOptions()).events();
    }

    /** Encodes mono samples at {@link #sampleRate()}, in parts when long enough, as a file of them would be. */
    public Codec.Result encode(float[] samples, Codec.Options options) throws IOException {
        return codec.encodeInParts(Codec.Stretches.of(samples), samples.length, new Signal(samples, sampleRate()).peak(),
                options, null, 1);
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
