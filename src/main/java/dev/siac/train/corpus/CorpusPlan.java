package dev.siac.train.corpus;

import dev.siac.io.Messages;
import dev.siac.audio.AudioIO;
import dev.siac.audio.Signal;
import dev.siac.eval.ClipSet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import javax.sound.midi.Sequence;

/**
 * Finds the material inside extracted packages (or any directory) and turns it into {@link WorkItem}s.
 *
 * <p>Order matters when a size limit stops a source early: pieces are visited in a seeded shuffle (not
 * alphabetically, so a small corpus still spans many packages). MIDI work takes turns between three kinds:
 * an original ({@code music}), a program-change variant ({@code sustained}: all first variants before all
 * second ones, and so on) and a drum-only render ({@code percussion}, one per piece with drums, on top of
 * {@code --variants}), each kind in its own seeded piece order, so a small corpus holds all three kinds in
 * about equal parts and still favours more pieces over more renderings of few.
 */
public final class CorpusPlan {

    public static final String MIDI = "midi";
    public static final String WESNOTH = "wesnoth";
    public static final String SPEECH = "speech";
    public static final String KLETTRES = "klettres";
    /** MIDI files shorter than this are test snippets (drum patterns, single chords), not music. */
    public static final double MIN_MIDI_SECONDS = 3.0;
    /** A piece gets a drum-only render when at least this many drum notes start within its rendered stretch. */
    public static final int MIN_DRUM_NOTES = 16;
    /** A drum-only render quieter than this RMS (-50 dBFS) after trimming is nearly silent: no file. */
    public static final double MIN_DRUM_RMS = 0.00316;
    /** A drum-only render sounding in less than this share of its 10 ms frames is mostly silence: no file. */
    public static final double MIN_DRUM_ACTIVE = 0.3;
    /** Consecutive festvox utterances are often parts of one text: hold them out together in groups this size. */
    public static final int SPEECH_GROUP = 20;

    /**
     * Different files of one piece found in different packages. The split must see them as one piece,
     * or validation would hear a piece that training already learnt.
     */
    private static final Map<String, String> SAME_PIECE = Map.of(
            "chuck-data.bwv772", "bach-bwv772",
            "sfront.bach", "bach-bwv772");

    private CorpusPlan() {
    }

    /** MIDI rendering settings. */
    public record MidiOptions(int variants, long seed, int maxTranspose, double tempoRange, double pieceSeconds) {
        public MidiOptions {
            if (variants < 1) throw new IllegalArgumentException("--variants must be >= 1, got " + variants);
            if (maxTranspose < 0 || maxTranspose > 24) throw new IllegalArgumentException("--max-transpose must be in 0..24, got " + maxTranspose);
            if (!(tempoRange >= 0 && tempoRange < 0.9)) throw new IllegalArgumentException("--tempo-range must be in [0, 0.9), got " + tempoRange);
            if (!(pieceSeconds >= MIN_MIDI_SECONDS)) throw new IllegalArgumentException("--piece-seconds must be >= " + MIN_MIDI_SECONDS + ", got " + pieceSeconds);
        }
    }

    /**
     * Every distinct MIDI file (.mid, .midi, .kar, and gzipped ones) under each package root, times the
     * variants. Identical files (same bytes) are taken once; unreadable or too short files are reported in
     * {@code warnings} and left out.
     *
     * @param roots package name to the directory it was extracted to
     */
    public static List<WorkItem> midi(Map<String, Path> roots, MidiRenderer renderer, MidiOptions opt, List<String> warnings)
            throws IOException {
        record Piece(String stem, String piece, Path file, boolean drums) {
        }
        List<Piece> pieces = new ArrayList<>();
        Set<String> seenContent = new HashSet<>();
        for (Map.Entry<String, Path> pkg : new TreeMap<>(roots).entrySet()) {
            Set<String> stems = new HashSet<>();
            int found = 0;
            for (Path f : find(pkg.getValue(), "(?i).*\\.(mid|midi|kar)(\\.gz)?")) {
                if (!seenContent.add(contentHash(f))) continue;
                Sequence seq;
                try {
                    seq = MidiRenderer.readMidi(f);
                } catch (IOException e) {
                    warnings.add(Messages.oneLine(e));
                    continue;
                }
                double len = MidiRenderer.seconds(seq, 1);
                if (len < MIN_MIDI_SECONDS) {
                    warnings.add(String.format(Locale.ROOT, "%s: only %.1f s long, left out", f, len));
                    continue;
                }
                String base = fileStem(f);
                String stem = pkg.getKey() + "." + base;
                for (int k = 2; !stems.add(stem); k++) stem = pkg.getKey() + "." + base + "-" + k;
                String pieceId = pkg.getKey() + "." + pieceName(base);
                boolean drums = MidiRenderer.drumNotes(seq, opt.pieceSeconds()) >= MIN_DRUM_NOTES;
                pieces.add(new Piece(stem, SAME_PIECE.getOrDefault(pieceId, pieceId), f, drums));
                found++;
            }
            if (found == 0) warnings.add("package " + pkg.getKey() + " has no usable MIDI file");
        }
        pieces.sort(shuffled(opt.seed(), Piece::stem));

        // Three streams, one per kind, taken in turns: originals (music), program-change variants
        // (sustained; all first variants, then all second ones, ...) and drum-only renders (percussion).
        // Each stream visits the pieces in its own seeded order, so a corpus cut short by the size limit
        // holds about as much of each kind, from many different pieces.
        List<WorkItem> originals = new ArrayList<>(), augmented = new ArrayList<>(), drums = new ArrayList<>();
        Map<String, List<Variant>> variants = new HashMap<>();
        for (Piece p : pieces) {
            variants.put(p.stem, Variant.forPiece(p.stem, opt.variants(), opt.seed(), opt.maxTranspose(), opt.tempoRange(),
                    renderer.soundfontCount()));
        }
        for (int v = 0; v < opt.variants(); v++) {
            List<Piece> order = new ArrayList<>(pieces);
            if (v > 0) order.sort(shuffled(opt.seed() + ":v" + v, Piece::stem));
            for (Piece p : order) {
                Variant var = variants.get(p.stem).get(v);
                (v == 0 ? originals : augmented).add(new WorkItem(MIDI, var.kind(), p.piece, p.stem, var.name(),
                        () -> renderer.render(MidiRenderer.readMidi(p.file), var, opt.pieceSeconds())));
            }
        }
        List<Piece> drumOrder = new ArrayList<>(pieces);
        drumOrder.sort(shuffled(opt.seed() + ":drums", Piece::stem));
        for (Piece p : drumOrder) {
            if (!p.drums) continue;
            Variant var = Variant.drums(p.stem, opt.seed(), opt.tempoRange(), renderer.soundfontCount());
            drums.add(new WorkItem(MIDI, var.kind(), p.piece, p.stem, var.name(),
                    () -> audibleOrEmpty(renderer.render(MidiRenderer.readMidi(p.file), var, opt.pieceSeconds()))));
        }
        return ClipSet.interleave(List.of(originals, augmented, drums));
    }

    /**
     * A drum-only render as it is, or empty (which the builder counts as silent and writes no file for) when
     * it is nearly silent: quieter than {@link #MIN_DRUM_RMS} after trimming, or sounding in less than
     * {@link #MIN_DRUM_ACTIVE} of it (a fill or two in a long piece).
     */
    static Signal audibleOrEmpty(Signal render) {
        Signal s = Trim.silence(render);
        if (s.length() == 0 || s.rms() < MIN_DRUM_RMS || Trim.activeFraction(s) < MIN_DRUM_ACTIVE) {
            return new Signal(new float[0], render.sampleRate());
        }
        return s;
    }

    /** The Wesnoth soundtrack: every Ogg Vorbis file under {@code root}, one piece each. */
    public static List<WorkItem> wesnoth(Path root, long seed) throws IOException {
        List<WorkItem> items = new ArrayList<>();
        Set<String> stems = new HashSet<>();
        for (Path f : find(root, "(?i).*\\.ogg")) {
            String stem = fileStem(f);
            for (int k = 2; !stems.add(stem); k++) stem = fileStem(f) + "-" + k;
            items.add(new WorkItem(WESNOTH, Manifest.MUSIC, "wesnoth." + pieceName(stem), stem, "orig", () -> AudioIO.read(f)));
        }
        items.sort(shuffled(seed, WorkItem::stem));
        return items;
    }

    private static final Pattern UTTERANCE = Pattern.compile("(?i)([a-z]+)_(\\d+)\\.wav");

    /** festvox-ru read speech: the {@code <lang>_<number>.wav} utterances, split by groups of neighbours. */
    public static List<WorkItem> speech(Path root, long seed) throws IOException {
        List<WorkItem> items = new ArrayList<>();
        for (Path f : find(root, "(?i)[a-z]+_\\d+\\.wav")) {
            Matcher m = UTTERANCE.matcher(f.getFileName().toString());
            if (!m.matches()) continue;
            int number = Integer.parseInt(m.group(2));
            String piece = String.format(Locale.ROOT, "festvox-%s.g%03d", m.group(1).toLowerCase(Locale.ROOT), number / SPEECH_GROUP);
            items.add(new WorkItem(SPEECH, Manifest.SPEECH, piece, fileStem(f), "orig", () -> AudioIO.read(f)));
        }
        items.sort(shuffled(seed, WorkItem::stem));
        return items;
    }

    /**
     * The piece a file name belongs to: lower case, without a leading track number and without a trailing
     * take digit, so "twinkle2" and "twinkle3", or "01-ClairDeLaLune" and "04-ClairDeLaLune", are one piece.
     */
    static String pieceName(String stem) {
        String s = stem.toLowerCase(Locale.ROOT);
        String noTrack = s.replaceFirst("^\\d+[-_ .]+(?=\\D)", "");
        // One trailing digit after a letter is a take; more digits are a catalogue number ("bwv772").
        String noTake = noTrack.replaceFirst("(?<=[a-z])[-_ ]?\\d$", "");
        return noTake.isEmpty() ? s : noTake;
    }

    /** File name without extensions (.mid.gz counts as one), reduced to characters safe everywhere. */
    static String fileStem(Path f) {
        String n = f.getFileName().toString().replaceFirst("(?i)\\.gz$", "").replaceFirst("\\.[^.]+$", "");
        String safe = n.replaceAll("[^A-Za-z0-9+._-]+", "-").replaceAll("_{2,}", "_").replaceAll("^[^A-Za-z0-9]+", "");
        return safe.isEmpty() ? "x" : safe;
    }

    static List<Path> find(Path root, String fileNameRegex) throws IOException {
        Pattern p = Pattern.compile(fileNameRegex);
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).filter(f -> p.matcher(f.getFileName().toString()).matches()).sorted().toList();
        }
    }

    /** A seeded shuffle by key; {@code seed}'s text salts it (the seed, or the seed and the name of a stream of work). */
    static <T> Comparator<T> shuffled(Object seed, java.util.function.Function<T, String> key) {
        return Comparator.<T>comparingLong(t -> Split.hash64("order:" + seed + ":" + key.apply(t))).thenComparing(key);
    }

    private static String contentHash(Path f) throws IOException {
        try (InputStream raw = Files.newInputStream(f);
             InputStream in = f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             DigestInputStream d = new DigestInputStream(in, MessageDigest.getInstance("SHA-256"))) {
            d.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(d.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        } catch (IOException e) {
            // A corrupt .gz is reported by the MIDI reader; here it only must not stop the scan.
            return "unreadable:" + f;
        }
    }
}
