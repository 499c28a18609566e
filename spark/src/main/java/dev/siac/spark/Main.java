package dev.siac.spark;

import static dev.siac.io.Messages.oneLine;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * siac on Apache Spark: {@code encode}, {@code events} and {@code eval} over a corpus on any Hadoop file system.
 * Runs under spark-submit on a cluster, or on its own in local mode when no master is set (spark/siac-spark).
 */
public final class Main {
    static final String USAGE = String.join("\n",
            "usage: siac-spark COMMAND OPTIONS",
            "  encode --input DIR|GLOB|FILE --output DIR [--model DIR] [--precision f32|f16|q8|q4]",
            "         [--max-events-per-window N] [--refine K] [--kbps R] [--merge-twins COS] [--partitions N]",
            "         [--retry-failed]",
            "         one .siac per audio file (same relative path below DIR) and DIR/manifest.parquet; files already",
            "         done (same model, settings, length and modification time) are skipped",
            "  events --input RUN_DIR|GLOB --output TABLE_DIR",
            "         the .siac files as one Parquet table, one row per event (file, index, time, time_samples,",
            "         amplitude, vector)",
            "  eval   --input DIR|GLOB|FILE --output DIR [--model DIR] [--precision P] [--max-events-per-window N]",
            "         [--refine K] [--clip-seconds S] [--group-by-directory]",
            "         siac eval's metrics: DIR/results.parquet (one row per clip) and results.csv, summary.md, the plot",
            "Paths may be on any Hadoop file system (hdfs://, s3a://, file:). --model defaults to the bundled model.",
            "Without a master (no spark-submit, no -Dspark.master) it runs in local mode on all cores.");

    private static final Set<String> FLAGS = Set.of("retry-failed", "group-by-directory", "help");

    private Main() {
    }

    public static void main(String[] args) {
        int rc;
        if (args.length == 0 || List.of("-h", "--help", "help").contains(args[0])) {
            System.out.println(USAGE);
            rc = args.length == 0 ? 2 : 0;
        } else {
            SparkConf conf = new SparkConf().setAppName("siac " + args[0]);
            boolean standalone = !conf.contains("spark.master");
            if (standalone) {
                // a laptop run: all cores, loopback only, no web UI
                conf.setMaster("local[*]").setIfMissing("spark.driver.host", "127.0.0.1")
                        .setIfMissing("spark.driver.bindAddress", "127.0.0.1").setIfMissing("spark.ui.enabled", "false");
            }
            SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
            if (standalone) spark.sparkContext().setLogLevel("WARN");
            try {
                rc = run(spark, args, System.out, System.err);
            } finally {
                spark.stop();
            }
        }
        if (rc != 0) System.exit(rc);
    }

    /** Runs one command on a session; 0 = done, 1 = the job failed, 2 = bad usage. Messages go to err, summaries to out. */
    static int run(SparkSession spark, String[] args, PrintStream out, PrintStream err) {
        Map<String, String> o;
        try {
            o = options(args);
        } catch (IllegalArgumentException e) {
            err.println("siac-spark: " + oneLine(e));
            err.println(USAGE);
            return 2;
        }
        try {
            String command = args[0];
            switch (command) {
                case "encode" -> {
                    allow(o, "input", "output", "model", "precision", "max-events-per-window", "refine", "kbps", "merge-twins",
                            "partitions", "retry-failed");
                    out.println(EncodeJob.run(spark, required(o, "input"), required(o, "output"), o.get("model"), settings(o),
                            o.containsKey("retry-failed"), integer(o, "partitions", 0), err).text());
                }
                case "events" -> {
                    allow(o, "input", "output");
                    out.println(EventsJob.run(spark, required(o, "input"), required(o, "output"), err).text());
                }
                case "eval" -> {
                    allow(o, "input", "output", "model", "precision", "max-events-per-window", "refine", "clip-seconds",
                            "group-by-directory");
                    Double clip = o.containsKey("clip-seconds") ? Double.valueOf(o.get("clip-seconds")) : null;
                    out.println(EvalJob.run(spark, required(o, "input"), required(o, "output"), o.get("model"), settings(o),
                            clip, o.containsKey("group-by-directory"), err).text());
                }
                default -> throw new IllegalArgumentException("unknown command '" + command + "' (encode, events or eval)");
            }
            return 0;
        } catch (IllegalArgumentException e) {
            err.println("siac-spark: " + oneLine(e));
            return 2;
        } catch (Exception e) {
            err.println("siac-spark: " + oneLine(e));
            return 1;
        }
    }

    private static CodecSettings settings(Map<String, String> o) {
        return new CodecSettings(o.get("precision"),
                o.containsKey("max-events-per-window") ? integer(o, "max-events-per-window", 0) : null, integer(o, "refine", 0),
                o.containsKey("kbps") ? number(o, "kbps") : null, o.containsKey("merge-twins") ? number(o, "merge-twins") : null);
    }

    private static double number(Map<String, String> o, String name) {
        try {
            return Double.parseDouble(o.get(name));
        } catch (NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException("--" + name + " needs a number, got " + o.get(name));
        }
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + a + "'");
            String name = a.substring(2), value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (!FLAGS.contains(name)) {
                if (i + 1 >= args.length) throw new IllegalArgumentException("--" + name + " needs a value");
                value = args[++i];
            }
            if (o.put(name, value == null ? "" : value) != null) throw new IllegalArgumentException("--" + name + " given twice");
        }
        return o;
    }

    private static void allow(Map<String, String> o, String... names) {
        Set<String> ok = Set.of(names);
        for (String k : o.keySet()) if (!ok.contains(k)) throw new IllegalArgumentException("unknown option --" + k);
    }

    private static String required(Map<String, String> o, String name) {
        String v = o.get(name);
        if (v == null || v.isBlank()) throw new IllegalArgumentException("--" + name + " is required");
        return v;
    }

    private static int integer(Map<String, String> o, String name, int absent) {
        String v = o.get(name);
        if (v == null) return absent;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, got '" + v + "'");
        }
    }
}
