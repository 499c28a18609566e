package dev.siac.model;

import dev.siac.dsp.Spectral;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Every size of a siac model. Stored as {@code config.json} in a model directory; presets live in
 * {@code src/main/resources/presets/NAME.json}. Nothing about sizes is hard-coded elsewhere.
 */
public final class ModelConfig {
    public String preset = "custom";
    /** The one sample rate siac reads, renders and writes audio at (the seed's). */
    public static final int SAMPLE_RATE = 22050;

    public int sampleRate = SAMPLE_RATE;
    /** Analysis window, and the length of every generated event unless eventSamples says otherwise (MODEL_SPEC §1: 2^17). */
    public int windowSamples = 131072;
    /**
     * Length of a generated event in samples; 0 (the seed's model) = windowSamples. A shorter event (a power of two
     * with eventSamples + 2 x guard at most half the window) is rendered at its own length, shifted by its sub-frame
     * delay in a 2 x eventSamples buffer, and placed into the window: every transform of the decoder shrinks with it.
     */
    public int eventSamples = 0;
    public int stftWindow = 2048;
    public int stftHop = 256;
    public int vectorDim = 32;
    public int eventsPerWindow = 32;

    public int hidden = 512;
    public int[] dilations = {1, 2, 4, 8, 16, 32, 64, 1};

    public int headHidden = 512;
    public int headBlocks = 2;

    public int nResonances = 4096;
    public int resonanceExpressivity = 4;
    /** Window of the resonance synthesis STFT (hop is half of it). */
    public int resonanceWindow = 2048;
    public float baseResonance = 0.5f;

    public int nEnvelopes = 256;
    public int envelopeImpulses = 32;
    public int envelopeResolution = 128;
    public int envelopeSamples = 8192;

    public int nDeformations = 256;
    public int nNoiseFilters = 64;
    public int noiseFilterTaps = 128;
    public int noiseExpressivity = 2;
    public int nNoiseDeformations = 32;

    public int nRoomIrs = 38;
    /** Seed of the generated room impulse response bank (RoomBank). */
    public long roomSeed = 1;

    /**
     * How banks are initialised: "reference" = MODEL_SPEC §4.3 (noise-like banks, as the seed trained from), or
     * "physical" = harmonic and inharmonic resonances over the musical pitch range with a range of decays, attack
     * shapes in the envelope bank, and a switch bias that starts events at an audible level (PhysicalInit).
     */
    public String init = "reference";

    /** Largest sub-frame shift, in samples (the fine head's tanh is scaled by it). */
    public int fineShiftSamples = 256;

    /**
     * Keep the reference checkpoint's parameters that the forward pass never uses (the res_filter and amplitudes
     * heads, the encoder's BatchNorm, scheduler.pos), so that parameter counts and names match MODEL_SPEC §7.
     */
    public boolean referenceUnused = true;

    public int frames() {
        return windowSamples / stftHop;
    }

    /** Samples of one generated event (windowSamples unless eventSamples is set). */
    public int eventLength() {
        return eventSamples > 0 ? eventSamples : windowSamples;
    }

    /** STFT frames of one generated event: the time resolution of its deformations. */
    public int eventFrames() {
        return eventLength() / stftHop;
    }

    /** Whether events are shorter than the window (rendered short, then placed) rather than the seed's full length. */
    public boolean shortEvents() {
        return eventLength() < windowSamples;
    }

    /** Silence kept before a short event's onset for a negative sub-frame shift: whole STFT hops covering fineShiftSamples. */
    public int guardSamples() {
        int shift = Math.max(0, fineShiftSamples);
        return (shift + stftHop - 1) / stftHop * stftHop;
    }

    public int bins() {
        return stftWindow / 2 + 1;
    }

    public int onsetFrames() {
        return frames() / 2;
    }

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    public String toJson() {
        return GSON.toJson(this);
    }

    public static ModelConfig fromJson(String json, String source) {
        ModelConfig c;
        try {
            c = GSON.fromJson(json, ModelConfig.class);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(source + ": not a valid model config (" + e.getMessage() + ")");
        }
        if (c == null) throw new IllegalArgumentException(source + ": empty model config");
        c.validate(source);
        return c;
    }

    public static ModelConfig read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": model config not found");
        try {
            return fromJson(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    public void write(Path file) throws IOException {
        Files.writeString(file, toJson() + "\n", StandardCharsets.UTF_8);
    }

    /** Loads a bundled preset by name ("paper", "small", "small-short", "small-full", "tiny"). */
    public static ModelConfig preset(String name) {
        String res = "/presets/" + name + ".json";
        try (InputStream in = ModelConfig.class.getResourceAsStream(res)) {
            if (in == null) throw new IllegalArgumentException("unknown preset '" + name + "' (known: paper, small, small-short, small-full, tiny)");
            return fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8), "preset " + name);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read bundled preset " + name, e);
        }
    }

    /** A preset name or a path to a config JSON. */
    public static ModelConfig presetOrFile(String nameOrPath) throws IOException {
        if (nameOrPath.endsWith(".json")) return read(Path.of(nameOrPath));
        return preset(nameOrPath);
    }

    void validate(String source) {
        // sizes the code does not let vary are not settings: refuse them rather than compute something else
        check(stftWindow == Spectral.WINDOW && stftHop == Spectral.HOP, source, "stftWindow/stftHop must be "
                + Spectral.WINDOW + "/" + Spectral.HOP + " (the STFT of dsp.Spectral, the seed's, is fixed)");
        check(sampleRate == SAMPLE_RATE, source, "sampleRate must be " + SAMPLE_RATE
                + " (audio is read and resampled to it; models at other rates are not supported)");
        check(windowSamples % stftHop == 0, source, "windowSamples must be a multiple of stftHop");
        check(Integer.bitCount(windowSamples) == 1, source, "windowSamples must be a power of two");
        check(frames() % 2 == 0, source, "the number of frames must be even");
        check(envelopeSamples % envelopeResolution == 0, source, "envelopeSamples must be a multiple of envelopeResolution");
        check(eventSamples >= 0, source, "eventSamples must be 0 (= windowSamples) or positive");
        check(Integer.bitCount(eventLength()) == 1, source, "eventSamples must be a power of two");
        check(!shortEvents() || eventLength() + 2 * guardSamples() <= windowSamples / 2, source,
                "eventSamples must be windowSamples, or short enough that the event and its guards fit in half a window");
        check(eventLength() % stftHop == 0, source, "eventSamples must be a multiple of stftHop");
        check(envelopeSamples <= eventLength(), source, "envelopeSamples must not exceed the event length");
        check(eventLength() % (resonanceWindow / 2) == 0, source, "the event length must be a multiple of resonanceWindow/2");
        check(dilations != null && dilations.length > 0, source, "dilations must not be empty");
        check(Arrays.stream(dilations).allMatch(d -> d > 0), source, "dilations must be positive");
        check(hidden > 0 && headHidden > 0 && vectorDim > 0 && eventsPerWindow > 0, source, "sizes must be positive");
        check("reference".equals(init) || "physical".equals(init), source, "init must be reference or physical");
        check(nRoomIrs > 0 && nResonances > 0 && nEnvelopes > 0 && nDeformations > 0, source, "banks must not be empty");
        check(nNoiseFilters > 0 && nNoiseDeformations > 0 && noiseExpressivity > 0 && resonanceExpressivity > 0,
                source, "banks must not be empty");
    }

    private static void check(boolean ok, String source, String message) {
        if (!ok) throw new IllegalArgumentException(source + ": " + message);
    }
}
