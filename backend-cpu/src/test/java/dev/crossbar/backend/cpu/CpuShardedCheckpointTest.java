package dev.crossbar.backend.cpu;

import dev.crossbar.conformance.ShardedCheckpointSuite;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import java.util.Map;

/** Runs the sharded checkpoint suite on the cpu backend, with four virtual devices for world sizes up to 4. */
class CpuShardedCheckpointTest extends ShardedCheckpointSuite {
    @Override
    protected BackendProvider provider() {
        return new CpuBackendProvider();
    }

    @Override
    protected BackendContext context() {
        return new BackendContext(Map.of(CpuBackendProvider.DEVICES_PROPERTY, "4"));
    }
}
