package dev.crossbar.backend.cpu;

import dev.crossbar.backend.cpu.kernel.MatmulPath;
import dev.crossbar.spi.BackendContext;
import java.nio.file.Path;
import java.util.Map;

/**
 * Runs the conformance kit with {@value MatmulPath#PROPERTY}=openblas, so that its matmul cells (and every op built on
 * matmul) go through that path; where the library is absent the kit reports the backend unavailable and skips.
 */
class CpuOpenBlasMatmulConformanceTest extends CpuConformanceTest {
    @Override
    protected BackendContext context() {
        return new BackendContext(Map.of(CpuBackendProvider.DEVICES_PROPERTY, "2", MatmulPath.PROPERTY, MatmulPath.OPENBLAS.propertyValue()));
    }

    @Override
    protected Path resultsDirectory() {
        return Path.of("target", "conformance", "matmul-openblas");
    }
}
