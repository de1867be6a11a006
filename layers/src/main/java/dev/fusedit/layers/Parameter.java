package dev.fusedit.layers;

import dev.fusedit.tensor.Tensor;

import java.util.Arrays;

/**
 * One named weight of a module: its declared shape and the tensor that currently holds it
 * (a view into a flat parameter buffer, or into a memory-mapped checkpoint). Layers read it
 * with {@link #get()} on every forward, so re-binding it (loading, moving to a flat buffer) needs
 * no change to the layer.
 */
public final class Parameter {
    private final int[] shape;
    private Tensor value;
    private boolean trainable = true;

    Parameter(int[] shape) {
        this.shape = shape.clone();
    }

    public int[] shape() {
        return shape.clone();
    }

    public long numel() {
        return Tensor.numel(shape);
    }

    public boolean isBound() {
        return value != null;
    }

    public Tensor get() {
        if (value == null) throw new IllegalStateException("parameter of shape " + Arrays.toString(shape) + " has no value: load or initialize the model first");
        return value;
    }

    /** Binds a tensor of the declared shape; its requiresGrad follows {@link #trainable()}. */
    public void set(Tensor t) {
        if (!Arrays.equals(t.shape(), shape))
            throw new IllegalArgumentException("parameter expects shape " + Arrays.toString(shape) + ", got " + Arrays.toString(t.shape()));
        value = t;
        value.requiresGrad(trainable && t.dtype().isFloating());
    }

    public boolean trainable() {
        return trainable;
    }

    public void setTrainable(boolean trainable) {
        this.trainable = trainable;
        if (value != null) value.requiresGrad(trainable && value.dtype().isFloating());
    }
}
