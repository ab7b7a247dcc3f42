package dev.crossbar.backend.rocm;

import static org.junit.jupiter.api.Assertions.fail;

import dev.crossbar.spi.Availability;
import dev.crossbar.spi.BackendContext;
import java.util.Map;

/**
 * The configuration of the device tests. Without a GPU they abort with the probe's reason; with
 * {@code CROSSBAR_TEST_DEVICE=rocm} the machine is declared to have one, so an unavailable backend fails them instead
 * of letting a GPU job pass by skipping everything.
 */
final class RocmTestDevice {
    private RocmTestDevice() {
    }

    static BackendContext context() {
        BackendContext context = new BackendContext(Map.of());
        if ("rocm".equals(System.getenv("CROSSBAR_TEST_DEVICE"))) {
            Availability availability = new RocmBackendProvider().probe(context);
            if (!availability.available()) {
                fail("CROSSBAR_TEST_DEVICE=rocm names this machine's device, but the rocm backend is unavailable: " + availability.reason());
            }
        }
        return context;
    }
}
