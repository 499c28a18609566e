package dev.siac.cli;

import dev.siac.io.Messages;
import ai.djl.ndarray.NDManager;
import dev.siac.model.ModelConfig;
import dev.siac.model.Models;
import dev.siac.model.SiacModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import java.util.Locale;

/** Sizes and parameter counts of a preset or a model directory. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Print a model's configuration summary and its parameter count per component.")
public final class InfoCommand implements Callable<Integer> {
    @Option(names = "--preset", paramLabel = "NAME|CONFIG.json", description = "a preset (paper, small, small-short, small-full, tiny) or a config file")
    String preset;

    @Option(names = "--model", paramLabel = "DIR", description = "a model directory (default: the bundled model)")
    Path model;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (NDManager manager = NDManager.newBaseManager()) {
            SiacModel m;
            String source;
            if (preset != null) {
                m = Models.create(ModelConfig.presetOrFile(preset), 0, manager);
                source = "preset " + preset + " (untrained)";
            } else {
                Path dir = model != null ? model : DefaultModel.directory();
                m = Models.load(dir, manager);
                source = dir + " (model id " + Models.modelId(dir).substring(0, 12) + ")";
            }
            ModelConfig c = m.config;
            out.println("model: " + source);
            out.printf(Locale.ROOT, "geometry: %d Hz, window %d samples (%.2f s), STFT %d/%d, %d frames, %d-d vectors, %d events per window%n",
                    c.sampleRate, c.windowSamples, c.windowSamples / (double) c.sampleRate, c.stftWindow, c.stftHop,
                    c.frames(), c.vectorDim, c.eventsPerWindow);
            out.printf(Locale.ROOT, "events: %d samples (%.2f s)%s%n", c.eventLength(), c.eventLength() / (double) c.sampleRate,
                    c.shortEvents() ? ", rendered short and placed into the window" : ", the full window (the seed's)");
            out.printf(Locale.ROOT, "encoder: hidden %d, %d gated blocks, dilations %s; heads: hidden %d, %d residual blocks%n",
                    c.hidden, c.dilations.length, java.util.Arrays.toString(c.dilations), c.headHidden, c.headBlocks);
            out.printf(Locale.ROOT, "banks: %d resonances (x%d), %d envelopes, %d deformations, %d noise filters (x%d), %d noise deformations, %d room IRs%n",
                    c.nResonances, c.resonanceExpressivity, c.nEnvelopes, c.nDeformations, c.nNoiseFilters,
                    c.noiseExpressivity, c.nNoiseDeformations, c.nRoomIrs);
            out.println("parameters:");
            for (Map.Entry<String, Long> e : Models.componentCounts(m).entrySet()) {
                out.printf(Locale.ROOT, "  %-30s %,14d%n", e.getKey(), e.getValue());
            }
            out.printf(Locale.ROOT, "room IRs: %d (a fixed buffer of %,d samples, not counted as parameters)%n",
                    c.nRoomIrs, (long) c.nRoomIrs * c.eventLength());
            m.close();
            return 0;
        } catch (Exception e) {
            spec.commandLine().getErr().println("siac info: " + Messages.oneLine(e));
            return 1;
        }
    }
}
