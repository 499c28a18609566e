package dev.siac.spark;

import static dev.siac.io.Messages.oneLine;

import dev.siac.codec.Event;
import dev.siac.codec.EventList;
import dev.siac.codec.SiacFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;

/**
 * {@code events}: the .siac files of a run (or any directory or glob of them) as one Parquet table, one row per event.
 * Reading a .siac file needs no model and no native engine (the container is libtorch-free), so this step runs on any
 * Spark cluster as plain JVM work.
 */
final class EventsJob {
    static final StructType SCHEMA = new StructType()
            .add("file", DataTypes.StringType, false)              // = output_path of the encode manifest
            .add("index", DataTypes.IntegerType, false)            // the event's place in its file (time order)
            .add("time", DataTypes.DoubleType, false)              // seconds
            .add("time_samples", DataTypes.LongType, false)        // at the file's sample rate
            .add("amplitude", DataTypes.FloatType, false)
            .add("vector", DataTypes.createArrayType(DataTypes.FloatType, false), false);

    record Summary(int files, long events, List<String> errors, String table) {
        String text() {
            return String.format(Locale.ROOT, "events: %d events from %d .siac files -> %s%s", events, files, table,
                    errors.isEmpty() ? "" : "; " + errors.size() + " files could not be read: " + String.join("; ", errors));
        }
    }

    private EventsJob() {
    }

    static Summary run(SparkSession spark, String input, String output, PrintStream log) throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        List<Inputs.File> files = Inputs.list(input, Inputs.SIAC, conf);
        List<String> paths = new ArrayList<>();
        for (Inputs.File f : files) paths.add(f.path());
        log.printf(Locale.ROOT, "events: %d .siac files under %s%n", paths.size(), input);
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<HadoopIO.Conf> bconf = jsc.broadcast(new HadoopIO.Conf(conf));
        CollectionAccumulator<String> errors = spark.sparkContext().collectionAccumulator("siac unreadable files");
        int slices = Math.max(1, Math.min(paths.size(), spark.sparkContext().defaultParallelism() * 4));
        JavaRDD<Row> rows = jsc.parallelize(paths, slices).flatMap(path -> {
            EventList list;
            try {
                list = SiacFormat.fromBytes(HadoopIO.readAll(path, bconf.value().get(), SiacFormat.MAX_FILE_BYTES), path);
            } catch (IOException e) {
                errors.add(oneLine(e));
                return List.<Row>of().iterator();
            }
            List<Row> out = new ArrayList<>(list.size());
            int i = 0;
            for (Event e : list.events()) {
                Float[] v = new Float[e.vector().length];
                for (int k = 0; k < v.length; k++) v[k] = e.vector()[k];
                out.add(RowFactory.create(path, i++, list.seconds(e.time()), e.time(), e.amplitude(), v));
            }
            return out.iterator();
        });
        String table = HadoopIO.qualify(output, conf);
        spark.createDataFrame(rows, SCHEMA).write().mode(SaveMode.Overwrite).parquet(table);
        long events = spark.read().parquet(table).count(); // from the files' footers: what the table really holds
        // a retried task adds its errors again
        return new Summary(paths.size(), events, List.copyOf(new java.util.TreeSet<>(errors.value())), table);
    }
}
