package dev.crossbar.runtime;

/**
 * Chooses the backend a {@link Crossbar} runs on. The default is {@link PriorityOrderSelectionPolicy}; bind another
 * implementation in a Guice module passed to {@link Crossbar.Builder#module} to change the rule.
 */
@FunctionalInterface
public interface SelectionPolicy {
    /**
     * Chooses a backend.
     *
     * @param registry the discovered backends
     * @param configuration the {@code crossbar.*} settings
     * @return an available backend
     * @throws dev.crossbar.api.CrossbarException if no suitable backend is available; the message says what to add or
     *     change
     */
    DiscoveredBackend select(BackendRegistry registry, RuntimeConfiguration configuration);
}
