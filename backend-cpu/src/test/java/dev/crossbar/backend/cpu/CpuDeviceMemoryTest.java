package dev.crossbar.backend.cpu;

import dev.crossbar.conformance.DeviceMemorySuite;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import java.util.Map;

/** Runs the device memory suite on the cpu backend, across three virtual devices. */
class CpuDeviceMemoryTest extends DeviceMemorySuite {
    @Override
    protected BackendProvider provider() {
        return new CpuBackendProvider();
    }

    @Override
    protected BackendContext context() {
        return new BackendContext(Map.of(CpuBackendProvider.DEVICES_PROPERTY, "3"));
    }
}
