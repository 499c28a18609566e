package dev.siac.eval;

import dev.siac.audio.Signal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs the real peer tools (CI installs opus-tools and codec2); each test is skipped only where its tool is absent. */
class PeersTest {

    private static final int SR = 22050;

    /** A voiced, speech-like 2 s clip: a 140 Hz harmonic series with a moving formant, plus a little noise. */
    static Signal voiced(double seconds, long seed) {
        int n = (int) Math.round(seconds * SR);
        float[] x = new float[n];
        Random r = new Random(seed);
        for (int i = 0; i < n; i++) {
            double t = (double) i / SR;
            double formant = 700 + 400 * Math.sin(2 * Math.PI * 1.5 * t);
            double s = 0;
            for (int h = 1; h * 140 < 5000; h++) {
                double f = h * 140;
                double gain = 1 / (1 + Math.pow((f - formant) / 300, 2));
                s += gain * Math.sin(2 * Math.PI * f * t + h);
            }
            double envelope = 0.5 + 0.5 * Math.sin(2 * Math.PI * 3 * t);
            x[i] = (float) (0.12 * envelope * s + 0.003 * r.nextGaussian());
        }
        return new Signal(x, SR);
    }

    @Test
    void opusAtSixKbps() throws Exception {
        assumeTrue(Peers.findTool("opusenc").isPresent() && Peers.findTool("opusdec").isPresent(),
                "opus-tools not installed");
        Signal clip = voiced(2.0, 1);
        ClipCodec opus = Peers.opus();
        assertEquals("opus-6k", opus.name());
        ClipCodec.CodecResult r = opus.run(clip);
        double kbps = 8.0 * r.encodedBytes() / clip.durationSeconds() / 1000;
        // 15-byte packets every 20 ms (6 kbps) plus Ogg pages and the Opus headers, ~400 bytes on a 2 s clip
        // (7.6 kbps); without --padding 0 opusenc would add 512 more bytes (9.7 kbps and the test fails).
        assertTrue(kbps > 6.0 && kbps < 8.0, "kbps " + kbps);
        assertEquals(SR, r.decoded().sampleRate());
        assertEquals(clip.length(), r.decoded().length(), "opusdec trims pre-skip and end padding");
        double mel = Metrics.melL1(clip.samples(), r.decoded().samples(), SR);
        assertTrue(mel > 0 && mel < 1, "mel_l1 " + mel);
        // A silent decode scores far worse: the bound above is not trivially met.
        assertTrue(Metrics.melL1(clip.samples(), new float[clip.length()], SR) > 1);
        assertEquals(-1, r.events());
        assertTrue(Double.isNaN(r.energyRemoved()));
        assertTrue(r.encodeSeconds() > 0 && r.decodeSeconds() > 0);
    }

    @Test
    void codec2ModesAtTheirRates() throws Exception {
        assumeTrue(Peers.findTool("c2enc").isPresent() && Peers.findTool("c2dec").isPresent(), "codec2 not installed");
        Signal clip = voiced(2.0, 2);
        for (String mode : List.of("3200", "700C")) {
            ClipCodec c = Peers.codec2(mode);
            assertEquals("codec2-" + mode, c.name());
            ClipCodec.CodecResult r = c.run(clip);
            // 2 s at 8 kHz = 16000 samples: 100 frames of 64 bits (3200) or 50 frames of 28 bits padded to 4 bytes
            // (700C), plus the 7-byte .c2 header.
            assertEquals(mode.equals("3200") ? 7 + 100 * 8 : 7 + 50 * 4, r.encodedBytes(), mode + " bytes");
            assertEquals(SR, r.decoded().sampleRate());
            // codec2 works in whole frames (20 or 40 ms); back at 22050 Hz the length is within a frame.
            assertEquals(clip.length(), r.decoded().length(), 0.041 * SR, mode + " length");
            double mel = Metrics.melL1(clip.samples(), r.decoded().samples(), SR);
            assertTrue(mel > 0 && mel < 1.5, mode + " mel_l1 " + mel);
        }
    }

    @Test
    void missingToolIsReportedWithItsInstallCommand(@TempDir Path emptyBin) {
        Peers.Selection s = Peers.select(List.of("opus", "codec2"), emptyBin.toString());
        assertTrue(s.codecs().isEmpty());
        assertEquals(3, s.skipped().size());
        assertTrue(s.skipped().get(0).startsWith("opus-6k skipped: opusenc not found"), s.skipped().get(0));
        assertTrue(s.skipped().get(0).endsWith("apt-get install -y opus-tools"), s.skipped().get(0));
        assertTrue(s.skipped().get(1).contains("codec2-3200") && s.skipped().get(1).endsWith("apt-get install -y codec2"));
        assertTrue(s.skipped().get(2).contains("codec2-700C"));
    }

    @Test
    void toolsOnThePathAreSelected(@TempDir Path bin) throws IOException {
        for (String tool : List.of("opusenc", "opusdec")) {
            Path p = Files.writeString(bin.resolve(tool), "#!/bin/sh\n");
            assertTrue(p.toFile().setExecutable(true));
        }
        Peers.Selection s = Peers.select(List.of("opus", "codec2-700C"), bin.toString());
        assertEquals(List.of("opus-6k"), s.codecs().stream().map(ClipCodec::name).toList());
        assertEquals(1, s.skipped().size());
        assertTrue(s.skipped().get(0).startsWith("codec2-700C skipped: c2enc not found"));
    }

    @Test
    void unknownPeerNameIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Peers.select(List.of("mp3")));
        assertTrue(e.getMessage().contains("'mp3'") && e.getMessage().contains("opus"), e.getMessage());
    }

    @Test
    void toolFailureIsOneLineNamingTheTool() {
        assumeTrue(Peers.findTool("c2enc").isPresent(), "codec2 not installed");
        IOException e = assertThrows(IOException.class, () -> Peers.codec2("9999").run(voiced(0.2, 3)));
        assertTrue(e.getMessage().startsWith("c2enc failed with exit code"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void pcm16RoundTripClampsAndKeepsLevel() {
        float[] x = {0f, 0.5f, -0.5f, 1.5f, -2f};
        float[] y = Peers.fromPcm16(Peers.toPcm16(x));
        assertEquals(0f, y[0], 0f);
        assertEquals(0.5f, y[1], 1e-4f);
        assertEquals(-0.5f, y[2], 1e-4f);
        assertEquals(1f, y[3], 1e-4f);
        assertEquals(-1f, y[4], 1e-4f);
    }
}
