package dev.siac.eval;

import dev.siac.audio.Signal;
import dev.siac.codec.EventList;

/**
 * Anything {@link Evaluation} can measure: it turns a clip into an encoded stream and back. siac implements it with
 * its real codec; {@link Peers} implement it with external programs.
 */
public interface ClipCodec {

    /** Short name used as the row label in results.csv, summary.md and the plot (e.g. "siac-small", "opus-6k"). */
    String name();

    /**
     * Encodes and decodes one clip (mono, 22050 Hz). The decoded signal need not have exactly the clip's length:
     * the metrics pad or crop it. Throwing aborts the evaluation with a message naming the clip and the codec.
     */
    CodecResult run(Signal clip) throws Exception;

    /**
     * @param decoded        the decoded audio (22050 Hz mono)
     * @param encodedBytes   size of the whole encoded file, header included (METRICS.md: kbps)
     * @param events         events stored, or -1 where the codec has no events
     * @param energyRemoved  1 - ||R||_1/||S||_1 (see {@link Metrics#energyRemoved}), or NaN where not applicable
     * @param encodeSeconds  wall time of encoding, file I/O included, start-up excluded
     * @param decodeSeconds  wall time of decoding, likewise
     * @param eventList      the events as the decoder read them back from the encoded bytes (what redundancy is
     *                       measured on), or null where the codec has no events
     */
    record CodecResult(Signal decoded, long encodedBytes, int events, double energyRemoved,
                       double encodeSeconds, double decodeSeconds, EventList eventList) {
        public CodecResult {
            if (decoded == null) throw new IllegalArgumentException("codec result has no decoded signal");
            if (encodedBytes < 0) throw new IllegalArgumentException("codec result: negative encoded size " + encodedBytes);
            if (eventList != null && events != eventList.size()) {
                throw new IllegalArgumentException("codec result: " + events
                        + " events counted but the event list holds " + eventList.size());
            }
        }

        /** A result without an event list: peers, and codecs that only count their events. */
        public CodecResult(Signal decoded, long encodedBytes, int events, double energyRemoved,
                           double encodeSeconds, double decodeSeconds) {
            this(decoded, encodedBytes, events, energyRemoved, encodeSeconds, decodeSeconds, null);
        }
    }
}
