package dev.siac.studio;

import ai.djl.ndarray.NDManager;
import dev.siac.Siac;
import dev.siac.codec.Event;
import dev.siac.codec.EventList;
import dev.siac.codec.Precision;
import dev.siac.codec.SiacFormat;
import dev.siac.report.Colormap;
import dev.siac.report.Plots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * One file being edited: the current {@link EventList}, every earlier and undone state, and the audio of the current
 * state. Each distinct (amplitude, vector) is rendered once and cached; the mix is the sum of the cached renders at
 * their times, added in time order and multiplied by the gain and passed through the band balance, as {@code Codec.decode} does, so an edit costs one
 * render per new sound plus one sum. Edits are the {@link EventList} operations, so a list is never changed in place:
 * an edit that fails leaves the session as it was. Not thread-safe: the server calls it from one thread.
 */
public final class StudioSession implements AutoCloseable {

    /** One state of the file and how it was reached. */
    public record Step(String label, String editArgs, EventList events) {
    }

    /** An event's cached audio (gain 1, starting {@code guard} samples before its onset) and its pitch-like height. */
    record Render(float[] row, double logBin) {
    }

    private record Key(float amplitude, List<Float> vector) {
        static Key of(Event e) {
            Float[] boxed = new Float[e.vector().length];
            for (int i = 0; i < boxed.length; i++) boxed[i] = e.vector()[i];
            return new Key(e.amplitude(), Arrays.asList(boxed));
        }
    }

    static final double SPEC_RANGE_DB = 80;
    static final int SPEC_W = 1200;
    static final int SPEC_H = Plots.LOG_BINS * 3;

    private final Siac siac;
    private final String name;
    private final NDManager manager = NDManager.newBaseManager();
    private final int guard;
    private final int span;
    private final long cacheLimit;
    private final Map<Key, Render> cache;
    private final List<Step> steps = new ArrayList<>();
    private int position;
    private final double[][] colourBasis;
    private final double[] colourLow;
    private final double[] colourHigh;
    private final double spectrogramReference;
    private long renders;
    private int version;
    private float[] mix;
    private byte[] spectrogramPng;

    /**
     * @param name how the opened file is called in labels and {@code siac edit} arguments
     */
    public StudioSession(Siac siac, EventList events, String name) throws IOException {
        siac.checkModel(events, null);
        if (events.lengthSamples() > 30L * 60 * events.sampleRate()) {
            throw new IOException(name + ": " + Math.round(events.durationSeconds())
                    + " s is longer than the studio edits at once (30 minutes); cut it with siac edit --keep-range first");
        }
        this.siac = siac;
        this.name = name;
        this.guard = siac.codec().guardSamples();
        this.span = siac.codec().placedRowLength();
        this.cacheLimit = Math.max(256, (512L << 20) / (4L * span));
        this.cache = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Render> eldest) {
                return size() > cacheLimit;
            }
        };
        steps.add(new Step("open " + name, "", events));
        double[][] basis = principalAxes(events, 3);
        this.colourBasis = basis;
        this.colourLow = new double[3];
        this.colourHigh = new double[3];
        Arrays.fill(colourLow, Double.POSITIVE_INFINITY);
        Arrays.fill(colourHigh, Double.NEGATIVE_INFINITY);
        for (Event e : events.events()) {
            double[] p = project(e.vector());
            for (int c = 0; c < 3; c++) {
                colourLow[c] = Math.min(colourLow[c], p[c]);
                colourHigh[c] = Math.max(colourHigh[c], p[c]);
            }
        }
        refresh();
        float[][] spec = Plots.logFrequencySpectrogram(manager, mix.length == 0 ? new float[1] : mix, events.sampleRate());
        this.spectrogramReference = Plots.max(spec);
        this.spectrogramPng = png(spec);
    }

    // ------------------------------------------------------------------------------------------------ state

    public EventList current() {
        return steps.get(position).events();
    }

    public List<Step> history() {
        return List.copyOf(steps);
    }

    /** Index in {@link #history()} of the current state; later ones can be redone. */
    public int position() {
        return position;
    }

    public String name() {
        return name;
    }

    /** Increases with every change of the current state (edit, undo, redo). */
    public int version() {
        return version;
    }

    /** Events rendered since the session opened: each distinct (amplitude, vector) once while it stays cached. */
    public long renders() {
        return renders;
    }

    /** The current state's audio (mono at the model's rate, with the gain); do not modify. */
    public float[] mix() {
        return mix;
    }

    public byte[] spectrogramPng() {
        return spectrogramPng;
    }

    public byte[] siacBytes() {
        return SiacFormat.toBytes(current());
    }

    /** Bitrate of the current state as a file (header included), in kbit/s. */
    public double kbps() {
        EventList l = current();
        return l.durationSeconds() == 0 ? 0 : SiacFormat.encodedSize(l) * 8 / l.durationSeconds() / 1000;
    }

    public int guardSamples() {
        return guard;
    }

    /** Event {@code index} of the current state alone, with the gain; it starts {@link #guardSamples()} before its onset. */
    public float[] eventAudio(int index) throws IOException {
        EventList l = current();
        if (index < 0 || index >= l.size()) throw new IllegalArgumentException("no event " + index + " (there are " + l.size() + ")");
        float[] row = render(List.of(l.events().get(index))).get(0).row();
        float[] out = new float[row.length];
        for (int j = 0; j < row.length; j++) out[j] = row[j] * l.gain();
        return out;
    }

    /** Where each current event's mark goes: its pitch-like height as a log-frequency bin (0..{@link Plots#LOG_BINS}). */
    public double[] heights() throws IOException {
        List<Render> r = render(current().events());
        double[] y = new double[r.size()];
        for (int i = 0; i < y.length; i++) y[i] = r.get(i).logBin();
        return y;
    }

    /** A colour for a vector: its projection on the opened file's three principal axes, kept away from black and white. */
    public int[] colour(float[] vector) {
        double[] p = project(vector);
        int[] rgb = new int[3];
        for (int c = 0; c < 3; c++) {
            double range = colourHigh[c] - colourLow[c];
            double v = range > 0 ? (p[c] - colourLow[c]) / range : 0.5;
            rgb[c] = (int) Math.round(35 + 185 * Math.max(0, Math.min(1, v)));
        }
        return rgb;
    }

    // ------------------------------------------------------------------------------------------------ edits

    /**
     * Applies an edit to the current state and makes the result current; the states after the current one (undone
     * edits) are dropped. On any failure nothing changes.
     *
     * @param editArgs the {@code siac edit} arguments that make the same change to the file of the current state, or ""
     *                 when there are none
     */
    public void apply(String label, String editArgs, EventList edited) throws IOException {
        // Every state is what its file holds: what is heard is what a save writes, and the next edit starts from the
        // values siac edit would read from that file.
        EventList next = edited.withPrecision(edited.precision());
        siac.checkModel(next, null);
        List<Step> kept = new ArrayList<>(steps.subList(0, position + 1));
        kept.add(new Step(label, editArgs, next));
        int oldPosition = position;
        List<Step> old = List.copyOf(steps);
        steps.clear();
        steps.addAll(kept);
        position = steps.size() - 1;
        try {
            refresh();
        } catch (IOException | RuntimeException e) {
            steps.clear();
            steps.addAll(old);
            position = oldPosition;
            throw e;
        }
    }

    public boolean undo() throws IOException {
        if (position == 0) return false;
        position--;
        refresh();
        return true;
    }

    public boolean redo() throws IOException {
        if (position == steps.size() - 1) return false;
        position++;
        refresh();
        return true;
    }

    /** A seed for a random edit: fresh each time, and shown so that the edit can be repeated. */
    public static long newSeed(Random source) {
        return source.nextLong() & 0xffffffffL;
    }

    // ------------------------------------------------------------------------------------------------ audio

    private void refresh() throws IOException {
        EventList l = current();
        List<Render> rows = render(l.events());
        long length = l.lengthSamples();
        float[] acc = new float[(int) length];
        List<Event> events = l.events();
        for (int i = 0; i < events.size(); i++) siac.codec().addPlaced(acc, 0, rows.get(i).row(), events.get(i).time());
        float gain = l.gain();
        for (int j = 0; j < acc.length; j++) acc[j] *= gain;
        acc = dev.siac.codec.BalanceFilter.apply(l.balance(), l.sampleRate(), acc); // as the decoder does
        l.silence().mute(acc, 0, acc.length, 0);
        mix = acc;
        if (spectrogramPng != null) {
            spectrogramPng = png(Plots.logFrequencySpectrogram(manager, mix.length == 0 ? new float[1] : mix, l.sampleRate()));
        }
        version++;
    }

    /** The cached render of each event, rendering the missing ones in one decode (in batches, as the decoder does). */
    private List<Render> render(List<Event> events) throws IOException {
        Map<Key, Integer> missing = new HashMap<>();
        List<Event> toRender = new ArrayList<>();
        for (Event e : events) {
            Key k = Key.of(e);
            if (!cache.containsKey(k) && !missing.containsKey(k)) {
                missing.put(k, toRender.size());
                toRender.add(e);
            }
        }
        Map<Key, Render> fresh = new HashMap<>();
        if (!toRender.isEmpty()) {
            EventList header = current();
            // Each event alone in its own span of a longer signal: the rows cannot overlap, so one decode renders them all.
            List<Event> placed = new ArrayList<>(toRender.size());
            for (int i = 0; i < toRender.size(); i++) {
                Event e = toRender.get(i);
                placed.add(new Event((long) i * span + guard, e.amplitude(), e.vector()));
            }
            EventList list = new EventList(header.sampleRate(), (long) toRender.size() * span, 1f, header.vectorDim(),
                    header.modelId(), Precision.F32, placed);
            float[] audio = siac.decode(list);
            renders += toRender.size();
            for (Map.Entry<Key, Integer> m : missing.entrySet()) {
                int i = m.getValue();
                float[] row = Arrays.copyOfRange(audio, i * span, (i + 1) * span);
                fresh.put(m.getKey(), new Render(row, logBin(row, header.sampleRate())));
            }
        }
        List<Render> out = new ArrayList<>(events.size());
        for (Event e : events) {
            Key k = Key.of(e);
            Render r = fresh.get(k);
            if (r == null) r = cache.get(k);
            out.add(r);
        }
        cache.putAll(fresh);
        return out;
    }

    /** The energy-weighted mean log-frequency bin of a sound: where it sits on the spectrogram's frequency axis. */
    private double logBin(float[] row, int sampleRate) {
        float[][] spec = Plots.logFrequencySpectrogram(manager, row, sampleRate);
        double sum = 0;
        double weighted = 0;
        for (int k = 0; k < spec.length; k++) {
            double e = 0;
            for (float v : spec[k]) e += (double) v * v;
            sum += e;
            weighted += k * e;
        }
        return sum > 0 ? weighted / sum : 0;
    }

    private byte[] png(float[][] spec) throws IOException {
        double ref = spectrogramReference > 0 ? spectrogramReference : Plots.max(spec);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(Plots.spectrogram(spec, SPEC_W, SPEC_H, Colormap.MAGMA, ref, SPEC_RANGE_DB), "png", out);
        return out.toByteArray();
    }

    // ------------------------------------------------------------------------------------------------ colours

    private double[] project(float[] v) {
        double[] p = new double[colourBasis.length];
        for (int c = 0; c < p.length; c++) {
            for (int d = 0; d < v.length; d++) p[c] += colourBasis[c][d] * v[d];
        }
        return p;
    }

    /** The first {@code k} principal axes of the vectors (power iteration with deflation; unit axes if degenerate). */
    static double[][] principalAxes(EventList events, int k) {
        int dim = events.vectorDim();
        int n = events.size();
        double[] mean = new double[dim];
        for (Event e : events.events()) for (int d = 0; d < dim; d++) mean[d] += e.vector()[d] / (double) n;
        double[][] cov = new double[dim][dim];
        for (Event e : events.events()) {
            float[] v = e.vector();
            for (int a = 0; a < dim; a++) for (int b = 0; b < dim; b++) cov[a][b] += (v[a] - mean[a]) * (v[b] - mean[b]);
        }
        double[][] axes = new double[k][dim];
        for (int c = 0; c < k; c++) {
            double[] x = new double[dim];
            for (int d = 0; d < dim; d++) x[d] = 1 + 0.1 * ((d * 7 + c * 3) % 5); // fixed start: the same file, the same colours
            double norm = 0;
            for (int it = 0; it < 200; it++) {
                double[] y = new double[dim];
                for (int a = 0; a < dim; a++) for (int b = 0; b < dim; b++) y[a] += cov[a][b] * x[b];
                norm = Math.sqrt(Arrays.stream(y).map(t -> t * t).sum());
                if (!(norm > 1e-12)) break;
                for (int d = 0; d < dim; d++) x[d] = y[d] / norm;
            }
            if (!(norm > 1e-12)) {
                x = new double[dim];
                x[c % dim] = 1;
            }
            axes[c] = x;
            double lambda = 0;
            for (int a = 0; a < dim; a++) for (int b = 0; b < dim; b++) lambda += x[a] * cov[a][b] * x[b];
            for (int a = 0; a < dim; a++) for (int b = 0; b < dim; b++) cov[a][b] -= lambda * x[a] * x[b];
        }
        return axes;
    }

    /** Samples as little-endian float32, the page's audio format. */
    static byte[] f32(float[] x) {
        ByteBuffer b = ByteBuffer.allocate(4 * x.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(x);
        return b.array();
    }

    static String seconds(double s) {
        return String.format(Locale.ROOT, "%.3f", s);
    }

    @Override
    public void close() {
        manager.close();
    }
}
