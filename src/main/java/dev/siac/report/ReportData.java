package dev.siac.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the HTML article shows, as plain arrays, so that the report needs no model and no native engine
 * to be assembled (only to compute the spectrogram pictures).
 *
 * @param title                 page title
 * @param sampleRate            sample rate of every audio array
 * @param original              the input segment (mono)
 * @param reconstruction        the sum of all rendered events
 * @param events                one entry per event, in extraction order
 * @param oneEvent              the intermediate decoder steps of one chosen event
 * @param residualSpectrograms  residual magnitude spectrogram after each encoder step, {@code specBins x specFrames},
 *                              row-major, bins spanning 0..sampleRate/2 linearly (the STFT's own bins)
 * @param specBins              number of frequency bins of each residual spectrogram
 * @param specFrames            number of frames of each residual spectrogram
 * @param randomVectorsAudio    original times, random event vectors
 * @param randomTimesAudio      original vectors, random times
 * @param perturbedAudio        all vectors moved by the same random offset
 * @param streamOriginal        a longer input, or null to omit the streaming section
 * @param streamReconstruction  its streamed reconstruction, or null (both or neither)
 * @param numbers               label -> formatted value, shown as a table in insertion order
 */
public record ReportData(
        String title, int sampleRate,
        float[] original, float[] reconstruction,
        List<EventView> events,
        EventSteps oneEvent,
        List<float[]> residualSpectrograms, int specBins, int specFrames,
        float[] randomVectorsAudio, float[] randomTimesAudio, float[] perturbedAudio,
        float[] streamOriginal, float[] streamReconstruction,
        Map<String, String> numbers) {

    public ReportData {
        if (title == null || title.isBlank()) throw new IllegalArgumentException("ReportData: title is empty");
        if (sampleRate <= 0) throw new IllegalArgumentException("ReportData: sampleRate must be > 0, got " + sampleRate);
        requireSignal("original", original, false);
        requireSignal("reconstruction", reconstruction, false);
        requireSignal("randomVectorsAudio", randomVectorsAudio, false);
        requireSignal("randomTimesAudio", randomTimesAudio, false);
        requireSignal("perturbedAudio", perturbedAudio, false);
        requireSignal("streamOriginal", streamOriginal, true);
        requireSignal("streamReconstruction", streamReconstruction, true);
        if ((streamOriginal == null) != (streamReconstruction == null)) {
            throw new IllegalArgumentException("ReportData: streamOriginal and streamReconstruction must both be given or both be null");
        }
        if (events == null || events.isEmpty()) throw new IllegalArgumentException("ReportData: no events");
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i) == null) throw new IllegalArgumentException("ReportData: event " + i + " is null");
        }
        int dims = events.get(0).vector().length;
        for (int i = 1; i < events.size(); i++) {
            if (events.get(i).vector().length != dims) {
                throw new IllegalArgumentException("ReportData: event " + i + " has a " + events.get(i).vector().length
                        + "-d vector, event 0 has " + dims);
            }
        }
        if (oneEvent == null) throw new IllegalArgumentException("ReportData: oneEvent is missing");
        if (specBins < 2 || specFrames < 1) {
            throw new IllegalArgumentException("ReportData: residual spectrogram size " + specBins + "x" + specFrames + " is too small");
        }
        if (residualSpectrograms == null || residualSpectrograms.isEmpty()) {
            throw new IllegalArgumentException("ReportData: no residual spectrograms");
        }
        for (int i = 0; i < residualSpectrograms.size(); i++) {
            float[] s = residualSpectrograms.get(i);
            requireFinite("residualSpectrograms[" + i + "]", s, false);
            if (s.length != specBins * specFrames) {
                throw new IllegalArgumentException("ReportData: residual spectrogram " + i + " has " + s.length
                        + " values, expected " + specBins + "x" + specFrames);
            }
        }
        events = List.copyOf(events);
        residualSpectrograms = List.copyOf(residualSpectrograms);
        numbers = numbers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(numbers));
    }

    /** Duration of the original segment in seconds. */
    public double durationSeconds() {
        return original.length / (double) sampleRate;
    }

    /** A signal must be non-empty as well: a zero-length WAV cannot be played. */
    static void requireSignal(String name, float[] values, boolean nullable) {
        requireFinite(name, values, nullable);
        if (values != null && values.length == 0) throw new IllegalArgumentException("ReportData: " + name + " is empty");
    }

    static void requireFinite(String name, float[] values, boolean nullable) {
        if (values == null) {
            if (nullable) return;
            throw new IllegalArgumentException("ReportData: " + name + " is missing");
        }
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException("ReportData: " + name + " has a non-finite value at index " + i);
            }
        }
    }
}
