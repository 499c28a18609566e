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
 * @param original              the input segment (mono), or null when there is none (a report made from an event file)
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
 * @param streamOriginal        a longer input, or null (no original player in the streaming section)
 * @param streamReconstruction  its streamed reconstruction, or null to omit the streaming section (then streamOriginal
 *                              must be null too)
 * @param numbers               label -> formatted value, shown as a table in insertion order
 * @param notes                 section id -> an extra paragraph of plain text shown in that section (what this input or
 *                              model changes about the section, e.g. "no original audio"); ids: {@link #SECTIONS}
 */
public record ReportData(
        String title, int sampleRate,
        float[] original, float[] reconstruction,
        List<EventView> events,
        EventSteps oneEvent,
        List<float[]> residualSpectrograms, int specBins, int specFrames,
        float[] randomVectorsAudio, float[] randomTimesAudio, float[] perturbedAudio,
        float[] streamOriginal, float[] streamReconstruction,
        Map<String, String> numbers, Map<String, String> notes) {

    /** The sections a note may be attached to, in page order. */
    public static final List<String> SECTIONS = List.of("numbers", "original", "reconstruction", "scatterplot",
            "intermediates", "decomposition", "randomized", "perturbations", "vectors", "streaming");

    /** Report data without section notes. */
    public ReportData(String title, int sampleRate, float[] original, float[] reconstruction, List<EventView> events,
                      EventSteps oneEvent, List<float[]> residualSpectrograms, int specBins, int specFrames,
                      float[] randomVectorsAudio, float[] randomTimesAudio, float[] perturbedAudio,
                      float[] streamOriginal, float[] streamReconstruction, Map<String, String> numbers) {
        this(title, sampleRate, original, reconstruction, events, oneEvent, residualSpectrograms, specBins, specFrames,
                randomVectorsAudio, randomTimesAudio, perturbedAudio, streamOriginal, streamReconstruction, numbers, null);
    }

    public ReportData {
        if (title == null || title.isBlank()) throw new IllegalArgumentException("ReportData: title is empty");
        if (sampleRate <= 0) throw new IllegalArgumentException("ReportData: sampleRate must be > 0, got " + sampleRate);
        requireSignal("original", original, true);
        requireSignal("reconstruction", reconstruction, false);
        requireSignal("randomVectorsAudio", randomVectorsAudio, false);
        requireSignal("randomTimesAudio", randomTimesAudio, false);
        requireSignal("perturbedAudio", perturbedAudio, false);
        requireSignal("streamOriginal", streamOriginal, true);
        requireSignal("streamReconstruction", streamReconstruction, true);
        if (streamOriginal != null && streamReconstruction == null) {
            throw new IllegalArgumentException("ReportData: streamOriginal is given without a streamReconstruction");
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
        if (notes != null) {
            for (Map.Entry<String, String> e : notes.entrySet()) {
                if (!SECTIONS.contains(e.getKey())) {
                    throw new IllegalArgumentException("ReportData: note for unknown section '" + e.getKey() + "' (known: " + SECTIONS + ")");
                }
                if (e.getValue() == null || e.getValue().isBlank()) {
                    throw new IllegalArgumentException("ReportData: note for section '" + e.getKey() + "' is empty");
                }
            }
        }
        notes = notes == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(notes));
    }

    /** Duration of the analysed segment in seconds (the original's, or the reconstruction's when there is none). */
    public double durationSeconds() {
        return (original != null ? original.length : reconstruction.length) / (double) sampleRate;
    }

    /** The note for a section, or null. */
    public String note(String section) {
        return notes.get(section);
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
