package dev.crossbar.backend.cuda;

import dev.crossbar.conformance.BackendFixture;
import dev.crossbar.conformance.DeviceMemorySuite;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;

/** The device memory suite on a real CUDA device, across devices when there are two; aborted with the probe's reason where there is none. */
class CudaDeviceTest extends DeviceMemorySuite {
    @Override
    protected BackendProvider provider() {
        return new CudaBackendProvider();
    }

    @Override
    protected BackendContext context() {
        return BackendFixture.deviceContext(provider());
    }
}
