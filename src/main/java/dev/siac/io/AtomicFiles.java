package dev.siac.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Writes that never leave a partial file behind: content goes to a temporary file in the target's directory (same
 * file system, so the final move is a rename) and is moved into place only when complete. The one place in siac that
 * makes temporaries beside outputs, files and directories (a report, a package's tree):
 * <ul>
 *   <li>a temporary is created like any new file of the process, so the output's permissions follow the umask (a
 *       JDK temp file would be 0600);</li>
 *   <li>every temporary not yet committed or discarded is deleted when the JVM exits, also on Ctrl-C or SIGTERM, so
 *       an interrupted decode leaves no hidden gigabytes behind.</li>
 * </ul>
 */
public final class AtomicFiles {

    /** Writes one file's whole content into the temporary it is given. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path temporary) throws IOException;
    }

    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

    /** Work that must finish its outputs before the exit cleanup deletes temporaries (see {@link #deferCleanup}). */
    private static int holders = 0;
    private static final Object HOLDERS = new Object();
    /** How long the exit cleanup waits for holders: a checkpoint of the largest preset takes seconds, not minutes. */
    static final long CLEANUP_WAIT_MS = 150_000;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            awaitHolders(CLEANUP_WAIT_MS);
            for (Path p : LIVE) deleteQuietly(p);
        }, "siac-temporaries"));
    }

    /**
     * Holds the exit cleanup back until the returned handle is closed (or {@link #CLEANUP_WAIT_MS} pass): for work that
     * answers Ctrl-C or SIGTERM by finishing an output of its own, like training's last checkpoint. Shutdown hooks
     * run at the same time, so without this the cleanup could delete that checkpoint's temporaries while it is written.
     */
    public static AutoCloseable deferCleanup() {
        synchronized (HOLDERS) {
            holders++;
        }
        boolean[] closed = {false};
        return () -> {
            synchronized (HOLDERS) {
                if (closed[0]) return;
                closed[0] = true;
                holders--;
                HOLDERS.notifyAll();
            }
        };
    }

    private static void awaitHolders(long ms) {
        long end = System.nanoTime() + ms * 1_000_000;
        synchronized (HOLDERS) {
            while (holders > 0) {
                long left = (end - System.nanoTime()) / 1_000_000;
                if (left <= 0) return;
                try {
                    HOLDERS.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private AtomicFiles() {
    }

    public static void write(Path file, byte[] content) throws IOException {
        write(file, tmp -> Files.write(tmp, content));
    }

    public static void write(Path file, Content content) throws IOException {
        writeAll(Map.of(file, content));
    }

    /**
     * Writes several files as one step as far as a file system allows: all temporaries are written first (in the map's
     * order), and nothing is moved into place unless every one of them was written. If a move fails, the temporaries
     * not yet moved are deleted.
     */
    public static void writeAll(Map<Path, Content> files) throws IOException {
        Map<Path, Path> temps = new LinkedHashMap<>();
        try {
            for (Map.Entry<Path, Content> f : files.entrySet()) {
                Path tmp = temporary(f.getKey(), ".tmp");
                temps.put(f.getKey(), tmp);
                f.getValue().writeTo(tmp);
            }
            for (Map.Entry<Path, Path> t : temps.entrySet()) commit(t.getValue(), t.getKey());
            temps.clear();
        } finally {
            for (Path tmp : temps.values()) discard(tmp);
        }
    }

    /**
     * A new, empty, hidden file beside target (".NAME.RANDOM" + suffix) for a writer that streams into it; hand it to
     * {@link #commit} when complete or {@link #discard} on failure. Deleted at JVM exit if neither happened.
     */
    public static Path temporary(Path target, String suffix) throws IOException {
        return hidden(target, suffix, true, Files::createFile);
    }

    /**
     * A new, empty, hidden directory beside target (".NAME.RANDOM" + suffix) to build a directory in; hand it to
     * {@link #commitDirectory} when complete or {@link #discard} on failure. Deleted with its content at JVM exit if
     * neither happened.
     */
    public static Path temporaryDirectory(Path target, String suffix) throws IOException {
        return hidden(target, suffix, true, Files::createDirectory);
    }

    private interface Create {
        Path create(Path p) throws IOException;
    }

    /**
     * A new hidden entry beside target, made by create with no attributes (the umask decides, as for anything the user
     * creates); live: deleted at JVM exit until committed or discarded.
     */
    private static Path hidden(Path target, String suffix, boolean live, Create create) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || abs.getFileName() == null) throw new IOException(target + ": has no directory");
        while (true) {
            Path tmp = dir.resolve("." + abs.getFileName() + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + suffix);
            if (live) LIVE.add(tmp);
            try {
                return create.create(tmp);
            } catch (FileAlreadyExistsException e) {
                LIVE.remove(tmp);
            } catch (IOException | RuntimeException e) {
                LIVE.remove(tmp);
                throw e;
            }
        }
    }

    /** Moves a complete temporary into place, replacing target. */
    public static void commit(Path temporary, Path target) throws IOException {
        move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        LIVE.remove(temporary);
    }

    /**
     * Moves a complete temporary directory into place as target, replacing a directory there: the old one is first
     * moved aside (to a hidden ".NAME.RANDOM.old" beside it), put back if the new one cannot take its place, and
     * deleted once it has. Whoever calls this has checked that target may be replaced.
     */
    public static void commitDirectory(Path temporary, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            // not live: until the new directory is in place, the old one is the only copy
            old = hidden(target, ".old", false, Files::createDirectory);
            Files.delete(old);
            move(target, old);
        }
        try {
            move(temporary, target);
        } catch (IOException | RuntimeException e) {
            if (old != null) {
                try {
                    move(old, target);
                } catch (IOException restore) {
                    e.addSuppressed(restore);
                }
            }
            throw e;
        }
        LIVE.remove(temporary);
        if (old != null) {
            try {
                deleteTree(old);
            } catch (IOException ignored) {
                // the new directory is in place; the old one is a hidden leftover that says what it is
            }
        }
    }

    private static void move(Path from, Path to, StandardCopyOption... options) throws IOException {
        StandardCopyOption[] atomic = Stream.concat(Stream.of(StandardCopyOption.ATOMIC_MOVE), Stream.of(options))
                .toArray(StandardCopyOption[]::new);
        try {
            Files.move(from, to, atomic);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, options);
        }
    }

    /** Deletes a temporary (file or directory) that will not be committed; never throws (the failure that led here is the one to report). */
    public static void discard(Path temporary) {
        deleteQuietly(temporary);
        LIVE.remove(temporary);
    }

    /** Deletes a file, or a directory with everything in it; nothing when there is none. */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> all = Files.walk(p)) {
            for (Path x : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            deleteTree(p);
        } catch (IOException ignored) {
            // nothing more can be done about it
        }
    }
}
