package dev.crossbar.backend.cpu;

import dev.crossbar.conformance.CollectiveConformanceSuite;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import java.util.Map;

/** Runs the collective conformance suite on the cpu backend, with eight virtual devices for world sizes up to 8. */
class CpuCollectiveTest extends CollectiveConformanceSuite {
    @Override
    protected BackendProvider provider() {
        return new CpuBackendProvider();
    }

    @Override
    protected BackendContext context() {
        return new BackendContext(Map.of(CpuBackendProvider.DEVICES_PROPERTY, "8"));
    }
}
