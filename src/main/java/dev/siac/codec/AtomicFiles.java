package dev.siac.codec;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes that never leave a partial file behind: content goes to a temporary file in the target's directory
 * (same file system, so the final move is a rename) and is moved into place only when complete.
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    public static void write(Path file, byte[] content) throws IOException {
        writeAll(Map.of(file, content));
    }

    /**
     * Writes several files as one step as far as a file system allows: all temporaries are written first, and
     * nothing is moved into place unless every one of them was written. If a move fails, the temporaries
     * not yet moved are deleted.
     */
    public static void writeAll(Map<Path, byte[]> files) throws IOException {
        Map<Path, Path> temps = new LinkedHashMap<>();
        try {
            for (Map.Entry<Path, byte[]> f : files.entrySet()) {
                Path target = f.getKey().toAbsolutePath();
                Path dir = target.getParent();
                Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
                temps.put(target, tmp);
                Files.write(tmp, f.getValue());
            }
            // a temporary that was already moved no longer exists, so the clean-up below skips it
            for (Map.Entry<Path, Path> t : temps.entrySet()) move(t.getValue(), t.getKey());
            temps.clear();
        } finally {
            for (Path tmp : temps.values()) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original failure is the one worth reporting
                }
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
