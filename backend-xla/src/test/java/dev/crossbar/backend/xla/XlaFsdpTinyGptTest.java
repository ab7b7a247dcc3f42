package dev.crossbar.backend.xla;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.distributed.DeviceMesh;
import dev.crossbar.backend.cpu.CpuBackendProvider;
import dev.crossbar.conformance.TinyGptWorkload;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tiny GPT trained with FSDP on 2 and 4 xla ranks, whose collectives are recorded into each rank's graph and run
 * as SPMD programs (emulated on XLA:CPU, one copy per replica), against the same FSDP training on cpu ranks with the
 * in-process communicator: the losses agree step by step, and the step's programs are compiled once.
 */
class XlaFsdpTinyGptTest {
    private static final int STEPS = 12;
    /** F32 on both backends: differences come from summation order and libm, as for single-device training. */
    private static final double LOSS_TOLERANCE = 1e-5;

    @ParameterizedTest(name = "{0} ranks")
    @ValueSource(ints = {2, 4})
    void fsdpTrainingMatchesTheCpuBackendAndCompilesTheStepOnce(int world) {
        BackendContext xlaContext = new BackendContext(Map.of("crossbar.xla.executor", "tensorflow", "crossbar.xla.devices", Integer.toString(world)));
        XlaBackend verification = VerificationBackend.create(xlaContext);
        double[] reference;
        try (Backend cpu = new CpuBackendProvider().create(new BackendContext(Map.of(CpuBackendProvider.DEVICES_PROPERTY, Integer.toString(world))))) {
            reference = TinyGptWorkload.trainFsdp(cpu, DeviceMesh.of(new int[] {world}, "shard"), STEPS, () -> 0).losses();
        }
        TinyGptWorkload.TrainingRun xla;
        try (XlaBackend backend = verification) {
            xla = TinyGptWorkload.trainFsdp(backend, DeviceMesh.of(new int[] {world}, "shard"), STEPS, backend.engine()::compilations);
        }
        double largest = 0;
        for (int step = 0; step < STEPS; step++) {
            double difference = Math.abs(xla.losses()[step] - reference[step]);
            largest = Math.max(largest, difference);
            assertTrue(difference <= LOSS_TOLERANCE * Math.max(1, Math.abs(reference[step])), String.format(Locale.ROOT,
                    "step %d: loss %.8f on %d xla ranks, %.8f on %d cpu ranks (tolerance %.1e)", step, xla.losses()[step], world, reference[step], world, LOSS_TOLERANCE));
        }
        assertTrue(reference[STEPS - 1] < reference[0] - 0.05, "the workload must learn: loss " + reference[0] + " -> " + reference[STEPS - 1]);
        long[] counts = xla.countAfterStep();
        // Step 0 differs (AdamW creates its moments); from step 1 on every step records the same programs.
        assertEquals(counts[1], counts[STEPS - 1], "steps 2.." + STEPS + " must reuse the programs compiled for the step instead of compiling again");
        System.out.printf(Locale.ROOT, "tiny GPT with FSDP on %d xla ranks (SPMD emulated on XLA:CPU): %d steps, loss %.4f -> %.4f, largest difference"
                + " from %d cpu ranks %.2e (tolerance %.0e), %d compilations after step 1, %d after step 2, %d after step %d%n", world, STEPS, xla.losses()[0],
                xla.losses()[STEPS - 1], world, largest, LOSS_TOLERANCE, counts[0], counts[1], counts[STEPS - 1], STEPS);
    }
}
