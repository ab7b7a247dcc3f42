package dev.crossbar.runtime;

import static java.util.Objects.requireNonNull;

import com.google.inject.Inject;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.Capabilities;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backend plugins found with {@link ServiceLoader}, on the module path ({@code provides ... with}) and the
 * classpath ({@code META-INF/services}), each with its status. Every provider is probed with the {@link BackendContext}
 * that the selected one is later created with. A plugin whose constructor or probe throws, that was built for another
 * SPI version, or that lacks its native libraries is recorded with its reason; one broken plugin never stops discovery
 * of the others. Logs one line per backend: INFO for usable and unavailable ones, WARN for
 * broken or incompatible ones, details at DEBUG.
 */
public final class BackendRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(BackendRegistry.class);

    private final BackendContext context;
    private final List<DiscoveredBackend> backends;

    /**
     * Discovers the plugins visible to the thread's context class loader and the module layer, probing each with the
     * configuration's settings.
     *
     * @param configuration the settings every provider is probed with
     */
    @Inject
    public BackendRegistry(RuntimeConfiguration configuration) {
        this(ServiceLoader.load(BackendProvider.class),
                new BackendContext(requireNonNull(configuration, "configuration is null").properties()));
    }

    /**
     * Discovers the plugins a given service loader finds, for instance one of a custom module layer.
     *
     * @param loader the service loader
     * @param context the configuration every provider is probed with
     */
    public BackendRegistry(ServiceLoader<BackendProvider> loader, BackendContext context) {
        requireNonNull(loader, "loader is null");
        this.context = requireNonNull(context, "context is null");
        List<DiscoveredBackend> found = new ArrayList<>();
        Iterator<ServiceLoader.Provider<BackendProvider>> providers = loader.stream().iterator();
        while (true) {
            ServiceLoader.Provider<BackendProvider> provider;
            try {
                if (!providers.hasNext()) {
                    break;
                }
                provider = providers.next();
            } catch (ServiceConfigurationError e) {
                // The provider's class could not be loaded; ServiceLoader moves on to the next one.
                found.add(broken("unloadable plugin", "it could not be loaded: " + describe(e) + "; fix or remove its jar", e));
                continue;
            }
            found.add(inspect(provider, context, found));
        }
        found.sort(Comparator.comparing(DiscoveredBackend::name));
        this.backends = List.copyOf(found);
        backends.forEach(BackendRegistry::log);
    }

    private static DiscoveredBackend inspect(ServiceLoader.Provider<BackendProvider> candidate, BackendContext context, List<DiscoveredBackend> earlier) {
        String type = candidate.type().getName();
        BackendProvider provider;
        String name;
        int spiVersion;
        try {
            provider = candidate.get();
            name = provider.name();
            spiVersion = provider.spiVersion();
        } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
            return broken(type, String.format(Locale.ROOT, "plugin %s could not be created: %s; fix or remove its jar", type, describe(e)), e);
        }
        if (spiVersion != BackendProvider.SPI_VERSION) {
            String reason = String.format(Locale.ROOT,
                    "plugin %s implements SPI version %d but this Crossbar runtime implements SPI version %d; use a build of the '%s' plugin made for SPI version %d",
                    type, spiVersion, BackendProvider.SPI_VERSION, name, BackendProvider.SPI_VERSION);
            return new DiscoveredBackend(name, BackendStatus.INCOMPATIBLE_SPI, reason, Optional.empty(), Availability.unavailable(reason, Map.of()), Optional.empty());
        }
        for (DiscoveredBackend other : earlier) {
            if (other.name().equals(name)) {
                String reason = String.format(Locale.ROOT, "plugin %s has the same name as %s, found first; keep one of their jars",
                        type, other.provider().map(p -> p.getClass().getName()).orElse("another plugin"));
                return broken(name, reason, null);
            }
        }
        Availability availability;
        Capabilities capabilities;
        try {
            availability = requireNonNull(provider.probe(context), "probe returned null");
            capabilities = requireNonNull(provider.capabilities(), "capabilities returned null");
            requireNonNull(provider.verification(), "verification returned null");
        } catch (RuntimeException | LinkageError e) {
            return broken(name, String.format(Locale.ROOT,
                    "plugin %s broke its contract: %s; probe, capabilities and verification must not throw (probe reports failures with Availability.unavailable); report this to the plugin's authors",
                    type, describe(e)), e);
        }
        BackendStatus status = availability.available() ? BackendStatus.AVAILABLE : BackendStatus.UNAVAILABLE;
        return new DiscoveredBackend(name, status, availability.reason(), Optional.of(provider), availability, Optional.of(capabilities));
    }

    private static DiscoveredBackend broken(String name, String reason, Throwable error) {
        if (error != null) {
            LOG.debug("Backend plugin {} failed", name, error);
        }
        return new DiscoveredBackend(name, BackendStatus.BROKEN, reason, Optional.empty(), Availability.unavailable(reason, Map.of()), Optional.empty());
    }

    /** The innermost cause, which says what actually failed ("ServiceConfigurationError: ... could not be instantiated" does not). */
    private static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.toString();
    }

    private static void log(DiscoveredBackend b) {
        switch (b.status()) {
            case AVAILABLE -> LOG.info("Backend {}: available, devices {}, priority {}, {} cells declared",
                    b.name(), b.availability().devices(), b.priority(), b.declaredCells());
            case UNAVAILABLE -> LOG.info("Backend {}: not available: {}", b.name(), b.reason());
            case INCOMPATIBLE_SPI, BROKEN -> LOG.warn("Backend {}: skipped: {}", b.name(), b.reason());
        }
        LOG.debug("Backend {}: provider {}, versions {}", b.name(),
                b.provider().map(p -> p.getClass().getName()).orElse("none"), b.availability().versions());
    }

    /**
     * Returns the configuration every provider was probed with; the runtime creates the selected backend with it.
     *
     * @return the context
     */
    public BackendContext context() {
        return context;
    }

    /**
     * Returns every discovered backend, usable or not, sorted by name.
     *
     * @return the backends
     */
    public List<DiscoveredBackend> backends() {
        return backends;
    }

    /**
     * Returns the backends that can be selected, sorted by name.
     *
     * @return the available backends
     */
    public List<DiscoveredBackend> available() {
        return backends.stream().filter(DiscoveredBackend::isAvailable).toList();
    }

    /**
     * Finds a backend by name, whatever its status.
     *
     * @param name the name, such as {@code "cuda"}
     * @return the backend, if a plugin with that name was discovered
     */
    public Optional<DiscoveredBackend> find(String name) {
        return backends.stream().filter(b -> b.name().equals(name)).findFirst();
    }
}
