package com.example.opencl;

import dev.crossbar.conformance.GradientCheckSuite;
import dev.crossbar.spi.BackendProvider;

/** Runs the kit's gradient checks (autograd against central differences in F64) on the OpenCL device. */
class OpenClGradientCheckTest extends GradientCheckSuite {
    @Override
    protected BackendProvider provider() {
        return new OpenClBackendProvider();
    }
}
