package dev.siac.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** An output gets the permissions any new file of the process gets (the umask's), not a temp file's 0600. */
    @Test
    void outputsFollowTheUmaskLikeAnyNewFile() throws IOException {
        Set<PosixFilePermission> plain = Files.getPosixFilePermissions(Files.createFile(dir.resolve("plain")));
        AtomicFiles.write(dir.resolve("out"), new byte[] {1, 2, 3});
        assertEquals(plain, Files.getPosixFilePermissions(dir.resolve("out")));
        assertTrue(plain.contains(PosixFilePermission.OWNER_WRITE), plain.toString());
    }

    @Test
    void aFailedWriteLeavesNothingAndTheOldFileIntact() throws IOException {
        Path a = Files.writeString(dir.resolve("a"), "old");
        Map<Path, AtomicFiles.Content> files = new LinkedHashMap<>();
        files.put(a, tmp -> Files.writeString(tmp, "new"));
        files.put(dir.resolve("b"), tmp -> {
            throw new IOException("disk full");
        });
        assertThrows(IOException.class, () -> AtomicFiles.writeAll(files));
        assertEquals("old", Files.readString(a), "nothing is moved unless every file was written");
        assertEquals(List.of("a"), names());
    }

    /** A process that holds a temporary (a decode writing its WAV) and is stopped with SIGTERM removes it. */
    @Test
    void temporariesAreDeletedWhenTheProcessIsTerminated() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Child.class.getName(),
                dir.resolve("song.wav").toString()).redirectErrorStream(true).start();
        String line = new String(p.getInputStream().readNBytes(6));
        assertEquals("ready\n", line, "the child made its temporary");
        List<String> during = names();
        assertEquals(1, during.size(), during.toString());
        assertTrue(during.get(0).startsWith(".song.wav.") && during.get(0).endsWith(".part"), during.toString());
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the child did not stop");
        assertEquals(List.of(), names(), "the temporary outlived the process");
    }

    /** Makes a temporary, says so, and waits to be terminated. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Path tmp = AtomicFiles.temporary(Path.of(args[0]), ".part");
            Files.write(tmp, new byte[1 << 20]);
            System.out.print("ready\n");
            System.out.flush();
            Thread.sleep(60_000);
            System.exit(3);
        }
    }

    @Test
    void aTemporaryIsHiddenBesideItsTarget() throws IOException {
        Path t = AtomicFiles.temporary(dir.resolve("x.siac"), ".tmp");
        assertEquals(dir.toAbsolutePath(), t.getParent());
        assertTrue(t.getFileName().toString().startsWith(".x.siac."));
        AtomicFiles.discard(t);
        assertFalse(Files.exists(t));
        assertThrows(IOException.class, () -> AtomicFiles.temporary(dir.resolve("missing").resolve("x"), ".tmp"));
        assertEquals(List.of(), names(), "a failed temporary is not left behind");
    }
}
