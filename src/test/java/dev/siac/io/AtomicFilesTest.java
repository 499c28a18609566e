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
        terminateWhileHolding("song.wav", "file", ".part");
    }

    /** The same for a temporary directory with files in it (a report being built). */
    @Test
    void temporaryDirectoriesAreDeletedWhenTheProcessIsTerminated() throws Exception {
        terminateWhileHolding("report", "directory", ".tmp");
    }

    private void terminateWhileHolding(String target, String kind, String suffix) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Child.class.getName(),
                dir.resolve(target).toString(), kind).redirectErrorStream(true).start();
        String line = new String(p.getInputStream().readNBytes(6));
        assertEquals("ready\n", line, "the child made its temporary");
        List<String> during = names();
        assertEquals(1, during.size(), during.toString());
        assertTrue(during.get(0).startsWith("." + target + ".") && during.get(0).endsWith(suffix), during.toString());
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the child did not stop");
        assertEquals(List.of(), names(), "the temporary outlived the process");
    }

    /**
     * Work that answers SIGTERM by finishing an output (training's last checkpoint, a directory of files) holds the exit
     * cleanup back: the temporary directory it is still filling when the signal comes is committed, not deleted under it.
     */
    @Test
    void deferredCleanupLetsAnOutputFinishAfterTheSignal() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), FinishingChild.class.getName(),
                dir.resolve("checkpoint").toString()).redirectErrorStream(true).start();
        assertEquals("ready\n", new String(p.getInputStream().readNBytes(6)));
        p.destroy(); // SIGTERM while the temporary directory is being filled
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the child did not stop");
        assertEquals(List.of("checkpoint"), names(), "committed, and no temporary left");
        assertEquals(1 << 20, Files.size(dir.resolve("checkpoint").resolve("weights.bin")));
        assertEquals(1 << 10, Files.size(dir.resolve("checkpoint").resolve("state.json")));
    }

    /** Holds the cleanup, starts a temporary directory, and on SIGTERM takes two seconds to finish and commit it. */
    public static final class FinishingChild {
        public static void main(String[] args) throws Exception {
            Path target = Path.of(args[0]);
            AutoCloseable held = AtomicFiles.deferCleanup();
            Path tmp = AtomicFiles.temporaryDirectory(target, ".tmp");
            Files.write(tmp.resolve("weights.bin"), new byte[1 << 20]);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Thread.sleep(2000); // the cleanup hook runs meanwhile; it must wait
                    Files.write(tmp.resolve("state.json"), new byte[1 << 10]);
                    AtomicFiles.commitDirectory(tmp, target);
                    held.close();
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }));
            System.out.print("ready\n");
            System.out.flush();
            Thread.sleep(60_000);
            System.exit(3);
        }
    }

    /** Makes a temporary file or directory (with a file in it), says so, and waits to be terminated. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Path tmp = args[1].equals("file") ? AtomicFiles.temporary(Path.of(args[0]), ".part")
                    : AtomicFiles.temporaryDirectory(Path.of(args[0]), ".tmp").resolve("audio.wav");
            Files.write(tmp, new byte[1 << 20]);
            System.out.print("ready\n");
            System.out.flush();
            Thread.sleep(60_000);
            System.exit(3);
        }
    }

    /** A directory built in a temporary replaces the old one whole, with the umask's permissions and nothing left over. */
    @Test
    void aDirectoryReplacesTheOldOneWhole() throws IOException {
        Path target = Files.createDirectory(dir.resolve("report"));
        Files.writeString(target.resolve("old.html"), "old");
        Path tmp = AtomicFiles.temporaryDirectory(target, ".tmp");
        Set<PosixFilePermission> plain = Files.getPosixFilePermissions(Files.createDirectory(dir.resolve("plain")));
        assertEquals(plain, Files.getPosixFilePermissions(tmp), "not a temp directory's 0700");
        Files.createDirectory(tmp.resolve("audio"));
        Files.writeString(tmp.resolve("audio").resolve("a.wav"), "new");
        AtomicFiles.commitDirectory(tmp, target);
        assertEquals("new", Files.readString(target.resolve("audio").resolve("a.wav")));
        assertFalse(Files.exists(target.resolve("old.html")), "nothing of the old directory is kept");
        assertEquals(List.of("plain", "report"), names(), "no temporary or old directory left");
    }

    /** When the new directory cannot take the old one's place, the old one is put back. */
    @Test
    void aDirectoryThatCannotBeMovedInLeavesTheOldOne() throws IOException {
        Path target = Files.createDirectory(dir.resolve("report"));
        Files.writeString(target.resolve("old.html"), "old");
        Path tmp = AtomicFiles.temporaryDirectory(target, ".tmp");
        AtomicFiles.discard(tmp); // gone: the move must fail
        assertThrows(IOException.class, () -> AtomicFiles.commitDirectory(tmp, target));
        assertEquals("old", Files.readString(target.resolve("old.html")));
        assertEquals(List.of("report"), names());
    }

    @Test
    void deleteTreeDeletesADirectoryAndWhatIsInItButNotWhereALinkPoints() throws IOException {
        Path keep = Files.createDirectory(dir.resolve("keep"));
        Files.writeString(keep.resolve("k"), "k");
        Path tree = Files.createDirectories(dir.resolve("tree").resolve("a").resolve("b"));
        Files.writeString(tree.resolve("f"), "f");
        Files.createSymbolicLink(dir.resolve("tree").resolve("link"), keep);
        AtomicFiles.deleteTree(dir.resolve("tree"));
        AtomicFiles.deleteTree(dir.resolve("absent"));
        assertEquals(List.of("keep"), names());
        assertEquals("k", Files.readString(keep.resolve("k")));
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
