package dev.siac.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models.save / Models.load: exact round trip, half precision, and one-line errors for damaged model directories. */
class WeightsTest {

    @TempDir
    Path tmp;

    private static SiacModel model(NDManager m) {
        SiacModel model = Models.create(ModelConfig.preset("tiny"), 11, m);
        ModelTestSupport.loudHeads(model, new SplittableRandom(12)); // non-zero biases too
        return model;
    }

    private static List<float[]> outputs(SiacModel model, NDManager m) {
        ModelTestSupport.gradModeOff();
        ModelConfig c = model.config;
        NDArray x = m.create(ModelTestSupport.audio(new SplittableRandom(13), 2, c.windowSamples), new Shape(2, c.windowSamples));
        SiacModel.Iteration it = model.iterative(x, c.eventsPerWindow, false);
        return it.events().stream().map(NDArray::toFloatArray).toList();
    }

    @Test
    void float32RoundTripIsBitIdentical() throws IOException {
        Path dir = tmp.resolve("model");
        try (NDManager m = NDManager.newBaseManager(); SiacModel a = model(m)) {
            Models.save(a, dir, Safetensors.DType.F32);
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(Models.CONFIG, Models.WEIGHTS),
                        files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary files left");
            }
            try (SiacModel b = Models.load(dir, m)) {
                assertEquals(a.config.toJson(), b.config.toJson());
                assertEquals(List.copyOf(a.parameters().params().keySet()), List.copyOf(b.parameters().params().keySet()));
                assertEquals(List.copyOf(a.parameters().buffers().keySet()), List.copyOf(b.parameters().buffers().keySet()));
                for (String name : a.parameters().params().keySet()) {
                    assertEquals(a.parameters().get(name).getShape(), b.parameters().get(name).getShape(), name);
                    assertArrayEquals(a.parameters().get(name).toFloatArray(), b.parameters().get(name).toFloatArray(), 0f, name);
                }
                assertArrayEquals(a.parameters().get("resonance.verb.items").toFloatArray(),
                        b.parameters().get("resonance.verb.items").toFloatArray(), 0f);
                List<float[]> oa = outputs(a, m);
                List<float[]> ob = outputs(b, m);
                for (int k = 0; k < oa.size(); k++) assertArrayEquals(oa.get(k), ob.get(k), 0f, "event " + k);
            }
            // saving over an existing model replaces it
            Models.save(a, dir, Safetensors.DType.F32);
            try (SiacModel b = Models.load(dir, m)) {
                assertEquals(a.parameters().count(), b.parameters().count());
            }
        }
    }

    @Test
    void float16LoadsWithinHalfPrecision() throws IOException {
        Path d32 = tmp.resolve("f32");
        Path d16 = tmp.resolve("f16");
        try (NDManager m = NDManager.newBaseManager(); SiacModel a = model(m)) {
            Models.save(a, d32, Safetensors.DType.F32);
            Models.save(a, d16, Safetensors.DType.F16);
            long s32 = Files.size(d32.resolve(Models.WEIGHTS));
            long s16 = Files.size(d16.resolve(Models.WEIGHTS));
            assertTrue(s16 < 0.55 * s32, "F16 file " + s16 + " bytes vs F32 " + s32);
            try (SiacModel b = Models.load(d16, m)) {
                int exact = 0, total = 0;
                for (String name : b.parameters().params().keySet()) {
                    float[] x = a.parameters().get(name).toFloatArray();
                    float[] y = b.parameters().get(name).toFloatArray();
                    for (int i = 0; i < x.length; i++) {
                        // round to nearest: relative error <= 2^-11 for normal halves, absolute <= 2^-25 below 2^-14
                        double bound = Math.max(Math.abs(x[i]) * Math.pow(2, -11), Math.pow(2, -25));
                        assertTrue(Math.abs(x[i] - y[i]) <= bound, name + "[" + i + "]: " + x[i] + " loaded as " + y[i]);
                        if (x[i] == y[i]) exact++;
                        total++;
                    }
                }
                assertTrue(exact < total, "nothing was rounded: the file is not half precision");
                assertFalse(outputs(b, m).isEmpty());
            }
        }
    }

    private Path saved(NDManager m) throws IOException {
        Path dir = tmp.resolve("damaged");
        try (SiacModel a = model(m)) {
            Models.save(a, dir, Safetensors.DType.F32);
        }
        return dir;
    }

    private static void assertOneLineNaming(Exception e, Path file) {
        assertTrue(e.getMessage().contains(file.toString()), "message does not name " + file + ": " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "message is not one line: " + e.getMessage());
    }

    @Test
    void truncatedWeightsGiveAnIoExceptionNamingTheFile() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Path dir = saved(m);
            Path w = dir.resolve(Models.WEIGHTS);
            long size = Files.size(w);
            for (long keep : new long[] {size - 1, size / 2, 200, 9, 3, 0}) {
                try (RandomAccessFile f = new RandomAccessFile(w.toFile(), "rw")) {
                    f.setLength(keep);
                }
                IOException e = assertThrows(IOException.class, () -> Models.load(dir, m), "kept " + keep + " bytes");
                assertOneLineNaming(e, w);
            }
        }
    }

    @Test
    void corruptWeightsGiveAnIoExceptionNamingTheFile() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Path dir = saved(m);
            Path w = dir.resolve(Models.WEIGHTS);
            byte[] good = Files.readAllBytes(w);
            // header length far beyond the file
            byte[] bad = good.clone();
            bad[6] = 0x7f;
            Files.write(w, bad);
            assertOneLineNaming(assertThrows(IOException.class, () -> Models.load(dir, m)), w);
            // garbage instead of the JSON header
            bad = good.clone();
            for (int i = 8; i < 40; i++) bad[i] = (byte) '#';
            Files.write(w, bad);
            assertOneLineNaming(assertThrows(IOException.class, () -> Models.load(dir, m)), w);
            // a tensor's offsets pointing past the data
            String text = new String(good, StandardCharsets.ISO_8859_1);
            int at = text.indexOf("\"data_offsets\":[0,");
            assertTrue(at > 0);
            bad = text.replaceFirst("\"data_offsets\":\\[0,", "\"data_offsets\":[9,").getBytes(StandardCharsets.ISO_8859_1);
            Files.write(w, bad);
            assertOneLineNaming(assertThrows(IOException.class, () -> Models.load(dir, m)), w);
            // not a safetensors file at all
            Files.writeString(w, "this is not a model");
            assertOneLineNaming(assertThrows(IOException.class, () -> Models.load(dir, m)), w);
        }
    }

    @Test
    void configAndWeightsThatDisagreeGiveAnIoExceptionNamingTheFile() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Path dir = saved(m);
            Path w = dir.resolve(Models.WEIGHTS);
            ModelConfig c = ModelConfig.read(dir.resolve(Models.CONFIG));
            c.hidden = 8; // every encoder tensor now has the wrong shape
            c.write(dir.resolve(Models.CONFIG));
            IOException e = assertThrows(IOException.class, () -> Models.load(dir, m));
            assertOneLineNaming(e, w);
            assertTrue(e.getMessage().contains("encoder.proj.weight"), e.getMessage());

            c.hidden = 16;
            c.nRoomIrs = 3; // the room bank buffer disagrees
            c.write(dir.resolve(Models.CONFIG));
            assertOneLineNaming(assertThrows(IOException.class, () -> Models.load(dir, m)), w);

            c.nRoomIrs = 2;
            c.referenceUnused = true; // expects tensors the file does not have
            c.write(dir.resolve(Models.CONFIG));
            e = assertThrows(IOException.class, () -> Models.load(dir, m));
            assertOneLineNaming(e, w);
            assertTrue(e.getMessage().contains("missing tensor"), e.getMessage());
        }
    }

    @Test
    void missingPiecesAreNamed() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Path nowhere = tmp.resolve("nowhere");
            assertOneLineNaming(assertThrows(IOException.class, () -> Models.load(nowhere, m)), nowhere);
            Path dir = saved(m);
            Files.delete(dir.resolve(Models.WEIGHTS));
            assertOneLineNaming(assertThrows(IOException.class, () -> Models.load(dir, m)), dir.resolve(Models.WEIGHTS));
            Files.delete(dir.resolve(Models.CONFIG));
            assertOneLineNaming(assertThrows(IOException.class, () -> Models.load(dir, m)), dir.resolve(Models.CONFIG));
            // a damaged config is reported with its path too (as IllegalArgumentException from ModelConfig)
            Files.writeString(dir.resolve(Models.CONFIG), "{\"hidden\": ");
            Exception e = assertThrows(Exception.class, () -> Models.load(dir, m));
            assertOneLineNaming(e, dir.resolve(Models.CONFIG));
        }
    }
}
