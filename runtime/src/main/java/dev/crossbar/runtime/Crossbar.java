package dev.crossbar.runtime;

import static java.util.Objects.requireNonNull;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.util.Modules;
import dev.crossbar.api.AlreadyClosedException;
import dev.crossbar.api.CrossbarException;
import dev.crossbar.api.Device;
import dev.crossbar.api.MemoryAccounting;
import dev.crossbar.api.TensorScope;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendProvider;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point of Crossbar: finds the backend plugins on the module path and classpath, selects one, and opens
 * tensor scopes on its devices.
 *
 * <pre>{@code
 * try (Crossbar crossbar = Crossbar.open();
 *      TensorScope scope = crossbar.newScope()) {
 *     Tensor x = scope.fromArray(new float[] {1, 2, 3, 4}, 2, 2);
 *     System.out.println(x.matmul(x).sum().item());
 * }
 * }</pre>
 *
 * <p>The backend is selected in this order; the first step that names or finds one decides:
 * <ol>
 *   <li>the name given to {@link Builder#backend(String)};
 *   <li>the system property {@code crossbar.backend} ({@code -Dcrossbar.backend=cuda});
 *   <li>the environment variable {@code CROSSBAR_BACKEND};
 *   <li>the available backend with the highest {@link BackendProvider#priority()}; the cpu backend, always available,
 *       has the lowest priority, 0.
 * </ol>
 * A named backend that no plugin provides fails with {@link BackendNotFoundException}, one that cannot run here with
 * {@link BackendUnavailableException}; Crossbar never falls back silently. The order is implemented by
 * {@link PriorityOrderSelectionPolicy}; bind another {@link SelectionPolicy} with {@link Builder#module} to change it.
 */
public final class Crossbar implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Crossbar.class);
    private static final String GUICE_BYTECODE_GEN = "guice_bytecode_gen_option";

    static {
        // Guice's bytecode generation defines hidden classes through sun.misc.Unsafe, which JDK 25 warns about on
        // stderr. Crossbar needs no method interception, so turn it off unless the application chose otherwise.
        // Guice reads the flag once, when its internals initialize, so this must run before the first injector.
        if (System.getProperty(GUICE_BYTECODE_GEN) == null) {
            System.setProperty(GUICE_BYTECODE_GEN, "DISABLED");
        }
    }

    private final BackendRegistry registry;
    private final DiscoveredBackend selected;
    private final Backend backend;
    private boolean closed;

    private Crossbar(BackendRegistry registry, DiscoveredBackend selected, Backend backend) {
        this.registry = registry;
        this.selected = selected;
        this.backend = backend;
    }

    /**
     * Opens the runtime with the backend chosen by the selection order described on this class.
     *
     * @return the runtime; close it after every scope opened from it
     * @throws BackendNotFoundException if a named backend was not found, or no backend is available
     * @throws BackendUnavailableException if a named backend cannot run here
     */
    public static Crossbar open() {
        return builder().build();
    }

    /**
     * Returns a builder to name a backend, set {@code crossbar.*} settings or override runtime bindings.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the name of the selected backend.
     *
     * @return the name, such as {@code "cpu"}
     */
    public String backendName() {
        return backend.name();
    }

    /**
     * Returns the devices of the selected backend.
     *
     * @return the devices, index 0 first
     */
    public List<Device> devices() {
        return backend.devices();
    }

    /**
     * Returns the device {@link #newScope()} allocates on.
     *
     * @return device 0 of the selected backend
     */
    public Device defaultDevice() {
        return backend.devices().getFirst();
    }

    /**
     * Opens a root tensor scope on the default device and makes it current on this thread.
     *
     * @return the scope; close it before this runtime
     */
    public TensorScope newScope() {
        return newScope(defaultDevice());
    }

    /**
     * Opens a root tensor scope on a device and makes it current on this thread.
     *
     * @param device one of {@link #devices()}
     * @return the scope; close it before this runtime
     */
    public TensorScope newScope(Device device) {
        requireNonNull(device, "device is null");
        checkOpen();
        return TensorScope.root(backend, device);
    }

    /**
     * Returns every discovered backend, usable or not, with its status and reason.
     *
     * @return the backends, sorted by name
     */
    public List<DiscoveredBackend> backends() {
        return registry.backends();
    }

    /**
     * Returns the selected backend as discovery recorded it: its provider, availability and capabilities.
     *
     * @return the selected backend
     */
    public DiscoveredBackend selected() {
        return selected;
    }

    /**
     * Returns the memory accounting: open tensors, the device memory they hold per device, and what the backend's
     * allocator holds and has done (cached bytes, peak, cache hits) where the backend reports it.
     *
     * @return the current counts
     */
    public MemoryAccounting.Snapshot memory() {
        return MemoryAccounting.snapshot().withAllocator(backend.memoryStats());
    }

    /** Closes the backend, releasing its devices' contexts and pools. Close every scope first. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            backend.close();
        }
    }

    /** The created backend, for launchers in this module that hand it to API-level code such as the SPMD core. */
    Backend backend() {
        checkOpen();
        return backend;
    }

    @Override
    public String toString() {
        return "Crossbar[" + backend.name() + ", " + backend.devices() + "]";
    }

    private synchronized void checkOpen() {
        if (closed) {
            throw new AlreadyClosedException(this);
        }
    }

    /** Configures and opens a {@link Crossbar}. */
    public static final class Builder {
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final List<Module> modules = new ArrayList<>();

        private Builder() {
        }

        /**
         * Names the backend to use; this wins over {@code crossbar.backend} and {@code CROSSBAR_BACKEND}.
         *
         * @param name the backend's name, such as {@code "cpu"}
         * @return this builder
         */
        public Builder backend(String name) {
            requireNonNull(name, "name is null");
            return property(RuntimeConfiguration.BACKEND, name);
        }

        /**
         * Sets a {@code crossbar.*} setting; this wins over the same system property and environment variable.
         *
         * @param key the key, such as {@code "crossbar.cpu.devices"}
         * @param value the value
         * @return this builder
         * @throws IllegalArgumentException if the key does not start with {@code crossbar.}
         */
        public Builder property(String key, String value) {
            requireNonNull(key, "key is null");
            requireNonNull(value, "value is null");
            if (!key.startsWith(RuntimeConfiguration.PREFIX)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "Setting '%s' is not a Crossbar setting; Crossbar settings start with '%s', such as %s",
                        key, RuntimeConfiguration.PREFIX, RuntimeConfiguration.BACKEND));
            }
            properties.put(key, value);
            return this;
        }

        /**
         * Adds a Guice module whose bindings override the runtime's ({@link CrossbarModule}), for example another
         * {@link SelectionPolicy}.
         *
         * @param module the module
         * @return this builder
         */
        public Builder module(Module module) {
            modules.add(requireNonNull(module, "module is null"));
            return this;
        }

        /**
         * Discovers the backends, selects one and creates it.
         *
         * @return the runtime
         * @throws BackendNotFoundException if a named backend was not found, or no backend is available
         * @throws BackendUnavailableException if the selected backend cannot run here
         * @throws CrossbarException if the backend fails to start
         */
        public Crossbar build() {
            Injector injector = injector();
            RuntimeConfiguration configuration = injector.getInstance(RuntimeConfiguration.class);
            BackendRegistry registry = injector.getInstance(BackendRegistry.class);
            DiscoveredBackend selected = injector.getInstance(SelectionPolicy.class).select(registry, configuration);
            List<String> available = registry.available().stream().map(DiscoveredBackend::name).toList();
            BackendProvider provider = selected.provider()
                    .filter(p -> selected.isAvailable())
                    .orElseThrow(() -> new BackendUnavailableException(selected, "the selection policy", available));
            Backend backend;
            try {
                backend = provider.create(registry.context());
            } catch (RuntimeException | LinkageError e) {
                throw new CrossbarException(String.format(Locale.ROOT,
                        "Backend '%s' failed to start with settings %s: %s; run 'crossbar doctor' to check it, or select another backend with -Dcrossbar.backend=NAME (available: %s)",
                        selected.name(), registry.context().properties(), e, available), e);
            }
            LOG.info("Using backend {} with devices {}", backend.name(), backend.devices());
            return new Crossbar(registry, selected, backend);
        }

        /**
         * Discovers the backends and runs selection without creating a backend; what {@code crossbar doctor} reports.
         *
         * @return the backends found and the selection's outcome
         */
        public Diagnosis diagnose() {
            Injector injector = injector();
            RuntimeConfiguration configuration = injector.getInstance(RuntimeConfiguration.class);
            BackendRegistry registry = injector.getInstance(BackendRegistry.class);
            try {
                DiscoveredBackend selected = injector.getInstance(SelectionPolicy.class).select(registry, configuration);
                return new Diagnosis(registry.backends(), Optional.of(selected), Optional.empty());
            } catch (CrossbarException e) {
                return new Diagnosis(registry.backends(), Optional.empty(), Optional.of(e.getMessage()));
            }
        }

        private Injector injector() {
            return Guice.createInjector(Modules.override(new CrossbarModule(properties)).with(modules));
        }
    }
}
