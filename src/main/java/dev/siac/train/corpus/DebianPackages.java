package dev.siac.train.corpus;

import dev.siac.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Gets Debian packages without installing them ({@code apt-get download} + {@code dpkg -x} into a cache),
 * or installs the few that must be installed (soundfonts) when running as root.
 *
 * <p>Package lists are refreshed with {@code apt-get update} at most once per run, and only when a
 * download fails, so a machine whose lists are current never waits for the network twice.
 */
public final class DebianPackages {

    public static final List<String> MIDI_PACKAGES = List.of("chuck-data", "sfront", "faust-common", "python3-pyo",
            "pianobooster", "openttd-openmsx", "simutrans-data", "mma", "freedink-data");
    public static final String WESNOTH_PACKAGE = "wesnoth-1.16-music";
    public static final String SPEECH_PACKAGE = "festvox-ru";
    /** KDE KLettres' recorded letters and syllables in about 20 languages (GPL-2+). */
    public static final String KLETTRES_PACKAGE = "klettres-data";
    /**
     * Packages kept for independent evaluation: the corpus must never hold them, so {@link #extract} and
     * {@link #download} refuse them ({@code *} ends a prefix). The npm scope {@code @audio-samples} is kept
     * back too, but nothing here reads npm.
     */
    public static final List<String> RESERVED = List.of("hydrogen-drumkits", "sonic-pi-samples", "ktuberling-data",
            "asterisk-moh-opsound-*", "asterisk-core-sounds-*");
    public static final String FLUID_PACKAGE = "fluid-soundfont-gm";
    public static final Path FLUID_SF2 = Path.of("/usr/share/sounds/sf2/FluidR3_GM.sf2");
    public static final String MUSESCORE_PACKAGE = "musescore-general-soundfont-lossless";
    public static final Path MUSESCORE_SF2 = Path.of("/usr/share/sounds/sf2/MuseScore_General_Full.sf2");

    private final Path debs;
    private final Path extracted;
    private final PrintStream log;
    private boolean listsUpdated;

    /** @param cache where .deb files and their extracted trees are kept between runs */
    public DebianPackages(Path cache, PrintStream log) {
        this.debs = cache.resolve("debs");
        this.extracted = cache.resolve("pkgs");
        this.log = log;
    }

    /**
     * The directory holding the package's files (its {@code usr/...} tree), downloading and extracting
     * it unless an earlier run already did.
     */
    public Path extract(String pkg) throws IOException {
        refuseReserved(pkg);
        Path dir = extracted.resolve(pkg);
        Path marker = dir.resolve(".extracted");
        if (Files.exists(marker)) return dir;
        Path deb = download(pkg);
        Path tmp = extracted.resolve("." + pkg + ".tmp");
        AtomicFiles.deleteTree(tmp);
        Files.createDirectories(tmp);
        try {
            if (tryRun(List.of("dpkg", "-x", deb.toString(), tmp.toString()), null).code != 0) {
                // Most likely a download cut short by an earlier interrupted run: fetch it again, once.
                Files.delete(deb);
                deb = download(pkg);
                run(List.of("dpkg", "-x", deb.toString(), tmp.toString()), null, "dpkg -x " + deb.getFileName());
            }
            Files.createFile(tmp.resolve(".extracted"));
            AtomicFiles.deleteTree(dir);
            Files.move(tmp, dir);
            // The extracted tree is all later runs need; keeping the .deb too would double the cache.
            Files.deleteIfExists(deb);
        } finally {
            AtomicFiles.deleteTree(tmp);
        }
        return dir;
    }

    /** The cached .deb, fetched with {@code apt-get download} (which needs no root) if missing. */
    Path download(String pkg) throws IOException {
        refuseReserved(pkg);
        Files.createDirectories(debs);
        Path have = findDeb(pkg);
        if (have != null) return have;
        log.println("downloading " + pkg);
        Result r = tryRun(List.of("apt-get", "download", pkg), debs);
        if (r.code != 0 && !listsUpdated) {
            updateLists();
            r = tryRun(List.of("apt-get", "download", pkg), debs);
        }
        Path deb = findDeb(pkg);
        if (r.code != 0 || deb == null) {
            String hint = isRoot() ? "" : " (if the package lists are missing or stale, run: sudo apt-get update)";
            throw new IOException("apt-get download " + pkg + " failed: " + r.lastLine() + hint);
        }
        return deb;
    }

    /** Whether {@code pkg} is one of {@link #RESERVED}. */
    public static boolean isReserved(String pkg) {
        for (String r : RESERVED) {
            if (r.endsWith("*") ? pkg.startsWith(r.substring(0, r.length() - 1)) : pkg.equals(r)) return true;
        }
        return false;
    }

    private static void refuseReserved(String pkg) {
        if (isReserved(pkg)) {
            throw new IllegalArgumentException(pkg + " is reserved for independent evaluation and must not be in the corpus");
        }
    }

    /**
     * Makes sure the given packages are installed, the files named beside them being the proof. As root
     * it installs the missing ones; otherwise it fails with the exact command to run.
     */
    public void requireInstalled(List<String> packages, List<Path> files) throws IOException {
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < packages.size(); i++) if (!Files.isRegularFile(files.get(i))) missing.add(packages.get(i));
        if (missing.isEmpty()) return;
        String cmd = "apt-get install -y " + String.join(" ", missing);
        if (!isRoot()) {
            throw new MissingPackagesException("missing " + String.join(", ", missing) + "; install with: sudo " + cmd);
        }
        log.println("installing " + String.join(" ", missing));
        List<String> argv = new ArrayList<>(List.of("apt-get", "install", "-y"));
        argv.addAll(missing);
        Result r = tryRun(argv, null);
        if (r.code != 0 && !listsUpdated) {
            updateLists();
            r = tryRun(argv, null);
        }
        if (r.code != 0) throw new IOException(cmd + " failed: " + r.lastLine());
        for (int i = 0; i < packages.size(); i++) {
            if (!Files.isRegularFile(files.get(i))) {
                throw new IOException(packages.get(i) + " is installed but " + files.get(i) + " is missing");
            }
        }
    }

    /** Thrown when the user has to install packages as root first; its message holds the command. */
    public static final class MissingPackagesException extends IOException {
        public MissingPackagesException(String message) {
            super(message);
        }
    }

    public static boolean isRoot() {
        try {
            return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private void updateLists() throws IOException {
        listsUpdated = true;
        if (!isRoot()) return;
        log.println("apt-get update");
        Result r = tryRun(List.of("apt-get", "update"), null);
        if (r.code != 0) log.println("warning: apt-get update failed: " + r.lastLine());
    }

    private Path findDeb(String pkg) throws IOException {
        try (Stream<Path> s = Files.list(debs)) {
            return s.filter(p -> p.getFileName().toString().startsWith(pkg + "_") && p.toString().endsWith(".deb"))
                    .sorted().reduce((a, b) -> b).orElse(null);
        }
    }

    private record Result(int code, String output) {
        String lastLine() {
            String[] lines = output.strip().split("\\R");
            for (int i = lines.length - 1; i >= 0; i--) {
                // apt's "W:" lines (e.g. the _apt sandbox note) are noise next to the "E:" that explains a failure.
                if (lines[i].startsWith("E:")) return lines[i].strip();
            }
            return lines.length == 0 || lines[lines.length - 1].isBlank() ? "exit code " + code : lines[lines.length - 1].strip();
        }
    }

    private static Result tryRun(List<String> argv, Path cwd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        if (cwd != null) pb.directory(cwd.toFile());
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException(argv.get(0) + " cannot be started (is this a Debian system?): " + e.getMessage(), e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            return new Result(p.waitFor(), out);
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", argv) + " interrupted", e);
        }
    }

    private static void run(List<String> argv, Path cwd, String what) throws IOException {
        Result r = tryRun(argv, cwd);
        if (r.code != 0) throw new IOException(what + " failed: " + r.lastLine());
    }
}
