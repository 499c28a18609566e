package dev.siac.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

/** A config may only say what the code really lets vary. */
class ModelConfigTest {
    private static String tinyWith(String key, Number value) {
        JsonObject o = new Gson().toJsonTree(ModelConfig.preset("tiny")).getAsJsonObject();
        o.addProperty(key, value);
        return o.toString();
    }

    @Test
    void everyPresetIsValid() {
        for (String p : new String[] {"tiny", "small", "small-short", "small-full", "paper"}) {
            assertEquals(ModelConfig.SAMPLE_RATE, ModelConfig.preset(p).sampleRate, p);
        }
    }

    @Test
    void fixedSizesAreRefusedWithTheReason() {
        IllegalArgumentException hop = assertThrows(IllegalArgumentException.class,
                () -> ModelConfig.fromJson(tinyWith("stftHop", 512), "hop.json"));
        assertTrue(hop.getMessage().startsWith("hop.json: stftWindow/stftHop must be 2048/256"), hop.getMessage());
        IllegalArgumentException win = assertThrows(IllegalArgumentException.class,
                () -> ModelConfig.fromJson(tinyWith("stftWindow", 1024), "win.json"));
        assertTrue(win.getMessage().contains("stftWindow/stftHop"), win.getMessage());
        IllegalArgumentException rate = assertThrows(IllegalArgumentException.class,
                () -> ModelConfig.fromJson(tinyWith("sampleRate", 44100), "rate.json"));
        assertTrue(rate.getMessage().contains("sampleRate must be 22050"), rate.getMessage());
    }
}
