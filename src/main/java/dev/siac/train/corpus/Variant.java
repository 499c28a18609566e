package dev.siac.train.corpus;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One rendering of a MIDI piece: which instrument replaces the file's own (or none), by how many
 * semitones it is transposed, how much faster it is played, with which loaded soundfont, and whether only
 * the drum channel plays.
 *
 * <p>Its manifest kind ({@link #kind()}) follows from what is heard: the file's own arrangement is
 * {@code music}, a program-change render (one instrument on every melodic channel) is {@code sustained},
 * a drum-channel-only render is {@code percussion}.
 *
 * @param name       file-name-safe label, unique among the variants of one piece
 * @param program    General MIDI program (0-127) played on every melodic channel, or -1 to keep the file's
 * @param transpose  semitones added to every melodic note (drums on channel 10 are never transposed)
 * @param tempo      playback speed factor (1.1 = 10% faster)
 * @param soundfont  index into the renderer's list of soundfonts
 * @param drumsOnly  play only channel 10 (index 9), General MIDI percussion; every other channel is dropped
 */
public record Variant(String name, int program, int transpose, double tempo, int soundfont, boolean drumsOnly) {

    /**
     * Timbres used by program-change augmentation: General MIDI program numbers (0-based). A render with any
     * of them is one instrument throughout (drums aside), so its manifest kind is {@code sustained}.
     */
    public enum Timbre {
        PIANO(0), HARPSICHORD(6), ORGAN(19), GUITAR(24), STRINGS(48), CLARINET(71), FLUTE(73);

        public final int program;

        Timbre(int program) {
            this.program = program;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Variant {
        if (program < -1 || program > 127) throw new IllegalArgumentException("MIDI program out of range: " + program);
        if (!(tempo > 0.1 && tempo < 10)) throw new IllegalArgumentException("tempo factor out of range: " + tempo);
        if (soundfont < 0) throw new IllegalArgumentException("negative soundfont index " + soundfont);
        if (name == null || !name.matches("[A-Za-z0-9+.-]+")) throw new IllegalArgumentException("bad variant name: " + name);
        if (drumsOnly && (program != -1 || transpose != 0)) {
            throw new IllegalArgumentException("drum-only variant " + name + " cannot change programs or transpose");
        }
    }

    /** A variant with every channel playing. */
    public Variant(String name, int program, int transpose, double tempo, int soundfont) {
        this(name, program, transpose, tempo, soundfont, false);
    }

    /** The manifest kind of this render: {@code percussion}, {@code sustained} (program change) or {@code music}. */
    public String kind() {
        if (drumsOnly) return Manifest.PERCUSSION;
        return program >= 0 ? Manifest.SUSTAINED : Manifest.MUSIC;
    }

    /** The file as written: its own instruments, pitch and tempo. */
    public static Variant original(int soundfont) {
        return new Variant(soundfont == 0 ? "orig" : "orig-sf" + soundfont, -1, 0, 1.0, soundfont);
    }

    /**
     * The variants of one piece: the first is the original, the others draw a timbre, a transposition
     * in [-maxTranspose, maxTranspose] and a tempo factor in [1-tempoRange, 1+tempoRange] from a random
     * stream seeded by (seed, pieceKey), so the same arguments always give the same variants. Soundfonts
     * take turns, starting from a drawn one, so every piece is heard through each of them when there are
     * enough variants.
     */
    public static List<Variant> forPiece(String pieceKey, int count, long seed, int maxTranspose, double tempoRange,
                                         int soundfonts) {
        if (count < 1) throw new IllegalArgumentException("variants per piece must be >= 1, got " + count);
        if (soundfonts < 1) throw new IllegalArgumentException("need at least one soundfont");
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ Split.hash64("variant:" + pieceKey));
        List<Variant> out = new ArrayList<>(count);
        // Originals too are spread over the soundfonts: a small corpus holds mostly originals.
        int firstSoundfont = rng.nextInt(soundfonts);
        out.add(original(firstSoundfont));
        Timbre[] timbres = Timbre.values();
        for (int i = 1; i < count; i++) {
            Timbre t = timbres[rng.nextInt(timbres.length)];
            int tr = maxTranspose == 0 ? 0 : rng.nextInt(-maxTranspose, maxTranspose + 1);
            // Two decimals: the factor is part of the file name and must read back the same.
            double tempo = Math.round((1 + (rng.nextDouble() * 2 - 1) * tempoRange) * 100) / 100.0;
            int sf = (firstSoundfont + i) % soundfonts;
            String name = String.format(Locale.ROOT, "v%d-%s%s-t%+d-x%.2f", i, t.label(), sf == 0 ? "" : "-sf" + sf, tr, tempo);
            out.add(new Variant(name, t.program, tr, tempo, sf));
        }
        return out;
    }

    /**
     * The drum-only render of a piece: channel 10 alone, at a tempo factor in [1-tempoRange, 1+tempoRange]
     * and on a soundfont drawn from their own random stream seeded by (seed, pieceKey), so adding it left
     * the other variants of the piece as they were.
     */
    public static Variant drums(String pieceKey, long seed, double tempoRange, int soundfonts) {
        if (soundfonts < 1) throw new IllegalArgumentException("need at least one soundfont");
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ Split.hash64("drums:" + pieceKey));
        int sf = rng.nextInt(soundfonts);
        double tempo = Math.round((1 + (rng.nextDouble() * 2 - 1) * tempoRange) * 100) / 100.0;
        String name = String.format(Locale.ROOT, "drums%s-x%.2f", sf == 0 ? "" : "-sf" + sf, tempo);
        return new Variant(name, -1, 0, tempo, sf, true);
    }
}
