package dev.crossbar.backend.cpu;

import dev.crossbar.conformance.GradientCheckSuite;
import dev.crossbar.spi.BackendProvider;

/** Runs the autograd gradient checks of the conformance kit on the cpu backend. */
class CpuGradientCheckTest extends GradientCheckSuite {
    @Override
    protected BackendProvider provider() {
        return new CpuBackendProvider();
    }
}
