package dev.siac.report;

/**
 * One event as the report shows it.
 *
 * @param timeSeconds onset of the event in the reconstructed signal
 * @param amplitude   the event's amplitude as the codec stores it
 * @param vector      the event vector (typically 32 values)
 * @param audio       the event rendered alone, starting at sample 0 of its own clip
 * @param envelope    amplitude envelope of {@code audio} (e.g. 64-128 values), drawn in the scatterplot
 */
public record EventView(double timeSeconds, float amplitude, float[] vector, float[] audio, float[] envelope) {

    public EventView {
        if (!Double.isFinite(timeSeconds) || timeSeconds < 0) {
            throw new IllegalArgumentException("EventView: timeSeconds must be finite and >= 0, got " + timeSeconds);
        }
        if (!Float.isFinite(amplitude)) {
            throw new IllegalArgumentException("EventView: amplitude is not finite: " + amplitude);
        }
        ReportData.requireFinite("EventView.vector", vector, false);
        ReportData.requireSignal("EventView.audio", audio, false);
        ReportData.requireFinite("EventView.envelope", envelope, false);
        if (vector.length == 0) throw new IllegalArgumentException("EventView: vector is empty");
        if (envelope.length == 0) throw new IllegalArgumentException("EventView: envelope is empty");
    }
}
