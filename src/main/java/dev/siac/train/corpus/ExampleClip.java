package dev.siac.train.corpus;

import dev.siac.audio.AudioIO;
import dev.siac.audio.Signal;
import dev.siac.audio.WavEncoding;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Makes the short clip that ships in {@code examples/}: the start of a MIDI file rendered exactly as the
 * corpus renders originals (same renderer, same trimming), then faded out so it does not stop mid-note.
 *
 * <pre>java --add-exports java.desktop/com.sun.media.sound=ALL-UNNAMED -cp CLASSPATH \
 *     dev.siac.train.corpus.ExampleClip IN.mid SOUNDFONT.sf2 SECONDS OUT.wav</pre>
 */
public final class ExampleClip {

    static final double FADE_SECONDS = 0.5;

    private ExampleClip() {
    }

    public static Signal render(Path midi, Path soundfont, double seconds) throws IOException {
        MidiRenderer r = new MidiRenderer(List.of(MidiRenderer.loadSoundbank(soundfont)));
        // Render a little more than asked: trimming the leading silence must not shorten the clip.
        Signal s = Trim.silence(r.render(MidiRenderer.readMidi(midi), Variant.original(0), seconds + 2));
        float[] x = Arrays.copyOf(s.samples(), Math.min(s.length(), (int) Math.round(seconds * s.sampleRate())));
        int fade = Math.min(x.length, (int) (FADE_SECONDS * s.sampleRate()));
        for (int i = 0; i < fade; i++) {
            double g = 0.5 + 0.5 * Math.cos(Math.PI * (i + 1) / fade); // raised cosine from 1 down to 0
            x[x.length - fade + i] *= (float) g;
        }
        return new Signal(x, s.sampleRate());
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: ExampleClip IN.mid SOUNDFONT.sf2 SECONDS OUT.wav");
            System.exit(2);
        }
        Signal s = render(Path.of(args[0]), Path.of(args[1]), Double.parseDouble(args[2]));
        AudioIO.writeWav(Path.of(args[3]), s, WavEncoding.PCM16);
        System.out.printf(Locale.ROOT, "%s: %.2f s, peak %.3f, rms %.3f%n", args[3], s.durationSeconds(), s.peak(), s.rms());
    }
}
