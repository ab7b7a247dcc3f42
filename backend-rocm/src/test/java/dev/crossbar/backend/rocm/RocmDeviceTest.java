package dev.crossbar.backend.rocm;

import dev.crossbar.conformance.BackendFixture;
import dev.crossbar.conformance.DeviceMemorySuite;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;

/** The device memory suite on a real AMD GPU, across devices when there are two; aborted with the probe's reason where there is none. */
class RocmDeviceTest extends DeviceMemorySuite {
    @Override
    protected BackendProvider provider() {
        return new RocmBackendProvider();
    }

    @Override
    protected BackendContext context() {
        return BackendFixture.deviceContext(provider());
    }
}
