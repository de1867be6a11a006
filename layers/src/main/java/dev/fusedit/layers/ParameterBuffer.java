package dev.fusedit.layers;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.MemoryScope;
import dev.fusedit.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainable parameters of a model gathered into one flat float32 buffer, with their
 * gradients in a second flat buffer of the same layout: every parameter tensor becomes a view
 * of the first and its {@code grad} a view of the second. The optimizer is then one loop over
 * {@link #values()}/{@link #grads()}, and a device transfer one copy (as llm.c lays them out).
 */
public final class ParameterBuffer implements AutoCloseable {
    private final MemoryScope memory = MemoryScope.openDetached();
    private final Map<String, Parameter> parameters;
    private final Map<String, Long> offsets = new LinkedHashMap<>();
    private final long size;
    private final Tensor values;
    private final Tensor grads;

    /** Moves the trainable parameters of {@code module} (already initialized or loaded) into flat buffers. */
    public ParameterBuffer(Module module) {
        Map<String, Parameter> trainable = new LinkedHashMap<>();
        module.namedParameters().forEach((n, p) -> { if (p.trainable()) trainable.put(n, p); });
        this.parameters = Collections.unmodifiableMap(trainable);
        long total = 0;
        for (Map.Entry<String, Parameter> e : trainable.entrySet()) {
            offsets.put(e.getKey(), total);
            // keep every parameter 16-float (64-byte) aligned so vector loads of one never straddle two
            total += (e.getValue().numel() + 15) / 16 * 16;
        }
        this.size = total;
        this.values = memory.within(() -> Tensor.zeros(DType.F32, Math.toIntExact(Math.max(size, 1))));
        this.grads = memory.within(() -> Tensor.zeros(DType.F32, Math.toIntExact(Math.max(size, 1))));
        for (Map.Entry<String, Parameter> e : trainable.entrySet()) {
            Parameter p = e.getValue();
            long at = offsets.get(e.getKey());
            Tensor view = slice(values, at, p.shape());
            view.copyFrom(p.get());
            p.set(view);
            view.setGrad(slice(grads, at, p.shape()));
        }
    }

    private static Tensor slice(Tensor flat, long at, int[] shape) {
        return flat.narrow(0, Math.toIntExact(at), Math.toIntExact(Tensor.numel(shape))).detach().reshape(shape);
    }

    /** All trainable values, one flat F32 tensor (padding between parameters stays zero). */
    public Tensor values() {
        return values;
    }

    /** All gradients, laid out like {@link #values()}. */
    public Tensor grads() {
        return grads;
    }

    public long size() {
        return size;
    }

    public Map<String, Parameter> parameters() {
        return parameters;
    }

    /** Element offset of a parameter in the flat buffers. */
    public long offsetOf(String name) {
        Long at = offsets.get(name);
        if (at == null) throw new IllegalArgumentException("no trainable parameter '" + name + "'");
        return at;
    }

    public List<String> names() {
        return new ArrayList<>(parameters.keySet());
    }

    /** Sets every gradient to zero (the views stay bound). */
    public void zeroGrads() {
        grads.data().fill((byte) 0);
    }

    public MemorySegment valueSegment() {
        return values.data();
    }

    public MemorySegment gradSegment() {
        return grads.data();
    }

    @Override
    public void close() {
        memory.close();
    }
}
