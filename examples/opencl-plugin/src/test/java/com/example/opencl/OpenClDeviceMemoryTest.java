package com.example.opencl;

import dev.crossbar.conformance.DeviceMemorySuite;
import dev.crossbar.spi.BackendProvider;

/** Runs the kit's device memory suite (buffers, offsets, refused ranges) on the OpenCL device. */
class OpenClDeviceMemoryTest extends DeviceMemorySuite {
    @Override
    protected BackendProvider provider() {
        return new OpenClBackendProvider();
    }
}
