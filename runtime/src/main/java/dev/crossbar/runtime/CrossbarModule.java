package dev.crossbar.runtime;

import static java.util.Objects.requireNonNull;

import com.google.inject.Binder;
import com.google.inject.Module;
import com.google.inject.Scopes;
import java.util.Map;

/**
 * The runtime's Guice bindings, one per line. Replace any of them by passing a module to
 * {@link Crossbar.Builder#module}, which overrides these bindings.
 */
public final class CrossbarModule implements Module {
    private final RuntimeConfiguration configuration;

    /**
     * Creates the bindings for the settings of this process plus the builder's.
     *
     * @param builderProperties settings given to the builder
     */
    public CrossbarModule(Map<String, String> builderProperties) {
        requireNonNull(builderProperties, "builderProperties is null");
        this.configuration = RuntimeConfiguration.fromProcess(builderProperties);
    }

    @Override
    public void configure(Binder binder) {
        binder.bind(RuntimeConfiguration.class).toInstance(configuration);
        binder.bind(BackendRegistry.class).in(Scopes.SINGLETON);
        binder.bind(SelectionPolicy.class).to(PriorityOrderSelectionPolicy.class).in(Scopes.SINGLETON);
    }
}
