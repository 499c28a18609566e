package dev.siac.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parameter counts and state-dict shapes of the paper configuration (MODEL_SPEC §7, §8). */
class ParameterCountTest {

    private static long count(Map<String, long[]> shapes, String prefix) {
        long n = 0;
        for (var e : shapes.entrySet()) {
            if (!e.getKey().startsWith(prefix)) continue;
            long s = 1;
            for (long d : e.getValue()) s *= d;
            n += s;
        }
        return n;
    }

    @Test
    void paperModelHas45101437ParametersWith38Rooms() {
        ModelConfig c = ModelConfig.preset("paper");
        assertEquals(38, c.nRoomIrs);
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(c, 0, m)) {
            Map<String, Long> counts = Models.componentCounts(model);
            assertEquals(9_201_168L, counts.get("encoder"));
            assertEquals(16_416L, counts.get("to_event_vectors"));
            assertEquals(513L, counts.get("to_event_switch"));
            assertEquals(21_673_804L, counts.get("multihead"));
            assertEquals(14_209_536L, counts.get("event generator (resonance)"));
            assertEquals(45_101_437L, counts.get("total"));
            // the room IRs are a buffer, not parameters
            assertEquals(new Shape(38, 131072), model.parameters().get("resonance.verb.items").getShape());
            assertTrue(model.parameters().buffers().containsKey("resonance.verb.items"));
            assertTrue(!model.parameters().params().containsKey("resonance.verb.items"));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 10, 38, 64})
    void roomCountAdds513ParametersPerRoom(int rooms) {
        ModelConfig c = ModelConfig.preset("paper");
        c.nRoomIrs = rooms;
        assertEquals(45_081_943L + 513L * rooms, count(Models.shapes(c), ""));
    }

    @Test
    void aSingleRoomHasNoOutputBias() {
        // the reference's output layer has a bias only when it has more than one output (like fine and amplitudes)
        ModelConfig c = ModelConfig.preset("paper");
        c.nRoomIrs = 1;
        assertEquals(45_081_943L + 512L, count(Models.shapes(c), ""));
    }

    @Test
    void perPartCountsMatchTheSpecTable() {
        Map<String, long[]> s = Models.shapes(ModelConfig.preset("paper"));
        assertEquals(525_312, count(s, "encoder.proj."));
        for (int b = 0; b < 8; b++) assertEquals(1_051_650, count(s, "encoder.stack.blocks." + b + "."), "block " + b);
        assertEquals(262_656, count(s, "encoder.stack.ff."));
        String[] heads = {"noise_resonance", "noise_deformations", "noise_mixes", "envelopes", "resonances",
                          "deformations", "mixes", "room_choice", "room_mix", "fine", "res_filter", "amplitudes"};
        long[] outputs = {65_664, 16_416, 1_026, 131_328, 8_404_992, 131_328, 1_026, 19_494, 1_026, 512, 65_664, 512};
        for (int i = 0; i < heads.length; i++) {
            String pre = "multihead.mods." + heads[i] + ".net.";
            assertEquals(1_069_568, count(s, pre + "0.") + count(s, pre + "1."), heads[i] + " trunk");
            assertEquals(outputs[i], count(s, pre + "2."), heads[i] + " output layer");
        }
        assertEquals(12_595_200, count(s, "resonance.r."));
        assertEquals(1_048_576, count(s, "resonance.e."));
        assertEquals(524_288, count(s, "resonance.warp."));
        assertEquals(32_768, count(s, "resonance.noise_warp."));
        assertEquals(8_192, count(s, "resonance.n."));
        assertEquals(512, count(s, "resonance.scheduler."));
    }

    @Test
    void stateDictKeysAndShapesFollowTheReference() {
        Map<String, long[]> s = Models.shapes(ModelConfig.preset("paper"));
        assertArrayEquals(new long[] {512, 1025, 1}, s.get("encoder.proj.weight"));
        assertArrayEquals(new long[] {512}, s.get("encoder.proj.bias"));
        for (int b = 0; b < 8; b++) {
            for (String conv : new String[] {"conv", "gate"}) {
                String pre = "encoder.stack.blocks." + b + "." + conv + ".conv.";
                assertArrayEquals(new long[] {512, 1, 1}, s.get(pre + "parametrizations.weight.original0"), pre);
                assertArrayEquals(new long[] {512, 512, 2}, s.get(pre + "parametrizations.weight.original1"), pre);
                assertArrayEquals(new long[] {512}, s.get(pre + "bias"), pre);
            }
            assertArrayEquals(new long[] {1}, s.get("encoder.stack.blocks." + b + ".tanh_weight"));
            assertArrayEquals(new long[] {1}, s.get("encoder.stack.blocks." + b + ".sigmoid_weight"));
            assertArrayEquals(new long[] {512}, s.get("encoder.stack.blocks." + b + ".norm.weight"));
        }
        assertArrayEquals(new long[] {512, 512, 1}, s.get("encoder.stack.ff.weight"));
        assertArrayEquals(new long[] {32, 512, 1}, s.get("to_event_vectors.weight"));
        assertArrayEquals(new long[] {1, 512, 1}, s.get("to_event_switch.weight"));
        assertArrayEquals(new long[] {512, 32}, s.get("multihead.mods.resonances.net.0.weight"));
        assertArrayEquals(new long[] {512, 512}, s.get("multihead.mods.resonances.net.1.net.1.l2.weight"));
        assertArrayEquals(new long[] {512}, s.get("multihead.mods.resonances.net.1.net.1.norm.bias"));
        assertArrayEquals(new long[] {4 * 4096, 512}, s.get("multihead.mods.resonances.net.2.weight"));
        assertTrue(!s.containsKey("multihead.mods.fine.net.2.bias"), "single-output heads have no output bias");
        assertTrue(!s.containsKey("multihead.mods.amplitudes.net.2.bias"));
        assertArrayEquals(new long[] {4096, 3075}, s.get("resonance.r.items"));
        assertArrayEquals(new long[] {64, 128}, s.get("resonance.n.items"));
        assertArrayEquals(new long[] {256, 4096}, s.get("resonance.e.items"));
        assertArrayEquals(new long[] {256, 2048}, s.get("resonance.warp.items"));
        assertArrayEquals(new long[] {32, 1024}, s.get("resonance.noise_warp.items"));
        assertArrayEquals(new long[] {1, 1, 512}, s.get("resonance.scheduler.pos"));
    }

    @Test
    void unusedReferencePartsCanBeLeftOut() {
        ModelConfig c = ModelConfig.preset("paper");
        c.referenceUnused = false;
        Map<String, long[]> s = Models.shapes(c);
        // res_filter and amplitudes heads, 8 BatchNorms, scheduler.pos
        long unused = (1_069_568 + 65_664) + (1_069_568 + 512) + 8 * 1_024 + 512;
        assertEquals(45_101_437L - unused, count(s, ""));
        assertTrue(s.keySet().stream().noneMatch(k -> k.contains("res_filter") || k.contains("amplitudes")
                || k.contains(".norm.weight") && k.startsWith("encoder") || k.contains("scheduler")));
    }
}
