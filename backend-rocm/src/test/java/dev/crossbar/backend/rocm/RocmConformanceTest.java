package dev.crossbar.backend.rocm;

import dev.crossbar.conformance.BackendFixture;
import dev.crossbar.conformance.OpConformanceSuite;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;

/** Runs the conformance kit on an AMD GPU; aborted with the probe's reason where there is none. */
class RocmConformanceTest extends OpConformanceSuite {
    @Override
    protected BackendProvider provider() {
        return new RocmBackendProvider();
    }

    @Override
    protected BackendContext context() {
        return BackendFixture.deviceContext(provider());
    }
}
