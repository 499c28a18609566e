package dev.siac.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Event lists shaped like the encoder's output: onsets on the 256-sample frame grid, ~11 events/s, 32-d vectors. */
public final class TestLists {

    public static final String MODEL_ID = "3fa2b1c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80";

    private TestLists() {
    }

    public static EventList encoderLike(long seed, int n, int dim, Precision precision) {
        Random rng = new Random(seed);
        long length = Math.max(1, (long) (n / 10.8 * 22050));
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long time = 256L * rng.nextInt((int) Math.max(1, length / 256));
            float amplitude = (float) Math.exp(rng.nextGaussian() * 1.5 - 1);
            float[] v = new float[dim];
            for (int d = 0; d < dim; d++) v[d] = (float) (rng.nextGaussian() * 2 + d * 0.1);
            events.add(new Event(time, amplitude, v));
        }
        return new EventList(22050, length, 0.731f, dim, MODEL_ID, precision, events);
    }

    public static EventList of(int dim, long length, Event... events) {
        return new EventList(22050, length, 1f, dim, "", Precision.F32, List.of(events));
    }

    public static Event event(long time, float amplitude, float... vector) {
        return new Event(time, amplitude, vector);
    }
}
