package dev.siac.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siac.audio.AudioIO;
import dev.siac.audio.TestSignals;
import dev.siac.codec.EventList;
import dev.siac.codec.SiacFormat;
import dev.siac.model.ModelConfig;
import dev.siac.model.Models;
import dev.siac.model.ReferenceWeights;
import dev.siac.model.RoomBank;
import dev.siac.model.Safetensors;
import dev.siac.model.TorchFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code siac convert} on state dicts torch 1.13 wrote (src/test/resources/torch, made by make_fixtures.py there):
 * names, shapes and values survive torch -> siac -> torch exactly, legacy weight-norm names and the reference's
 * BatchNorm tensors are handled, a converted model encodes and decodes, and bad input leaves nothing behind.
 */
class ConvertCommandTest {
    private static final Path FIXTURES = Path.of("src", "test", "resources", "torch");
    private static final Path TINY = FIXTURES.resolve("tiny.pt");

    @TempDir
    Path tmp;

    /** The fixture's values: ((i * 7919 + j * 31) % 2001 - 1000) / 1024 for tensor i (siac's order), element j. */
    private static Map<String, float[]> expected() {
        ModelConfig c = ModelConfig.preset("tiny");
        List<String> names = new ArrayList<>(Models.shapes(c).keySet());
        names.add(ReferenceWeights.VERB);
        Map<String, long[]> shapes = new LinkedHashMap<>(Models.shapes(c));
        shapes.put(ReferenceWeights.VERB, new long[] {c.nRoomIrs, c.eventLength()});
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            long n = Arrays.stream(shapes.get(names.get(i))).reduce(1, (a, b) -> a * b);
            float[] v = new float[(int) n];
            for (int j = 0; j < n; j++) v[j] = (float) ((((long) i * 7919 + (long) j * 31) % 2001 - 1000) / 1024.0);
            out.put(names.get(i), v);
        }
        return out;
    }

    private static CliRun convert(String... args) {
        return CliRun.of(new ConvertCommand(), args);
    }

    private Path toSiac(Path checkpoint, String name) {
        Path dir = tmp.resolve(name);
        CliRun r = convert(checkpoint.toString(), "-o", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        return dir;
    }

    @Test
    void torchToSiacToTorchKeepsNamesShapesAndValuesExactly() throws IOException {
        // the reader: every value as torch wrote it, also a tensor at an offset into its storage and a transposed one
        TorchFormat.StateDict original = TorchFormat.read(TINY);
        Map<String, float[]> want = expected();
        assertEquals(want.keySet(), original.tensors().keySet());
        want.forEach((k, v) -> assertArrayEquals(v, original.tensors().get(k).data(), k));

        CliRun r = convert(TINY.toString(), "-o", tmp.resolve("m").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("preset tiny (every shape matches)"), r.out());
        assertTrue(r.out().contains("room IRs: from the checkpoint"), r.out());
        Path dir = tmp.resolve("m");
        assertEquals("tiny", ModelConfig.read(dir.resolve(Models.CONFIG)).preset);
        Map<String, Safetensors.Tensor> siac = Safetensors.read(dir.resolve(Models.WEIGHTS));
        assertEquals(want.keySet(), siac.keySet());
        for (var e : original.tensors().entrySet()) {
            assertArrayEquals(e.getValue().shape(), siac.get(e.getKey()).shape(), e.getKey());
            assertArrayEquals(e.getValue().data(), siac.get(e.getKey()).data(), e.getKey());
        }
        assertTrue(Files.readString(dir.resolve("MODEL_CARD.md")).contains("Room IRs: taken from the checkpoint"));

        Path back = tmp.resolve("back.pt");
        r = convert(dir.toString(), "--to", "torch", "-o", back.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("strict=False"), r.out());
        TorchFormat.StateDict again = TorchFormat.read(back);
        assertEquals(new ArrayList<>(original.tensors().keySet()), new ArrayList<>(again.tensors().keySet()));
        for (var e : original.tensors().entrySet()) {
            assertArrayEquals(e.getValue().shape(), again.tensors().get(e.getKey()).shape(), e.getKey());
            assertArrayEquals(e.getValue().data(), again.tensors().get(e.getKey()).data(), e.getKey());
            assertEquals("FloatStorage", again.storageTypes().get(e.getKey()));
        }
        // and once more into siac: the same weights
        Path dir2 = toSiac(back, "m2");
        Map<String, Safetensors.Tensor> siac2 = Safetensors.read(dir2.resolve(Models.WEIGHTS));
        siac.forEach((k, v) -> assertArrayEquals(v.data(), siac2.get(k).data(), k));
    }

    @Test
    void exportIsLaidOutAsTorchWritesIt() throws IOException {
        Path dir = toSiac(TINY, "m");
        Path out = tmp.resolve("x.pt");
        assertEquals(0, convert(dir.toString(), "-o", out.toString()).code(), "a directory converts to torch by default");
        byte[] b = Files.readAllBytes(out);
        try (var zip = new java.util.zip.ZipFile(out.toFile())) {
            List<String> names = zip.stream().map(ZipEntry::getName).toList();
            assertEquals("archive/data.pkl", names.get(0));
            assertTrue(names.containsAll(List.of("archive/byteorder", "archive/version", "archive/data/0")), names.toString());
            assertEquals("3\n", new String(zip.getInputStream(zip.getEntry("archive/version")).readAllBytes(), StandardCharsets.US_ASCII));
            assertEquals("little", new String(zip.getInputStream(zip.getEntry("archive/byteorder")).readAllBytes(), StandardCharsets.US_ASCII));
            for (ZipEntry e : zip.stream().toList()) {
                assertEquals(ZipEntry.STORED, e.getMethod(), e.getName());
            }
        }
        // data of every entry starts at a multiple of 64: find each local header and its data offset
        int headers = 0;
        for (int i = 0; i + 30 <= b.length; i++) {
            if (b[i] == 'P' && b[i + 1] == 'K' && b[i + 2] == 3 && b[i + 3] == 4) {
                int nameLen = (b[i + 26] & 0xff) | (b[i + 27] & 0xff) << 8;
                int extraLen = (b[i + 28] & 0xff) | (b[i + 29] & 0xff) << 8;
                assertEquals(0, (i + 30 + nameLen + extraLen) % 64, "entry data at " + i);
                headers++;
                i += 29;
            }
        }
        assertTrue(headers >= 4);
    }

    @Test
    void legacyWeightNormNamesAreRenamedAndMissingRoomIrsAreGenerated() throws IOException {
        Path dir = tmp.resolve("legacy");
        CliRun r = convert(FIXTURES.resolve("tiny_legacy.pt").toString(), "-o", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("renamed 16 weight_g/weight_v"), r.out());
        assertTrue(r.out().contains("room IRs: generated"), r.out());
        Map<String, Safetensors.Tensor> got = Safetensors.read(dir.resolve(Models.WEIGHTS));
        Map<String, float[]> want = expected();
        assertEquals(want.keySet(), got.keySet());
        for (var e : want.entrySet()) {
            if (e.getKey().equals(ReferenceWeights.VERB)) continue;
            assertArrayEquals(e.getValue(), got.get(e.getKey()).data(), e.getKey());
        }
        ModelConfig c = ModelConfig.preset("tiny");
        assertArrayEquals(RoomBank.generate(c.nRoomIrs, c.eventLength(), c.sampleRate, c.roomSeed), got.get(ReferenceWeights.VERB).data());
        String card = Files.readString(dir.resolve("MODEL_CARD.md"));
        assertTrue(card.contains("siac's generated bank"), card);
    }

    @Test
    void theReferencesBatchNormTensorsAreSkipped() throws IOException {
        CliRun r = convert(FIXTURES.resolve("tiny_batchnorm.pt").toString(), "-o", tmp.resolve("bn").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("skipped 20 unused BatchNorm tensors"), r.out());
        Map<String, Safetensors.Tensor> got = Safetensors.read(tmp.resolve("bn").resolve(Models.WEIGHTS));
        Map<String, float[]> want = expected();
        assertEquals(want.keySet(), got.keySet());
        want.forEach((k, v) -> assertArrayEquals(v, got.get(k).data(), k));
    }

    @Test
    void aConvertedModelEncodesAndDecodes() throws IOException {
        Path model = toSiac(TINY, "m");
        float[] x = TestSignals.noise(AudioIO.SAMPLE_RATE, 0.3, 5);
        Path wav = TestSignals.writePcm16Wav(tmp, "in.wav", AudioIO.SAMPLE_RATE, x);
        Path siac = tmp.resolve("in.siac");
        CliRun enc = CliRun.of(new EncodeCommand(), wav.toString(), "-o", siac.toString(), "--model", model.toString(), "-q");
        assertEquals(0, enc.code(), enc.err());
        EventList events = SiacFormat.read(siac);
        assertEquals(Models.modelId(model), events.modelId());
        assertTrue(events.size() > 0);
        Path out = tmp.resolve("out.wav");
        CliRun dec = CliRun.of(new DecodeCommand(), siac.toString(), "-o", out.toString(), "--model", model.toString(), "-q", "--float");
        assertEquals(0, dec.code(), dec.err());
        float[] y = AudioIO.read(out).samples();
        assertEquals(x.length, y.length);
        for (float v : y) assertTrue(Float.isFinite(v));
    }

    // ------------------------------------------------------------------------------------------------ bad input

    private void failsWithOneLine(Path input, String expect, String... extra) {
        Path out = tmp.resolve("out-" + input.getFileName());
        List<String> args = new ArrayList<>(List.of(input.toString(), "-o", out.toString()));
        args.addAll(List.of(extra));
        CliRun r = convert(args.toArray(String[]::new));
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().startsWith("error: "), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(input.toString()), r.err());
        assertTrue(r.err().contains(expect), r.err());
        assertFalse(Files.exists(out), "no output for " + input);
        assertEquals("", r.out());
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(tmp.resolve(name), bytes);
    }

    @Test
    void truncatedCorruptAndForeignFilesGetOneLineAndNoOutput() throws IOException {
        byte[] tiny = Files.readAllBytes(TINY);
        failsWithOneLine(write("half.pt", Arrays.copyOf(tiny, tiny.length / 2)), "corrupt or truncated zip");
        failsWithOneLine(write("short.pt", Arrays.copyOf(tiny, 100)), "corrupt or truncated zip");
        byte[] flipped = tiny.clone();
        for (int i = 200; i < 260; i++) flipped[i] ^= 0x5a; // inside data.pkl
        failsWithOneLine(write("flipped.pt", flipped), "corrupt");
        failsWithOneLine(write("empty.pt", new byte[0]), "neither a torch.save checkpoint (zip) nor a safetensors file");
        failsWithOneLine(write("text.pt", "hello, world\n".getBytes(StandardCharsets.UTF_8)), "neither a torch.save checkpoint");
        failsWithOneLine(TestSignals.writePcm16Wav(tmp, "sound.wav", 22050, new float[100]), "neither a torch.save checkpoint");
        failsWithOneLine(write("legacy.pt", new byte[] {(byte) 0x80, 2, '}', '.'}), "torch < 1.6");
        Path zip = tmp.resolve("other.zip");
        try (OutputStream o = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(o)) {
            z.putNextEntry(new ZipEntry("readme.txt"));
            z.write("not a checkpoint".getBytes(StandardCharsets.UTF_8));
        }
        failsWithOneLine(zip, "not a torch.save file");
        failsWithOneLine(tmp.resolve("missing.pt"), "not found");
    }

    @Test
    void checkpointsOfAnotherModelAreRefusedByName() throws IOException {
        Map<String, Safetensors.Tensor> sd = new LinkedHashMap<>(TorchFormat.read(TINY).tensors());
        Map<String, Safetensors.Tensor> missing = new LinkedHashMap<>(sd);
        missing.remove("resonance.e.items");
        Path a = tmp.resolve("missing-tensor.pt");
        TorchFormat.write(a, missing);
        failsWithOneLine(a, "missing tensor resonance.e.items");

        Map<String, Safetensors.Tensor> wrong = new LinkedHashMap<>(sd);
        wrong.put("encoder.proj.weight", new Safetensors.Tensor(new long[] {16, 1000, 1}, new float[16 * 1000]));
        Path b = tmp.resolve("wrong-shape.pt");
        TorchFormat.write(b, wrong);
        failsWithOneLine(b, "tensor encoder.proj.weight has shape [16, 1000, 1]");

        Map<String, Safetensors.Tensor> extra = new LinkedHashMap<>(sd);
        extra.put("decoder.something", new Safetensors.Tensor(new long[] {2}, new float[2]));
        Path c = tmp.resolve("extra.pt");
        TorchFormat.write(c, extra);
        failsWithOneLine(c, "unexpected tensor decoder.something");

        Path d = tmp.resolve("foreign.pt");
        TorchFormat.write(d, Map.of("fc.weight", new Safetensors.Tensor(new long[] {2, 2}, new float[4])));
        failsWithOneLine(d, "not a checkpoint of this model");
    }

    @Test
    void safetensorsCheckpointsConvertToo() throws IOException {
        Map<String, Safetensors.Tensor> sd = TorchFormat.read(TINY).tensors();
        Path st = tmp.resolve("tiny.safetensors");
        Safetensors.write(st, sd, Map.of(), Safetensors.DType.F32);
        Path dir = toSiac(st, "st");
        Map<String, Safetensors.Tensor> got = Safetensors.read(dir.resolve(Models.WEIGHTS));
        sd.forEach((k, v) -> assertArrayEquals(v.data(), got.get(k).data(), k));
    }

    @Test
    void exportOfABrokenModelDirectoryLeavesNoFile() throws IOException {
        Path dir = toSiac(TINY, "m");
        byte[] w = Files.readAllBytes(dir.resolve(Models.WEIGHTS));
        Files.write(dir.resolve(Models.WEIGHTS), Arrays.copyOf(w, w.length - 100));
        Path out = tmp.resolve("x.pt");
        CliRun r = convert(dir.toString(), "--to", "torch", "-o", out.toString());
        assertEquals(1, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(Models.WEIGHTS), r.err());
        assertFalse(Files.exists(out));
        try (var s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".x.pt")), "no temporary left");
        }
    }
}
