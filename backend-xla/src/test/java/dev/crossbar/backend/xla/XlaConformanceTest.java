package dev.crossbar.backend.xla;

import dev.crossbar.conformance.OpConformanceSuite;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import java.util.Map;

/** Runs the op conformance kit on the xla backend, every graph compiled and run by XLA:CPU through the verification executor; two devices so device mismatches are checked too. */
class XlaConformanceTest extends OpConformanceSuite {
    @Override
    protected BackendProvider provider() {
        return new XlaBackendProvider();
    }

    @Override
    protected BackendContext context() {
        return new BackendContext(Map.of("crossbar.xla.executor", "tensorflow", "crossbar.xla.devices", "2"));
    }
}
