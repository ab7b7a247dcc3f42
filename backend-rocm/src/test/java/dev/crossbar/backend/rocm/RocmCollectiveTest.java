package dev.crossbar.backend.rocm;

import dev.crossbar.conformance.BackendFixture;
import dev.crossbar.conformance.CollectiveConformanceSuite;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;

/**
 * Runs the collective conformance suite on this machine's GPUs, through the backend's own communicators when its
 * collectives library loads; aborted with the probe's reason where there is no device, failed instead under
 * {@code CROSSBAR_TEST_DEVICE=rocm}.
 */
class RocmCollectiveTest extends CollectiveConformanceSuite {
    @Override
    protected BackendProvider provider() {
        return new RocmBackendProvider();
    }

    @Override
    protected BackendContext context() {
        return BackendFixture.deviceContext(provider());
    }
}
