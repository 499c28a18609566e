package dev.siac.cli;

import dev.siac.Siac;
import dev.siac.audio.WavEncoding;
import dev.siac.codec.Codec;
import dev.siac.codec.EventList;
import dev.siac.model.SiacModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** The CLI's view of the {@link Siac} front door: a loaded model and progress bars for the file-level jobs. */
final class CodecSupport implements AutoCloseable {
    final Siac siac;
    final SiacModel model;
    final Codec codec;
    final Path modelDir;
    final String modelId;

    private CodecSupport(Siac siac) {
        this.siac = siac;
        this.model = siac.codec().model();
        this.codec = siac.codec();
        this.modelDir = siac.modelDirectory();
        this.modelId = siac.modelId();
    }

    /** Loads the given model directory, or the bundled default when dir is null. */
    static CodecSupport open(Path dir) throws IOException {
        return new CodecSupport(Siac.load(dir != null ? dir : DefaultModel.directory()));
    }

    /** Encodes on every core (a long file's parts at once; the events do not depend on the number of cores). */
    Codec.Result encodeFile(Path in, Codec.Options options, PrintStream progress) throws IOException {
        return encodeFile(in, options, progress, Runtime.getRuntime().availableProcessors());
    }

    /** As {@link #encodeFile(Path, Codec.Options, PrintStream)} in up to jobs parts at once ({@link Siac#encode(Path, Codec.Options, java.util.function.IntConsumer, int)}). */
    Codec.Result encodeFile(Path in, Codec.Options options, PrintStream progress, int jobs) throws IOException {
        Siac.Scan scan = Siac.scan(in);
        int half = model.config.windowSamples / 2;
        long windows = Math.max(1, scan.length() / half + (scan.length() % half == 0 ? 0 : 1));
        try (ProgressBar bar = bar("encode", windows, progress)) {
            return siac.encode(in, scan, options, done -> { if (bar != null) bar.stepTo(done); }, jobs);
        }
    }

    void decodeToWav(EventList list, Path out, WavEncoding enc, PrintStream progress) throws IOException {
        try (ProgressBar bar = bar("decode", Math.max(1, list.size()), progress)) {
            siac.decode(list, out, enc, done -> { if (bar != null) bar.stepTo(done); });
        }
    }

    /** Refuses to decode events made by another model: their vectors mean nothing to this one. */
    void checkModel(EventList list, Path file) throws IOException {
        siac.checkModel(list, file);
    }

    static ProgressBar bar(String task, long max, PrintStream out) {
        if (out == null) return null;
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(out)).setUpdateIntervalMillis(500).build();
    }

    @Override
    public void close() {
        siac.close();
    }
}
