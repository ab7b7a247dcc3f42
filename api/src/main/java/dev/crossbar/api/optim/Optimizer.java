package dev.crossbar.api.optim;

import dev.crossbar.api.DType;
import dev.crossbar.api.Device;
import dev.crossbar.api.Grad;
import dev.crossbar.api.Shape;
import dev.crossbar.api.ShapeMismatchException;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.nn.Parameter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Updates parameters from their gradients, in place. State tensors (moments) live in the scope of the parameter they
 * belong to, so they are sharded and freed with it.
 *
 * <p>{@link #stateDict(Map)} and {@link #loadStateDict(Map, Map)} expose the state by parameter name, for checkpoints:
 * each state tensor has its parameter's shape (under FSDP, the parameter's padded shard), so it is saved and resharded
 * exactly like the parameter.
 */
public abstract class Optimizer {
    /** The key of the step count in {@link #stateDict(Map)}. */
    public static final String STEP_KEY = "step";

    private final List<Parameter> parameters;
    private final Map<Parameter, Tensor[]> state = new IdentityHashMap<>();
    private double learningRate;
    private long steps;

    /**
     * Creates the optimizer.
     *
     * @param parameters the parameters to update
     * @param learningRate the initial learning rate
     */
    protected Optimizer(List<Parameter> parameters, double learningRate) {
        this.parameters = List.copyOf(parameters);
        learningRate(learningRate);
    }

    /**
     * Sets the learning rate, for schedules.
     *
     * @param value a non-negative rate
     */
    public final void learningRate(double value) {
        if (!(value >= 0)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "learning rate must be >= 0, got %s", value));
        }
        this.learningRate = value;
    }

    /**
     * Returns the learning rate.
     *
     * @return the current rate
     */
    public final double learningRate() {
        return learningRate;
    }

    /**
     * Returns the number of steps taken.
     *
     * @return the step count
     */
    public final long steps() {
        return steps;
    }

    /**
     * Returns the parameters this optimizer updates.
     *
     * @return the parameters
     */
    public final List<Parameter> parameters() {
        return parameters;
    }

    /** Updates every parameter that has a gradient; parameters without one are left alone. */
    public final void step() {
        steps++;
        Map<Device, Tensor> updatedOn = new LinkedHashMap<>();
        try (Grad.Scope off = Grad.noGrad()) {
            for (Parameter p : parameters) {
                Tensor value = p.value();
                if (value.grad().isEmpty()) {
                    continue;
                }
                Tensor[] slots = state.computeIfAbsent(p, k -> newState(value));
                try (TensorScope local = TensorScope.localFor(value)) {
                    update(value, value.grad().get(), slots, steps);
                }
                updatedOn.putIfAbsent(value.device(), value);
            }
        }
        // The step boundary is a materialization point: a lazy backend runs the recorded step as one program here.
        updatedOn.values().forEach(Tensor::synchronize);
    }

    /**
     * Returns the names of the state tensors each parameter has, as PyTorch names them ({@code exp_avg} and
     * {@code exp_avg_sq} for AdamW, {@code momentum_buffer} for SGD with momentum).
     *
     * @return one name per slot, in slot order
     */
    public final List<String> stateNames() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < stateSlots(); i++) {
            names.add(stateName(i));
        }
        return names;
    }

    /**
     * Returns the optimizer's state: under {@value #STEP_KEY} the step count as an I64 scalar (a new tensor), and for
     * every parameter that has taken a step, its state tensors under {@code name + "." + stateName} (the live tensors,
     * not copies).
     *
     * @param names the parameters by name, usually {@link dev.crossbar.api.nn.Module#namedParameters()}; parameters
     *     of this optimizer missing from it are left out
     * @return the state, parameters in the order of {@code names}; the step tensor is owned by the scope current on
     *     the calling thread
     * @throws IllegalStateException if no scope is open on the calling thread
     */
    public final Map<String, Tensor> stateDict(Map<String, Parameter> names) {
        TensorScope scope = TensorScope.current().orElseThrow(() -> new IllegalStateException(
                "Optimizer.stateDict creates the step tensor in the current scope; open one (scope.child()) first"));
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(STEP_KEY, scope.scalar(steps, DType.I64));
        List<String> slotNames = stateNames();
        names.forEach((name, p) -> {
            Tensor[] slots = state.get(p);
            if (slots != null) {
                for (int i = 0; i < slots.length; i++) {
                    out.put(name + "." + slotNames.get(i), slots[i]);
                }
            }
        });
        return Collections.unmodifiableMap(out);
    }

    /**
     * Restores state that {@link #stateDict(Map)} returned, copying it into this optimizer's own tensors (created as
     * needed); the learning rate is not part of the state.
     *
     * @param names the parameters by name, as given to {@link #stateDict(Map)}
     * @param saved the state; a parameter without entries keeps no state (it had taken no step)
     * @throws IllegalArgumentException naming unexpected or incomplete keys, or if {@value #STEP_KEY} is missing
     * @throws ShapeMismatchException if a state tensor does not have its parameter's shape
     */
    public final void loadStateDict(Map<String, Parameter> names, Map<String, Tensor> saved) {
        Tensor step = saved.get(STEP_KEY);
        if (step == null || step.rank() != 0) {
            throw new IllegalArgumentException("loadStateDict: \"" + STEP_KEY + "\" must hold the step count as a scalar; found " + step);
        }
        Set<String> unexpected = new TreeSet<>(saved.keySet());
        unexpected.remove(STEP_KEY);
        List<String> slotNames = stateNames();
        Map<Parameter, Tensor[]> restored = new IdentityHashMap<>();
        for (Map.Entry<String, Parameter> e : names.entrySet()) {
            Parameter p = e.getValue();
            if (!parameters.contains(p)) {
                continue;
            }
            List<String> keys = slotNames.stream().map(s -> e.getKey() + "." + s).toList();
            long present = keys.stream().filter(saved::containsKey).count();
            if (present == 0) {
                continue;
            }
            if (present != keys.size()) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "loadStateDict: parameter %s needs all of %s, found only some", e.getKey(), keys));
            }
            Tensor value = p.value();
            Tensor[] slots = new Tensor[keys.size()];
            for (int i = 0; i < slots.length; i++) {
                Tensor source = saved.get(keys.get(i));
                Shape expected = value.shape();
                if (!source.shape().equals(expected)) {
                    throw new ShapeMismatchException("Optimizer.loadStateDict " + keys.get(i), expected, source.shape(),
                            "a state tensor must have its parameter's shape (under FSDP, the shard's)");
                }
                unexpected.remove(keys.get(i));
                slots[i] = source;
            }
            restored.put(p, slots);
        }
        if (!unexpected.isEmpty()) {
            throw new IllegalArgumentException("loadStateDict: unexpected keys " + unexpected + "; this optimizer's state is named " + slotNames);
        }
        try (Grad.Scope off = Grad.noGrad()) {
            restored.forEach((p, sources) -> {
                Tensor[] slots = state.computeIfAbsent(p, k -> newState(p.value()));
                for (int i = 0; i < slots.length; i++) {
                    if (sources[i].dtype() == slots[i].dtype()) {
                        slots[i].assign(sources[i]);
                    } else {
                        try (Tensor cast = sources[i].cast(slots[i].dtype())) {
                            slots[i].assign(cast);
                        }
                    }
                }
            });
        }
        steps = (long) step.item();
    }

    /** Frees every parameter's gradient. */
    public final void zeroGrad() {
        for (Parameter p : parameters) {
            p.value().zeroGrad();
        }
    }

    private Tensor[] newState(Tensor value) {
        Tensor[] slots = new Tensor[stateSlots()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = value.scope().adopt(value.zerosLike());
        }
        return slots;
    }

    /**
     * Returns the number of state tensors per parameter, each created as zeros shaped like the parameter.
     *
     * @return the slot count
     */
    protected abstract int stateSlots();

    /**
     * Returns the name of a state slot, used as the suffix of its key in {@link #stateDict(Map)}.
     *
     * @param slot the slot, {@code 0 .. stateSlots() - 1}
     * @return the name; {@code "state" + slot} unless overridden
     */
    protected String stateName(int slot) {
        return "state" + slot;
    }

    /**
     * Updates one parameter in place; temporaries are freed after the call.
     *
     * @param value the parameter's tensor
     * @param grad its gradient
     * @param slots its state tensors, updated in place
     * @param step the 1-based step number
     */
    protected abstract void update(Tensor value, Tensor grad, Tensor[] slots, long step);
}
