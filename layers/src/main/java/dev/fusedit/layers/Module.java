package dev.fusedit.layers;

import dev.fusedit.tensor.DType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node of a model tree: named parameters and named child modules, so that every weight has
 * the dotted name PyTorch gives it ("layers.3.self_attn.q_proj.weight"). Subclasses declare
 * their parameters and children in the constructor and compute in their own forward methods.
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Declares a parameter; it gets a value when the model is initialized or loaded. */
    protected final Parameter parameter(String name, int... shape) {
        Parameter p = new Parameter(shape);
        if (parameters.putIfAbsent(name, p) != null) throw new IllegalArgumentException("parameter '" + name + "' declared twice");
        return p;
    }

    protected final <M extends Module> M child(String name, M module) {
        if (children.putIfAbsent(name, module) != null) throw new IllegalArgumentException("child '" + name + "' declared twice");
        return module;
    }

    /** Registers modules as name.0, name.1, ... (PyTorch's ModuleList naming). */
    protected final <M extends Module> List<M> childList(String name, List<M> modules) {
        Module list = new Module() {};
        for (int i = 0; i < modules.size(); i++) list.child(Integer.toString(i), modules.get(i));
        child(name, list);
        return Collections.unmodifiableList(new ArrayList<>(modules));
    }

    /** Every parameter below this module by its dotted name, in declaration order. */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        parameters.forEach((n, p) -> out.put(prefix + n, p));
        children.forEach((n, c) -> c.collect(prefix + n + ".", out));
    }

    public final Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(children);
    }

    public final long parameterCount() {
        long n = 0;
        for (Parameter p : namedParameters().values()) n += p.numel();
        return n;
    }

    /** Marks every parameter below as trainable or frozen. */
    public final void setTrainable(boolean trainable) {
        namedParameters().values().forEach(p -> p.setTrainable(trainable));
    }

    /** Training or evaluation mode, for this module and all below it. */
    public final void train(boolean on) {
        training = on;
        children.values().forEach(c -> c.train(on));
    }

    public final boolean isTraining() {
        return training;
    }

    /** Not trainable and in evaluation mode: a model that is used here but never trained (a VAE, a frozen LLM). */
    public final void freeze() {
        setTrainable(false);
        train(false);
    }

    /**
     * Replaces parameters by float32 copies in memory of their own: those stored in another dtype
     * (the model computes in float32), or with {@code everyOne} all of them, which also detaches
     * them from the memory-mapped file they were loaded from (so it can be replaced or closed).
     */
    public final void copyParametersToFloat32(boolean everyOne) {
        for (Parameter p : namedParameters().values())
            if (everyOne || p.get().dtype() != DType.F32) p.set(p.get().detach().to(DType.F32));
    }
}
