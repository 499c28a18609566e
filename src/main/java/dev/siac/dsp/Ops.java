package dev.siac.dsp;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Small differentiable building blocks missing from the DJL API. */
public final class Ops {
    private Ops() {}

    /**
     * A constant tensor whose memory libtorch owns. DJL's create() can wrap a Java buffer without copying; if such an
     * array is closed (e.g. by its NDScope) while an autograd graph still refers to it, backward reads freed memory
     * (seen as NaN gradients). Cloning gives the graph its own storage.
     */
    public static NDArray constant(NDManager m, float[] values, Shape shape) {
        try (NDArray tmp = m.create(values, shape)) {
            return tmp.duplicate();
        }
    }

    public static NDArray constant(NDManager m, float[] values) {
        return constant(m, values, new Shape(values.length));
    }

    /**
     * x * v with v held in libtorch memory. DJL's arithmetic with a Number wraps the scalar in a Java direct buffer
     * and closes it right after the op; autograd keeps a pointer to that storage for backward, and once the garbage
     * collector frees the buffer, backward reads garbage (intermittent NaN gradients, gone with -XX:+UseEpsilonGC).
     * Every scalar that takes part in a recorded graph must go through these helpers.
     */
    public static NDArray mul(NDArray x, double v) {
        return x.mul(scalar(x.getManager(), v));
    }

    public static NDArray add(NDArray x, double v) {
        return x.add(scalar(x.getManager(), v));
    }

    public static NDArray scalar(NDManager m, double v) {
        try (NDArray tmp = m.create((float) v)) {
            return tmp.duplicate();
        }
    }

    /**
     * Straight-through hard softmax along the last axis: the forward value is zero except at the argmax, where it is
     * that position's softmax probability (normalize=false) or exactly 1 (normalize=true); the backward pass is the
     * gradient of the full softmax.
     */
    public static NDArray sparseSoftmax(NDArray logits, boolean normalize) {
        NDArray soft = logits.softmax(-1);
        long k = logits.getShape().get(logits.getShape().dimension() - 1);
        NDArray hot = soft.argMax(-1).oneHot((int) k);
        NDArray hard = normalize ? hot : hot.mul(soft);
        return hard.sub(soft).stopGradient().add(soft);
    }
}
