package dev.siac.report;

import dev.siac.dsp.Levels;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.siac.codec.Codec;
import dev.siac.codec.Event;
import dev.siac.codec.EventList;
import dev.siac.codec.Precision;
import dev.siac.codec.SiacFormat;
import dev.siac.dsp.Spectral;
import dev.siac.eval.Metrics;
import dev.siac.model.ModelConfig;
import dev.siac.model.SiacModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Runs a model over audio (or decodes an event file) and gathers everything the article shows into a {@link ReportData}.
 *
 * <p>For audio the article follows the seed: the first analysis window of the input (the model's own window size,
 * zero-padded, peak-normalised) goes through the iterative encoder, which yields the events, the residual after each
 * step and the reconstruction; a longer prefix of the input goes through the streaming codec for the numbers and the
 * streaming section. For an event file the same sections are made from its stored events.
 */
public final class ReportBuilder {

    /** Values of each event's amplitude envelope in the scatterplot. */
    static final int ENVELOPE_POINTS = 128;
    /** The shared perturbation direction is drawn per dimension from U(-1, 1) times this fraction of the vectors' std. */
    static final double PERTURB_STD_FRACTION = 0.5;
    /** Events rendered together: bounds the native memory of one render call (like the codec's decoder). */
    private static final int RENDER_BATCH = 8;

    /**
     * @param seed          drives the randomised sections (random vectors, random times, the perturbation direction)
     * @param streamSeconds how much of the input the streaming section encodes and decodes
     * @param modelLabel    how the page names the model (e.g. its preset and id), or null
     */
    public record Options(long seed, double streamSeconds, String modelLabel) {
        public Options {
            if (!(streamSeconds > 0) || Double.isInfinite(streamSeconds)) {
                throw new IllegalArgumentException("stream seconds must be a positive number, got " + streamSeconds);
            }
        }
    }

    /** Where the builder reports long stages (a progress bar in the CLI). */
    public interface Progress {
        /** A stage begins; {@code total} units of work follow (1 when it cannot be counted). */
        void start(String task, long total);

        /** {@code done} units of the current stage are finished. */
        void step(long done);

        /** The current stage is finished. */
        void end();

        Progress NONE = new Progress() {
            @Override
            public void start(String task, long total) {
            }

            @Override
            public void step(long done) {
            }

            @Override
            public void end() {
            }
        };
    }

    private final Codec codec;
    private final SiacModel model;
    private final ModelConfig c;
    private final Options options;
    private final Progress progress;

    public ReportBuilder(Codec codec, Options options, Progress progress) {
        this.codec = codec;
        this.model = codec.model();
        this.c = model.config;
        this.options = options;
        this.progress = progress == null ? Progress.NONE : progress;
    }

    /** Samples of the input at the model's rate that {@link #fromAudio} uses: one window or the streamed prefix. */
    public long audioSamplesNeeded() {
        return Math.max(c.windowSamples, streamSamples());
    }

    /** Samples of original audio that {@link #fromEvents} uses for this list: its analysed window and streamed prefix. */
    public long audioSamplesNeeded(EventList list) {
        return Math.max(windowStart(list) + c.windowSamples, Math.min(list.lengthSamples(), streamSamples()));
    }

    private long streamSamples() {
        return (long) Math.ceil(options.streamSeconds() * c.sampleRate);
    }

    // ------------------------------------------------------------------------------------------------ from audio

    /**
     * The article for audio at the model's sample rate.
     *
     * @param title       page title
     * @param audio       the start of the input (at least {@link #audioSamplesNeeded()} samples unless the input is
     *                    shorter); nothing beyond that is used
     * @param longerInput whether the input continues beyond {@code audio} (only said on the page)
     */
    public ReportData fromAudio(String title, float[] audio, boolean longerInput) throws IOException {
        if (audio.length == 0) throw new IllegalArgumentException("the input has no samples");
        JniUtils.setGradMode(false);
        int n = c.windowSamples;
        int hop = c.stftHop;
        int sr = c.sampleRate;
        float[] window = Arrays.copyOf(audio, n);
        float gain = Levels.peak(window);
        float scale = gain > 0 ? 1f / gain : 0f;
        float[] normalised = new float[n];
        for (int i = 0; i < n; i++) normalised[i] = window[i] * scale;
        float level = gain > 0 ? gain : 1f;

        int steps = c.eventsPerWindow;
        List<float[]> eventAudio = new ArrayList<>(steps);
        List<float[]> vectors = new ArrayList<>(steps);
        long[] onsets = new long[steps];
        float[] amplitudes = new float[steps];
        List<float[]> residuals = new ArrayList<>(steps);
        float[] input;
        progress.start("analyse", 1);
        try (NDScope scope = new NDScope(); NDManager m = model.manager().newSubManager()) {
            scope.suppressNotUsedWarning();
            NDArray x = m.create(normalised, new Shape(1, n));
            input = Spectral.magnitude(x).toFloatArray();
            SiacModel.Iteration it = model.iterative(x, steps, true);
            for (int k = 0; k < steps; k++) {
                eventAudio.add(it.events().get(k).toFloatArray());
                vectors.add(it.vectors().get(k).toFloatArray());
                onsets[k] = it.frames().get(k)[0] * hop;
                amplitudes[k] = it.amplitudes().get(k).getFloat(0);
                residuals.add(it.residuals().get(k).toFloatArray());
            }
        }
        progress.end();

        float[] reconstruction = new float[n];
        List<EventView> events = new ArrayList<>(steps);
        for (int k = 0; k < steps; k++) {
            float[] e = eventAudio.get(k);
            for (int i = 0; i < n; i++) reconstruction[i] += e[i] * level;
            events.add(view(e, onsets[k], amplitudes[k], vectors.get(k), level));
        }
        int loudest = loudest(events);
        EventSteps oneEvent = steps(vectors.get(loudest));

        List<Event> windowEvents = new ArrayList<>(steps);
        for (int k = 0; k < steps; k++) windowEvents.add(new Event(onsets[k], amplitudes[k], vectors.get(k)));
        EventList base = new EventList(sr, n, level, c.vectorDim, "", Precision.F32, windowEvents);
        Random rng = new Random(options.seed());
        progress.start("randomise", 3);
        float[] randomVectors = generate(base.randomizeVectors(rng), level);
        progress.step(1);
        float[] randomTimes = generate(base.randomizeTimes(rng), level);
        progress.step(2);
        Perturbation perturbation = perturbation(base, rng);
        float[] perturbed = generate(base.perturb(perturbation.direction()), level);
        progress.step(3);
        progress.end();

        // The streaming codec over the prefix: what `siac encode` would write for it, and what `siac decode` makes of that.
        int streamLength = (int) Math.min(audio.length, streamSamples());
        float[] streamOriginal = Arrays.copyOf(audio, streamLength);
        Codec.Result encoded = encode(streamOriginal);
        EventList streamed = encoded.events();
        float[] streamReconstruction = decode(streamed);
        long bytes = SiacFormat.toBytes(streamed).length;

        double firstHalfRemoved = energyRemoved(input, residuals.get(steps - 1), c.bins(), c.frames(), c.onsetFrames());
        Map<String, String> numbers = new LinkedHashMap<>();
        if (options.modelLabel() != null) numbers.put("model", options.modelLabel());
        numbers.put("analysed window", String.format(Locale.ROOT, "%.2f s (%d samples), the first of the input", n / (double) sr, n));
        numbers.put("events in the window", Integer.toString(steps));
        numbers.put("energy removed in the window's first half", percent(firstHalfRemoved));
        numbers.put("streamed duration", seconds(streamLength / (double) sr) + (longerInput ? " (the start of a longer input)" : ""));
        numbers.put("streamed events", Integer.toString(streamed.size()));
        numbers.put("events per second", String.format(Locale.ROOT, "%.1f", streamed.eventsPerSecond()));
        numbers.put("bitrate", kbps(bytes, streamed) + " (" + bytes + " bytes, " + streamed.precision().label() + " vectors)");
        numbers.put("energy removed (streamed)", percent(encoded.energyRemoved()));
        numbers.put("mel L1 (streamed reconstruction vs input)", String.format(Locale.ROOT, "%.3f",
                Metrics.melL1(streamOriginal, streamReconstruction, sr)));

        Map<String, String> notes = new LinkedHashMap<>();
        notes.put("original", String.format(Locale.ROOT, "This is the first analysis window of the input: %.2f s (%d samples "
                + "at %d Hz, the model's window)%s. The encoder sees it divided by its peak (%.4f), as the codec does.",
                n / (double) sr, n, sr, audio.length < n ? ", zero-padded at the end" : "", gain));
        notes.put("reconstruction", "As in the seed, only the first half of the window is reproduced: the encoder may place "
                + "events only there (the second half is masked), so the second half holds only what those events ring into. "
                + "The streaming section below covers the whole input.");
        notes.put("intermediates", "The event shown is the loudest of the window (event " + (loudest + 1) + "). The last "
                + "sound is the decoder's output for it: the room-convolved signal mixed with the dry one.");
        notes.put("randomized", "Random vectors are drawn uniformly per dimension between that dimension's smallest and largest "
                + "value over the window's events; random times are uniform over the whole window. Seed " + options.seed() + ".");
        notes.put("perturbations", perturbation.description());
        return new ReportData(title, sr, window, reconstruction, events, oneEvent, residuals, c.bins(), c.frames(),
                randomVectors, randomTimes, perturbed, showStreaming(streamLength, n / 2) ? streamOriginal : null,
                showStreaming(streamLength, n / 2) ? streamReconstruction : null, numbers, streamNote(notes, streamLength, n / 2));
    }

    // ------------------------------------------------------------------------------------------------ from events

    /**
     * The article for an event file: its first window of events (or the first window that has any) stands in for the
     * encoder's window, and the first {@code streamSeconds} of the file are decoded for the streaming section.
     *
     * @param fileBytes size of the event file, for the bitrate
     * @param original  the audio the file was encoded from (at the model's rate), or null when there is none
     */
    public ReportData fromEvents(String title, EventList list, long fileBytes, float[] original) throws IOException {
        if (list.size() == 0) throw new IllegalArgumentException("the event file holds no events; there is nothing to show");
        if (list.vectorDim() != c.vectorDim || list.sampleRate() != c.sampleRate) {
            throw new IllegalArgumentException("the model (" + c.vectorDim + "-d vectors at " + c.sampleRate
                    + " Hz) cannot decode these events (" + list.vectorDim() + "-d at " + list.sampleRate() + " Hz)");
        }
        JniUtils.setGradMode(false);
        int n = c.windowSamples;
        int sr = c.sampleRate;
        long start = windowStart(list);
        // Decoded audio is the events times the stored gain (0 = silence, as the codec decodes it); the residuals are
        // on the encoder's scale, the input divided by that gain.
        float gain = list.gain();
        float level = gain;
        float encoderScale = gain > 0 ? gain : 1f;

        List<Event> inWindow = new ArrayList<>();
        for (Event e : list.events()) {
            if (e.time() >= start && e.time() < start + n) inWindow.add(new Event(e.time() - start, e.amplitude(), e.vector()));
        }
        EventList base = new EventList(sr, n, gain, c.vectorDim, "", Precision.F32, inWindow);
        List<Event> evs = base.events();
        int count = evs.size();

        progress.start("render", count);
        float[] reconstruction = new float[n];
        List<EventView> views = new ArrayList<>(count);
        List<float[]> placed = new ArrayList<>(count);
        for (int from = 0; from < count; from += RENDER_BATCH) {
            List<Event> part = evs.subList(from, Math.min(count, from + RENDER_BATCH));
            float[][] rows = codec.renderPlaced(part);
            for (int i = 0; i < part.size(); i++) {
                Event e = part.get(i);
                float[] inPlace = place(rows[i], e.time(), n);
                placed.add(inPlace);
                for (int j = 0; j < n; j++) reconstruction[j] += inPlace[j] * level;
                views.add(view(inPlace, e.time(), e.amplitude(), e.vector(), level));
            }
            progress.step(Math.min(count, from + RENDER_BATCH));
        }
        progress.end();
        // as the decoder does: the window starts on a balance frame when the encoder made the list
        reconstruction = dev.siac.codec.BalanceFilter.apply(list.balance().from(start), sr, reconstruction);

        float[] window = null;
        if (original != null) {
            window = new float[n];
            if (start < original.length) System.arraycopy(original, (int) start, window, 0, (int) Math.min(n, original.length - start));
        }
        // Without the original, the decomposition starts from what the events add up to, so each step removes one event.
        float[] target = window != null ? window : reconstruction;
        float[] targetNormalised = new float[n];
        for (int i = 0; i < n; i++) targetNormalised[i] = target[i] / encoderScale;
        List<float[]> residuals = new ArrayList<>(count);
        float[] input;
        progress.start("decompose", count);
        try (NDScope scope = new NDScope(); NDManager m = model.manager().newSubManager()) {
            scope.suppressNotUsedWarning();
            input = Spectral.magnitude(m.create(targetNormalised)).toFloatArray();
            float[] residual = input.clone();
            for (int k = 0; k < count; k++) {
                try (NDManager step = m.newSubManager()) {
                    float[] spec = Spectral.magnitude(step.create(placed.get(k))).toFloatArray();
                    for (int j = 0; j < residual.length; j++) residual[j] -= spec[j];
                }
                residuals.add(residual.clone());
                progress.step(k + 1);
            }
        }
        progress.end();

        int loudest = loudest(views);
        EventSteps oneEvent = steps(evs.get(loudest).vector());

        Random rng = new Random(options.seed());
        progress.start("randomise", 3);
        float[] randomVectors = placeAndSum(base.randomizeVectors(rng), level);
        progress.step(1);
        float[] randomTimes = placeAndSum(base.randomizeTimes(rng), level);
        progress.step(2);
        Perturbation perturbation = perturbation(base, rng);
        float[] perturbed = placeAndSum(base.perturb(perturbation.direction()), level);
        progress.step(3);
        progress.end();

        int streamLength = (int) Math.min(list.lengthSamples(), streamSamples());
        List<Event> streamEvents = new ArrayList<>();
        for (Event e : list.events()) if (e.time() < streamLength) streamEvents.add(e);
        EventList streamList = new EventList(sr, streamLength, gain, list.vectorDim(), list.modelId(), list.precision(), streamEvents)
                .withSilence(list.silence()).withBalance(list.balance()); // as siac decode plays the file's start
        float[] streamReconstruction = streamLength > 0 ? decode(streamList) : null;
        float[] streamOriginal = null;
        if (original != null && streamLength > 0) streamOriginal = Arrays.copyOf(original, streamLength);

        Map<String, String> numbers = new LinkedHashMap<>();
        if (options.modelLabel() != null) numbers.put("model", options.modelLabel());
        numbers.put("duration", seconds(list.durationSeconds()));
        numbers.put("events", Integer.toString(list.size()));
        numbers.put("events per second", String.format(Locale.ROOT, "%.1f", list.eventsPerSecond()));
        numbers.put("bitrate", kbps(fileBytes, list) + " (" + fileBytes + " bytes, " + list.precision().name().toLowerCase(Locale.ROOT) + " vectors)");
        numbers.put("analysed window", String.format(Locale.ROOT, "%.2f s to %.2f s, %d events", start / (double) sr,
                (start + n) / (double) sr, count));
        String noAudio = "n/a (no original audio; pass --audio)";
        numbers.put("energy removed in the window", window != null
                ? percent(energyRemoved(input, residuals.get(count - 1), c.bins(), c.frames(), c.frames())) : noAudio);
        numbers.put("mel L1 (decoded vs original)", streamOriginal != null
                ? String.format(Locale.ROOT, "%.3f over the first %s", Metrics.melL1(streamOriginal, streamReconstruction, sr),
                seconds(streamLength / (double) sr)) : noAudio);

        Map<String, String> notes = new LinkedHashMap<>();
        String where = String.format(Locale.ROOT, "%.2f s to %.2f s of the file (one window of the model, %d samples)",
                start / (double) sr, (start + n) / (double) sr, n);
        notes.put("original", window != null ? "The original audio given with --audio, " + where + "."
                : "This report was made from an event file, which holds no audio: there is no original to play. "
                + "Pass the audio it was encoded from with --audio to compare.");
        notes.put("reconstruction", "The events of the file with onsets in " + where + ", decoded with the codec. The "
                + "streaming encoder placed them from overlapping windows, so both halves of this window are reproduced.");
        notes.put("scatterplot", "The events of the analysed window, in time order (the order the encoder extracted them in "
                + "is not stored in an event file).");
        notes.put("vectors", "Rows are in time order here, not in the order of extraction.");
        notes.put("intermediates", "The event shown is the loudest of the window (event " + (loudest + 1) + "). The last "
                + "sound is the decoder's output for it: the room-convolved signal mixed with the dry one.");
        notes.put("decomposition", window != null
                ? "The residual starts from the original's spectrogram (divided by the file's gain, as the encoder saw it) and "
                + "each step removes one event's spectrogram, in time order."
                : "Without the original, the residual starts from the spectrogram of the reconstruction itself and each step "
                + "removes one event's spectrogram, in time order.");
        notes.put("randomized", "Random vectors are drawn uniformly per dimension between that dimension's smallest and largest "
                + "value over the window's events; random times are uniform over the whole window. Seed " + options.seed() + ".");
        notes.put("perturbations", perturbation.description());
        return new ReportData(title, sr, window, reconstruction, views, oneEvent, residuals, c.bins(), c.frames(),
                randomVectors, randomTimes, perturbed,
                showStreaming(streamLength, n) ? streamOriginal : null,
                showStreaming(streamLength, n) ? streamReconstruction : null, numbers,
                streamNote(notes, streamLength, n));
    }

    /** The analysed window of an event file: the first one, or the first half-window boundary before its first event. */
    long windowStart(EventList list) {
        int n = c.windowSamples;
        if (list.size() == 0 || list.events().get(0).time() < n) return 0;
        long half = n / 2;
        return list.events().get(0).time() / half * half;
    }

    // ------------------------------------------------------------------------------------------------ parts

    /** The streaming section is worth showing only when it covers more than the article's own window already does. */
    private static boolean showStreaming(int streamLength, int covered) {
        return streamLength > covered;
    }

    private Map<String, String> streamNote(Map<String, String> notes, int streamLength, int covered) {
        if (showStreaming(streamLength, covered)) {
            notes.put("streaming", String.format(Locale.ROOT, "The first %s of the input, encoded with the streaming codec "
                    + "(what siac encode writes) and decoded from its events.", seconds(streamLength / (double) c.sampleRate)));
        }
        return notes;
    }

    /**
     * One event as the scatterplot shows it: its sound from its onset frame (as the seed plays it), trimmed once it has
     * decayed by 60 dB, at the input's level.
     */
    private EventView view(float[] inPlace, long onset, float amplitude, float[] vector, float level) {
        int from = (int) onset;
        int end = audibleEnd(inPlace, from, Math.min(inPlace.length - from, Math.max(c.stftWindow, c.sampleRate / 4)));
        float[] clip = new float[end - from];
        for (int i = 0; i < clip.length; i++) clip[i] = inPlace[from + i] * level;
        return new EventView(onset / (double) c.sampleRate, amplitude, vector.clone(), clip, envelope(clip, ENVELOPE_POINTS));
    }

    /** Index just past the last sample louder than -60 dB of the clip's peak, plus a margin; at least minLength. */
    static int audibleEnd(float[] x, int from, int minLength) {
        int last = Levels.lastAbove(x, from, 1e-3f);
        int margin = 1024;
        return (int) Math.min(x.length, Math.max((long) from + minLength, (long) last + 1 + margin));
    }

    /** Mean |x| over {@code points} equal blocks. */
    static float[] envelope(float[] x, int points) {
        float[] env = new float[points];
        for (int k = 0; k < points; k++) {
            int a = (int) ((long) k * x.length / points);
            int b = (int) ((long) (k + 1) * x.length / points);
            double s = 0;
            for (int i = a; i < b; i++) s += Math.abs(x[i]);
            env[k] = b > a ? (float) (s / (b - a)) : (a < x.length ? Math.abs(x[a]) : 0f);
        }
        return env;
    }

    private static int loudest(List<EventView> events) {
        int best = 0;
        double bestEnergy = -1;
        for (int i = 0; i < events.size(); i++) {
            double e = 0;
            for (float v : events.get(i).audio()) e += (double) v * v;
            if (e > bestEnergy) {
                bestEnergy = e;
                best = i;
            }
        }
        return best;
    }

    /** The decoder's intermediate signals for one vector, rendered at time 0 with unit amplitude. */
    private EventSteps steps(float[] vector) {
        try (NDScope scope = new NDScope(); NDManager m = model.manager().newSubManager()) {
            scope.suppressNotUsedWarning();
            SiacModel.Rendered r = model.render(m.create(vector, new Shape(1, c.vectorDim)), true);
            long[] shape = r.deformations().getShape().getShape();
            int channels = (int) shape[1];
            int frames = (int) shape[2];
            float[] flat = r.deformations().toFloatArray();
            float[][] deformation = new float[channels][frames];
            for (int ch = 0; ch < channels; ch++) System.arraycopy(flat, ch * frames, deformation[ch], 0, frames);
            return new EventSteps(r.impulse().toFloatArray(), r.resonated().toFloatArray(), deformation, r.out().toFloatArray());
        }
    }

    /**
     * The window's events rendered the way the encoder rendered them ({@link SiacModel#generate}: placed at their onset
     * frames, cropped to the window) and summed, at the input's level.
     */
    private float[] generate(EventList list, float level) {
        int n = c.windowSamples;
        float[] sum = new float[n];
        List<Event> evs = list.events();
        for (int from = 0; from < evs.size(); from += RENDER_BATCH) {
            List<Event> part = evs.subList(from, Math.min(evs.size(), from + RENDER_BATCH));
            int b = part.size();
            float[] flat = new float[b * c.vectorDim];
            float[] amps = new float[b];
            long[] frames = new long[b];
            for (int i = 0; i < b; i++) {
                Event e = part.get(i);
                System.arraycopy(e.vector(), 0, flat, i * c.vectorDim, c.vectorDim);
                amps[i] = e.amplitude();
                frames[i] = Math.min(e.time() / c.stftHop, c.frames() - 1);
            }
            try (NDScope scope = new NDScope(); NDManager m = model.manager().newSubManager()) {
                scope.suppressNotUsedWarning();
                NDArray out = model.generate(m.create(flat, new Shape(b, c.vectorDim)), frames, m.create(amps));
                float[] v = out.sum(new int[] {0}).toFloatArray();
                for (int j = 0; j < n; j++) sum[j] += v[j] * level;
            }
        }
        return sum;
    }

    /** A placed row (as {@link Codec#renderPlaced} returns it) laid into a window of n samples at onset {@code time}. */
    private float[] place(float[] row, long time, int n) {
        float[] out = new float[n];
        codec.addPlaced(out, 0, row, time);
        return out;
    }

    private float[] placeAndSum(EventList list, float level) {
        int n = c.windowSamples;
        float[] sum = new float[n];
        List<Event> evs = list.events();
        for (int from = 0; from < evs.size(); from += RENDER_BATCH) {
            List<Event> part = evs.subList(from, Math.min(evs.size(), from + RENDER_BATCH));
            float[][] rows = codec.renderPlaced(part);
            for (int i = 0; i < part.size(); i++) {
                float[] p = place(rows[i], part.get(i).time(), n);
                for (int j = 0; j < n; j++) sum[j] += p[j] * level;
            }
        }
        return sum;
    }

    /** A shared direction and how it was drawn (said on the page). */
    private record Perturbation(float[] direction, String description) {
    }

    /**
     * The seed adds one U(-10, 10) vector to every event; for a model whose vectors spread far less than that it would
     * only make noise, so the direction is scaled to the vectors' own spread.
     */
    private Perturbation perturbation(EventList list, Random rng) {
        int dims = c.vectorDim;
        List<Event> evs = list.events();
        double[] mean = new double[dims];
        double[] var = new double[dims];
        for (Event e : evs) for (int d = 0; d < dims; d++) mean[d] += e.vector()[d] / (double) evs.size();
        for (Event e : evs) {
            for (int d = 0; d < dims; d++) var[d] += Math.pow(e.vector()[d] - mean[d], 2) / evs.size();
        }
        double[] std = new double[dims];
        boolean spread = false;
        for (int d = 0; d < dims; d++) {
            std[d] = Math.sqrt(var[d]);
            spread |= std[d] > 0;
        }
        String basis = "that dimension's standard deviation over the window's events";
        if (!spread) {
            // One event (or identical ones) has no spread: fall back to the size of its values.
            double rms = 0;
            for (Event e : evs) for (float v : e.vector()) rms += (double) v * v / (evs.size() * (double) dims);
            Arrays.fill(std, Math.sqrt(rms));
            basis = "the root-mean-square value of the event vectors (they have no spread to measure)";
        }
        float[] direction = new float[dims];
        double norm = 0;
        for (int d = 0; d < dims; d++) {
            direction[d] = (float) ((rng.nextDouble() * 2 - 1) * PERTURB_STD_FRACTION * std[d]);
            norm += (double) direction[d] * direction[d];
        }
        String text = String.format(Locale.ROOT, "The seed adds a U(-10, 10) vector, which is far larger than the spread of "
                + "this model's vectors; here each dimension of the direction is drawn from U(-1, 1) times %.1f times %s "
                + "(length of the direction: %.3f). Seed %d.", PERTURB_STD_FRACTION, basis, Math.sqrt(norm), options.seed());
        return new Perturbation(direction, text);
    }

    private Codec.Result encode(float[] audio) throws IOException {
        long windows = Math.max(1, (audio.length + c.windowSamples / 2 - 1) / (c.windowSamples / 2));
        progress.start("encode", windows);
        // in parts on every core, as siac encode does (the events do not depend on the number of cores)
        Codec.Result r = codec.encodeInParts(Codec.Stretches.of(audio), audio.length, Levels.peak(audio),
                Codec.Options.defaults(c), done -> progress.step(done), Runtime.getRuntime().availableProcessors());
        progress.end();
        return r;
    }

    private float[] decode(EventList list) throws IOException {
        float[] out = new float[(int) list.lengthSamples()];
        int[] pos = {0};
        progress.start("decode", Math.max(1, list.size()));
        codec.decode(list, (buf, off, len) -> {
            System.arraycopy(buf, off, out, pos[0], len);
            pos[0] += len;
        }, done -> progress.step(done));
        progress.end();
        return out;
    }

    /** 1 - L1(residual) / L1(input) over the first {@code cols} frames of (bins x frames) row-major spectrograms. */
    static double energyRemoved(float[] input, float[] residual, int bins, int frames, int cols) {
        double in = 0;
        double res = 0;
        for (int b = 0; b < bins; b++) {
            for (int t = 0; t < cols; t++) {
                in += Math.abs(input[b * frames + t]);
                res += Math.abs(residual[b * frames + t]);
            }
        }
        return in == 0 ? 0 : 1 - res / in;
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f %%", 100 * fraction);
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.2f s", s);
    }

    private static String kbps(long bytes, EventList list) {
        double s = list.durationSeconds();
        return String.format(Locale.ROOT, "%.2f kbps", s == 0 ? 0 : bytes * 8 / s / 1000);
    }
}
