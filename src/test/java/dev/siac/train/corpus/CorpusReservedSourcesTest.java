package dev.siac.train.corpus;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Packages kept back for independent evaluation never reach the corpus, and the corpus's own are not among them. */
class CorpusReservedSourcesTest {

    @TempDir
    Path tmp;

    @Test
    void reservedPackagesAreRefusedBeforeAnyDownload() {
        for (String pkg : List.of("hydrogen-drumkits", "sonic-pi-samples", "ktuberling-data", "asterisk-moh-opsound-wav",
                "asterisk-core-sounds-en-gsm")) {
            assertTrue(DebianPackages.isReserved(pkg), pkg);
            DebianPackages packages = new DebianPackages(tmp, new PrintStream(OutputStream.nullOutputStream()));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> packages.extract(pkg));
            assertTrue(e.getMessage().startsWith(pkg + " is reserved"), e.getMessage());
            assertFalse(Files.exists(tmp.resolve("debs")), "nothing was fetched for " + pkg);
        }
        List<String> used = new ArrayList<>(DebianPackages.MIDI_PACKAGES);
        used.addAll(List.of(DebianPackages.WESNOTH_PACKAGE, DebianPackages.SPEECH_PACKAGE, DebianPackages.KLETTRES_PACKAGE,
                DebianPackages.FLUID_PACKAGE, DebianPackages.MUSESCORE_PACKAGE));
        for (String pkg : used) assertFalse(DebianPackages.isReserved(pkg), pkg);
        assertFalse(DebianPackages.isReserved("hydrogen"), "a prefix of a reserved name is not reserved");
    }
}
