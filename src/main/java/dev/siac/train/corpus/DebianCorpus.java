package dev.siac.train.corpus;

import dev.siac.io.Messages;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sound.midi.Soundbank;

/** The corpus this project builds on a fresh Debian 12 machine from package names alone (see DATA.md). */
public final class DebianCorpus {

    public static final List<String> ALL_SOURCES = List.of(CorpusPlan.MIDI, CorpusPlan.WESNOTH, CorpusPlan.SPEECH, CorpusPlan.KLETTRES);

    private DebianCorpus() {
    }

    /**
     * Gets the packages the selected sources need and lists the work.
     *
     * @param sources  any of {@code midi}, {@code wesnoth}, {@code speech}, {@code klettres}
     * @param bigSoundfont also render with MuseScore General (490 MB), alternating soundfonts between variants
     * @param warnings receives one line per package or file left out
     */
    public static List<WorkItem> plan(Set<String> sources, DebianPackages packages, boolean bigSoundfont,
                                      CorpusPlan.MidiOptions midi, long seed, List<String> warnings, PrintStream log)
            throws IOException {
        for (String s : sources) {
            if (!ALL_SOURCES.contains(s)) throw new IllegalArgumentException("unknown source '" + s + "' (known: " + String.join(",", ALL_SOURCES) + ")");
        }
        // Fail on a missing soundfont before spending minutes on downloads.
        List<Path> soundfonts = new ArrayList<>(List.of(DebianPackages.FLUID_SF2));
        List<String> sfPackages = new ArrayList<>(List.of(DebianPackages.FLUID_PACKAGE));
        if (bigSoundfont) {
            soundfonts.add(DebianPackages.MUSESCORE_SF2);
            sfPackages.add(DebianPackages.MUSESCORE_PACKAGE);
        }
        if (sources.contains(CorpusPlan.MIDI)) packages.requireInstalled(sfPackages, soundfonts);

        List<WorkItem> items = new ArrayList<>();
        for (String source : ALL_SOURCES) {
            if (!sources.contains(source)) continue;
            switch (source) {
                case CorpusPlan.MIDI -> {
                    Map<String, Path> roots = new LinkedHashMap<>();
                    for (String pkg : DebianPackages.MIDI_PACKAGES) {
                        try {
                            roots.put(pkg, packages.extract(pkg));
                        } catch (IOException e) {
                            warnings.add(Messages.oneLine(e));
                        }
                    }
                    if (roots.isEmpty()) throw new IOException("none of the MIDI packages could be downloaded: " + String.join("; ", warnings));
                    List<Soundbank> banks = new ArrayList<>();
                    for (Path sf : soundfonts) {
                        log.println("loading soundfont " + sf);
                        banks.add(MidiRenderer.loadSoundbank(sf));
                    }
                    items.addAll(CorpusPlan.midi(roots, new MidiRenderer(banks), midi, warnings));
                }
                case CorpusPlan.WESNOTH -> items.addAll(CorpusPlan.wesnoth(packages.extract(DebianPackages.WESNOTH_PACKAGE), seed));
                case CorpusPlan.SPEECH -> items.addAll(CorpusPlan.speech(packages.extract(DebianPackages.SPEECH_PACKAGE), seed));
                case CorpusPlan.KLETTRES -> items.addAll(Klettres.plan(packages.extract(DebianPackages.KLETTRES_PACKAGE), seed, warnings));
                default -> throw new IllegalStateException(source);
            }
        }
        return items;
    }
}
