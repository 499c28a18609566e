package dev.siac.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.siac.Siac;
import dev.siac.audio.AudioIO;
import dev.siac.audio.Signal;
import dev.siac.audio.WavEncoding;
import dev.siac.codec.Event;
import dev.siac.codec.EventList;
import dev.siac.codec.SiacFormat;
import dev.siac.eval.Evaluation;
import dev.siac.model.ModelConfig;
import dev.siac.model.Models;
import dev.siac.model.Safetensors;
import dev.siac.model.SiacModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three jobs in local mode (local[2], loopback only) with an untrained tiny model, on a folder of real audio (the
 * example clip cut into three files, one in a subdirectory) plus a corrupt file and a file that is not audio.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkJobsTest {
    @TempDir
    static Path dir;
    static SparkSession spark;
    static Path model, corpus, out;
    static EncodeJob.Summary first;
    static final ByteArrayOutputStream LOG = new ByteArrayOutputStream();

    @BeforeAll
    static void setUp() throws IOException {
        ModelConfig c = ModelConfig.preset("tiny");
        c.init = "physical"; // untrained reference-initialised events are ~60 dB down: see the core's TinyModel
        model = dir.resolve("tiny");
        try (NDManager m = NDManager.newBaseManager(); SiacModel sm = Models.create(c, 1, m)) {
            Models.save(sm, model, Safetensors.DType.F32);
        }
        corpus = Files.createDirectories(dir.resolve("corpus"));
        float[] x = AudioIO.read(Path.of("..", "examples", "example.wav")).samples();
        int n = 55_000; // 2.5 s each
        cut(x, 0, n, corpus.resolve("a.wav"));
        cut(x, n, n, corpus.resolve("b.wav"));
        cut(x, 2 * n, n, Files.createDirectories(corpus.resolve("sub")).resolve("c.wav"));
        byte[] junk = new byte[4000];
        new SplittableRandom(5).nextBytes(junk);
        System.arraycopy("RIFF".getBytes(StandardCharsets.US_ASCII), 0, junk, 0, 4);
        Files.write(corpus.resolve("broken.wav"), junk);
        Files.writeString(corpus.resolve("notes.txt"), "not audio: a directory input leaves it out");
        out = dir.resolve("out");

        spark = SparkSession.builder().master("local[2]").appName("siac-spark test")
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                .config("spark.hadoop.fs." + SchemeFs.SCHEME + ".impl", SchemeFs.class.getName())
                .config("spark.hadoop.fs." + SchemeFs.SCHEME + ".impl.disable.cache", "true").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        first = EncodeJob.run(spark, corpus.toString(), out.toString(), model.toString(), settings(), false, 0, log());
    }

    @AfterAll
    static void tearDown() {
        if (spark != null) spark.stop();
    }

    static CodecSettings settings() {
        return new CodecSettings(null, null, 0);
    }

    static PrintStream log() {
        return new PrintStream(LOG, true, StandardCharsets.UTF_8);
    }

    private static void cut(float[] x, int from, int n, Path file) throws IOException {
        AudioIO.writeWav(file, new Signal(Arrays.copyOfRange(x, from, from + n), 22050), WavEncoding.PCM16);
    }

    private static List<Row> manifestRows() {
        return spark.read().parquet(out.resolve(EncodeJob.MANIFEST).toString()).collectAsList();
    }

    @Test
    @Order(1)
    void encodeWritesOneSiacPerGoodFileAndOneErrorRow() throws IOException {
        assertEquals(4, first.files(), LOG.toString());
        assertEquals(3, first.encoded(), LOG.toString());
        assertEquals(1, first.failed());
        assertEquals(0, first.skipped());
        String modelId = Models.modelId(model);

        List<Row> rows = manifestRows();
        assertEquals(4, rows.size());
        Map<String, Row> byName = new HashMap<>();
        for (Row r : rows) byName.put(r.getString(r.fieldIndex("path")).replaceAll(".*/", ""), r);
        assertEquals(java.util.Set.of("a.wav", "b.wav", "c.wav", "broken.wav"), byName.keySet());
        for (String name : List.of("a.wav", "b.wav", "c.wav")) {
            Row r = byName.get(name);
            assertTrue(r.isNullAt(r.fieldIndex("error")), name + ": " + r);
            assertEquals(modelId, r.getString(r.fieldIndex("model_id")));
            Path siac = HadoopIO.local(r.getString(r.fieldIndex("output_path")));
            assertTrue(Files.isRegularFile(siac), siac.toString());
            EventList events = SiacFormat.read(siac);
            assertEquals(events.size(), r.getInt(r.fieldIndex("events")));
            assertTrue(events.size() > 0);
            assertEquals(Files.size(siac), r.getLong(r.fieldIndex("bytes")));
            assertEquals(55_000 / 22050.0, r.getDouble(r.fieldIndex("duration_s")), 1e-9);
            assertEquals(8.0 * Files.size(siac) / (55_000 / 22050.0) / 1000, r.getDouble(r.fieldIndex("kbps")), 1e-9);
            double removed = r.getDouble(r.fieldIndex("energy_removed"));
            assertTrue(removed > -1 && removed < 1, "energy removed " + removed);
            assertTrue(r.getDouble(r.fieldIndex("encode_seconds")) > 0);
        }
        // the relative layout is kept: sub/c.wav -> OUT/sub/c.siac
        assertTrue(Files.isRegularFile(out.resolve("sub").resolve("c.siac")));
        Row bad = byName.get("broken.wav");
        String error = bad.getString(bad.fieldIndex("error"));
        assertNotNull(error);
        assertTrue(error.contains("broken.wav"), error);
        assertTrue(bad.isNullAt(bad.fieldIndex("events")));
        assertFalse(Files.exists(out.resolve("broken.siac")));
        // written atomically: no temporaries left beside the outputs
        try (Stream<Path> files = Files.walk(out)) {
            List<Path> hidden = files.filter(p -> p.getFileName().toString().startsWith(".")
                    && !p.toString().contains(EncodeJob.MANIFEST)).toList();
            assertEquals(List.of(), hidden);
        }
        // the same events as siac's front door gives for the same file and model
        try (Siac siac = Siac.load(model)) {
            ai.djl.pytorch.jni.JniUtils.setNumThreads(1); // as in a local[2] task (one cpu each): the same sums, the same bits
            byte[] direct = SiacFormat.toBytes(siac.encode(corpus.resolve("a.wav"), siac.defaultOptions(), null).events());
            assertTrue(Arrays.equals(direct, Files.readAllBytes(out.resolve("a.siac"))), "a.siac differs from Siac.encode's bytes");
        }
        // two tasks at a time in local[2]: the model is loaded at most twice for four files, then reused
        assertTrue(ModelPool.loads() >= 1 && ModelPool.loads() <= 2, "model loads: " + ModelPool.loads());
    }

    @Test
    @Order(2)
    void aReRunDoesNoWorkAndAChangedFileIsEncodedAgain() throws IOException {
        FileTime before = Files.getLastModifiedTime(out.resolve("a.siac"));
        EncodeJob.Summary again = EncodeJob.run(spark, corpus.toString(), out.toString(), model.toString(), settings(),
                false, 0, log());
        assertEquals(0, again.encoded());
        assertEquals(0, again.failed());
        assertEquals(4, again.skipped());
        assertEquals(before, Files.getLastModifiedTime(out.resolve("a.siac")));
        assertEquals(4, manifestRows().size());

        // new modification time: encoded again; other settings: everything again
        Files.setLastModifiedTime(corpus.resolve("b.wav"), FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        EncodeJob.Summary touched = EncodeJob.run(spark, corpus.toString(), out.toString(), model.toString(), settings(),
                false, 0, log());
        assertEquals(1, touched.encoded());
        assertEquals(3, touched.skipped());
        EncodeJob.Summary retried = EncodeJob.run(spark, corpus.toString(), out.toString(), model.toString(), settings(),
                true, 0, log());
        assertEquals(1, retried.failed(), "--retry-failed tries the broken file again");
        assertEquals(3, retried.skipped());
        assertEquals(4, manifestRows().size());
    }

    @Test
    @Order(3)
    void theEventsTableHasOneRowPerEventOfTheSiacFiles() throws IOException {
        Path table = dir.resolve("events.parquet");
        EventsJob.Summary s = EventsJob.run(spark, out.toString(), table.toString(), log());
        assertEquals(3, s.files());
        assertEquals(List.of(), s.errors());
        List<Row> rows = spark.read().parquet(table.toString()).collectAsList();
        Map<String, List<Row>> byFile = rows.stream().collect(Collectors.groupingBy(r -> r.getString(0)));
        long total = 0;
        for (String name : List.of("a.siac", "b.siac", "sub/c.siac")) {
            EventList list = SiacFormat.read(out.resolve(name));
            total += list.size();
            List<Row> mine = byFile.get(HadoopIO.qualify(out.resolve(name).toString(), spark.sparkContext().hadoopConfiguration()));
            assertNotNull(mine, name + " in " + byFile.keySet());
            assertEquals(list.size(), mine.size());
            mine = mine.stream().sorted((p, q) -> Integer.compare(p.getInt(1), q.getInt(1))).toList();
            for (int i = 0; i < list.size(); i++) {
                Event e = list.events().get(i);
                Row r = mine.get(i);
                assertEquals(i, r.getInt(1));
                assertEquals(e.time() / 22050.0, r.getDouble(2), 1e-12);
                assertEquals(e.time(), r.getLong(3));
                assertEquals(e.amplitude(), r.getFloat(4));
                List<Float> v = r.getList(5);
                float[] vv = new float[v.size()];
                for (int k = 0; k < vv.length; k++) vv[k] = v.get(k);
                assertArrayEquals(e.vector(), vv);
            }
        }
        assertEquals(total, rows.size());
        assertEquals(total, s.events());
        // and through Spark SQL
        spark.read().parquet(table.toString()).createOrReplaceTempView("events");
        assertEquals(32, spark.sql("SELECT max(size(vector)) FROM events").first().getInt(0));
    }

    @Test
    @Order(3)
    void anUnreadableSiacFileIsReportedAndLeftOutOfTheTable() throws IOException {
        Path run = Files.createDirectories(dir.resolve("damaged-run"));
        Files.copy(out.resolve("a.siac"), run.resolve("a.siac"));
        byte[] damaged = Files.readAllBytes(out.resolve("b.siac"));
        damaged[damaged.length / 2] ^= 0x55; // the CRC no longer matches
        Files.write(run.resolve("b.siac"), damaged);
        EventsJob.Summary s = EventsJob.run(spark, run.toString(), dir.resolve("damaged.parquet").toString(), log());
        assertEquals(2, s.files());
        assertEquals(1, s.errors().size(), s.errors().toString());
        assertTrue(s.errors().get(0).contains("b.siac"), s.errors().get(0));
        assertEquals(SiacFormat.read(out.resolve("a.siac")).size(), s.events());
    }

    @Test
    @Order(4)
    void theTablesReadInPyArrowWhereItIsInstalled() throws Exception {
        Process probe = new ProcessBuilder("python3", "-c", "import pyarrow").redirectErrorStream(true).start();
        Assumptions.assumeTrue(probe.waitFor() == 0, "python3 has no pyarrow here: the Parquet check from Python is skipped");
        String script = "import pyarrow.parquet as pq, sys\n"
                + "t = pq.read_table(sys.argv[1]); m = pq.read_table(sys.argv[2])\n"
                + "print(t.num_rows, len(t.column('vector')[0]), m.num_rows)\n";
        Process p = new ProcessBuilder("python3", "-c", script, dir.resolve("events.parquet").toString(),
                out.resolve(EncodeJob.MANIFEST).toString()).redirectErrorStream(true).start();
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), said);
        long events = spark.read().parquet(dir.resolve("events.parquet").toString()).count();
        assertEquals(events + " 32 4", said);
    }

    @Test
    @Order(5)
    void evalMeasuresEveryClipAsSiacEvalDoesAndReportsTheBadFile() throws Exception {
        Path report = dir.resolve("eval");
        EvalJob.Summary s = EvalJob.run(spark, corpus.toString(), report.toString(), model.toString(), settings(), 1.0,
                true, log());
        assertEquals(4, s.files());
        assertEquals(1, s.failedFiles());
        // 2.5 s files in 1 s clips: two clips each
        List<Row> rows = spark.read().parquet(report.resolve(EvalJob.TABLE).toString()).collectAsList();
        assertEquals(7, rows.size());
        Row bad = rows.stream().filter(r -> !r.isNullAt(r.fieldIndex("error"))).findFirst().orElseThrow();
        assertTrue(bad.getString(bad.fieldIndex("error")).contains("broken.wav"));
        for (Row r : rows) {
            if (!r.isNullAt(r.fieldIndex("error"))) continue;
            assertEquals("siac", r.getString(r.fieldIndex("codec")));
            double mel = r.getDouble(r.fieldIndex("mel_l1"));
            assertTrue(mel > 0 && mel < 10, "mel_l1 " + mel);
            assertTrue(r.getDouble(r.fieldIndex("kbps")) > 0);
            assertEquals(1.0, r.getDouble(r.fieldIndex("duration_s")), 1e-9);
            String file = r.getString(r.fieldIndex("file"));
            assertEquals(file.contains("/sub/") ? "sub" : "", r.getString(r.fieldIndex("group")));
        }
        for (String f : List.of(Evaluation.CSV, Evaluation.SUMMARY, Evaluation.PLOT)) assertTrue(Files.isRegularFile(report.resolve(f)), f);
        assertTrue(Files.readString(report.resolve(Evaluation.SUMMARY)).contains("broken.wav"));

        // the same numbers as the core's evaluation of the same clip on this machine
        Row a0 = rows.stream().filter(r -> r.getString(0).endsWith("a.wav@0-1s")).findFirst().orElseThrow();
        try (Siac siac = Siac.load(model)) {
            float[] x = Arrays.copyOf(AudioIO.read(corpus.resolve("a.wav")).samples(), 22050);
            Evaluation.Row direct = Evaluation.measure("a", "", new Signal(x, 22050),
                    new EvalJob.SiacCodec(siac, settings().options(siac), "siac"));
            assertEquals(direct.melL1(), a0.getDouble(a0.fieldIndex("mel_l1")), 1e-4);
            assertEquals(direct.kbps(), a0.getDouble(a0.fieldIndex("kbps")), 1e-9);
        }
        assertTrue(ModelPool.loads() <= 2, "model loads over all jobs: " + ModelPool.loads());
    }

    @Test
    @Order(6)
    void aNonLocalFileSystemGetsCopiesAndRenamesAndTheSameFiles() throws IOException {
        String scheme = SchemeFs.SCHEME + "://";
        Path remote = dir.resolve("remote-out");
        EncodeJob.Summary s = EncodeJob.run(spark, scheme + corpus, scheme + remote, scheme + model, settings(), false, 0, log());
        assertEquals(3, s.encoded(), LOG.toString());
        assertEquals(1, s.failed());
        for (String name : List.of("a.siac", "b.siac", "sub/c.siac")) {
            assertArrayEquals(Files.readAllBytes(out.resolve(name)), Files.readAllBytes(remote.resolve(name)), name);
        }
        assertTrue(s.entries().stream().allMatch(e -> e.path().startsWith(SchemeFs.SCHEME + ":")));
        try (Stream<Path> files = Files.walk(remote)) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList(), "temporaries left");
        }
        assertEquals(4, EncodeJob.run(spark, scheme + corpus, scheme + remote, scheme + model, settings(), false, 0, log()).skipped());
        Path report = dir.resolve("remote-eval");
        EvalJob.run(spark, scheme + corpus.resolve("a.wav"), scheme + report, scheme + model, settings(), null, false, log());
        assertTrue(Files.isRegularFile(report.resolve(Evaluation.SUMMARY)));
        try (Stream<Path> copies = Files.list(LocalDirs.root().resolve("inputs"))) {
            assertEquals(List.of(), copies.toList(), "local copies of remote inputs are deleted after use");
        }
    }

    @Test
    @Order(7)
    void mainRefusesBadUsageWithOneLine() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, Main.run(spark, new String[]{"encode", "--input", corpus.toString()}, System.out, e));
        assertTrue(err.toString().contains("--output is required"), err.toString());
        assertEquals(2, Main.run(spark, new String[]{"encode", "--input", "x", "--output", "y", "--precision", "q3"}, System.out, e));
        assertTrue(err.toString().contains("unknown precision"), err.toString());
        assertEquals(1, Main.run(spark, new String[]{"events", "--input", dir.resolve("nothing").toString(), "--output",
                dir.resolve("t").toString()}, System.out, e));
        assertTrue(err.toString().contains("no such file or directory"), err.toString());
        assertNull(null);
    }
}
