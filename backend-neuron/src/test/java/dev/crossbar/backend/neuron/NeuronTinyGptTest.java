package dev.crossbar.backend.neuron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.api.DType;
import dev.crossbar.backend.cpu.CpuBackendProvider;
import dev.crossbar.conformance.TinyGptWorkload;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The conformance kit's tiny GPT trained on neuron under the default program rules (F32 master weights and optimizer,
 * F32 matrix products computed from BF16 operands, as the Neuron compiler's default auto-cast does) and in F32 on the
 * cpu reference, from the same seed: the losses agree step by step within a BF16 tolerance, differ by more than F32
 * rounding (so BF16 really was used), and every step after the first runs the one program compiled for it.
 */
class NeuronTinyGptTest {
    private static final int STEPS = 30;
    /**
     * BF16 keeps 8 significant bits (relative rounding 2^-9, about 2e-3) of each matrix product's operand; over 30 steps
     * of the two-block model the loss (about 2.5) moved by 6.9e-4 at most when this was written. The bound leaves
     * room for other summation orders and is five times tighter than the FSDP suite's BF16 bound.
     */
    private static final double BF16_LOSS_TOLERANCE = 5e-3;
    /** Below this the losses would be F32-identical, which would mean the BF16 rule was not applied. */
    private static final double F32_NOISE = 1e-5;

    @Test
    void theTinyGptTrainsInBf16LikeOnCpuWithOneCompilationOfItsStep() {
        BackendContext context = new BackendContext(Map.of("crossbar.neuron.executor", "tensorflow"));
        NeuronBackendProvider provider = new NeuronBackendProvider();
        Availability availability = provider.probe(context);
        assumeTrue(availability.available(), () -> "UNAVAILABLE: the neuron verification executor cannot run here: " + availability.reason());
        double[] reference;
        try (Backend cpu = new CpuBackendProvider().create(new BackendContext(Map.of()))) {
            reference = TinyGptWorkload.train(cpu, STEPS, () -> 0).losses();
        }
        TinyGptWorkload.TrainingRun neuron;
        NeuronProgramRules.Report report;
        try (NeuronBackend backend = (NeuronBackend) provider.create(context)) {
            neuron = TinyGptWorkload.train(backend, STEPS, backend.engine()::compilations);
            report = backend.executor().lastReport().orElseThrow();
        }
        double largest = 0;
        for (int step = 0; step < STEPS; step++) {
            double difference = Math.abs(neuron.losses()[step] - reference[step]);
            assertTrue(difference <= BF16_LOSS_TOLERANCE, String.format(Locale.ROOT, "step %d: loss %.6f on neuron, %.6f on cpu (tolerance %.1e)",
                    step, neuron.losses()[step], reference[step], BF16_LOSS_TOLERANCE));
            largest = Math.max(largest, difference);
        }
        assertTrue(largest > F32_NOISE, "BF16 matrix products must show in the losses; the largest difference from F32 is " + largest);
        assertTrue(neuron.losses()[STEPS - 1] < neuron.losses()[0] - 0.1, "the workload must learn: loss " + neuron.losses()[0] + " -> " + neuron.losses()[STEPS - 1]);
        assertEquals(DType.BF16, report.computeType());
        assertTrue(report.conversions().stream().anyMatch(c -> c.contains("dot_general") && c.endsWith("F32 computed in BF16")), report.conversions()::toString);
        // Step 0 differs (AdamW creates its moments); from step 1 on every step has the same graph.
        long afterSecondStep = neuron.countAfterStep()[1];
        assertEquals(1, afterSecondStep - neuron.countAfterStep()[0], "the second step compiles one program: the training step");
        assertEquals(afterSecondStep, neuron.countAfterStep()[STEPS - 1],
                "steps 2.." + STEPS + " must reuse the compiled training step instead of compiling again");
        System.out.printf(Locale.ROOT, "tiny GPT on neuron (XLA:CPU, BF16 matrix products): %d steps, loss %.4f -> %.4f, largest difference from cpu F32"
                + " %.2e (tolerance %.1e), %d compilations in all, the training step once (step 2)%n", STEPS, neuron.losses()[0],
                neuron.losses()[STEPS - 1], largest, BF16_LOSS_TOLERANCE, neuron.countAfterStep()[STEPS - 1]);
    }
}
