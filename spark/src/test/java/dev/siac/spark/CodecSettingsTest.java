package dev.siac.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * --kbps, --merge-twins and the encoder's revision are part of a run's settings: a file encoded without them, or by an
 * older encoder, is not "already done".
 */
class CodecSettingsTest {
    @Test
    void bitrateAndMergingChangeTheSettingsText() {
        CodecSettings plain = new CodecSettings(null, null, 0);
        assertEquals("precision=default max_events_per_window=default refine=0 encoder=" + dev.siac.codec.Codec.ENCODER_REVISION, plain.toString());
        assertNotEquals(plain.toString(), new CodecSettings(null, null, 0, 2.0, null).toString());
        assertNotEquals(plain.toString(), new CodecSettings(null, null, 0, null, 0.9).toString());
        assertEquals("precision=default max_events_per_window=default refine=0 kbps=2.0 merge_twins=0.9 encoder="
                + dev.siac.codec.Codec.ENCODER_REVISION, new CodecSettings(null, null, 0, 2.0, 0.9).toString());
    }

    @Test
    void nonsenseIsRefusedOnTheDriver() {
        assertThrows(IllegalArgumentException.class, () -> new CodecSettings(null, null, 0, 0.0, null));
        assertThrows(IllegalArgumentException.class, () -> new CodecSettings(null, null, 0, null, 1.5));
        new CodecSettings(null, null, 0, null, 1.0); // 1: no merging
    }
}
