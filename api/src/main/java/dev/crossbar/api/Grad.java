package dev.crossbar.api;

/**
 * Switches gradient recording on and off for the current thread. Recording is on by default; inside a
 * {@link #noGrad()} block ops on tensors that require gradients record nothing and their results do not require
 * gradients, as under PyTorch's {@code torch.no_grad()}.
 *
 * <pre>{@code
 * try (Grad.Scope off = Grad.noGrad()) {
 *     Tensor prediction = model.forward(x);   // no graph is kept
 * }
 * }</pre>
 */
public final class Grad {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private Grad() {
    }

    /** Restores the previous recording state when closed. */
    public static final class Scope implements AutoCloseable {
        private final boolean previous;
        private boolean closed;

        private Scope(boolean previous) {
            this.previous = previous;
        }

        /** Restores the recording state that held when the scope was opened. */
        @Override
        public void close() {
            if (!closed) {
                closed = true;
                ENABLED.set(previous);
            }
        }
    }

    /**
     * Turns recording off for the current thread until the returned scope closes.
     *
     * @return the scope to close
     */
    public static Scope noGrad() {
        boolean previous = ENABLED.get();
        ENABLED.set(Boolean.FALSE);
        return new Scope(previous);
    }

    /**
     * Turns recording back on for the current thread until the returned scope closes, as PyTorch's
     * {@code torch.enable_grad()}; a custom function's backward uses it to recompute a forward pass with gradients.
     *
     * @return the scope to close
     */
    public static Scope enableGrad() {
        boolean previous = ENABLED.get();
        ENABLED.set(Boolean.TRUE);
        return new Scope(previous);
    }

    /**
     * Runs a function with a hand-written backward, as PyTorch's {@code autograd.Function}: {@code forward} runs with
     * recording off, and when any input requires gradients the result records {@code backward}, which maps the
     * result's gradient to one gradient per input (null for an input that gets none), shaped and typed like it.
     *
     * @param name the op's name, used in errors
     * @param inputs the tensors the result depends on
     * @param forward computes the result from the inputs
     * @param backward the vector-Jacobian product
     * @return the result
     */
    public static Tensor function(String name, java.util.List<Tensor> inputs, java.util.function.Supplier<Tensor> forward,
            java.util.function.Function<Tensor, java.util.List<Tensor>> backward) {
        Tensor result;
        try (Scope off = noGrad()) {
            result = forward.get();
        }
        Autograd.custom(name, inputs.toArray(Tensor[]::new), result, false, (g, saved) -> backward.apply(g));
        return result;
    }

    /**
     * Runs a function with a hand-written backward that reads its inputs, as PyTorch's {@code autograd.Function} with
     * {@code ctx.save_for_backward(*inputs)}: like {@link #function(String, java.util.List, java.util.function.Supplier,
     * java.util.function.Function)}, but {@code backward} also receives the inputs as saved for backward, aliases of
     * their memory that stay valid after the caller closes the inputs (a module's activation closed with its local
     * scope) and are freed with the graph. The aliases do not require gradients; {@link Tensor#detach()} one before
     * differentiating through it again.
     *
     * @param name the op's name, used in errors
     * @param inputs the tensors the result depends on
     * @param forward computes the result from the inputs
     * @param backward the vector-Jacobian product, given the result's gradient and the saved inputs in order
     * @return the result
     */
    public static Tensor function(String name, java.util.List<Tensor> inputs, java.util.function.Supplier<Tensor> forward,
            java.util.function.BiFunction<Tensor, java.util.List<Tensor>, java.util.List<Tensor>> backward) {
        Tensor result;
        try (Scope off = noGrad()) {
            result = forward.get();
        }
        Autograd.custom(name, inputs.toArray(Tensor[]::new), result, true, backward);
        return result;
    }

    /**
     * Tells whether ops on the current thread record gradients.
     *
     * @return true unless inside {@link #noGrad()}
     */
    public static boolean isEnabled() {
        return ENABLED.get();
    }
}
