package dev.crossbar.backend.xla;

import dev.crossbar.conformance.CollectiveConformanceSuite;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import java.util.Map;

/**
 * Runs the collective conformance suite on eight xla devices: the process groups record the collectives into each rank's
 * graph and the ranks' graphs run as SPMD programs, emulated on XLA:CPU with one copy per replica.
 */
class XlaCollectiveTest extends CollectiveConformanceSuite {
    @Override
    protected BackendProvider provider() {
        return new XlaBackendProvider();
    }

    @Override
    protected BackendContext context() {
        return new BackendContext(Map.of("crossbar.xla.executor", "tensorflow", "crossbar.xla.devices", "8"));
    }
}
