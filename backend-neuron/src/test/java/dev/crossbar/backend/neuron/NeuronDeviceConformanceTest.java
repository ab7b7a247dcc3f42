package dev.crossbar.backend.neuron;

import static org.junit.jupiter.api.Assertions.fail;

import dev.crossbar.conformance.OpConformanceSuite;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import java.util.Map;

/**
 * Runs the op conformance kit on a NeuronCore. Without one the kit aborts with the probe's reason; with
 * {@code CROSSBAR_TEST_DEVICE=neuron} the machine is declared to have one, so an unavailable backend fails the run
 * instead of letting a Trainium job pass by skipping everything.
 */
class NeuronDeviceConformanceTest extends OpConformanceSuite {
    @Override
    protected BackendProvider provider() {
        return new NeuronBackendProvider();
    }

    @Override
    protected BackendContext context() {
        BackendContext context = new BackendContext(Map.of());
        if ("neuron".equals(System.getenv("CROSSBAR_TEST_DEVICE"))) {
            Availability availability = provider().probe(context);
            if (!availability.available()) {
                fail("CROSSBAR_TEST_DEVICE=neuron names this machine's device, but the neuron backend is unavailable: " + availability.reason());
            }
        }
        return context;
    }
}
