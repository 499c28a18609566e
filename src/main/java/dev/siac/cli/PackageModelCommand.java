package dev.siac.cli;

import ai.djl.ndarray.NDManager;
import dev.siac.model.ModelConfig;
import dev.siac.model.Models;
import dev.siac.model.Safetensors;
import dev.siac.model.SiacModel;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import java.util.Locale;

/** Copies a model directory (e.g. a training checkpoint) to a shippable one, optionally in float16. */
@Command(name = "package-model", mixinStandardHelpOptions = true,
        description = "Write the model of a checkpoint or model directory as a model directory (config.json + weights.safetensors).")
public final class PackageModelCommand implements Callable<Integer> {
    static final String PRESET = "preset:";

    @Parameters(index = "0", paramLabel = "FROM",
            description = "model directory, RUN_DIR/checkpoint, or preset:NAME for an untrained model of a preset or"
                    + " config file (its initialisation from --seed: the baseline of an evaluation)")
    String from;

    @Parameters(index = "1", paramLabel = "TO", description = "model directory to write")
    Path to;

    @Option(names = "--f16", description = "store weights as float16 (half the size)")
    boolean f16;

    @Option(names = "--seed", defaultValue = "0", description = "initialisation seed with preset:NAME (default: ${DEFAULT-VALUE})")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = from.startsWith(PRESET)
                ? Models.create(ModelConfig.presetOrFile(from.substring(PRESET.length())), seed, m)
                : Models.load(Path.of(from), m)) {
            Models.save(model, to, f16 ? Safetensors.DType.F16 : Safetensors.DType.F32);
            spec.commandLine().getOut().printf(Locale.ROOT, "%s: %s weights, model id %s%n", to, f16 ? "float16" : "float32",
                    Models.modelId(to).substring(0, 12));
            return 0;
        } catch (Exception e) {
            return EventFileSupport.fail(spec, e);
        }
    }
}
