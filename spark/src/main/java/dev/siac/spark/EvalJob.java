package dev.siac.spark;

import static dev.siac.io.Messages.oneLine;

import dev.siac.Siac;
import dev.siac.audio.AudioIO;
import dev.siac.audio.Signal;
import dev.siac.codec.Codec;
import dev.siac.codec.EventList;
import dev.siac.codec.SiacFormat;
import dev.siac.eval.ClipCodec;
import dev.siac.eval.ClipSet;
import dev.siac.eval.Evaluation;
import dev.siac.eval.Metrics;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Serializable;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code eval}: siac's metrics (docs/METRICS.md, computed by the core's {@link Evaluation#measure}, so the same numbers
 * as {@code siac eval}) over a corpus, one task per file: {@code OUTPUT/results.parquet} (one row per clip, the columns
 * of results.csv, plus the file and an error) and, beside it, the report {@code siac eval} writes (results.csv,
 * summary.md, quality_vs_bitrate.png) over the clips that could be measured.
 */
final class EvalJob {
    static final String TABLE = "results.parquet";

    record Measured(String clip, String group, String codec, String file, double durationS, double melL1, double stftDist,
                    double siSdr, double snr, double kbps, double eventsPerSecond, double energyRemoved, double redundancy,
                    double encodeRtf, double decodeRtf, double[] levelDb, String error) implements Serializable {
        static Measured of(Evaluation.Row r, String file) {
            return new Measured(r.clip(), r.group(), r.codec(), file, r.durationSeconds(), r.melL1(), r.stftDist(),
                    r.siSdr(), r.snr(), r.kbps(), r.eventsPerSecond(), r.energyRemoved(), r.redundancy(), r.encodeRtf(),
                    r.decodeRtf(), r.levelDb(), null);
        }

        static Measured failed(String file, String group, String codec, String error) {
            return new Measured(file, group, codec, file, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                    Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, null, error);
        }

        Evaluation.Row row() {
            return new Evaluation.Row(clip, group, codec, durationS, melL1, stftDist, siSdr, snr, kbps, eventsPerSecond,
                    energyRemoved, redundancy, encodeRtf, decodeRtf, levelDb);
        }

        Row toRow() {
            List<Object> v = new ArrayList<>(List.of(clip, group, codec, file));
            boolean ok = error == null;
            for (double d : new double[]{durationS, kbps, eventsPerSecond, melL1, stftDist, siSdr, snr, energyRemoved,
                    redundancy, encodeRtf, decodeRtf}) v.add(ok ? d : null);
            for (int b = 0; b < Metrics.OCTAVE_BANDS_HZ.size(); b++) v.add(ok ? levelDb[b] : null);
            v.add(ok ? Metrics.maxAbsLevelDb(levelDb) : null);
            v.add(error);
            return RowFactory.create(v.toArray());
        }
    }

    static final StructType SCHEMA = schema();

    private static StructType schema() {
        StructType s = new StructType().add("clip", DataTypes.StringType, false).add("group", DataTypes.StringType, false)
                .add("codec", DataTypes.StringType, false).add("file", DataTypes.StringType, false);
        for (String c : List.of("duration_s", "kbps", "events_per_s", "mel_l1", "stft_dist", "si_sdr_db", "snr_db",
                "energy_removed", "redundancy", "encode_rtf", "decode_rtf")) s = s.add(c, DataTypes.DoubleType, true);
        for (int hz : Metrics.OCTAVE_BANDS_HZ) s = s.add("level_db_" + hz, DataTypes.DoubleType, true);
        return s.add("max_abs_level_db", DataTypes.DoubleType, true).add("error", DataTypes.StringType, true);
    }

    record Summary(int files, List<Measured> rows, int failedFiles, String table, String report) {
        String text() {
            long ok = rows.stream().filter(r -> r.error() == null).count();
            double mel = rows.stream().filter(r -> r.error() == null).mapToDouble(Measured::melL1).average().orElse(Double.NaN);
            double kbps = rows.stream().filter(r -> r.error() == null).mapToDouble(Measured::kbps).average().orElse(Double.NaN);
            return String.format(Locale.ROOT, "eval: %d clips measured from %d files (%d files failed): mean mel_l1 %.4f,"
                    + " mean kbps %.2f; table %s, report %s", ok, files, failedFiles, mel, kbps, table, report);
        }
    }

    private EvalJob() {
    }

    static Summary run(SparkSession spark, String input, String output, String model, CodecSettings settings,
                       Double clipSeconds, boolean groupByDirectory, PrintStream log) throws IOException {
        if (clipSeconds != null && !(clipSeconds > 0 && clipSeconds < 1e6)) {
            throw new IllegalArgumentException("--clip-seconds must be a positive number, got " + clipSeconds);
        }
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        String modelRef = model == null ? ModelPool.BUNDLED : HadoopIO.qualify(model, conf);
        ModelPool.modelId(modelRef, conf); // a wrong --model fails here, on the driver, with one message
        List<Inputs.File> files = Inputs.list(input, Inputs.AUDIO, conf);
        log.printf(Locale.ROOT, "eval: %d files under %s, %s%n", files.size(), input,
                clipSeconds == null ? "whole files" : "clips of " + clipSeconds + " s");
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<HadoopIO.Conf> bconf = jsc.broadcast(new HadoopIO.Conf(conf));
        List<Measured> rows = files.isEmpty() ? List.of() : jsc.parallelize(files, files.size())
                .mapPartitions(fs -> evalPartition(fs, modelRef, settings, clipSeconds, groupByDirectory, bconf.value().get()))
                .collect();

        String outDir = HadoopIO.qualify(output, conf);
        String table = outDir + "/" + TABLE;
        List<Row> out = new ArrayList<>();
        for (Measured m : rows) out.add(m.toRow());
        spark.createDataFrame(out, SCHEMA).coalesce(1).write().mode(SaveMode.Overwrite).parquet(table);

        List<Evaluation.Row> good = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (Measured m : rows) {
            if (m.error() == null) good.add(m.row());
            else failed.add("not measured: " + m.error());
        }
        for (String f : failed) log.println("eval: " + f);
        if (!good.isEmpty()) writeReport(good, failed, outDir, conf, log);
        return new Summary(files.size(), rows, failed.size(), table, outDir + "/" + Evaluation.SUMMARY);
    }

    /** The report of siac eval, written by its own code; on a remote file system through a local directory. */
    private static void writeReport(List<Evaluation.Row> rows, List<String> failed, String outDir, Configuration conf,
                                    PrintStream log) throws IOException {
        PrintWriter progress = new PrintWriter(log, true);
        Evaluation report = new Evaluation(List.of(), failed, progress);
        if (HadoopIO.isLocal(outDir)) {
            report.write(rows, HadoopIO.local(outDir));
            return;
        }
        java.nio.file.Path tmp = Files.createTempDirectory(LocalDirs.root(), "report-");
        report.write(rows, tmp);
        FileSystem fs = new Path(outDir).getFileSystem(conf);
        for (String name : List.of(Evaluation.CSV, Evaluation.SUMMARY, Evaluation.PLOT)) {
            java.nio.file.Path f = tmp.resolve(name);
            HadoopIO.writeAtomically(outDir + "/" + name, Files.readAllBytes(f), conf);
            Files.delete(f);
        }
        Files.delete(tmp);
    }

    private static Iterator<Measured> evalPartition(Iterator<Inputs.File> files, String modelRef, CodecSettings settings,
                                                    Double clipSeconds, boolean groupByDirectory, Configuration conf)
            throws IOException {
        if (!files.hasNext()) return Collections.emptyIterator();
        List<Measured> out = new ArrayList<>();
        try (ModelPool.Lease lease = ModelPool.borrow(modelRef, conf)) {
            ClipCodec codec = new SiacCodec(lease.siac, settings.options(lease.siac), settings.codecName());
            while (files.hasNext()) {
                Inputs.File f = files.next();
                String group = groupByDirectory ? f.topDirectory() : "";
                List<Measured> mine = new ArrayList<>();
                try (HadoopIO.LocalFile local = HadoopIO.localCopy(f.path(), conf)) {
                    List<Evaluation.Clip> clips = clipSeconds == null
                            ? List.of(new Evaluation.Clip(f.path(), group, () -> AudioIO.read(local.path)))
                            : ClipSet.cut(List.of(new ClipSet.Source(local.path, f.path(), group)), clipSeconds, 0).clips();
                    for (Evaluation.Clip clip : clips) {
                        Signal x = clip.source().load();
                        if (x.length() == 0) throw new IOException(f.path() + ": clip has no samples");
                        mine.add(Measured.of(Evaluation.measure(clip.name(), clip.group(), x, codec), f.path()));
                    }
                } catch (Exception | StackOverflowError e) {
                    String msg = oneLine(e);
                    if (!msg.contains(f.path()) && !msg.contains(new Path(f.path()).getName())) msg = f.path() + ": " + msg;
                    mine = List.of(Measured.failed(f.path(), group, codec.name(), msg));
                }
                out.addAll(mine);
            }
        }
        return out.iterator();
    }

    /** siac as siac eval measures it (the CLI's SiacClipCodec): encode to bytes, read them back, decode. */
    record SiacCodec(Siac siac, Codec.Options options, String name) implements ClipCodec {
        @Override
        public CodecResult run(Signal clip) throws Exception {
            long t0 = System.nanoTime();
            Codec.Result r = siac.encode(clip.samples(), options);
            byte[] bytes = SiacFormat.toBytes(r.events());
            double enc = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            EventList back = SiacFormat.fromBytes(bytes, "siac");
            float[] y = siac.decode(back);
            double dec = (System.nanoTime() - t1) / 1e9;
            return new CodecResult(new Signal(y, clip.sampleRate()), bytes.length, back.size(), r.energyRemoved(), enc,
                    dec, back);
        }
    }
}
