package dev.crossbar.backend.cuda;

import dev.crossbar.conformance.BackendFixture;
import dev.crossbar.conformance.OpConformanceSuite;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;

/** Runs the conformance kit on a CUDA device; aborted with the probe's reason where there is none. */
class CudaConformanceTest extends OpConformanceSuite {
    @Override
    protected BackendProvider provider() {
        return new CudaBackendProvider();
    }

    @Override
    protected BackendContext context() {
        return BackendFixture.deviceContext(provider());
    }
}
