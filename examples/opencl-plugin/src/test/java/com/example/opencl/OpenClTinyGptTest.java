package com.example.opencl;

import dev.crossbar.conformance.ReferenceTrainingSuite;
import dev.crossbar.spi.BackendProvider;

/** Trains the kit's tiny GPT for 40 steps on the OpenCL device and on the cpu backend; losses agree within 1e-5 relative. */
class OpenClTinyGptTest extends ReferenceTrainingSuite {
    @Override
    protected BackendProvider provider() {
        return new OpenClBackendProvider();
    }
}
