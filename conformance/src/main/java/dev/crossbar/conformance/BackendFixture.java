package dev.crossbar.conformance;

import static org.junit.jupiter.api.Assertions.fail;

import dev.crossbar.api.TensorScope;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.opentest4j.TestAbortedException;

/**
 * Base of the kit's suites that need one created backend and a root scope on its first device. A backend's test
 * folder extends a suite and names its provider; when the probe reports the backend unavailable every test is
 * aborted with the probe's reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class BackendFixture {
    private Backend backend;
    private TensorScope root;

    /**
     * Returns the provider of the backend under test.
     *
     * @return a new provider instance
     */
    protected abstract BackendProvider provider();

    /**
     * Returns the configuration the backend is probed and created with.
     *
     * @return the context, empty by default
     */
    protected BackendContext context() {
        return new BackendContext(Map.of());
    }

    /**
     * Returns the configuration of a suite on a machine's accelerator: empty, after checking the declaration
     * {@code CROSSBAR_TEST_DEVICE=<backend>}. Without it, a missing device aborts the suite with the probe's reason; on
     * a machine declared to have the provider's device, an unavailable backend fails the suite instead of letting a
     * GPU job pass by skipping everything.
     *
     * @param provider the provider of the backend under test
     * @return the empty context
     */
    public static BackendContext deviceContext(BackendProvider provider) {
        BackendContext context = new BackendContext(Map.of());
        if (provider.name().equals(System.getenv("CROSSBAR_TEST_DEVICE"))) {
            Availability availability = provider.probe(context);
            if (!availability.available()) {
                fail("CROSSBAR_TEST_DEVICE=" + provider.name() + " names this machine's device, but the " + provider.name()
                        + " backend is unavailable: " + availability.reason());
            }
        }
        return context;
    }

    /**
     * Returns the backend under test.
     *
     * @return the backend, created for the whole suite
     */
    protected final Backend backend() {
        return backend;
    }

    /**
     * Returns the root scope on the backend's first device.
     *
     * @return the scope, open for the whole suite
     */
    protected final TensorScope root() {
        return root;
    }

    /** Creates the backend, or aborts the suite with the probe's reason. */
    @BeforeAll
    public final void createBackend() {
        BackendProvider provider = provider();
        Availability availability = provider.probe(context());
        if (!availability.available()) {
            throw new TestAbortedException("UNAVAILABLE: backend '" + provider.name() + "' cannot run here: " + availability.reason());
        }
        backend = provider.create(context());
        root = TensorScope.root(backend, backend.devices().getFirst());
    }

    /** Closes the root scope and the backend. */
    @AfterAll
    public final void closeBackend() {
        if (root != null) {
            root.close();
        }
        if (backend != null) {
            backend.close();
        }
    }
}
