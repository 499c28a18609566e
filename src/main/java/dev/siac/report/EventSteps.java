package dev.siac.report;

/**
 * The decoder's intermediate signals for one event (MODEL_SPEC: impulse -> resonances -> room).
 *
 * @param impulse     the energy impulse (attack)
 * @param resonated   the impulse convolved with the chosen, deformed resonances (dry signal)
 * @param deformation the mixture weights between resonances over time, channels x frames
 * @param wet         the dry signal convolved with the chosen room impulse response
 */
public record EventSteps(float[] impulse, float[] resonated, float[][] deformation, float[] wet) {

    public EventSteps {
        ReportData.requireSignal("EventSteps.impulse", impulse, false);
        ReportData.requireSignal("EventSteps.resonated", resonated, false);
        ReportData.requireSignal("EventSteps.wet", wet, false);
        if (deformation == null || deformation.length == 0) {
            throw new IllegalArgumentException("EventSteps: deformation matrix is missing or has no channels");
        }
        int frames = -1;
        for (int c = 0; c < deformation.length; c++) {
            ReportData.requireFinite("EventSteps.deformation[" + c + "]", deformation[c], false);
            if (frames < 0) frames = deformation[c].length;
            if (deformation[c].length != frames || frames == 0) {
                throw new IllegalArgumentException("EventSteps: deformation rows must be non-empty and of equal length (row "
                        + c + " has " + deformation[c].length + ", row 0 has " + frames + ")");
            }
        }
    }
}
