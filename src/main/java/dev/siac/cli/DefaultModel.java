package dev.siac.cli;

import ai.djl.ndarray.NDManager;
import dev.siac.model.ModelConfig;
import dev.siac.model.Models;
import dev.siac.model.Safetensors;
import dev.siac.model.SiacModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the bundled model lives: {@code models/default} under the project (or $SIAC_HOME). Until a trained model is
 * shipped, a deterministic untrained {@code small} model is created there on first use (seed 0).
 */
final class DefaultModel {
    private DefaultModel() {}

    static Path home() {
        String env = System.getenv("SIAC_HOME");
        if (env != null && !env.isBlank()) return Path.of(env);
        String prop = System.getProperty("siac.home");
        return prop != null ? Path.of(prop) : Path.of(".");
    }

    static Path directory() throws IOException {
        Path dir = home().resolve("models").resolve("default");
        if (Files.isRegularFile(dir.resolve(Models.WEIGHTS))) return dir;
        Path fallback = home().resolve("models").resolve("untrained-small");
        if (!Files.isRegularFile(fallback.resolve(Models.WEIGHTS))) {
            try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(ModelConfig.preset("small"), 0, m)) {
                Models.save(model, fallback, Safetensors.DType.F32);
            }
        }
        return fallback;
    }
}
