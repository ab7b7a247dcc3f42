package dev.crossbar.backend.neuron;

import dev.crossbar.conformance.OpConformanceSuite;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import java.util.Map;

/**
 * Runs the op conformance kit on the neuron backend: every graph checked by Neuron's program rules, then compiled and
 * run by XLA:CPU through the verification executor; two devices so device mismatches are checked too. F32 matrix
 * products compute in F32 here (the Neuron compiler's {@code --auto-cast none}), since the kit holds the F32 cells to
 * F32 tolerances; {@link NeuronTinyGptTest} trains with the default BF16 matrix products.
 */
class NeuronConformanceTest extends OpConformanceSuite {
    @Override
    protected BackendProvider provider() {
        return new NeuronBackendProvider();
    }

    @Override
    protected BackendContext context() {
        return new BackendContext(Map.of("crossbar.neuron.executor", "tensorflow", "crossbar.neuron.devices", "2", "crossbar.neuron.compute.type", "f32"));
    }
}
