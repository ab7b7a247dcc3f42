package dev.crossbar.api.nn;

import dev.crossbar.api.Grad;
import dev.crossbar.api.ShapeMismatchException;
import dev.crossbar.api.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * A building block of a model with named parameters, buffers and child modules, as PyTorch's {@code nn.Module}.
 * Parameters and buffers live in the scope the module was built in; {@link #forward} results belong to the caller's
 * current scope.
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final List<ForwardWrapper> wrappers = new ArrayList<>();
    private boolean training = true;

    /**
     * Wraps a module's computation, as sharding does to gather parameters around it (PyTorch's forward hooks).
     */
    @FunctionalInterface
    public interface ForwardWrapper {
        /**
         * Runs the wrapped computation.
         *
         * @param input the module's input
         * @param compute the computation inside this wrapper
         * @return the output
         */
        Tensor apply(Tensor input, UnaryOperator<Tensor> compute);
    }

    /**
     * Computes the module's output: {@link #compute} inside the wrappers added with {@link #wrapForward}, the last added
     * outermost.
     *
     * @param input the input
     * @return the output
     */
    public final Tensor forward(Tensor input) {
        UnaryOperator<Tensor> call = this::compute;
        for (ForwardWrapper wrapper : wrappers) {
            UnaryOperator<Tensor> inner = call;
            call = x -> wrapper.apply(x, inner);
        }
        return call.apply(input);
    }

    /**
     * Computes the module's output from its parameters' current values.
     *
     * @param input the input
     * @return the output
     */
    protected abstract Tensor compute(Tensor input);

    /**
     * Adds a wrapper around this module's computation.
     *
     * @param wrapper the wrapper, outermost of those added so far
     */
    public final void wrapForward(ForwardWrapper wrapper) {
        wrappers.add(java.util.Objects.requireNonNull(wrapper, "wrapper is null"));
    }

    /**
     * Registers a trainable tensor under a name.
     *
     * @param name the name, unique within this module
     * @param value the tensor, marked as requiring gradients
     * @return the parameter
     */
    protected final Parameter registerParameter(String name, Tensor value) {
        checkFree(name);
        Parameter p = new Parameter(value);
        parameters.put(name, p);
        return p;
    }

    /**
     * Registers a state tensor that is saved with the module but not trained.
     *
     * @param name the name, unique within this module
     * @param value the tensor
     * @return the tensor
     */
    protected final Tensor registerBuffer(String name, Tensor value) {
        checkFree(name);
        buffers.put(name, value);
        return value;
    }

    /**
     * Registers a child module under a name.
     *
     * @param name the name, unique within this module
     * @param module the child
     * @param <M> the child's type
     * @return the child
     */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkFree(name);
        children.put(name, module);
        return module;
    }

    private void checkFree(String name) {
        if (name.isEmpty() || name.contains(".") || parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: name '%s' is empty, contains '.', or is taken", getClass().getSimpleName(), name));
        }
    }

    /**
     * Returns every parameter of this module and its descendants, by dotted path ({@code "blocks.0.attn.qkv.weight"}),
     * in registration order.
     *
     * @return the parameters
     */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collectParameters("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collectParameters(String prefix, Map<String, Parameter> out) {
        parameters.forEach((name, p) -> out.put(prefix + name, p));
        children.forEach((name, child) -> child.collectParameters(prefix + name + ".", out));
    }

    /**
     * Returns every parameter of this module and its descendants, in registration order.
     *
     * @return the parameters
     */
    public final List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /**
     * Returns the number of trainable elements.
     *
     * @return the total size of all parameters
     */
    public final long parameterCount() {
        long n = 0;
        for (Parameter p : parameters()) {
            n += p.value().size();
        }
        return n;
    }

    /**
     * Returns the direct children by name.
     *
     * @return the child modules
     */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /**
     * Sets training or evaluation mode on this module and its descendants (dropout is active only in training).
     *
     * @param mode true for training
     * @return this module
     */
    public final Module train(boolean mode) {
        training = mode;
        children.values().forEach(c -> c.train(mode));
        return this;
    }

    /**
     * Tells whether the module is in training mode.
     *
     * @return true in training mode
     */
    public final boolean isTraining() {
        return training;
    }

    /**
     * Returns the live parameter and buffer tensors by dotted path: the state a checkpoint saves.
     *
     * @return the state, not copies
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out);
        return Collections.unmodifiableMap(out);
    }

    private void collectState(String prefix, Map<String, Tensor> out) {
        parameters.forEach((name, p) -> out.put(prefix + name, p.value()));
        buffers.forEach((name, b) -> out.put(prefix + name, b));
        children.forEach((name, child) -> child.collectState(prefix + name + ".", out));
    }

    /**
     * Copies values into the module's parameters and buffers, in place. Every key must exist and every shape match.
     *
     * @param state tensors by dotted path, as {@link #stateDict()} returns
     * @throws IllegalArgumentException naming missing and unexpected keys
     * @throws ShapeMismatchException naming the key and both shapes
     */
    public final void loadStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> own = stateDict();
        Set<String> missing = new TreeSet<>(own.keySet());
        missing.removeAll(state.keySet());
        Set<String> unexpected = new TreeSet<>(state.keySet());
        unexpected.removeAll(own.keySet());
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "loadStateDict: missing keys %s, unexpected keys %s", missing, unexpected));
        }
        try (Grad.Scope off = Grad.noGrad()) {
            own.forEach((key, target) -> {
                Tensor source = state.get(key);
                if (!source.shape().equals(target.shape())) {
                    throw new ShapeMismatchException("loadStateDict " + key, target.shape(), source.shape(), "a saved tensor must have the parameter's shape");
                }
                target.assign(source);
            });
        }
    }
}
