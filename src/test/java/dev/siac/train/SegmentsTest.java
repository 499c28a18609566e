package dev.siac.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.siac.audio.AudioIO;
import dev.siac.audio.Signal;
import dev.siac.audio.WavEncoding;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How training segments choose their file: uniformly (the reference's way) or in proportion to the file's length. */
class SegmentsTest {
    private static final int RATE = 22050;
    private static final int N = 1024;

    /**
     * A file of constant positive level, or (level &lt; 0) one alternating between 0.5 and -0.25: a segment of the
     * second kind always holds negative samples after normalisation, one of the first never does.
     */
    private static Path constant(Path dir, String name, int length, float level) throws Exception {
        float[] x = new float[length];
        for (int i = 0; i < length; i++) x[i] = level > 0 ? level : (i % 2 == 0 ? 0.5f : -0.25f);
        Path f = dir.resolve(name);
        AudioIO.writeWav(f, new Signal(x, RATE), WavEncoding.FLOAT32);
        return f;
    }

    @Test
    void durationSamplingWeighsFilesByLengthFileSamplingDoesNot(@TempDir Path dir) throws Exception {
        // one long file (+) and three short ones (-), each at least 2n long: lengths 18n and 2n, 2n, 2n
        Segments s = Segments.load(List.of(constant(dir, "long.wav", 18 * N, 0.5f), constant(dir, "a.wav", 2 * N, -0.5f),
                constant(dir, "b.wav", 2 * N, -0.5f), constant(dir, "c.wav", 2 * N, -0.5f)));
        int draws = 4000;
        double byFile = longShare(s, false, draws), byDuration = longShare(s, true, draws);
        assertEquals(0.25, byFile, 0.03, "uniform over files: 1 of 4");
        assertEquals(0.75, byDuration, 0.03, "by duration: 18n of 24n");
        // the same seed draws the same segments (a resumed run continues exactly)
        Random r1 = new Random(3), r2 = new Random(3);
        for (int i = 0; i < 20; i++) assertEquals(s.sample(r1, N, true)[0], s.sample(r2, N, true)[0]);
        // the uniform choice is the reference's and stays what sample(rng, n) gives
        Random u1 = new Random(4), u2 = new Random(4);
        for (int i = 0; i < 20; i++) assertEquals(s.sample(u1, N)[0], s.sample(u2, N, false)[0]);
    }

    @Test
    void aFileShorterThanTwoSegmentsCountsAsPaddedToTwo(@TempDir Path dir) throws Exception {
        // a tiny file is zero-padded to 2n, so by duration it weighs 2n, not its own few samples
        Segments s = Segments.load(List.of(constant(dir, "tiny.wav", 10, 0.5f), constant(dir, "other.wav", 2 * N, -0.5f)));
        double share = longShare(s, true, 4000);
        assertTrue(share > 0.4 && share < 0.6, "tiny file's share " + share);
    }

    /** Share of draws that came from the constant (long or tiny) file: no negative sample in the segment. */
    private static double longShare(Segments s, boolean byDuration, int draws) {
        Random rng = new Random(1);
        int pos = 0;
        for (int i = 0; i < draws; i++) {
            float[] x = s.sample(rng, N, byDuration);
            boolean negative = false;
            for (float v : x) negative |= v < 0;
            if (!negative) pos++;
        }
        return pos / (double) draws;
    }
}
