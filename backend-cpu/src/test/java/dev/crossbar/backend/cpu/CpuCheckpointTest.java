package dev.crossbar.backend.cpu;

import dev.crossbar.conformance.CheckpointSuite;
import dev.crossbar.spi.BackendProvider;

/** Runs the checkpoint checks of the conformance kit (safetensors files, crash safety, reload) on the cpu backend. */
class CpuCheckpointTest extends CheckpointSuite {
    @Override
    protected BackendProvider provider() {
        return new CpuBackendProvider();
    }
}
