package com.example.opencl;

import dev.crossbar.conformance.OpConformanceSuite;
import dev.crossbar.spi.BackendProvider;

/** Runs every cell of the conformance kit on the first OpenCL platform (PoCL here and in CI); aborted with the probe's reason when there is none. */
class OpenClConformanceTest extends OpConformanceSuite {
    @Override
    protected BackendProvider provider() {
        return new OpenClBackendProvider();
    }
}
