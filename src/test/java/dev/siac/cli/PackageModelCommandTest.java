package dev.siac.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.siac.model.ModelConfig;
import dev.siac.model.Models;
import dev.siac.model.SiacModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `siac package-model`: a model directory copied (float16 or not), or an untrained one made from a preset. */
class PackageModelCommandTest {
    @TempDir
    Path tmp;

    @Test
    void untrainedPresetModelIsTheSeedsInitialisationAndRoundTrips() throws Exception {
        Path a = tmp.resolve("a");
        CliRun r = CliRun.of(new PackageModelCommand(), "preset:tiny", a.toString(), "--seed", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("float32"), r.out());
        Path b = tmp.resolve("b");
        assertEquals(0, CliRun.of(new PackageModelCommand(), a.toString(), b.toString(), "--f16").code());
        try (NDManager m = NDManager.newBaseManager(); SiacModel want = Models.create(ModelConfig.preset("tiny"), 3, m);
             SiacModel got = Models.load(a, m); SiacModel half = Models.load(b, m)) {
            for (var e : want.parameters().params().entrySet()) {
                float[] w = e.getValue().toFloatArray();
                assertArrayEquals(w, got.parameters().get(e.getKey()).toFloatArray(), e.getKey());
                float[] h = half.parameters().get(e.getKey()).toFloatArray();
                for (int i = 0; i < w.length; i++) assertEquals(w[i], h[i], 1e-3 * Math.abs(w[i]) + 1e-7, e.getKey());
            }
        }
        // another seed is another model
        Path c = tmp.resolve("c");
        assertEquals(0, CliRun.of(new PackageModelCommand(), "preset:tiny", c.toString(), "--seed", "4").code());
        assertFalse(Models.modelId(a).equals(Models.modelId(c)));
    }

    @Test
    void unknownPresetAndMissingDirectoryFailWithOneLineAndNoOutput() {
        Path out = tmp.resolve("out");
        CliRun r = CliRun.of(new PackageModelCommand(), "preset:nope", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("nope"), r.err());
        assertFalse(Files.exists(out));
        r = CliRun.of(new PackageModelCommand(), tmp.resolve("missing").toString(), out.toString());
        assertTrue(r.code() != 0);
        assertTrue(r.err().contains("missing"), r.err());
        assertFalse(Files.exists(out));
    }
}
