package dev.siac.dsp;

import ai.djl.ndarray.NDArray;

/** Small differentiable building blocks missing from the DJL API. */
public final class Ops {
    private Ops() {}

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
