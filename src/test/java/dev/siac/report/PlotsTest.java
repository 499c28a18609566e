package dev.siac.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotsTest {

    @TempDir
    Path dir;

    private static int argMax(float[][] spec, int frame) {
        int best = 0;
        for (int k = 1; k < spec.length; k++) if (spec[k][frame] > spec[best][frame]) best = k;
        return best;
    }

    private static float[] sine(double hz, int sampleRate, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (0.5 * Math.sin(2 * Math.PI * hz * i / sampleRate));
        return x;
    }

    @Test
    void sinesLandInTheirSemitoneBins() {
        int sr = 22050;
        try (NDManager m = NDManager.newBaseManager()) {
            // A2, A4, C7: one per octave region, including the low bins that rely on interpolation.
            double[] freqs = {110, 440, 2093.0};
            int[] expected = {21, 45, 72}; // 12 * log2(f / C1)
            for (int f = 0; f < freqs.length; f++) {
                float[][] spec = Plots.logFrequencySpectrogram(m, sine(freqs[f], sr, sr), sr);
                assertEquals(Plots.LOG_BINS, spec.length);
                int frames = spec[0].length;
                assertEquals(sr / Plots.HOP + 1, frames, "centred STFT frame count");
                assertEquals(expected[f], argMax(spec, frames / 2), freqs[f] + " Hz");
            }
        }
    }

    @Test
    void shortClipsAreZeroPaddedNotRejected() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[][] spec = Plots.logFrequencySpectrogram(m, sine(440, 22050, 100), 22050);
            assertEquals(Plots.LOG_BINS, spec.length);
            assertTrue(Plots.max(spec) > 0);
        }
    }

    @Test
    void linearSpectrogramMapsOntoTheLogAxis() {
        int bins = 1025;
        int frames = 3;
        int sr = 22050;
        float[] linear = new float[bins * frames];
        int bin = (int) Math.round(440.0 / (sr / 2.0 / (bins - 1)));
        for (int t = 0; t < frames; t++) linear[bin * frames + t] = 1;
        float[][] log = Plots.toLogFrequency(linear, bins, frames, sr);
        assertEquals(45, argMax(log, 1));
        assertThrows(IllegalArgumentException.class, () -> Plots.toLogFrequency(new float[5], bins, frames, sr));
    }

    @Test
    void picturesHaveTheRequestedSizeAndOrientation(/* low frequencies at the bottom */) throws Exception {
        float[][] spec = new float[84][50];
        for (int t = 0; t < 50; t++) spec[2][t] = 1; // energy only in a low bin
        BufferedImage img = Plots.spectrogram(spec, 300, 168, Colormap.GRAY, 1, 60);
        assertEquals(300, img.getWidth());
        assertEquals(168, img.getHeight());
        int bottom = img.getRGB(150, 168 - 5) & 0xff;
        int top = img.getRGB(150, 5) & 0xff;
        assertTrue(bottom > 150 && top < 10, "bottom " + bottom + " top " + top);

        Path png = dir.resolve("spec.png");
        Plots.writePng(img, png);
        byte[] bytes = Files.readAllBytes(png);
        assertEquals((byte) 0x89, bytes[0]);
        assertEquals('P', bytes[1]);
        BufferedImage read = ImageIO.read(png.toFile());
        assertEquals(300, read.getWidth());
        assertEquals(168, read.getHeight());

        float[][] matrix = {{0, 1, 2}, {3, 4, 5}};
        BufferedImage heat = Plots.heatmap(matrix, 60, 40, Colormap.VIRIDIS);
        assertEquals(60, heat.getWidth());
        assertEquals(40, heat.getHeight());
        assertEquals(Colormap.VIRIDIS.rgb(0), heat.getRGB(0, 0) & 0xffffff, "minimum at top left");
        assertEquals(Colormap.VIRIDIS.rgb(1), heat.getRGB(59, 39) & 0xffffff, "maximum at bottom right");
        assertEquals(heat.getRGB(1, 1), heat.getRGB(18, 18), "cells are crisp blocks");
        assertThrows(IllegalArgumentException.class, () -> Plots.heatmap(matrix, 0, 10, Colormap.HOT));
    }

    @Test
    void colormapsRunFromTheirFirstToTheirLastAnchor() {
        assertEquals(0x000000, Colormap.GRAY.rgb(0));
        assertEquals(0xffffff, Colormap.GRAY.rgb(1));
        assertEquals(0x808080, Colormap.GRAY.rgb(0.5) & 0xffffff, 0x010101 * 1.0);
        assertEquals(0xfde725, Colormap.VIRIDIS.rgb(2.0), "clamped above");
        assertEquals(0x440154, Colormap.VIRIDIS.rgb(Double.NaN));
        assertEquals("#fcfdbf", Colormap.MAGMA.css(1));
    }
}
