package dev.crossbar.backend.cpu;

import dev.crossbar.conformance.OpConformanceSuite;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import java.util.Map;

/** Runs the conformance kit on the cpu backend, with two virtual devices so device mismatches are checked too. */
class CpuConformanceTest extends OpConformanceSuite {
    @Override
    protected BackendProvider provider() {
        return new CpuBackendProvider();
    }

    @Override
    protected BackendContext context() {
        return new BackendContext(Map.of("crossbar.cpu.devices", "2"));
    }
}
