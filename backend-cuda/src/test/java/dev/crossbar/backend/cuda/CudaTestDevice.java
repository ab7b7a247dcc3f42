package dev.crossbar.backend.cuda;

import static org.junit.jupiter.api.Assertions.fail;

import dev.crossbar.spi.Availability;
import dev.crossbar.spi.BackendContext;
import java.util.Map;

/**
 * The configuration of the device tests. Without a GPU they abort with the probe's reason; with
 * {@code CROSSBAR_TEST_DEVICE=cuda} the machine is declared to have one, so an unavailable backend fails them instead
 * of letting a GPU job pass by skipping everything.
 */
final class CudaTestDevice {
    private CudaTestDevice() {
    }

    static BackendContext context() {
        BackendContext context = new BackendContext(Map.of());
        if ("cuda".equals(System.getenv("CROSSBAR_TEST_DEVICE"))) {
            Availability availability = new CudaBackendProvider().probe(context);
            if (!availability.available()) {
                fail("CROSSBAR_TEST_DEVICE=cuda names this machine's device, but the cuda backend is unavailable: " + availability.reason());
            }
        }
        return context;
    }
}
