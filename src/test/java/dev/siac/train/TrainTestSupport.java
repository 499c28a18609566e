package dev.siac.train;

import ai.djl.ndarray.NDArray;
import dev.siac.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the training tests share: a data folder of real audio and small, quick options. */
final class TrainTestSupport {
    /** 9 s of piano (examples/README.md): real audio with onsets, decays and silence between notes. */
    static final Path EXAMPLE = Path.of("examples", "example.wav");

    private TrainTestSupport() {}

    static Path dataDir(Path parent) throws IOException {
        Path data = Files.createDirectories(parent.resolve("data"));
        Files.copy(EXAMPLE, data.resolve("example.wav"));
        return data;
    }

    /** The tiny preset, batch 2, no validation, checkpoints only when asked (or at the end of run()). */
    static Trainer.Options options(Path data, Path out, long steps) {
        Trainer.Options o = new Trainer.Options();
        o.data = data;
        o.out = out;
        o.config = ModelConfig.preset("tiny");
        o.batch = 2;
        o.lr = 1e-3;
        o.steps = steps;
        o.seed = 7;
        o.validEvery = 0;
        o.checkpointEvery = 1_000_000;
        o.checkpointMinutes = 1e9;
        return o;
    }

    /** Every tensor's values, by name, copied to the heap. */
    static Map<String, float[]> values(Map<String, NDArray> tensors) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (var e : tensors.entrySet()) out.put(e.getKey(), e.getValue().toFloatArray());
        return out;
    }
}
