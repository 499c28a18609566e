package dev.siac.codec;

import ai.djl.ndarray.NDManager;
import dev.siac.model.ModelConfig;
import dev.siac.model.Models;
import dev.siac.model.Safetensors;
import dev.siac.model.SiacModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The model the codec tests run on: the {@code tiny} preset (8192-sample windows, 4 events per window), untrained.
 *
 * <p>Its banks use the {@code physical} initialisation, as the {@code small} preset behind the default model does.
 * With the reference initialisation an untrained model's events come out about 60 dB below the input, so a 16-bit
 * decode would be all zeros and "decodes to silence" could not be told apart from "decodes to something".
 */
public final class TinyModel {
    private TinyModel() {}

    public static ModelConfig config() {
        ModelConfig c = ModelConfig.preset("tiny");
        c.init = "physical";
        return c;
    }

    /** Creates a model with this seed and saves it (F32) as a model directory; returns dir. */
    public static Path save(Path dir, long seed) throws IOException {
        try (NDManager m = NDManager.newBaseManager(); SiacModel model = Models.create(config(), seed, m)) {
            Models.save(model, dir, Safetensors.DType.F32);
        }
        return dir;
    }

    /** Uniform noise in [-amp, amp): energy in every frame. */
    public static float[] noise(int n, double amp, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (amp * (2 * r.nextDouble() - 1));
        return x;
    }

    public static float peak(float[] x) {
        float p = 0;
        for (float v : x) p = Math.max(p, Math.abs(v));
        return p;
    }

    /** Serves x in chunks whose sizes cycle through chunkSizes (all of what is asked for when none are given). */
    public static Codec.SampleSource source(float[] x, int... chunkSizes) {
        return new Codec.SampleSource() {
            int pos;
            int call;

            @Override
            public int read(float[] buf, int off, int len) {
                if (pos >= x.length) return -1;
                int want = chunkSizes.length == 0 ? len : Math.min(len, chunkSizes[call++ % chunkSizes.length]);
                int k = Math.min(want, x.length - pos);
                System.arraycopy(x, pos, buf, off, k);
                pos += k;
                return k;
            }
        };
    }

    /** Everything the decoder writes, in one array. */
    public static final class Collector implements Codec.SampleSink {
        private float[] data = new float[1 << 16];
        private int size;

        @Override
        public void write(float[] buf, int off, int len) {
            if (size + len > data.length) data = Arrays.copyOf(data, Math.max(2 * data.length, size + len));
            System.arraycopy(buf, off, data, size, len);
            size += len;
        }

        public float[] samples() {
            return Arrays.copyOf(data, size);
        }
    }
}
