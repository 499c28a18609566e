package dev.siac.spark;

import static dev.siac.io.Messages.oneLine;

import dev.siac.codec.Codec;
import dev.siac.codec.SiacFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code encode}: every audio file of --input to a .siac file under --output (same relative path), one task per file,
 * and the manifest table {@code OUTPUT/manifest.parquet}. A file that cannot be encoded becomes a row with its error; a
 * file whose row says it was done (by the same model and settings, from the same length and modification time, and
 * whose .siac is still there) is not encoded again.
 */
final class EncodeJob {
    static final String MANIFEST = "manifest.parquet";

    static final StructType SCHEMA = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("output_path", DataTypes.StringType, false)
            .add("model_id", DataTypes.StringType, false)
            .add("settings", DataTypes.StringType, false)
            .add("input_bytes", DataTypes.LongType, false)
            .add("input_modified_ms", DataTypes.LongType, false)
            .add("duration_s", DataTypes.DoubleType, true)
            .add("events", DataTypes.IntegerType, true)
            .add("bytes", DataTypes.LongType, true)
            .add("kbps", DataTypes.DoubleType, true)
            .add("energy_removed", DataTypes.DoubleType, true)
            .add("encode_seconds", DataTypes.DoubleType, false)
            .add("error", DataTypes.StringType, true);

    /** One manifest row; the measurements are null when error is not. */
    record Entry(String path, String outputPath, String modelId, String settings, long inputBytes, long inputModifiedMs,
                 Double durationS, Integer events, Long bytes, Double kbps, Double energyRemoved, double encodeSeconds,
                 String error) implements Serializable {
        Row toRow() {
            return RowFactory.create(path, outputPath, modelId, settings, inputBytes, inputModifiedMs, durationS, events,
                    bytes, kbps, energyRemoved, encodeSeconds, error);
        }

        static Entry of(Row r) {
            return new Entry(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getLong(4), r.getLong(5),
                    r.isNullAt(6) ? null : r.getDouble(6), r.isNullAt(7) ? null : r.getInt(7),
                    r.isNullAt(8) ? null : r.getLong(8), r.isNullAt(9) ? null : r.getDouble(9),
                    r.isNullAt(10) ? null : r.getDouble(10), r.getDouble(11), r.isNullAt(12) ? null : r.getString(12));
        }
    }

    /** What a run did. */
    record Summary(int files, int encoded, int failed, int skipped, double audioSeconds, double wallSeconds,
                   String manifest, List<Entry> entries) {
        String text() {
            return String.format(Locale.ROOT, "encode: %d files: %d encoded (%.1f s of audio, %.1f x real time), %d failed,"
                    + " %d skipped (already done); %.1f s; manifest %s", files, encoded, audioSeconds,
                    wallSeconds > 0 ? audioSeconds / wallSeconds : 0, failed, skipped, wallSeconds, manifest);
        }
    }

    /** One file's work, sent to a task. */
    record Work(String path, String outputPath, long inputBytes, long inputModifiedMs) implements Serializable {
    }

    private EncodeJob() {
    }

    static Summary run(SparkSession spark, String input, String output, String model, CodecSettings settings,
                       boolean retryFailed, int partitions, PrintStream log) throws IOException {
        long t0 = System.nanoTime();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        String modelRef = model == null ? ModelPool.BUNDLED : HadoopIO.qualify(model, conf);
        String modelId = ModelPool.modelId(modelRef, conf);
        String outDir = HadoopIO.qualify(output, conf);
        Path outPath = new Path(outDir);
        FileSystem outFs = outPath.getFileSystem(conf);
        outFs.mkdirs(outPath);

        List<Inputs.File> files = Inputs.list(input, Inputs.AUDIO, conf);
        Map<String, String> outputs = Inputs.outputs(files, outDir);
        Map<String, Entry> previous = readManifest(spark, new Path(outPath, MANIFEST));
        Set<String> present = siacFiles(outFs, outPath);

        Map<String, Entry> manifest = new LinkedHashMap<>(previous);
        List<Work> todo = new ArrayList<>();
        int skipped = 0;
        for (Inputs.File f : files) {
            String out = outputs.get(f.path());
            Entry before = previous.get(f.path());
            boolean done = before != null && before.modelId().equals(modelId) && before.settings().equals(settings.toString())
                    && before.inputBytes() == f.length() && before.inputModifiedMs() == f.modified()
                    && before.outputPath().equals(out)
                    && (before.error() == null ? present.contains(out) : !retryFailed);
            if (done) skipped++;
            else todo.add(new Work(f.path(), out, f.length(), f.modified()));
        }
        log.printf(Locale.ROOT, "encode: %d files under %s; %d to encode, %d already done; model %s (%s)%n",
                files.size(), input, todo.size(), skipped, modelId.substring(0, 12),
                modelRef.equals(ModelPool.BUNDLED) ? "bundled default" : modelRef);

        List<Entry> results = List.of();
        if (!todo.isEmpty()) {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Broadcast<HadoopIO.Conf> bconf = jsc.broadcast(new HadoopIO.Conf(conf));
            // one file per task by default: files differ in length by orders of magnitude, small tasks balance them
            int slices = Math.max(1, partitions > 0 ? Math.min(partitions, todo.size()) : todo.size());
            results = jsc.parallelize(todo, slices)
                    .mapPartitions(works -> encodePartition(works, modelRef, modelId, settings, bconf.value().get()))
                    .collect();
        }
        int encoded = 0, failed = 0;
        double audio = 0;
        for (Entry e : results) {
            manifest.put(e.path(), e);
            if (e.error() == null) {
                encoded++;
                audio += e.durationS();
            } else {
                failed++;
                log.println("encode: failed: " + e.error());
            }
        }
        String manifestPath = outDir + "/" + MANIFEST;
        if (!results.isEmpty() || previous.isEmpty()) writeManifest(spark, new ArrayList<>(manifest.values()), new Path(outPath, MANIFEST));
        return new Summary(files.size(), encoded, failed, skipped, audio, (System.nanoTime() - t0) / 1e9, manifestPath,
                List.copyOf(manifest.values()));
    }

    /** Runs in a task: borrows the executor's model once for the partition and encodes each file. */
    private static Iterator<Entry> encodePartition(Iterator<Work> works, String modelRef, String modelId,
                                                   CodecSettings settings, Configuration conf) throws IOException {
        if (!works.hasNext()) return Collections.emptyIterator();
        List<Entry> out = new ArrayList<>();
        try (ModelPool.Lease lease = ModelPool.borrow(modelRef, conf)) {
            if (!lease.siac.modelId().equals(modelId)) {
                throw new IOException(modelRef + ": this executor's copy of the model is " + lease.siac.modelId().substring(0, 12)
                        + ", the driver's " + modelId.substring(0, 12));
            }
            Codec.Options options = settings.options(lease.siac);
            while (works.hasNext()) out.add(encodeOne(works.next(), lease, options, modelId, settings.toString(), conf));
        }
        return out.iterator();
    }

    private static Entry encodeOne(Work w, ModelPool.Lease lease, Codec.Options options, String modelId, String settings,
                                   Configuration conf) {
        long t0 = System.nanoTime();
        try (HadoopIO.LocalFile local = HadoopIO.localCopy(w.path(), conf)) {
            Codec.Result r = lease.siac.encode(local.path, options, null);
            byte[] bytes = SiacFormat.toBytes(r.events());
            HadoopIO.writeAtomically(w.outputPath(), bytes, conf);
            double duration = r.events().durationSeconds();
            double kbps = duration > 0 ? 8.0 * bytes.length / duration / 1000.0 : Double.NaN;
            return new Entry(w.path(), w.outputPath(), modelId, settings, w.inputBytes(), w.inputModifiedMs(), duration,
                    r.events().size(), (long) bytes.length, kbps, r.energyRemoved(), (System.nanoTime() - t0) / 1e9, null);
        } catch (Exception | StackOverflowError e) {
            String msg = oneLine(e);
            if (!msg.contains(w.path()) && !msg.contains(new Path(w.path()).getName())) msg = w.path() + ": " + msg;
            return new Entry(w.path(), w.outputPath(), modelId, settings, w.inputBytes(), w.inputModifiedMs(), null, null,
                    null, null, null, (System.nanoTime() - t0) / 1e9, msg);
        }
    }

    static Map<String, Entry> readManifest(SparkSession spark, Path manifest) throws IOException {
        Map<String, Entry> out = new LinkedHashMap<>();
        if (!manifest.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(manifest)) return out;
        for (Row r : spark.read().schema(SCHEMA).parquet(manifest.toString()).collectAsList()) {
            Entry e = Entry.of(r);
            out.put(e.path(), e);
        }
        return out;
    }

    private static void writeManifest(SparkSession spark, List<Entry> entries, Path target) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (Entry e : entries) rows.add(e.toRow());
        Path tmp = new Path(target.getParent(), "." + target.getName() + ".tmp-" + System.nanoTime());
        Dataset<Row> df = spark.createDataFrame(rows, SCHEMA).coalesce(1);
        df.write().parquet(tmp.toString());
        HadoopIO.replaceDirectory(tmp, target, spark.sparkContext().hadoopConfiguration());
    }

    private static Set<String> siacFiles(FileSystem fs, Path dir) throws IOException {
        Set<String> out = new HashSet<>();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
        while (it.hasNext()) {
            LocatedFileStatus f = it.next();
            if (f.isFile() && f.getPath().getName().endsWith(".siac")) out.add(f.getPath().toString());
        }
        return out;
    }
}
