package dev.siac.codec;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.siac.dsp.Spectral;
import dev.siac.model.InferenceEncoder;
import dev.siac.model.InferenceRender;
import dev.siac.model.ModelConfig;
import dev.siac.model.Placement;
import dev.siac.model.SiacModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Streaming encoder and decoder over audio of any length (MODEL_SPEC §6, with the end-of-signal fix).
 *
 * <p>Windows of N samples advance by N/2; each window's events may start only in its first half, so every sample of
 * the (zero-padded) input can receive onsets exactly once. The codec keeps the input's and the residual's magnitude
 * spectrograms over two windows (bins x 2 x frames floats: 4.2 MB each for 2^17-sample windows, 0.26 MB for the
 * tiny preset's 8192) and about a window of samples, so memory does not grow with the file's length.
 *
 * <p>One deliberate difference from the reference's streaming loop: an event is rendered for its full length N from
 * its onset (the reference crops it at its window's end), and its whole spectrogram is subtracted from the residual,
 * including the part that falls in the next window. What the encoder removes is then exactly what the decoder renders.
 */
public final class Codec {
    /**
     * The encoder's revision: raised whenever the same model, input and options may encode to other bytes (session
     * 11: the band balance holds each octave's level and is measured where the decoder applies it). What makes a Spark
     * manifest row "already done" includes it.
     */
    public static final String ENCODER_REVISION = "11";

    /** Where audio comes from: mono samples at the model's rate, -1 at the end. */
    public interface SampleSource {
        int read(float[] buf, int off, int len) throws IOException;

        /** The samples of an array, in the pieces asked for. */
        static SampleSource of(float[] samples) {
            long[] pos = {0};
            return (buf, off, len) -> {
                if (pos[0] >= samples.length) return -1;
                int k = (int) Math.min(len, samples.length - pos[0]);
                System.arraycopy(samples, (int) pos[0], buf, off, k);
                pos[0] += k;
                return k;
            };
        }
    }

    /** Where decoded audio goes. */
    public interface SampleSink {
        void write(float[] buf, int off, int len) throws IOException;
    }

    /**
     * Encoder settings. maxEventsPerWindow bounds the events of one window. refineSteps > 0 turns on encode-time
     * refinement ({@link Refiner}): that many gradient steps (Adam, step size refineLr) on each window's event vectors
     * and amplitudes after the greedy choice. targetKbps > 0 spends events to meet that bitrate over the file
     * ({@link EventBudget}: more events in windows whose residual holds more energy); 0 places maxEventsPerWindow in
     * every full window. mergeCosine < 1 merges a window's events that share an onset and whose vectors have cosine
     * similarity above it ({@link EventList#mergeTwins}); a merged pair is spent as one event, so under a bitrate target
     * the saving goes to later windows.
     */
    public record Options(int maxEventsPerWindow, double stopBelow, Precision precision, int refineSteps, double refineLr,
                          double targetKbps, double mergeCosine, int mergeWithinSamples, boolean keepSilence,
                          boolean levelFit, boolean eventGains, boolean balance, double balanceLevelDb,
                          int balanceSplit) {
        /** {@link #mergeCosine} that merges nothing. */
        public static final double NO_MERGE = 1;
        public static final double DEFAULT_REFINE_LR = 0.03;

        public Options {
            if (maxEventsPerWindow < 1) throw new IllegalArgumentException("at most " + maxEventsPerWindow + " events per window: must be at least 1");
            if (refineSteps < 0) throw new IllegalArgumentException("refine steps must be at least 0");
            if (refineSteps > 0 && !(refineLr > 0)) throw new IllegalArgumentException("refine step size must be positive");
            if (!(targetKbps >= 0) || Double.isInfinite(targetKbps)) throw new IllegalArgumentException("target bitrate must be positive, got " + targetKbps);
            if (!(mergeCosine >= -1 && mergeCosine <= 1)) throw new IllegalArgumentException("twin cosine must be in [-1, 1], got " + mergeCosine);
            if (mergeWithinSamples < 0) throw new IllegalArgumentException("twin distance must be >= 0, got " + mergeWithinSamples);
            if (eventGains && !levelFit) throw new IllegalArgumentException("each event's own gain refines the level fit: it needs the level fit on");
            if (balance && !levelFit) throw new IllegalArgumentException("the band balance is measured on the level fit's decode: it needs the level fit on");
            if (!(balanceLevelDb > 0)) throw new IllegalArgumentException("the balance's level tolerance must be > 0 dB, got " + balanceLevelDb);
            if (balanceSplit < 0) throw new IllegalArgumentException("band balance frames per window hop must be >= 1 (0: the default), got " + balanceSplit);
        }

        public Options(int maxEventsPerWindow, double stopBelow, Precision precision, int refineSteps, double refineLr,
                       double targetKbps, double mergeCosine, int mergeWithinSamples) {
            this(maxEventsPerWindow, stopBelow, precision, refineSteps, refineLr, targetKbps, mergeCosine, mergeWithinSamples, true,
                    false, false, false, DEFAULT_BALANCE_LEVEL_DB, DEFAULT_BALANCE_SPLIT);
        }

        public Options(int maxEventsPerWindow, double stopBelow, Precision precision, int refineSteps, double refineLr,
                       double targetKbps, double mergeCosine) {
            this(maxEventsPerWindow, stopBelow, precision, refineSteps, refineLr, targetKbps, mergeCosine, 0);
        }

        public Options(int maxEventsPerWindow, double stopBelow, Precision precision) {
            this(maxEventsPerWindow, stopBelow, precision, 0, DEFAULT_REFINE_LR, 0, NO_MERGE);
        }

        public Options(int maxEventsPerWindow, double stopBelow, Precision precision, int refineSteps, double refineLr) {
            this(maxEventsPerWindow, stopBelow, precision, refineSteps, refineLr, 0, NO_MERGE);
        }

        /**
         * The vectors' default storage: q4, the cheapest that costs nothing measurable with the shipped model (mel_l1
         * 0.5398 vs q8's 0.5408 on 33 whole validation files, 0.5702 vs 0.5705 on 24 clips; models/default/MODEL_CARD.md)
         * at 18 instead of 34 bytes an event.
         */
        public static final Precision DEFAULT_PRECISION = Precision.Q4;

        /**
         * Twins merged by default: events up to 50 ms apart whose vectors have cosine similarity above 0.9 (the
         * definition of a redundant event in docs/METRICS.md) become one. The greedy encoder stacks such twins with
         * falling amplitudes; rendered apart they partly cancel (their sub-frame shifts and onsets differ), so one
         * merged event is louder, closer (mel_l1 and level per band) and cheaper: measured in
         * models/default/MODEL_CARD.md.
         */
        public static final double DEFAULT_MERGE_COSINE = 0.9;
        public static final double DEFAULT_MERGE_WITHIN_SECONDS = 0.05;

        /**
         * What siac encode does without options: the model's events per window, q4, twins merged, levels fitted, the
         * band balance stored (holding each octave's level within {@link #DEFAULT_BALANCE_LEVEL_DB} dB).
         */
        public static Options defaults(ModelConfig c) {
            return new Options(c.eventsPerWindow, 0, DEFAULT_PRECISION).withMergeTwins(DEFAULT_MERGE_COSINE)
                    .withMergeWithin((int) Math.round(DEFAULT_MERGE_WITHIN_SECONDS * c.sampleRate)).withLevelFit(true)
                    .withBalance(true);
        }

        /** The model's own events: {@link #defaults} without merging. */
        public static Options unmerged(ModelConfig c) {
            return new Options(c.eventsPerWindow, 0, DEFAULT_PRECISION);
        }

        public Options withRefine(int steps, double lr) {
            return new Options(maxEventsPerWindow, stopBelow, precision, steps, lr, targetKbps, mergeCosine, mergeWithinSamples, keepSilence, levelFit, eventGains, balance, balanceLevelDb, balanceSplit);
        }

        /** A target bitrate in kbit/s, the file's header included (0 = none). */
        public Options withTargetKbps(double kbps) {
            return new Options(maxEventsPerWindow, stopBelow, precision, refineSteps, refineLr, kbps, mergeCosine, mergeWithinSamples, keepSilence, levelFit, eventGains, balance, balanceLevelDb, balanceSplit);
        }

        /** Merges same-onset events whose vectors have cosine similarity above cosine ({@link #NO_MERGE}: none). */
        public Options withMergeTwins(double cosine) {
            return new Options(maxEventsPerWindow, stopBelow, precision, refineSteps, refineLr, targetKbps, cosine, mergeWithinSamples, keepSilence, levelFit, eventGains, balance, balanceLevelDb, balanceSplit);
        }

        /** Also merges twins whose onsets are up to that many samples apart (see {@link EventList#mergeTwins(double, int)}). */
        public Options withMergeWithin(int samples) {
            return new Options(maxEventsPerWindow, stopBelow, precision, refineSteps, refineLr, targetKbps, mergeCosine, samples, keepSilence, levelFit, eventGains, balance, balanceLevelDb, balanceSplit);
        }

        /**
         * Whether the encoded list keeps the input's digitally silent spans ({@link Silence}; on by default), where
         * the decoder then outputs zeros instead of the events' decaying tails.
         */
        public Options withSilence(boolean keep) {
            return new Options(maxEventsPerWindow, stopBelow, precision, refineSteps, refineLr, targetKbps, mergeCosine, mergeWithinSamples, keep, levelFit, eventGains, balance, balanceLevelDb, balanceSplit);
        }

        /**
         * Whether each window's events get one gain that brings the decode's mel spectrogram closest to the input's
         * ({@link LevelFit}; on in {@link #defaults}). The greedy choice of events is the same either way; off, the
         * amplitudes are the model's own.
         */
        public Options withLevelFit(boolean fit) {
            return new Options(maxEventsPerWindow, stopBelow, precision, refineSteps, refineLr, targetKbps, mergeCosine, mergeWithinSamples, keepSilence, fit,
                    fit && eventGains, fit && balance, balanceLevelDb, balanceSplit);
        }

        /**
         * After the level fit's one gain for a window's events, each event's own (one pass over the events in
         * order, within 6 dB of the window's, on the same objective): the decode's spectral balance follows the input's
         * as far as the events' own spectra allow. Needs the level fit; costs about half the encode time again
         * (models/default/MODEL_CARD.md).
         */
        public Options withEventGains(boolean each) {
            return new Options(maxEventsPerWindow, stopBelow, precision, refineSteps, refineLr, targetKbps, mergeCosine, mergeWithinSamples, keepSilence,
                    levelFit || each, each, balance, balanceLevelDb, balanceSplit);
        }

        /**
         * Whether the encoder measures and stores the decoder's band balance ({@link Balance}): after each window's
         * level fit, a gain per octave band for its hop, chosen on mel_l1's terms, which the decoder applies to the
         * events' sum. Needs the level fit.
         */
        public Options withBalance(boolean on) {
            return new Options(maxEventsPerWindow, stopBelow, precision, refineSteps, refineLr, targetKbps, mergeCosine, mergeWithinSamples, keepSilence,
                    levelFit || on, eventGains, on, balanceLevelDb, balanceSplit);
        }

        /**
         * The band balance's frames per window hop (0: the default, frames of about {@link #BALANCE_FRAME_SAMPLES}),
         * each measured on its share of the hop's frames; it must divide the hop's samples into at most its STFT frames.
         * The default was chosen on the validation files (models/default/MODEL_CARD.md): finer frames follow speech more
         * closely at 8 bytes each.
         */
        public Options withBalanceSplit(int frames) {
            return new Options(maxEventsPerWindow, stopBelow, precision, refineSteps, refineLr, targetKbps, mergeCosine, mergeWithinSamples, keepSilence,
                    levelFit, eventGains, balance, balanceLevelDb, frames);
        }

        /** The default split: frames of about {@link #BALANCE_FRAME_SAMPLES} (8 per window hop with the bundled models). */
        public static final int DEFAULT_BALANCE_SPLIT = 0;

        /** The default band balance frame: 8192 samples, 0.37 s at 22050 Hz (at most a window hop). */
        public static final int BALANCE_FRAME_SAMPLES = 8192;

        /**
         * The band balance's default level tolerance: the decode's power in each octave band from 100 Hz within 2 dB
         * of the input's over each window hop. mel_l1 alone prefers each band's median cell and leaves the decode 2-5 dB
         * quiet in the octaves from 400 Hz (whose power the loudest cells carry); held over the window hop rather than
         * per balance frame the level costs little mel_l1, as the loud frames carry it (models/default/MODEL_CARD.md).
         */
        public static final double DEFAULT_BALANCE_LEVEL_DB = 2;

        /**
         * The band balance also holds the decode's power in each octave band from 100 Hz within db of the input's,
         * summed over each window hop's balance frames (where the codes' +-24 dB allow; {@link
         * #DEFAULT_BALANCE_LEVEL_DB} by default): levels true to the input at a cost in mel_l1, which prefers each
         * band's median cell. Infinite: mel_l1 alone.
         */
        public Options withBalanceLevel(double db) {
            return new Options(maxEventsPerWindow, stopBelow, precision, refineSteps, refineLr, targetKbps, mergeCosine, mergeWithinSamples, keepSilence,
                    levelFit, eventGains, balance, db, balanceSplit);
        }
    }

    /**
     * An encoding and what it achieved on the encoder's own spectrogram: energyRemoved by the events as stored, and
     * modelEnergyRemoved by the events as the greedy encoder chose them, with the model's own amplitudes (before
     * merging twins and the level fit, which trades the seed's L1 measure for level and mel_l1).
     */
    public record Result(EventList events, double energyRemoved, double modelEnergyRemoved) {
        public Result(EventList events, double energyRemoved) {
            this(events, energyRemoved, energyRemoved);
        }
    }

    private final SiacModel model;
    private final ModelConfig c;
    private final String modelId;
    /**
     * Samples of silence kept before an event's onset so a negative sub-frame shift (up to fineShiftSamples) keeps
     * the attack; a whole number of STFT hops, so the event's spectrogram lines up with the residual's frames.
     */
    private final int guard;
    /** The render of {@link #renderPlaced}: the model's inference path, for weights that stay as they are. */
    private final InferenceRender fast;
    /** The encoder of {@link #encode}: the model's inference path. */
    private final InferenceEncoder fastEncoder;

    public Codec(SiacModel model, String modelId) {
        this.model = model;
        this.c = model.config;
        this.modelId = modelId == null ? "" : modelId;
        this.guard = c.guardSamples();
        this.fast = model.inferenceRender();
        this.fastEncoder = model.inferenceEncoder();
    }

    public SiacModel model() {
        return model;
    }

    // ------------------------------------------------------------------------------------------------ encode

    /**
     * Encodes everything source delivers. Samples are divided by gain first (the encoder works on peak-normalised
     * audio, like its training data) and the gain is stored for the decoder.
     */
    public Result encode(SampleSource source, float gain, Options opt, IntConsumer windowsDone) throws IOException {
        return encode(source, -1, gain, opt, windowsDone);
    }

    /**
     * As {@link #encode(SampleSource, float, Options, IntConsumer)} for a source that delivers exactly knownLength
     * samples (-1: unknown, found at its end). The events are the same either way; a known length lets a bitrate
     * target count the file's header in, and a source that delivers another number of samples is an error.
     */
    public Result encode(SampleSource source, long knownLength, float gain, Options opt, IntConsumer windowsDone)
            throws IOException {
        Part p = encodeRange(source, knownLength, gain, opt, windowsDone, 0, Long.MAX_VALUE);
        EventList list = new EventList(c.sampleRate, p.sourceLength(), gain, c.vectorDim, modelId, opt.precision(), p.events())
                .withSilence(p.silence())
                .withBalance(p.balance())
                .withPrecision(opt.precision());
        return new Result(list, p.energyRemoved(), p.modelEnergyRemoved());
    }

    /** A stretch of a signal's samples, as {@link Stretches#open} gives it: read, then closed. */
    public interface Stretch extends SampleSource, AutoCloseable {
        @Override
        void close() throws IOException;
    }

    /** Opens stretches [from, to) of one signal, each read once, possibly several at once on different threads. */
    public interface Stretches {
        Stretch open(long from, long to) throws IOException;

        /** Stretches of an array's samples. */
        static Stretches of(float[] samples) {
            return (from, to) -> {
                SampleSource s = SampleSource.of(java.util.Arrays.copyOfRange(samples, (int) from, (int) to));
                return new Stretch() {
                    @Override
                    public int read(float[] buf, int off, int len) throws IOException {
                        return s.read(buf, off, len);
                    }

                    @Override
                    public void close() {
                    }
                };
            };
        }
    }

    /** A signal of fewer than twice this many window hops is encoded whole; a longer one in parts of at least this many. */
    public static final int PART_HOPS = 24;
    /** Window hops before a part encoded as its context (their events dropped) so that its first window sees tails. */
    public static final int CONTEXT_HOPS = 2;

    /**
     * Where a signal of length samples is cut into parts for {@link #encodeInParts}: bounds[k] to bounds[k + 1] is
     * part k (bounds[0] = 0, the last = length). It depends on the length and the model's window only, never on the
     * machine, so that an encode is the same whatever the number of threads. The count is a power of two (so that
     * it divides among 1, 2, 4, ... cores), the largest that leaves each part at least {@link #PART_HOPS} window hops;
     * every cut is on the window grid. The first part has no context to encode, so it takes {@link #CONTEXT_HOPS}
     * more hops than the others: the parts cost the same.
     */
    public long[] partBounds(long length) {
        return partBounds(length, PART_HOPS);
    }

    /** {@link #partBounds(long)} with parts of at least partHops window hops (more than {@link #CONTEXT_HOPS}). */
    public long[] partBounds(long length, int partHops) {
        if (partHops <= CONTEXT_HOPS) throw new IllegalArgumentException("parts must be longer than their context, got " + partHops + " hops");
        if (length < 0) throw new IllegalArgumentException("negative length " + length);
        long hop = c.windowSamples / 2;
        long hops = (length + hop - 1) / hop;
        int parts = (int) Math.min(1 << 20, Long.highestOneBit(Math.max(1, hops / partHops)));
        long[] bounds = new long[parts + 1];
        double each = (hops + (parts - 1) * (double) CONTEXT_HOPS) / parts; // windows each part encodes
        for (int k = 1; k < parts; k++) bounds[k] = Math.round(k * each - (k - 1) * (double) CONTEXT_HOPS) * hop;
        bounds[parts] = length;
        return bounds;
    }

    /**
     * Encodes a signal of length samples in the parts of {@link #partBounds}, up to jobs of them at once, each on a
     * thread of its own with a share of libtorch's threads. A greedy encode's windows depend on each other, so this is
     * how one signal uses several cores. Each part is {@link #encodePart} with {@link #CONTEXT_HOPS} window hops of
     * context before it and a window of look-ahead after it: the first part's events are a whole encode's by
     * construction, a later part's are the same as measured (docs/BENCHMARKS.md) but for float rounding. The result
     * does not depend on jobs. A signal too short for two parts, or a bitrate target (which counts the whole file),
     * is encoded whole ({@link #encode(SampleSource, long, float, Options, IntConsumer)}).
     */
    public Result encodeInParts(Stretches signal, long length, float gain, Options opt, IntConsumer windowsDone, int jobs)
            throws IOException {
        return encodeInParts(signal, length, gain, opt, windowsDone, jobs, PART_HOPS);
    }

    /** {@link #encodeInParts(Stretches, long, float, Options, IntConsumer, int)} with {@link #partBounds(long, int)}. */
    public Result encodeInParts(Stretches signal, long length, float gain, Options opt, IntConsumer windowsDone, int jobs,
                                int partHops) throws IOException {
        if (jobs < 1) throw new IllegalArgumentException("jobs must be at least 1, got " + jobs);
        long[] bounds = partBounds(length, partHops);
        int parts = bounds.length - 1;
        if (parts == 1 || opt.targetKbps() > 0) {
            try (Stretch s = signal.open(0, length)) {
                return encode(s, length, gain, opt, windowsDone);
            }
        }
        long hop = c.windowSamples / 2;
        long hops = (length + hop - 1) / hop;
        int threads = Math.min(jobs, parts);
        int saved = ai.djl.pytorch.jni.JniUtils.getNumThreads();
        int perPart = Math.max(1, saved / threads);
        int[] done = new int[parts];
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "siac-part");
            t.setDaemon(true);
            return t;
        });
        List<java.util.concurrent.Future<Part>> futures = new ArrayList<>();
        try {
            long[] origins = new long[parts];
            for (int i = 0; i < parts; i++) {
                final int k = i;
                long from = Math.max(0, bounds[k] - CONTEXT_HOPS * hop);
                long to = Math.min(length, bounds[k + 1] + c.windowSamples + c.stftWindow);
                origins[k] = from;
                futures.add(pool.submit(() -> {
                    ai.djl.pytorch.jni.JniUtils.setGradMode(false); // a new thread records by default
                    ai.djl.pytorch.jni.JniUtils.setNumThreads(perPart); // each thread's own OpenMP setting
                    try (Stretch s = signal.open(from, to)) {
                        int context = (int) ((bounds[k] - from) / hop); // windows encoded only for their tails
                        return encodePart(s, to - from, gain, opt, bounds[k] - from, bounds[k + 1] - from, n -> {
                            if (windowsDone == null) return;
                            synchronized (done) {
                                done[k] = Math.max(0, n - context);
                                int sum = 0;
                                for (int d : done) sum += d;
                                windowsDone.accept((int) Math.min(sum, hops));
                            }
                        });
                    }
                }));
            }
            List<Event> events = new ArrayList<>();
            List<Silence> spans = new ArrayList<>();
            java.io.ByteArrayOutputStream balance = new java.io.ByteArrayOutputStream();
            double input = 0, residual = 0, modelResidual = 0;
            for (int k = 0; k < parts; k++) {
                Part p = dev.siac.io.Futures.get(futures.get(k), "encoding");
                for (Event e : p.events()) events.add(new Event(e.time() + origins[k], e.amplitude(), e.vector()));
                spans.add(p.silence().clipped(0, Long.MAX_VALUE, origins[k]));
                byte[] codes = p.balance().codes(); // the part's hops, in order: the parts cut on the hop grid
                balance.write(codes, 0, codes.length);
                input += p.inputL1();
                residual += p.residualL1();
                modelResidual += p.modelResidualL1();
            }
            EventList list = new EventList(c.sampleRate, length, gain, c.vectorDim, modelId, opt.precision(), events)
                    .withSilence(Silence.concat(spans))
                    .withBalance(opt.balance() ? balanceOf(balanceSplit(opt), balance.toByteArray()) : Balance.NONE)
                    .withPrecision(opt.precision());
            return new Result(list, input > 0 ? 1 - residual / input : 0, input > 0 ? 1 - modelResidual / input : 0);
        } finally {
            pool.shutdownNow();
            dev.siac.io.Futures.awaitAll(futures); // a failed part's sibling may still be using the model
        }
    }

    /**
     * What {@link #encodePart} encoded of its part: events and silent spans in the source's time, the L1 norms of the
     * input's and the residual's spectrograms over the part's frames (energy removed = 1 - residual / input), and
     * how many samples the source delivered.
     */
    public record Part(List<Event> events, Silence silence, Balance balance, double inputL1, double residualL1,
                       double modelResidualL1, long sourceLength) {
        public double energyRemoved() {
            return inputL1 > 0 ? 1 - residualL1 / inputL1 : 0;
        }

        /** See {@link Result#modelEnergyRemoved}. */
        public double modelEnergyRemoved() {
            return inputL1 > 0 ? 1 - modelResidualL1 / inputL1 : 0;
        }
    }

    /**
     * Encodes the part [keepFrom, keepTo) of what source delivers, for encoding one signal in parts at once. Windows
     * start at the source's sample 0, as in {@link #encode}: the audio before keepFrom is encoded as context (its
     * events are dropped, their tails are subtracted from the part like a whole encode's) and encoding stops at the
     * first window that starts at or past keepTo (the audio after it is look-ahead). The events, spans and energy
     * accounting returned cover [keepFrom, keepTo) only, in the source's time. With context of two windows' hops
     * before and one window after, the part's events are those a whole encode places there, but for the first
     * windows' (without the true earlier tails). keepFrom must be a whole number of window hops (windowSamples / 2).
     * Not with a bitrate target (each part would count a file's header).
     */
    public Part encodePart(SampleSource source, long knownLength, float gain, Options opt, long keepFrom, long keepTo,
                           IntConsumer windowsDone) throws IOException {
        long hopSamples = c.windowSamples / 2;
        if (keepFrom < 0 || keepFrom % hopSamples != 0 || keepTo <= keepFrom) {
            throw new IllegalArgumentException("part [" + keepFrom + ", " + keepTo + "): must start on a window hop ("
                    + hopSamples + " samples) and be non-empty");
        }
        if (opt.targetKbps() > 0) throw new IllegalArgumentException("a bitrate target applies to a whole file, not a part");
        return encodeRange(source, knownLength, gain, opt, windowsDone, keepFrom, keepTo);
    }

    private Part encodeRange(SampleSource source, long knownLength, float gain, Options opt, IntConsumer windowsDone,
                             long keepFrom, long keepTo) throws IOException {
        final int hop = c.stftHop;
        final int frames = c.frames();           // per window
        final int bins = c.bins();
        final int bufFrames = 2 * frames;        // residual kept for two windows
        final int advance = frames / 2;          // frames per window hop
        final float scale = gain > 0 ? 1f / gain : 0f;
        final int split = opt.balance() ? balanceSplit(opt) : 0;
        // the balance's bytes come out of a bitrate target's: 8 a frame
        double balanceBytesPerSecond = split * Balance.BANDS * (double) c.sampleRate / (advance * hop);
        EventBudget budget = opt.targetKbps() > 0
                ? EventBudget.average(EventBudget.eventsPerWindowForKbps(opt.targetKbps(), opt.precision(), c.vectorDim,
                        knownLength, c.sampleRate, advance * hop, balanceBytesPerSecond), opt.maxEventsPerWindow())
                : EventBudget.fixed(opt.maxEventsPerWindow());

        AudioWindow audio = new AudioWindow(source, scale, knownLength);
        float[][] residual = new float[bins][bufFrames];
        float[][] original = new float[bins][bufFrames];
        // the level fit's state: the decode so far (this buffer's span) and the residual of the events as stored
        LevelFit fit = opt.levelFit() ? new LevelFit(c.sampleRate, c.stftWindow) : null;
        float[] decoded = fit != null ? new float[bufFrames * hop + placedRowLength()] : null;
        float[][] stored = fit != null ? new float[bins][bufFrames] : null;
        Map<Event, float[][]> greedy = fit != null ? new IdentityHashMap<>() : null;
        // the band balance's codes, a window hop's at a time, from keepFrom's hop on
        java.io.ByteArrayOutputStream balance = opt.balance() ? new java.io.ByteArrayOutputStream() : null;
        fillColumns(audio, original, residual, stored, 0, 0, bufFrames);

        List<Event> events = new ArrayList<>();
        double inputL1 = 0, residualL1 = 0, modelResidualL1 = 0;
        long windowStart = 0; // in frames
        int windowIndex = 0;
        while (true) {
            long startSample = windowStart * hop;
            // the reader has always read past this window's onset half, so an end not yet seen lies beyond it
            if (audio.endKnown() && startSample >= audio.length()) break;
            if (startSample >= keepTo) break;
            boolean counted = startSample >= keepFrom;
            long remaining = audio.endKnown() ? audio.length() - startSample : Long.MAX_VALUE;
            // frames of this window's onset half that hold audio: all of them but in the last window
            int finalCols = (int) Math.min(advance, remaining / hop + (remaining % hop == 0 ? 0 : 1));
            boolean last = remaining <= (long) advance * hop;
            double firstHalfInput = l1(original, 0, advance);
            int allowed = budget.allot(finalCols, advance, l1(residual, 0, advance), last);
            int before = events.size();
            if (allowed > 0 && firstHalfInput > silenceFloor(advance)) {
                budget.spent(encodeWindow(residual, windowStart, opt, allowed, events, firstHalfInput, finalCols, greedy));
            }
            if (fit != null) {
                byte[] codes = events.size() > before
                        ? fitLevel(fit, events, before, greedy, windowStart, finalCols, original, stored, decoded, scale,
                                opt.eventGains(), opt.balance(), opt.balanceLevelDb(), split,
                                opt.keepSilence() ? audio.silence : null)
                        : null;
                if (counted && balance != null) {
                    int size = split * Balance.BANDS;
                    balance.write(codes != null ? codes : new byte[size], 0, size);
                }
                greedy.clear();
            }
            // the first half of this window is now final: account for it, then slide by half a window
            if (counted) {
                inputL1 += l1(original, 0, finalCols);
                double greedyL1 = l1(residual, 0, finalCols);
                modelResidualL1 += greedyL1;
                residualL1 += stored != null ? l1(stored, 0, finalCols) : greedyL1;
            }
            shiftLeft(original, advance);
            shiftLeft(residual, advance);
            if (stored != null) {
                shiftLeft(stored, advance);
                shiftLeft(decoded, advance * hop);
            }
            windowStart += advance;
            fillColumns(audio, original, residual, stored, windowStart + bufFrames - advance, bufFrames - advance, advance);
            windowIndex++;
            if (windowsDone != null) windowsDone.accept(windowIndex);
        }
        if (keepTo == Long.MAX_VALUE) audio.checkEnd(); // a part may stop before its source's end
        long length = audio.length();
        events.removeIf(e -> e.time() >= length || e.time() < keepFrom || e.time() >= keepTo);
        Silence spans = opt.keepSilence() ? audio.silence.finish() : Silence.NONE;
        if (keepFrom > 0 || keepTo < Long.MAX_VALUE) spans = spans.clipped(keepFrom, keepTo, 0);
        Balance bands = balance != null && balance.size() > 0
                ? balanceOf(split, balance.toByteArray()) : Balance.NONE;
        return new Part(events, spans, bands, inputL1, residualL1, modelResidualL1, length);
    }

    private static double silenceFloor(int cols) {
        // below -100 dB of a full-scale sine's spectral L1 per frame: nothing an event could usefully remove
        return 1e-5 * cols;
    }

    /**
     * Places up to limit events with onsets in the first onsetFrames frames of the window, and returns how many. In the
     * last window the frames past the end are padding: an onset there would be dropped, so it is not chosen.
     */
    private int encodeWindow(float[][] residual, long windowStart, Options opt, int limit, List<Event> out,
                             double firstHalfInput, int onsetFrames, Map<Event, float[][]> greedy) {
        int frames = c.frames();
        int bins = c.bins();
        int advance = frames / 2;
        // the residual before this window's events, what refinement measures its events against
        float[][] before = opt.refineSteps() > 0 ? copy(residual) : null;
        List<Event> chosen = new ArrayList<>();
        List<Integer> onsets = new ArrayList<>();
        // the encoder keeps its work between steps and redoes only the frames the last event changed
        InferenceEncoder.Window state = fastEncoder.window(frames);
        int changedFrom = 0, changedTo = 0;
        try {
            for (int k = 0; k < limit; k++) {
                if (opt.stopBelow() > 0 && l1(residual, 0, advance) / firstHalfInput < opt.stopBelow()) break;
                try (NDScope scope = new NDScope(); NDManager m = model.manager().newSubManager()) {
                    scope.suppressNotUsedWarning();
                    SiacModel.Encoded enc;
                    if (state == null) enc = fastEncoder.encodeOnsets(columns(m, residual, 0, frames));
                    else if (k == 0) enc = state.start(columns(m, residual, 0, state.inputFrames()));
                    else enc = state.update(changedFrom, changedTo > changedFrom ? columns(m, residual, changedFrom, changedTo) : null);
                    SiacModel.Choice ch = onsetFrames >= advance ? model.chooseOnset(enc)
                            : model.pick(enc, new long[] {strongestOnset(enc, onsetFrames)});
                    float amp = ch.amplitudes().getFloat(0);
                    if (!(amp > 0)) break; // the encoder sees nothing left worth an event
                    float[] vector = ch.vectors().toFloatArray();
                    int onset = (int) ch.frames()[0];
                    float[] audio = renderPlaced(m, new float[][] {vector}, new float[] {amp})[0];
                    int startCol = placedStartColumn(onset);
                    float[] spec = subtractEvent(m, residual, audio, startCol);
                    if (state != null) {
                        changedFrom = Math.max(0, startCol);
                        changedTo = Math.min(state.inputFrames(), startCol + placedColumns());
                    }
                    Event event = new Event((windowStart + onset) * c.stftHop, amp, vector);
                    if (greedy != null) greedy.put(event, new float[][] {audio, spec});
                    chosen.add(event);
                    onsets.add(onset);
                }
            }
        } finally {
            if (state != null) state.close();
        }
        if (before != null && !chosen.isEmpty()) {
            int count = chosen.size();
            float[][] vectors = new float[count][];
            float[] amps = new float[count];
            int[] startCols = new int[count];
            for (int i = 0; i < count; i++) {
                vectors[i] = chosen.get(i).vector().clone();
                amps[i] = chosen.get(i).amplitude();
                startCols[i] = placedStartColumn(onsets.get(i));
            }
            new Refiner(this, opt.refineSteps(), opt.refineLr()).refine(before, startCols, vectors, amps, residual);
            for (int i = 0; i < count; i++) chosen.set(i, new Event(chosen.get(i).time(), amps[i], vectors[i]));
        }
        if (opt.mergeCosine() < Options.NO_MERGE) {
            chosen.sort(java.util.Comparator.comparingLong(Event::time)); // stable: same-onset events keep their order
            chosen = EventList.mergeTwins(chosen, opt.mergeCosine(), opt.mergeWithinSamples());
        }
        out.addAll(chosen);
        return chosen.size();
    }

    /** Residual frames [from, to) as a (1, bins, to - from) array. */
    private static NDArray columns(NDManager m, float[][] residual, int from, int to) {
        int width = to - from;
        float[] flat = new float[residual.length * width];
        for (int b = 0; b < residual.length; b++) System.arraycopy(residual[b], from, flat, b * width, width);
        return m.create(flat, new Shape(1, residual.length, width));
    }

    private static float[][] copy(float[][] a) {
        float[][] b = new float[a.length][];
        for (int i = 0; i < a.length; i++) b[i] = a[i].clone();
        return b;
    }

    /** The magnitude spectrogram of {@link #renderPlaced} rows (E, span), context frames first: (E, bins, columns). */
    NDArray placedSpectrogram(NDArray rows) {
        return Placement.placedSpectrogram(rows);
    }

    /** Frames of {@link #placedSpectrogram}. */
    int placedColumns() {
        return Placement.spectrogramColumns(c);
    }

    /** The residual column of an event's first {@link #placedSpectrogram} frame, for an onset at window frame onset. */
    int placedStartColumn(int onset) {
        return Placement.firstColumn(Placement.rowStart(c, (long) onset * c.stftHop), c.stftHop);
    }

    /** As SiacModel.choose (ReLU of the switch, first index on ties), over the first frames only. */
    private static long strongestOnset(SiacModel.Encoded enc, int frames) {
        float[] s = enc.switches().toFloatArray();
        int best = 0;
        for (int t = 1; t < frames; t++) if (Math.max(0f, s[t]) > Math.max(0f, s[best])) best = t;
        return best;
    }

    /** Subtracts the magnitude spectrogram of an event whose rendered span starts at buffer frame startCol. */
    private float[] subtractEvent(NDManager m, float[][] residual, float[] audio, int startCol) {
        float[] v = Placement.placedSpectrogram(m, audio);
        subtractScaled(residual, v, startCol, 1f);
        return v;
    }

    private void subtractScaled(float[][] residual, float[] v, int startCol, float g) {
        Placement.subtractCells(residual, v, startCol, placedColumns(), g);
    }

    /**
     * The level fit ({@link LevelFit}) of the window's events events[from..]: one gain for all of them, applied to
     * their amplitudes (the list's entries are replaced), to the decode buffer and to the stored residual. Events the
     * greedy loop rendered (greedy) are not rendered again; merged or refined ones are. With balance, returns the
     * band balance's codes for the window's final frames as decoded ({@link LevelFit#balance}); otherwise null.
     */
    private byte[] fitLevel(LevelFit fit, List<Event> events, int from, Map<Event, float[][]> greedy, long windowStart,
                            int finalCols, float[][] original, float[][] stored, float[] decoded, float scale,
                            boolean eventGains, boolean balance, double balanceLevelDb, int balanceSplit,
                            Silence.Detector silence) {
        int hop = c.stftHop;
        List<Event> mine = events.subList(from, events.size());
        int n = mine.size();
        float[][] rows = new float[n][];
        float[][] specs = new float[n][];
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[][] known = greedy.get(mine.get(i));
            if (known == null) {
                missing.add(i);
            } else {
                rows[i] = known[0];
                specs[i] = known[1];
            }
        }
        long origin = windowStart * hop;
        int len = finalCols * hop + c.stftWindow;
        float[] cur = new float[decoded.length];
        float[] t, cc;
        try (NDScope scope = new NDScope(); NDManager m = model.manager().newSubManager()) {
            scope.suppressNotUsedWarning();
            if (!missing.isEmpty()) {
                List<Event> redo = new ArrayList<>();
                for (int i : missing) redo.add(mine.get(i));
                float[][] r = renderPlaced(redo);
                int span = r[0].length;
                float[] flat = new float[r.length * span];
                for (int k = 0; k < r.length; k++) System.arraycopy(r[k], 0, flat, k * span, span);
                float[] v = placedSpectrogram(m.create(flat, new Shape(r.length, span))).toFloatArray();
                int cells = v.length / r.length;
                for (int k = 0; k < r.length; k++) {
                    rows[missing.get(k)] = r[k];
                    specs[missing.get(k)] = java.util.Arrays.copyOfRange(v, k * cells, (k + 1) * cells);
                }
            }
            for (int i = 0; i < n; i++) Placement.addRow(cur, origin, rows[i], Placement.rowStart(c, mine.get(i).time()));
            t = Spectral.complexFrames(m.create(java.util.Arrays.copyOf(decoded, len))).toFloatArray();
            cc = Spectral.complexFrames(m.create(java.util.Arrays.copyOf(cur, len))).toFloatArray();
        }
        int stride = (len - c.stftWindow) / hop + 1;
        double floor = Spectral.LOG_FLOOR * scale / Math.sqrt(c.stftWindow);
        LevelFit.Target input = fit.target(original, finalCols, floor);
        boolean nativeObjective = dev.siac.dsp.NativeFft.available();
        float g = (float) fit.gain(input, t, cc, stride, 0, LevelFit.MIN_DB, LevelFit.MAX_DB, nativeObjective);
        if (!eventGains || n == 1) {
            for (int i = 0; i < n; i++) {
                Event e = mine.get(i);
                mine.set(i, new Event(e.time(), e.amplitude() * g, e.vector()));
                subtractScaled(stored, specs[i], placedStartColumn((int) ((e.time() - origin) / hop)), g);
            }
            for (int j = 0; j < decoded.length; j++) decoded[j] += g * cur[j];
            if (!balance) return null;
            for (int j = 0; j < t.length; j++) t[j] += g * cc[j]; // the window's final frames as decoded
            return balanceCodes(fit, input, t, stride, original, finalCols, balanceLevelDb, balanceSplit, decoded, len, origin, silence);
        }
        // each event's own gain: with the others fixed, event i's contribution c_i is refitted against d - g_i c_i
        float[][] each = new float[n][];
        try (NDScope scope = new NDScope(); NDManager m = model.manager().newSubManager()) {
            scope.suppressNotUsedWarning();
            float[] flat = new float[n * len];
            float[] one = new float[len];
            for (int i = 0; i < n; i++) {
                java.util.Arrays.fill(one, 0f);
                Placement.addRow(one, origin, rows[i], Placement.rowStart(c, mine.get(i).time()));
                System.arraycopy(one, 0, flat, i * len, len);
            }
            float[] all = Spectral.complexFrames(m.create(flat, new Shape(n, len))).toFloatArray();
            int cells = all.length / n;
            for (int i = 0; i < n; i++) each[i] = java.util.Arrays.copyOfRange(all, i * cells, (i + 1) * cells);
        }
        float[] d = new float[t.length], rest = new float[t.length];
        for (int j = 0; j < d.length; j++) d[j] = t[j] + g * cc[j];
        double windowDb = 20 * Math.log10(g);
        float[] gains = new float[n];
        int bins = fit.bins();
        for (int i = 0; i < n; i++) {
            float[] ci = each[i];
            // the frames the event reaches among the window's final ones; the arrays are (bin, frame, re/im)
            int f0 = finalCols, f1 = 0;
            for (int k = 0; k < bins; k++) {
                for (int f = 0; f < finalCols; f++) {
                    int j = (k * stride + f) * 2;
                    if (ci[j] != 0 || ci[j + 1] != 0) {
                        f0 = Math.min(f0, f);
                        f1 = Math.max(f1, f + 1);
                    }
                }
            }
            if (f0 >= f1) {
                gains[i] = g; // it sounds only after the window's final frames: the next window's fit sees it
                continue;
            }
            for (int k = 0; k < bins; k++) {
                for (int j = (k * stride + f0) * 2, end = (k * stride + f1) * 2; j < end; j++) rest[j] = d[j] - g * ci[j];
            }
            float h = (float) fit.gain(input, rest, ci, stride, f0, f1, windowDb, windowDb - EVENT_GAIN_RANGE_DB,
                    windowDb + EVENT_GAIN_RANGE_DB, nativeObjective);
            for (int k = 0; k < bins; k++) {
                for (int j = (k * stride + f0) * 2, end = (k * stride + f1) * 2; j < end; j++) d[j] = rest[j] + h * ci[j];
            }
            gains[i] = h;
        }
        for (int i = 0; i < n; i++) {
            Event e = mine.get(i);
            mine.set(i, new Event(e.time(), e.amplitude() * gains[i], e.vector()));
            subtractScaled(stored, specs[i], placedStartColumn((int) ((e.time() - origin) / hop)), gains[i]);
            Placement.addRow(decoded, origin, rows[i], Placement.rowStart(c, e.time()), gains[i]);
        }
        return balance ? balanceCodes(fit, input, d, stride, original, finalCols, balanceLevelDb, balanceSplit, decoded, len, origin, silence) : null;
    }

    /** The options' band balance frames per window hop, the default resolved; checked against this model's hop. */
    int balanceSplit(Options opt) {
        int advance = c.frames() / 2;
        int hopSamples = advance * c.stftHop;
        int split = opt.balanceSplit();
        if (split == 0) {
            split = Math.max(1, Math.min(advance, hopSamples / Options.BALANCE_FRAME_SAMPLES));
            while (hopSamples % split != 0) split--;
        }
        if (split > advance || hopSamples % split != 0) {
            throw new IllegalArgumentException("band balance frames per window hop must divide its " + hopSamples
                    + " samples into at most " + advance + " frames, got " + split);
        }
        return split;
    }

    /** A band balance of this model's layout: split frames a window hop, {@link Balance#BANDS} octave bands. */
    private Balance balanceOf(int split, byte[] codes) {
        return Balance.of(c.windowSamples / 2 / split, Balance.BANDS, Balance.LOWEST_HZ, codes);
    }

    /**
     * The band balance's frames of one window hop (split of them), each measured on its share of the
     * window's final frames; frames past finalCols (the signal's end) are flat.
     */
    private byte[] balanceCodes(LevelFit fit, LevelFit.Target input, float[] d, int stride, float[][] x, int finalCols,
                                double levelDb, int split, float[] decoded, int len, long origin, Silence.Detector silence) {
        int advance = c.frames() / 2;
        int n = 0;
        while (n < split && Math.min(finalCols, (n + 1) * advance / split) > n * advance / split) n++;
        byte[] out = new byte[split * Balance.BANDS];
        if (n == 0) return out;
        // frame f of the encoder's spectrogram is centred on sample f * hop + stftWindow / 2 of the window; the decoder
        // filters each of its frames with the balance frame its centre lies in: measure balance frame s on the frames
        // centred in its samples. The first also takes the window's first frames (centred before it: the previous
        // hop's last frame, which no longer sees them); the hop's last frames are centred in the next hop's first
        // balance frame, which this window does not set, so none measures them.
        int lead = c.stftWindow / 2 / c.stftHop;
        int[] bounds = new int[n + 1];
        for (int s = 1; s <= n; s++) bounds[s] = Math.min(finalCols, Math.max(0, s * advance / split - lead));
        byte[] codes = unmeasuredTakeNext(fit.balance(input, d, stride, x, levelDb, bounds), bounds);
        if (Double.isFinite(levelDb)) {
            // The decode lands elsewhere than the sum of the frames' power with their gains says: the decoder's filter
            // blends neighbouring frames' gains (its frames overlap), which moves the power of frames whose codes differ
            // much from their neighbours', and it mutes the silent spans, where the events' tails ring in frames that
            // border them. Measure where the filtered, muted decode lands and hold the level again with that offset.
            double[] offset = new double[fit.levelBands()];
            for (int round = 0; round < LEVEL_ROUNDS; round++) {
                System.arraycopy(codes, 0, out, 0, codes.length);
                float[] y;
                try {
                    y = BalanceFilter.apply(balanceOf(split, out),
                            c.sampleRate, java.util.Arrays.copyOf(decoded, len));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e); // an array in memory: not expected
                }
                if (silence != null) silence.found().mute(y, 0, y.length, origin); // as the decoder mutes the silent spans
                float[] filtered;
                try (NDScope scope = new NDScope(); NDManager m = model.manager().newSubManager()) {
                    scope.suppressNotUsedWarning();
                    filtered = Spectral.complexFrames(m.create(y)).toFloatArray();
                }
                double[] actual = fit.levelPowers(filtered, stride, bounds, input.audible(), null);
                double[] estimate = fit.levelPowers(d, stride, bounds, input.audible(), codes);
                boolean off = false;
                for (int j = 0; j < offset.length; j++) {
                    if (!(actual[j] > 0 && estimate[j] > 0)) continue;
                    double delta = 10 * Math.log10(actual[j] / estimate[j]);
                    off |= Math.abs(delta + offset[j]) > LEVEL_ROUND_DB;
                    offset[j] = -delta;
                }
                if (!off) break;
                codes = unmeasuredTakeNext(fit.balance(input, d, stride, x, levelDb, bounds, offset), bounds);
            }
        }
        System.arraycopy(codes, 0, out, 0, codes.length);
        return out;
    }

    /**
     * A balance frame shorter than the lead (--balance-split 64 and 128) can have no spectrogram frame centred in it
     * that the window still holds: it takes the codes of the next frame that has one.
     */
    private static byte[] unmeasuredTakeNext(byte[] codes, int[] bounds) {
        for (int s = bounds.length - 3; s >= 0; s--) {
            if (bounds[s] == bounds[s + 1]) System.arraycopy(codes, (s + 1) * Balance.BANDS, codes, s * Balance.BANDS, Balance.BANDS);
        }
        return codes;
    }

    /** Rounds of measuring the filtered decode's level and holding it again ({@link #balanceCodes}). */
    private static final int LEVEL_ROUNDS = 2;
    /** A level band whose offset moves less than this (dB) needs no further round. */
    private static final double LEVEL_ROUND_DB = 0.25;

    /** How far an event's own gain may stray from its window's ({@link Options#withEventGains}). */
    static final double EVENT_GAIN_RANGE_DB = 6;

    private void fillColumns(AudioWindow audio, float[][] original, float[][] residual, float[][] stored, long firstFrame,
                             int col, int count) throws IOException {
        int hop = c.stftHop;
        float[] chunk = audio.samples(firstFrame * hop, count * hop + c.stftWindow);
        try (NDScope scope = new NDScope(); NDManager m = model.manager().newSubManager()) {
                scope.suppressNotUsedWarning();
            NDArray mag = Spectral.magnitude(m.create(chunk));
            int cols = (int) mag.getShape().get(1);
            float[] v = mag.toFloatArray();
            for (int b = 0; b < original.length; b++) {
                System.arraycopy(v, b * cols, original[b], col, count);
                System.arraycopy(v, b * cols, residual[b], col, count);
                if (stored != null) System.arraycopy(v, b * cols, stored[b], col, count);
            }
        }
    }

    private static void shiftLeft(float[][] a, int by) {
        for (float[] row : a) shiftLeft(row, by);
    }

    /** Moves row's samples by places towards its start, zeros behind them. */
    private static void shiftLeft(float[] row, int by) {
        System.arraycopy(row, by, row, 0, row.length - by);
        java.util.Arrays.fill(row, row.length - by, row.length, 0f);
    }

    private static double l1(float[][] a, int from, int to) {
        double s = 0;
        for (float[] row : a) for (int j = from; j < to; j++) s += Math.abs(row[j]);
        return s;
    }

    // ------------------------------------------------------------------------------------------------ render

    /**
     * Renders events for placement: each row is G + L + G samples (L = the model's event length), the event (scaled by its amplitude and shifted by
     * its sub-frame delay) starting at index G, where G is {@link #guardSamples()}. Row r belongs at absolute sample
     * time - G.
     */
    public float[][] renderPlaced(NDManager m, float[][] vectors, float[] amplitudes) {
        int count = vectors.length;
        int span = placedRowLength();
        float[] v = fast.placedRows(m.create(flatten(vectors), new Shape(count, c.vectorDim)),
                m.create(amplitudes, new Shape(count, 1))).toFloatArray();
        float[][] rows = new float[count][span];
        for (int i = 0; i < count; i++) System.arraycopy(v, i * span, rows[i], 0, span);
        return rows;
    }

    /** {@link #renderPlaced(NDManager, float[][], float[])} of events, in a scope of its own: rows on the heap. */
    public float[][] renderPlaced(List<Event> events) {
        float[][] vectors = new float[events.size()][];
        float[] amps = new float[events.size()];
        for (int i = 0; i < events.size(); i++) {
            vectors[i] = events.get(i).vector();
            amps[i] = events.get(i).amplitude();
        }
        try (NDScope scope = new NDScope(); NDManager m = model.manager().newSubManager()) {
            scope.suppressNotUsedWarning();
            return renderPlaced(m, vectors, amps);
        }
    }

    /**
     * {@link #renderPlaced} as a differentiable function: vectors (E, D) and amplitudes (E, 1) to rows (E, G + N + G).
     */
    NDArray placedRows(NDArray vectors, NDArray amplitudes) {
        return model.placedRows(model.render(vectors, false), amplitudes);
    }

    float[] flatten(float[][] vectors) {
        float[] flat = new float[vectors.length * c.vectorDim];
        for (int i = 0; i < vectors.length; i++) System.arraycopy(vectors[i], 0, flat, i * c.vectorDim, c.vectorDim);
        return flat;
    }

    /** Silence before (and after) an event in a {@link #renderPlaced} row, in samples. */
    public int guardSamples() {
        return guard;
    }

    /** Samples of a {@link #renderPlaced} row: guard, event, guard. */
    public int placedRowLength() {
        return Placement.rowLength(c);
    }

    /**
     * Adds the {@link #renderPlaced} row of an event with onset at sample time onto canvas, whose element 0 is sample
     * canvasStart, where {@link Placement} puts it (guard samples before the onset); what falls outside is dropped.
     */
    public void addPlaced(float[] canvas, long canvasStart, float[] row, long time) {
        Placement.addRow(canvas, canvasStart, row, Placement.rowStart(c, time));
    }


    // ------------------------------------------------------------------------------------------------ decode

    /**
     * Renders every event at its time and writes exactly lengthSamples samples, multiplied by the stored gain, through
     * the list's band balance ({@link EventList#balance}, {@link BalanceFilter}) and with its silent spans ({@link
     * EventList#silence}) muted. Works through the sorted events in batches, flushing
     * audio that no later event can reach.
     */
    public void decode(EventList list, SampleSink sink, IntConsumer eventsDone) throws IOException {
        if (list.vectorDim() != c.vectorDim || list.sampleRate() != c.sampleRate) {
            throw new IOException("the model (" + c.vectorDim + "-d vectors at " + c.sampleRate
                    + " Hz) cannot decode these events (" + list.vectorDim() + "-d at " + list.sampleRate() + " Hz)");
        }
        int n = c.windowSamples;
        int span = placedRowLength();
        long length = list.lengthSamples();
        float gain = list.gain();
        int block = 4 * n;
        float[] acc = new float[block + span];
        long[] accStart = {0}; // absolute sample of acc[0]
        List<Event> events = list.events();
        // edits may put events anywhere (negative times, far past the end): those that cannot reach [0, length) are
        // skipped, rather than flushed towards (or cast into) the signal
        List<List<Event>> batches = new ArrayList<>();
        List<Integer> doneAfter = new ArrayList<>();
        List<Event> part = new ArrayList<>(DECODE_BATCH);
        for (int next = 0; next < events.size(); ) {
            Event e = events.get(next++);
            if (reaches(e.time(), length, span)) part.add(e);
            if (part.size() == DECODE_BATCH || next == events.size()) {
                batches.add(part);
                doneAfter.add(next);
                part = new ArrayList<>(DECODE_BATCH);
            }
        }
        // the output's last stages: the band balance on the sum, then the silent spans muted
        Silence silence = list.silence();
        long[] written = {0};
        SampleSink muted = (buf, off, len) -> {
            float[] out = java.util.Arrays.copyOfRange(buf, off, off + len);
            silence.mute(out, 0, len, written[0]);
            written[0] += len;
            sink.write(out, 0, len);
        };
        BalanceFilter balance = list.balance().isEmpty() || list.balance().isFlat()
                ? null : new BalanceFilter(list.balance(), list.sampleRate(), muted);
        SampleSink out = balance != null ? balance::write : muted;
        RenderedBatches rendered = new RenderedBatches(batches, decodeThreads);
        try {
            for (int k = 0; k < batches.size(); k++) {
                List<Event> batch = batches.get(k);
                float[][] rows = rendered.get(k);
                for (int i = 0; i < batch.size(); i++) {
                    long time = batch.get(i).time();
                    // flush what is before this event's span: events are sorted, nothing later reaches it; the row
                    // then starts in (accStart - span, accStart + block) and acc holds block + span samples
                    while (Placement.rowStart(c, time) >= accStart[0] + block) {
                        accStart[0] = flush(acc, accStart[0], block, length, gain, out);
                    }
                    addPlaced(acc, accStart[0], rows[i], time);
                }
                if (eventsDone != null) eventsDone.accept(doneAfter.get(k));
            }
        } finally {
            rendered.close();
        }
        while (accStart[0] < length) accStart[0] = flush(acc, accStart[0], block, length, gain, out);
        if (balance != null) balance.finish(length);
    }

    /** Events rendered together in {@link #decode}. */
    static final int DECODE_BATCH = 8;

    /** Threads {@link #decode} renders batches on (both cores of a small machine; see {@link #setDecodeThreads}). */
    private int decodeThreads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));

    /**
     * How many batches {@link #decode} renders at once, each on its own thread with one libtorch thread: a batch is a
     * chain of small operations that two threads share poorly, so two batches side by side keep both cores busy. The
     * output is the same either way to float rounding (libtorch's reductions may group sums by thread).
     */
    public void setDecodeThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("decode threads must be >= 1, got " + threads);
        this.decodeThreads = threads;
    }

    private static final java.util.concurrent.ExecutorService RENDER_POOL =
            java.util.concurrent.Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "siac-render");
                t.setDaemon(true);
                return t;
            });

    /**
     * The rendered rows of decode's batches, in order. With one thread each batch is rendered when asked for; with
     * more, up to that many batches are rendered ahead on {@link #RENDER_POOL}, libtorch's intra-op threads divided
     * among them for as long as this is open.
     */
    private final class RenderedBatches implements AutoCloseable {
        private final List<List<Event>> batches;
        private final int threads;
        private final int savedThreads;
        private final java.util.ArrayDeque<java.util.concurrent.Future<float[][]>> ahead = new java.util.ArrayDeque<>();
        private int submitted;

        RenderedBatches(List<List<Event>> batches, int threads) {
            this.batches = batches;
            this.threads = Math.min(threads, Math.max(1, batches.size()));
            this.savedThreads = ai.djl.pytorch.jni.JniUtils.getNumThreads();
            if (this.threads > 1) ai.djl.pytorch.jni.JniUtils.setNumThreads(Math.max(1, savedThreads / this.threads));
        }

        float[][] get(int k) throws IOException {
            if (threads == 1) return render(batches.get(k));
            while (submitted < batches.size() && submitted < k + threads) {
                List<Event> b = batches.get(submitted++);
                ahead.add(RENDER_POOL.submit(() -> {
                    ai.djl.pytorch.jni.JniUtils.setGradMode(false); // a new thread records by default
                    return render(b);
                }));
            }
            return dev.siac.io.Futures.get(ahead.poll(), "decoding");
        }

        private float[][] render(List<Event> part) {
            return part.isEmpty() ? new float[0][] : renderPlaced(part);
        }

        /** Waits for what is still rendering (its arrays must not outlive the model) and restores libtorch's threads. */
        @Override
        public void close() {
            dev.siac.io.Futures.awaitAll(ahead);
            if (threads > 1) ai.djl.pytorch.jni.JniUtils.setNumThreads(savedThreads);
        }
    }

    /** {@link #decode} into memory: the whole signal (at most 2^31 - 1 samples), multiplied by the stored gain. */
    public float[] decode(EventList list) throws IOException {
        if (list.lengthSamples() > Integer.MAX_VALUE - 8) {
            throw new IOException(list.lengthSamples() + " samples do not fit in memory at once; decode to a file");
        }
        float[] y = new float[(int) list.lengthSamples()];
        int[] at = {0};
        decode(list, (buf, off, len) -> {
            System.arraycopy(buf, off, y, at[0], len);
            at[0] += len;
        }, null);
        return y;
    }

    /** Whether an event rendered over [time - guard, time - guard + span) touches any sample in [0, length). */
    private boolean reaches(long time, long length, int span) {
        if (time < 0) return time > guard - span; // overflow-free form of time - guard + span > 0
        return time - guard < length;
    }

    private static long flush(float[] acc, long accStart, int block, long length, float gain, SampleSink sink)
            throws IOException {
        int count = (int) Math.max(0, Math.min(block, length - accStart));
        if (count > 0) {
            for (int j = 0; j < count; j++) acc[j] *= gain;
            sink.write(acc, 0, count);
        }
        System.arraycopy(acc, block, acc, 0, acc.length - block);
        java.util.Arrays.fill(acc, acc.length - block, acc.length, 0f);
        return accStart + block;
    }

    // ------------------------------------------------------------------------------------------------ input window

    /** A sliding view of the source: serves sample ranges in increasing order, zero past the end. */
    private static final class AudioWindow {
        private final SampleSource source;
        private final float scale;
        /** The length the source announced, or -1. */
        private final long known;
        private float[] buf = new float[0];
        private long bufStart = 0;
        private long read = 0;
        private boolean ended = false;
        /** The input's digitally silent runs, found as it is read. */
        final Silence.Detector silence = new Silence.Detector();

        AudioWindow(SampleSource source, float scale, long knownLength) {
            this.source = source;
            this.scale = scale;
            this.known = Math.max(-1, knownLength);
        }

        boolean endKnown() {
            return ended || known >= 0;
        }

        long length() {
            return known >= 0 ? known : read;
        }

        /** Samples [from, from+count), zero beyond the end; earlier samples than from are dropped. */
        float[] samples(long from, int count) throws IOException {
            long need = from + count;
            if (known >= 0) need = Math.min(need, known);
            while (!ended && read < need) {
                long left = known >= 0 ? known - read : Long.MAX_VALUE;
                int want = (int) Math.min(left, Math.max(65536, need - read));
                float[] tmp = new float[want];
                int got = source.read(tmp, 0, want);
                if (got < 0) {
                    ended = true;
                    if (known >= 0) {
                        throw new IOException("the input ended after " + read + " samples, " + known + " were announced");
                    }
                    break;
                }
                for (int i = 0; i < got; i++) {
                    if (!Float.isFinite(tmp[i])) throw new IOException("the input contains NaN/Inf samples at sample " + (read + i));
                }
                silence.feed(tmp, 0, got); // on the input's own scale, before the gain normalisation
                for (int i = 0; i < got; i++) tmp[i] *= scale;
                append(tmp, got);
            }
            float[] out = new float[count];
            for (int i = 0; i < count; i++) {
                long s = from + i;
                if (s >= bufStart && s < read) out[i] = buf[(int) (s - bufStart)];
            }
            // keep only what a later request can ask for
            if (from > bufStart) {
                int drop = (int) Math.min(from - bufStart, buf.length);
                buf = java.util.Arrays.copyOfRange(buf, drop, buf.length);
                bufStart += drop;
            }
            return out;
        }

        /** After the last window: a source with an announced length must have no more samples. */
        void checkEnd() throws IOException {
            if (known < 0 || ended) return;
            int got = source.read(new float[1], 0, 1);
            if (got > 0) throw new IOException("the input holds more than the " + known + " samples announced");
        }

        private void append(float[] tmp, int got) {
            float[] nb = java.util.Arrays.copyOf(buf, buf.length + got);
            System.arraycopy(tmp, 0, nb, buf.length, got);
            buf = nb;
            read += got;
        }
    }
}
