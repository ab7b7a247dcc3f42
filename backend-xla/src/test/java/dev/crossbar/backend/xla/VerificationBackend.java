package dev.crossbar.backend.xla;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.spi.Availability;
import dev.crossbar.spi.BackendContext;
import java.util.Map;

/** Creates the xla backend on the verification executor, or aborts the test with the probe's reason. */
final class VerificationBackend {
    static final BackendContext CONTEXT = new BackendContext(Map.of("crossbar.xla.executor", "tensorflow"));

    private VerificationBackend() {
    }

    static XlaBackend create() {
        return create(CONTEXT);
    }

    /** The same with more settings, such as {@code crossbar.xla.devices}; the context must select the verification executor. */
    static XlaBackend create(BackendContext context) {
        XlaBackendProvider provider = new XlaBackendProvider();
        Availability availability = provider.probe(context);
        assumeTrue(availability.available(), () -> "UNAVAILABLE: the xla verification executor cannot run here: " + availability.reason());
        return (XlaBackend) provider.create(context);
    }
}
