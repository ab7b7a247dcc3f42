package dev.crossbar.backend.cpu;

import dev.crossbar.conformance.CompositeSuite;
import dev.crossbar.spi.BackendProvider;

/** Runs the composite-op checks of the conformance kit on the cpu backend. */
class CpuCompositeTest extends CompositeSuite {
    @Override
    protected BackendProvider provider() {
        return new CpuBackendProvider();
    }
}
