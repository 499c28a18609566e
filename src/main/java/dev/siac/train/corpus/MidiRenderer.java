package dev.siac.train.corpus;

import com.sun.media.sound.AudioSynthesizer;
import com.sun.media.sound.SoftSynthesizer;
import dev.siac.audio.Signal;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import javax.sound.midi.InvalidMidiDataException;
import javax.sound.midi.MidiEvent;
import javax.sound.midi.MidiMessage;
import javax.sound.midi.MidiSystem;
import javax.sound.midi.MidiUnavailableException;
import javax.sound.midi.Receiver;
import javax.sound.midi.Sequence;
import javax.sound.midi.ShortMessage;
import javax.sound.midi.Soundbank;
import javax.sound.midi.SysexMessage;
import javax.sound.midi.Track;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;

/**
 * Renders MIDI sequences offline with Java's built-in Gervill synthesizer: no sound card, no real-time
 * clock. Every message is queued with its own timestamp (microseconds from the tempo map) before the
 * audio stream is read, so the result depends only on the sequence, the variant and the soundfont.
 *
 * <p>Output is 22050 Hz mono; Gervill's limiter stays on, so dense pieces do not clip.
 */
public final class MidiRenderer {

    public static final int SAMPLE_RATE = 22050;
    /** Channel 10 (index 9) is General MIDI percussion: never re-voiced, never transposed. */
    public static final int DRUM_CHANNEL = 9;
    /** Release and reverb tails ring on after the last event. */
    private static final double TAIL_SECONDS = 1.5;

    private final List<Soundbank> soundbanks;

    /**
     * @param soundbanks the soundfonts a {@link Variant#soundfont()} indexes; an empty list means Gervill's
     *                   built-in default bank (a small synthetic one, good for tests)
     */
    public MidiRenderer(List<Soundbank> soundbanks) {
        this.soundbanks = List.copyOf(soundbanks);
    }

    public int soundfontCount() {
        return Math.max(1, soundbanks.size());
    }

    /** Loads an .sf2 (or .dls) file; Gervill cannot read .sf3. */
    public static Soundbank loadSoundbank(Path file) throws IOException {
        try {
            return MidiSystem.getSoundbank(file.toFile());
        } catch (InvalidMidiDataException e) {
            throw new IOException(file + ": not a soundfont Gervill can read (" + e.getMessage() + ")", e);
        }
    }

    /** Reads a Standard MIDI File, gunzipping {@code .gz} files first. */
    public static Sequence readMidi(Path file) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
            return MidiSystem.getSequence(new BufferedInputStream(in));
        } catch (InvalidMidiDataException e) {
            throw new IOException(file + ": not a readable MIDI file (" + e.getMessage() + ")", e);
        }
    }

    /** Length of the sequence in seconds at a tempo factor, without the release tail. */
    public static double seconds(Sequence sequence, double tempo) {
        return TempoMap.of(sequence).micros(sequence.getTickLength()) / tempo / 1e6;
    }

    /**
     * Drum notes (note-ons with a velocity on channel 10) that start within the first {@code maxSeconds}
     * at the file's own tempo: what a drum-only render of that stretch would play.
     */
    public static int drumNotes(Sequence sequence, double maxSeconds) {
        TempoMap tempo = TempoMap.of(sequence);
        long limitMicros = (long) (maxSeconds * 1e6);
        int n = 0;
        for (Track t : sequence.getTracks()) {
            for (int i = 0; i < t.size(); i++) {
                MidiEvent e = t.get(i);
                if (e.getMessage() instanceof ShortMessage s && s.getChannel() == DRUM_CHANNEL
                        && s.getCommand() == ShortMessage.NOTE_ON && s.getData2() > 0
                        && tempo.microsRounded(e.getTick()) <= limitMicros) {
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * Renders {@code sequence} as {@code variant} says, at most {@code maxSeconds} long (the piece's start).
     * The result is not trimmed: silence before the first note is kept, so times in the output match
     * times in the (tempo-scaled) sequence.
     */
    public Signal render(Sequence sequence, Variant variant, double maxSeconds) throws IOException {
        if (variant.soundfont() >= soundfontCount()) {
            throw new IllegalArgumentException("variant " + variant.name() + " wants soundfont " + variant.soundfont()
                    + " but only " + soundfontCount() + " are loaded");
        }
        List<Timed> events = schedule(sequence, variant, maxSeconds);
        long lastMicros = events.isEmpty() ? 0 : events.get(events.size() - 1).micros;
        double seconds = Math.min(maxSeconds, lastMicros / 1e6 + TAIL_SECONDS);
        int frames = (int) Math.ceil(seconds * SAMPLE_RATE);

        AudioSynthesizer synth = new SoftSynthesizer();
        AudioFormat format = new AudioFormat(SAMPLE_RATE, 16, 1, true, false);
        Map<String, Object> info = new HashMap<>();
        info.put("interpolation", "sinc");
        info.put("max polyphony", 256);
        // With a soundfont of our own, skip building Gervill's synthetic default bank (about a second).
        info.put("load default soundbank", soundbanks.isEmpty());
        try {
            AudioInputStream stream = synth.openStream(format, info);
            try {
                if (!soundbanks.isEmpty()) {
                    Soundbank bank = soundbanks.get(variant.soundfont());
                    if (!synth.loadAllInstruments(bank)) {
                        throw new IOException("soundfont " + bank.getName() + " has no instrument Gervill can load");
                    }
                }
                Receiver receiver = synth.getReceiver();
                for (Timed t : events) receiver.send(t.message, t.micros);
                return new Signal(readFrames(stream, frames), SAMPLE_RATE);
            } finally {
                stream.close();
            }
        } catch (MidiUnavailableException e) {
            throw new IOException("Gervill synthesizer unavailable: " + e.getMessage(), e);
        } finally {
            synth.close();
        }
    }

    record Timed(long micros, MidiMessage message) {
    }

    /**
     * Channel and sysex messages in play order, re-voiced and transposed, with timestamps in microseconds.
     * A drum-only variant keeps channel 10's messages alone.
     */
    static List<Timed> schedule(Sequence sequence, Variant variant, double maxSeconds) throws IOException {
        TempoMap tempo = TempoMap.of(sequence);
        record Ev(long tick, int track, int index, MidiMessage msg) {
        }
        List<Ev> all = new ArrayList<>();
        Track[] tracks = sequence.getTracks();
        for (int t = 0; t < tracks.length; t++) {
            for (int i = 0; i < tracks[t].size(); i++) {
                MidiEvent e = tracks[t].get(i);
                all.add(new Ev(e.getTick(), t, i, e.getMessage()));
            }
        }
        all.sort(Comparator.comparingLong(Ev::tick).thenComparingInt(Ev::track).thenComparingInt(Ev::index));

        boolean revoice = variant.program() >= 0;
        long limitMicros = (long) (maxSeconds * 1e6);
        List<Timed> out = new ArrayList<>();
        try {
            if (revoice) {
                for (int ch = 0; ch < 16; ch++) {
                    if (ch != DRUM_CHANNEL) out.add(new Timed(0, new ShortMessage(ShortMessage.PROGRAM_CHANGE, ch, variant.program(), 0)));
                }
            }
            for (Ev e : all) {
                long micros = Math.round(tempo.microsRounded(e.tick) / variant.tempo());
                if (micros > limitMicros) break;
                MidiMessage m = transform(e.msg, variant, revoice);
                if (m != null) out.add(new Timed(micros, m));
            }
        } catch (InvalidMidiDataException e) {
            throw new IOException("cannot build MIDI message: " + e.getMessage(), e);
        }
        return out;
    }

    /** The message to send for {@code m}, or null to drop it. */
    private static MidiMessage transform(MidiMessage m, Variant v, boolean revoice) throws InvalidMidiDataException {
        if (m instanceof SysexMessage) {
            // A GM/GS reset inside the file would undo the program override, so sysex only plays unaltered;
            // a GS part-mode message could turn another channel into drums, so a drum-only render drops it too.
            return revoice || v.drumsOnly() ? null : m;
        }
        if (!(m instanceof ShortMessage s)) return null; // meta events: tempo already applied, text irrelevant
        int cmd = s.getCommand();
        if (cmd < 0x80 || cmd > 0xE0) return null; // real-time/system bytes; active sensing would silence the synth
        int ch = s.getChannel();
        if (ch == DRUM_CHANNEL) return s;
        if (v.drumsOnly()) return null;
        if (revoice) {
            if (cmd == ShortMessage.PROGRAM_CHANGE) return null;
            if (cmd == ShortMessage.CONTROL_CHANGE && (s.getData1() == 0 || s.getData1() == 32)) return null; // bank select
        }
        if (v.transpose() != 0 && (cmd == ShortMessage.NOTE_ON || cmd == ShortMessage.NOTE_OFF
                || cmd == ShortMessage.POLY_PRESSURE)) {
            int key = s.getData1() + v.transpose();
            if (key < 0 || key > 127) return null;
            return new ShortMessage(cmd, ch, key, s.getData2());
        }
        return s;
    }

    private static float[] readFrames(AudioInputStream stream, int frames) throws IOException {
        byte[] buf = new byte[frames * 2];
        int off = 0;
        while (off < buf.length) {
            int n = stream.read(buf, off, Math.min(buf.length - off, 1 << 16));
            if (n < 0) throw new IOException("Gervill stream ended after " + off / 2 + " of " + frames + " frames");
            off += n;
        }
        float[] out = new float[frames];
        for (int i = 0; i < frames; i++) {
            out[i] = (short) ((buf[2 * i] & 0xFF) | (buf[2 * i + 1] << 8)) / 32768f;
        }
        return out;
    }
}
