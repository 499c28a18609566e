package dev.siac.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam exactly as torch.optim.Adam (no weight decay, no amsgrad), with its state held as named tensors so that a
 * checkpoint can store and restore it bit for bit. State is created outside any scope, on its own manager.
 */
public final class Adam implements AutoCloseable {
    public double lr;
    public final double beta1;
    public final double beta2;
    public final double eps;
    private long step;
    private final NDManager manager;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();

    public Adam(NDManager parent, Map<String, NDArray> params, double lr, double beta1, double beta2, double eps) {
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.manager = parent.newSubManager();
        for (var e : params.entrySet()) {
            m.put(e.getKey(), manager.zeros(e.getValue().getShape()));
            v.put(e.getKey(), manager.zeros(e.getValue().getShape()));
        }
    }

    public long step() {
        return step;
    }

    public void setStep(long step) {
        this.step = step;
    }

    public Map<String, NDArray> firstMoments() {
        return m;
    }

    public Map<String, NDArray> secondMoments() {
        return v;
    }

    /** One update from the gradients accumulated on params, then clears them (a parameter without gradient sees zeros). */
    public void update(Map<String, NDArray> params) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2 = 1 - Math.pow(beta2, step);
        for (var e : params.entrySet()) {
            NDArray p = e.getValue();
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                NDArray g = p.getGradient();
                NDArray mm = m.get(e.getKey());
                NDArray vv = v.get(e.getKey());
                mm.muli((float) beta1).addi(g.mul((float) (1 - beta1)));
                vv.muli((float) beta2).addi(g.square().mul((float) (1 - beta2)));
                NDArray denom = vv.div((float) bc2).sqrt().add((float) eps);
                p.subi(mm.div(denom).mul((float) (lr / bc1)));
                JniUtils.zeroGrad((PtNDArray) p);
            }
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
