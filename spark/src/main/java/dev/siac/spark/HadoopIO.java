package dev.siac.spark;

import dev.siac.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Files on any Hadoop file system, with the local one (file:) taken directly: the core reads and writes
 * java.nio paths, so a local input is used where it lies and a remote one is copied to local disk first.
 */
final class HadoopIO {
    private HadoopIO() {
    }

    /** A Hadoop configuration that travels to executors (Configuration itself is not Serializable). */
    static final class Conf implements Serializable {
        private static final long serialVersionUID = 1L;
        private transient Configuration conf;

        Conf(Configuration conf) {
            this.conf = conf;
        }

        Configuration get() {
            return conf;
        }

        private void writeObject(ObjectOutputStream out) throws IOException {
            out.defaultWriteObject();
            conf.write(out);
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            conf = new Configuration(false);
            conf.readFields(in);
        }
    }

    static boolean isLocal(String path) {
        String scheme = new Path(path).toUri().getScheme();
        return scheme == null || scheme.equals("file");
    }

    static java.nio.file.Path local(String path) {
        URI u = new Path(path).toUri();
        return u.getScheme() == null ? java.nio.file.Path.of(u.getPath()) : java.nio.file.Path.of(u);
    }

    /** Fully qualified (scheme and authority), so that the driver and every executor mean the same file. */
    static String qualify(String path, Configuration conf) throws IOException {
        Path p = new Path(path);
        return p.getFileSystem(conf).makeQualified(p).toString();
    }

    /** A local copy of a file for the duration of a use; deletes the copy, never the original. */
    static final class LocalFile implements AutoCloseable {
        final java.nio.file.Path path;
        private final boolean temporary;

        private LocalFile(java.nio.file.Path path, boolean temporary) {
            this.path = path;
            this.temporary = temporary;
        }

        @Override
        public void close() throws IOException {
            if (temporary) Files.deleteIfExists(path);
        }
    }

    static LocalFile localCopy(String path, Configuration conf) throws IOException {
        if (isLocal(path)) return new LocalFile(local(path), false);
        Path src = new Path(path);
        String name = src.getName();
        int dot = name.lastIndexOf('.');
        // the extension stays: it is how a reader picks the format of a headerless stream
        java.nio.file.Path tmp = Files.createTempFile(LocalDirs.root().resolve("inputs"), "in-", dot < 0 ? "" : name.substring(dot));
        try (InputStream in = src.getFileSystem(conf).open(src); OutputStream out = Files.newOutputStream(tmp)) {
            in.transferTo(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return new LocalFile(tmp, true);
    }

    static byte[] readAll(String path, Configuration conf, long maxBytes) throws IOException {
        Path p = new Path(path);
        FileSystem fs = p.getFileSystem(conf);
        long len = fs.getFileStatus(p).getLen();
        if (len > maxBytes) throw new IOException(path + ": " + len + " bytes, more than the " + maxBytes + " a file may hold");
        try (InputStream in = fs.open(p)) {
            return in.readAllBytes();
        }
    }

    /**
     * Writes content so that the file appears complete or not at all: siac's AtomicFiles on a local file system, else
     * a hidden temporary in the same directory renamed into place (a rename is atomic on HDFS; object stores copy).
     */
    static void writeAtomically(String path, byte[] content, Configuration conf) throws IOException {
        if (isLocal(path)) {
            java.nio.file.Path target = local(path);
            Files.createDirectories(target.toAbsolutePath().getParent());
            AtomicFiles.write(target, content);
            return;
        }
        Path target = new Path(path);
        FileSystem fs = target.getFileSystem(conf);
        fs.mkdirs(target.getParent());
        Path tmp = new Path(target.getParent(), "." + target.getName() + "."
                + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
        try {
            try (OutputStream out = fs.create(tmp, false)) {
                out.write(content);
            }
            if (fs.exists(target)) fs.delete(target, false);
            if (!fs.rename(tmp, target)) throw new IOException(path + ": could not move " + tmp.getName() + " into place");
        } finally {
            if (fs.exists(tmp)) fs.delete(tmp, false);
        }
    }

    /**
     * Puts a directory written beside its target into place: the old one (if any) is moved aside first and deleted
     * last, so a reader finds the old table or the new one, never a half-written one.
     */
    static void replaceDirectory(Path written, Path target, Configuration conf) throws IOException {
        FileSystem fs = target.getFileSystem(conf);
        Path old = null;
        if (fs.exists(target)) {
            old = new Path(target.getParent(), "." + target.getName() + ".old-" + System.nanoTime());
            if (!fs.rename(target, old)) throw new IOException(target + ": could not move the previous table aside");
        }
        if (!fs.rename(written, target)) {
            if (old != null) fs.rename(old, target);
            throw new IOException(target + ": could not move the new table into place");
        }
        if (old != null) fs.delete(old, true);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
