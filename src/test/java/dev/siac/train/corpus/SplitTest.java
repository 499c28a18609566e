package dev.siac.train.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitTest {

    @Test
    void aboutTenPercentOfPiecesAreHeldOut() {
        List<String> pieces = IntStream.range(0, 5000).mapToObj(i -> "pkg.piece" + i).toList();
        long valid = pieces.stream().filter(p -> Split.byHash(p).equals(Split.VALID)).count();
        assertTrue(valid > 400 && valid < 600, "valid pieces: " + valid);
    }

    @Test
    void aPieceKeepsItsSplitWhateverElseIsInTheCorpus() {
        List<String> all = IntStream.range(0, 300).mapToObj(i -> "midi-pkg.song" + i).toList();
        Map<String, String> full = Split.assign(Map.of("midi", all));
        Map<String, String> half = Split.assign(Map.of("midi", all.subList(0, 150), "speech", List.of("festvox-ru.g001")));
        for (String p : all.subList(0, 150)) assertEquals(full.get(p), half.get(p), p);
        // Pure function of the id: the hash never changes between runs or JVMs.
        assertEquals(Split.perMille("midi-pkg.song7"), Split.perMille("midi-pkg.song7"));
        assertEquals(0xba7816bf8f01cfeaL, Split.hash64("abc"), "first 8 bytes of SHA-256(\"abc\")");
    }

    @Test
    void everySourceWithTwoPiecesGetsValidationMaterial() {
        // Pieces that all hash to train.
        List<String> trainOnly = new ArrayList<>();
        for (int i = 0; trainOnly.size() < 5; i++) {
            if (Split.byHash("speech.g" + i).equals(Split.TRAIN)) trainOnly.add("speech.g" + i);
        }
        Map<String, String> s = Split.assign(Map.of("speech", trainOnly, "single", List.of("only.one")));
        long valid = trainOnly.stream().filter(p -> s.get(p).equals(Split.VALID)).count();
        assertEquals(1, valid);
        String lowest = trainOnly.stream().min((a, b) -> Integer.compare(Split.perMille(a), Split.perMille(b))).orElseThrow();
        assertEquals(Split.VALID, s.get(lowest));
        // A lone piece stays where its hash puts it: holding out the only piece would leave nothing to train on.
        assertEquals(Split.byHash("only.one"), s.get("only.one"));
    }
}
