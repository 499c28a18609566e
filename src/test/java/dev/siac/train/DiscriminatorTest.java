package dev.siac.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The discriminator's convolutions are matrix products (libtorch's convolution asks NNPACK on every call and floods
 * the log on CPUs NNPACK does not support): they must give torch's conv1d values and gradients.
 */
class DiscriminatorTest {

    /** The three convolutions the discriminator makes: the 1x1 projection, a stride-2 block, the judge. */
    @Test
    void matrixProductConvolutionEqualsConv1dInValuesAndGradients() {
        // in, out, kernel, stride, pad, frames: odd and even lengths, a length the judge's stride does not divide
        int[][] cases = {{6, 5, 1, 1, 0, 7}, {5, 4, 3, 2, 1, 9}, {5, 4, 3, 2, 1, 8}, {4, 1, 4, 4, 0, 11}};
        for (int[] k : cases) {
            String name = "in " + k[0] + " out " + k[1] + " kernel " + k[2] + " stride " + k[3] + " pad " + k[4] + " frames " + k[5];
            Random r = new Random(k[2] * 31L + k[5]);
            float[] x = gaussian(r, 2 * k[0] * k[5]);
            float[] w = gaussian(r, k[1] * k[0] * k[2]);
            float[] b = gaussian(r, k[1]);
            Shape xs = new Shape(2, k[0], k[5]), ws = new Shape(k[1], k[0], k[2]), bs = new Shape(k[1]);
            int stride = k[3], pad = k[4];
            List<float[]> mine = valueAndGradients(x, xs, w, ws, b, bs, a -> Discriminator.conv(a.get(0), a.get(1), a.get(2), stride, pad));
            List<float[]> torch = valueAndGradients(x, xs, w, ws, b, bs, a -> Conv1d.conv1d(a.get(0), a.get(1), a.get(2),
                    new Shape(stride), new Shape(pad), new Shape(1), 1).singletonOrThrow());
            String[] what = {"value", "dL/dx", "dL/dw", "dL/db"};
            assertEquals(torch.get(0).length, mine.get(0).length, name + ": output length");
            for (int i = 0; i < what.length; i++) assertArrayEquals(torch.get(i), mine.get(i), 1e-5f, name + ": " + what[i]);
        }
    }

    /** The value of conv and the gradients of sum(conv * R) (R fixed random) with respect to x, w and b. */
    private static List<float[]> valueAndGradients(float[] x, Shape xs, float[] w, Shape ws, float[] b, Shape bs,
                                                   Function<NDList, NDArray> conv) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray xa = m.create(x, xs), wa = m.create(w, ws), ba = m.create(b, bs);
            for (NDArray a : List.of(xa, wa, ba)) a.setRequiresGradient(true);
            float[] value;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = conv.apply(new NDList(xa, wa, ba));
                value = y.toFloatArray();
                NDArray weights = m.create(gaussian(new Random(7), value.length), y.getShape());
                gc.backward(y.mul(weights).sum());
            }
            return List.of(value, xa.getGradient().toFloatArray(), wa.getGradient().toFloatArray(), ba.getGradient().toFloatArray());
        }
    }

    private static float[] gaussian(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    /** No main source calls libtorch's convolution (each call asks NNPACK, see above). */
    @Test
    void noMainSourceCallsAConvolution() throws IOException {
        Set<String> found = new TreeSet<>();
        for (Path src : List.of(Path.of("src", "main", "java"), Path.of("spark", "src", "main", "java"))) {
            try (Stream<Path> files = Files.walk(src)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String text = Files.readString(f);
                    for (String op : List.of("Conv1d", "Conv2d", "conv1d(", "conv2d(", "convolution(")) {
                        if (text.contains(op)) found.add(f + ": " + op);
                    }
                }
            }
        }
        assertEquals(Set.of(), found);
    }
}
