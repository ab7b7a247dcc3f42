package dev.crossbar.backend.xla;

import dev.crossbar.conformance.TrainingSuite;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import java.util.Map;

/** Runs the optimizer, module and memory checks of the conformance kit on the xla backend, on XLA:CPU. */
class XlaTrainingTest extends TrainingSuite {
    @Override
    protected BackendProvider provider() {
        return new XlaBackendProvider();
    }

    @Override
    protected BackendContext context() {
        return new BackendContext(Map.of("crossbar.xla.executor", "tensorflow"));
    }
}
