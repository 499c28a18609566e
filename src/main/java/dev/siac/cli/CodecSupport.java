package dev.siac.cli;

import ai.djl.ndarray.NDManager;
import dev.siac.audio.AudioException;
import dev.siac.audio.AudioIO;
import dev.siac.audio.AudioReader;
import dev.siac.audio.WavEncoding;
import dev.siac.audio.WavWriter;
import dev.siac.codec.Codec;
import dev.siac.codec.EventList;
import dev.siac.model.Models;
import dev.siac.model.SiacModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A loaded model and the file-level encode/decode jobs the commands share. */
final class CodecSupport implements AutoCloseable {
    final NDManager manager;
    final SiacModel model;
    final Codec codec;
    final Path modelDir;
    final String modelId;

    private CodecSupport(NDManager manager, SiacModel model, Path dir, String id) {
        this.manager = manager;
        this.model = model;
        this.modelDir = dir;
        this.modelId = id;
        this.codec = new Codec(model, id);
    }

    /** Loads the given model directory, or the bundled default when dir is null. */
    static CodecSupport open(Path dir) throws IOException {
        Path d = dir != null ? dir : DefaultModel.directory();
        NDManager m = NDManager.newBaseManager();
        try {
            SiacModel model = Models.load(d, m);
            return new CodecSupport(m, model, d, Models.modelId(d));
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** A file's peak |sample| (the encoder normalises by it) and its length in samples at the model's rate. */
    record Scan(float peak, long length) {
    }

    /** Reads a file once in blocks for its {@link Scan}. */
    static Scan scan(Path in) throws IOException {
        try (AudioReader r = AudioIO.open(in)) {
            float[] buf = new float[1 << 16];
            float peak = 0;
            long len = 0;
            int got;
            while ((got = r.read(buf, 0, buf.length)) >= 0) {
                for (int i = 0; i < got; i++) {
                    float v = buf[i];
                    if (!Float.isFinite(v)) throw new IOException(in + ": contains NaN/Inf samples at sample " + (len + i));
                    peak = Math.max(peak, Math.abs(v));
                }
                len += got;
            }
            return new Scan(peak, len);
        }
    }

    Codec.Result encodeFile(Path in, Codec.Options options, PrintStream progress) throws IOException {
        Scan scan = scan(in);
        int half = model.config.windowSamples / 2;
        long windows = Math.max(1, scan.length() / half + (scan.length() % half == 0 ? 0 : 1));
        try (AudioReader r = AudioIO.open(in); ProgressBar bar = bar("encode", windows, progress)) {
            try {
                return codec.encode(r::read, scan.length(), scan.peak(), options, done -> { if (bar != null) bar.stepTo(done); });
            } catch (AudioException e) {
                throw e; // already "<file>: <problem>"
            } catch (IOException e) {
                throw new IOException(in + ": " + e.getMessage(), e);
            }
        }
    }

    void decodeToWav(EventList list, Path out, WavEncoding enc, PrintStream progress) throws IOException {
        try (WavWriter w = AudioIO.createWav(out, list.sampleRate(), enc);
             ProgressBar bar = bar("decode", Math.max(1, list.size()), progress)) {
            codec.decode(list, w::write, done -> { if (bar != null) bar.stepTo(done); });
            w.commit();
        }
    }

    /** Refuses to decode events made by another model: their vectors mean nothing to this one. */
    void checkModel(EventList list, Path file) throws IOException {
        // a file without a model id passes the id check; its vectors must still fit this model
        if (list.vectorDim() != model.config.vectorDim || list.sampleRate() != model.config.sampleRate) {
            throw new IOException(file + ": holds " + list.vectorDim() + "-d vectors at " + list.sampleRate()
                    + " Hz, but the model at " + modelDir + " decodes " + model.config.vectorDim + "-d vectors at "
                    + model.config.sampleRate + " Hz (pass the matching --model)");
        }
        if (!list.modelId().isEmpty() && !list.modelId().equals(modelId)) {
            throw new IOException(file + ": encoded with model " + list.modelId().substring(0, 12)
                    + " but the model at " + modelDir + " is " + modelId.substring(0, 12) + " (pass the matching --model)");
        }
    }

    static ProgressBar bar(String task, long max, PrintStream out) {
        if (out == null) return null;
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(out)).setUpdateIntervalMillis(500).build();
    }

    @Override
    public void close() {
        model.close();
        manager.close();
    }
}
