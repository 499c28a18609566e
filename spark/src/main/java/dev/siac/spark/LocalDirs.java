package dev.siac.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where an executor keeps what it unpacks: libtorch (DJL's engine cache), model copies and input copies. On local
 * disk: a home directory on a cluster is often a network mount, slow to load libtorch (hundreds of MB) from and shared
 * between nodes. SIAC_LOCAL_DIR (environment or system property) chooses it; else java.io.tmpdir, which Spark sets to
 * a container's own directory on YARN and Kubernetes.
 */
final class LocalDirs {
    private static volatile Path root;

    private LocalDirs() {
    }

    static Path root() {
        Path r = root;
        if (r != null) return r;
        synchronized (LocalDirs.class) {
            if (root == null) {
                String configured = System.getProperty("SIAC_LOCAL_DIR", System.getenv("SIAC_LOCAL_DIR"));
                Path dir = configured != null && !configured.isBlank() ? Path.of(configured)
                        : Path.of(System.getProperty("java.io.tmpdir"), "siac-spark-" + System.getProperty("user.name", "user"));
                try {
                    Files.createDirectories(dir.resolve("inputs"));
                    Files.createDirectories(dir.resolve("models"));
                } catch (IOException e) {
                    throw new UncheckedIOException("siac-spark: cannot create its local directory " + dir, e);
                }
                root = dir;
            }
            return root;
        }
    }

    /**
     * Points DJL's caches (the unpacked libtorch among them) at local disk unless the user chose a place; must run
     * before the engine is first touched in this JVM.
     */
    static void configureDjl() {
        if (System.getProperty("ENGINE_CACHE_DIR") == null && System.getenv("ENGINE_CACHE_DIR") == null) {
            System.setProperty("ENGINE_CACHE_DIR", root().resolve("djl-engine").toString());
        }
        if (System.getProperty("DJL_CACHE_DIR") == null && System.getenv("DJL_CACHE_DIR") == null) {
            System.setProperty("DJL_CACHE_DIR", root().resolve("djl").toString());
        }
        // the shaded jar holds libtorch: never try to download one on a cluster node
        if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
    }
}
