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
     * Tells whether ops on the current thread record gradients.
     *
     * @return true unless inside {@link #noGrad()}
     */
    public static boolean isEnabled() {
        return ENABLED.get();
    }
}
