package dev.crossbar.backend.cpu;

import dev.crossbar.api.TensorScope;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Opens a one-device cpu backend and a root scope on cpu:0 around each test. */
abstract class CpuScopeFixture {
    Backend backend;
    TensorScope scope;

    @BeforeEach
    void openScope() {
        backend = new CpuBackendProvider().create(new BackendContext(Map.of()));
        scope = TensorScope.root(backend, backend.devices().getFirst());
    }

    @AfterEach
    void closeScope() {
        scope.close();
        backend.close();
    }
}
