package dev.siac.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Named tensors of a model: learned parameters (names follow the reference checkpoint's state-dict keys, MODEL_SPEC
 * §8) and fixed buffers (the room IR bank). Initial values are drawn in Java from a seed and the parameter's name, so
 * the same seed gives the same model on any machine, independent of libtorch's generator and of creation order.
 */
public final class Parameters implements AutoCloseable {
    private final NDManager manager;
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private final Map<String, NDArray> buffers = new LinkedHashMap<>();

    public Parameters(NDManager parent) {
        this.manager = parent.newSubManager();
    }

    public NDManager manager() {
        return manager;
    }

    public NDArray get(String name) {
        NDArray a = params.get(name);
        if (a == null) a = buffers.get(name);
        if (a == null) throw new IllegalArgumentException("no parameter " + name);
        return a;
    }

    public boolean has(String name) {
        return params.containsKey(name) || buffers.containsKey(name);
    }

    public Map<String, NDArray> params() {
        return Collections.unmodifiableMap(params);
    }

    public Map<String, NDArray> buffers() {
        return Collections.unmodifiableMap(buffers);
    }

    public NDArray put(String name, float[] values, Shape shape, boolean buffer) {
        if (values.length != shape.size()) {
            throw new IllegalArgumentException(name + ": " + values.length + " values for shape " + shape);
        }
        NDArray a = manager.create(values, shape);
        a.setName(name);
        NDArray old = (buffer ? buffers : params).put(name, a);
        if (old != null) old.close();
        return a;
    }

    /**
     * A set whose learned parameters are copies (under parent, recording gradients of their own) of these, and whose
     * buffers are these very arrays (never written): the parameters of a training worker.
     */
    public Parameters replica(NDManager parent) {
        Parameters r = new Parameters(parent);
        for (var e : params.entrySet()) {
            NDArray copy = e.getValue().duplicate();
            copy.attach(r.manager);
            copy.setName(e.getKey());
            copy.setRequiresGradient(true);
            r.params.put(e.getKey(), copy);
        }
        r.buffers.putAll(buffers);
        return r;
    }

    /** Makes every learned parameter record gradients. */
    public void requireGradients() {
        for (NDArray p : params.values()) p.setRequiresGradient(true);
    }

    public long count() {
        long n = 0;
        for (NDArray p : params.values()) n += p.getShape().size();
        return n;
    }

    /** Parameter count of the names starting with prefix. */
    public long count(String prefix) {
        long n = 0;
        for (var e : params.entrySet()) if (e.getKey().startsWith(prefix)) n += e.getValue().getShape().size();
        return n;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Deterministic generator for one named parameter. */
    static SplittableRandom rng(long seed, String name) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode() * 0xC2B2AE3D27D4EB4FL);
    }

    static float[] uniform(long seed, String name, long size, double low, double high) {
        SplittableRandom r = rng(seed, name);
        float[] v = new float[Math.toIntExact(size)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (low + (high - low) * r.nextDouble());
        return v;
    }
}
