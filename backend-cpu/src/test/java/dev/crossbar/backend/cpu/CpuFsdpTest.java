package dev.crossbar.backend.cpu;

import dev.crossbar.conformance.FsdpSuite;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import java.util.Map;

/** Runs the FSDP conformance suite on the cpu backend, with four virtual devices for world sizes up to 4. */
class CpuFsdpTest extends FsdpSuite {
    @Override
    protected BackendProvider provider() {
        return new CpuBackendProvider();
    }

    @Override
    protected BackendContext context() {
        return new BackendContext(Map.of(CpuBackendProvider.DEVICES_PROPERTY, "4"));
    }
}
