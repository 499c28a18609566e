package dev.siac.codec;

import java.util.Arrays;

/**
 * One event of the codec: an onset in samples (absolute, any long after edits), the encoder's switch activation
 * as amplitude, and the event vector that the decoder turns into sound.
 *
 * <p>The record holds its vector array as given; {@link EventList} copies vectors on the way in so that a list
 * cannot be changed behind its back. Equality compares vector contents (bit-wise, like {@link Arrays#equals(float[],
 * float[])}) because two events with equal numbers are the same event.
 */
public record Event(long time, float amplitude, float[] vector) {

    public Event {
        if (vector == null) throw new IllegalArgumentException("event vector is null");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Event e
                && time == e.time
                && Float.floatToIntBits(amplitude) == Float.floatToIntBits(e.amplitude)
                && Arrays.equals(vector, e.vector);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Long.hashCode(time) + Float.hashCode(amplitude)) + Arrays.hashCode(vector);
    }

    @Override
    public String toString() {
        return "Event[time=" + time + ", amplitude=" + amplitude + ", vector=" + Arrays.toString(vector) + "]";
    }

    /** Euclidean norm of the vector (in double, so large components do not overflow). */
    public double norm() {
        double s = 0;
        for (float v : vector) s += (double) v * v;
        return Math.sqrt(s);
    }
}
