package dev.crossbar.backend.cpu;

import dev.crossbar.conformance.TrainingSuite;
import dev.crossbar.spi.BackendProvider;

/** Runs the optimizer, module and memory checks of the conformance kit on the cpu backend. */
class CpuTrainingTest extends TrainingSuite {
    @Override
    protected BackendProvider provider() {
        return new CpuBackendProvider();
    }
}
