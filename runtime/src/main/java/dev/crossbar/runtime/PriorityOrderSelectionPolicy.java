package dev.crossbar.runtime;

import dev.crossbar.runtime.RuntimeConfiguration.Source;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default selection. The first of these steps that names or finds a backend decides:
 * <ol>
 *   <li>the name given to {@link Crossbar.Builder#backend(String)} (or the builder's {@code crossbar.backend});
 *   <li>the system property {@code crossbar.backend};
 *   <li>the environment variable {@code CROSSBAR_BACKEND};
 *   <li>the available backend with the highest {@link dev.crossbar.spi.BackendProvider#priority()}, ties broken by
 *       name. The cpu backend is always available and has the lowest priority, 0.
 * </ol>
 * A name from steps 1 to 3 must be an available backend: an unknown name throws {@link BackendNotFoundException}, a
 * known but unusable one {@link BackendUnavailableException}. There is no fallback to another backend.
 */
public final class PriorityOrderSelectionPolicy implements SelectionPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(PriorityOrderSelectionPolicy.class);
    private static final List<Source> NAMING_SOURCES = List.of(Source.BUILDER, Source.SYSTEM_PROPERTY, Source.ENVIRONMENT);

    @Override
    public DiscoveredBackend select(BackendRegistry registry, RuntimeConfiguration configuration) {
        List<String> available = registry.available().stream().map(DiscoveredBackend::name).toList();
        // Steps 1 to 3: a name, from the strongest source that gives one.
        for (Source source : NAMING_SOURCES) {
            Optional<String> name = configuration.get(source, RuntimeConfiguration.BACKEND);
            if (name.isPresent()) {
                String requested = name.get().toLowerCase(Locale.ROOT);
                String origin = RuntimeConfiguration.describe(source, RuntimeConfiguration.BACKEND);
                DiscoveredBackend backend = registry.find(requested)
                        .orElseThrow(() -> new BackendNotFoundException(requested, origin, available));
                if (!backend.isAvailable()) {
                    throw new BackendUnavailableException(backend, origin, available);
                }
                LOG.debug("Selected backend {}, named by {}", requested, origin);
                return backend;
            }
        }
        // Step 4: the highest priority among the available backends.
        DiscoveredBackend chosen = registry.available().stream()
                .max(Comparator.comparingInt(DiscoveredBackend::priority).thenComparing(DiscoveredBackend::name, Comparator.reverseOrder()))
                .orElseThrow(() -> new BackendNotFoundException(registry.backends()));
        LOG.debug("Selected backend {}, the highest priority ({}) among {}", chosen.name(), chosen.priority(), available);
        return chosen;
    }
}
