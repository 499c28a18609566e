package dev.siac.spark;

import ai.djl.pytorch.jni.JniUtils;
import dev.siac.Siac;
import dev.siac.model.Models;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;

/**
 * The models of one JVM (an executor, or the driver in local mode), held in a static map keyed by the model reference,
 * loaded lazily on first use and kept for every later task of the JVM. A {@link Siac} serves one thread at a time, so
 * a JVM that runs k tasks at once holds at most k instances of a model; with one task per executor
 * ({@code spark.task.cpus} = {@code spark.executor.cores}, the recommended setting) that is one per executor, and
 * libtorch's intra-op threads then use all its cores.
 */
final class ModelPool {
    /** The model bundled in the jar (models/default of the repository). */
    static final String BUNDLED = "bundled:default";
    private static final String BUNDLED_RESOURCE = "/dev/siac/spark/default-model/";
    private static final List<String> MODEL_FILES = List.of(Models.CONFIG, Models.WEIGHTS);

    private static final Map<String, ModelPool> POOLS = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private final String ref;
    private final Configuration conf;
    private final Deque<Siac> idle = new ArrayDeque<>();
    private java.nio.file.Path localDir;

    private ModelPool(String ref, Configuration conf) {
        this.ref = ref;
        this.conf = conf;
    }

    /** One borrowed model; {@link #close} gives it back to the pool for the next task. */
    static final class Lease implements AutoCloseable {
        private final ModelPool pool;
        final Siac siac;

        private Lease(ModelPool pool, Siac siac) {
            this.pool = pool;
            this.siac = siac;
        }

        @Override
        public void close() {
            synchronized (pool) {
                pool.idle.push(siac);
            }
        }
    }

    /**
     * A model for the calling task thread, which is also set up for inference: gradient recording off (libtorch's
     * grad mode is per thread, and on by default in a new one) and intra-op threads = the task's cpus.
     */
    static Lease borrow(String ref, Configuration conf) throws IOException {
        ModelPool pool = POOLS.computeIfAbsent(ref, r -> new ModelPool(r, conf));
        Siac siac;
        synchronized (pool) {
            siac = pool.idle.poll();
            if (siac == null) siac = pool.load();
        }
        TaskContext task = TaskContext.get();
        JniUtils.setNumThreads(task == null ? Math.max(1, Runtime.getRuntime().availableProcessors()) : Math.max(1, task.cpus()));
        JniUtils.setGradMode(false);
        return new Lease(pool, siac);
    }

    /** How many times this JVM loaded a model (tests check that executors reuse them). */
    static int loads() {
        return LOADS.get();
    }

    private Siac load() throws IOException {
        if (localDir == null) localDir = localize(ref, conf);
        LocalDirs.configureDjl();
        Siac s = Siac.load(localDir);
        LOADS.incrementAndGet();
        return s;
    }

    /** The model id (SHA-256 of the weights) the files at ref have; reads no tensors and starts no engine. */
    static String modelId(String ref, Configuration conf) throws IOException {
        return Models.modelId(localize(ref, conf));
    }

    /**
     * A local directory holding the model: a local path as it is; the bundled model or one on another file system
     * (hdfs:, s3a:, ...) copied once per JVM to local disk.
     */
    static synchronized java.nio.file.Path localize(String ref, Configuration conf) throws IOException {
        if (!ref.equals(BUNDLED) && HadoopIO.isLocal(ref)) {
            java.nio.file.Path dir = HadoopIO.local(ref);
            if (!Files.isRegularFile(dir.resolve(Models.CONFIG))) {
                throw new IOException(ref + ": not a siac model directory (no " + Models.CONFIG + ")");
            }
            return dir;
        }
        java.nio.file.Path dir = COPIES.get(ref);
        if (dir != null) return dir;
        dir = Files.createTempDirectory(LocalDirs.root().resolve("models"), "model-");
        for (String name : MODEL_FILES) {
            java.nio.file.Path target = dir.resolve(name);
            if (ref.equals(BUNDLED)) {
                try (InputStream in = ModelPool.class.getResourceAsStream(BUNDLED_RESOURCE + name)) {
                    if (in == null) throw new IOException("the jar holds no bundled model (" + BUNDLED_RESOURCE + name + "): pass --model");
                    Files.copy(in, target);
                }
            } else {
                Path src = new Path(ref, name);
                FileSystem fs = src.getFileSystem(conf);
                if (!fs.exists(src)) throw new IOException(ref + ": not a siac model directory (no " + name + ")");
                try (InputStream in = fs.open(src); OutputStream out = Files.newOutputStream(target)) {
                    in.transferTo(out);
                }
            }
        }
        COPIES.put(ref, dir);
        return dir;
    }

    private static final Map<String, java.nio.file.Path> COPIES = new ConcurrentHashMap<>();
}
