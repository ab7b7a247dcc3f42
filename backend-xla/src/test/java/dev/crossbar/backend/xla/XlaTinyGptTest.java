package dev.crossbar.backend.xla;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.backend.cpu.CpuBackendProvider;
import dev.crossbar.conformance.TinyGptWorkload;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The conformance kit's tiny GPT trained on xla (XLA:CPU) and on the cpu reference from the same seed: the losses
 * agree step by step, and each training step after the first runs the one program compiled for it.
 */
class XlaTinyGptTest {
    private static final int STEPS = 40;
    /** F32 training of the same model on two backends: differences come from summation order and libm, well below this. */
    private static final double LOSS_TOLERANCE = 1e-5;

    @Test
    void theTinyGptTrainsLikeOnCpuWithOneCompilationOfItsStep() {
        XlaBackend verification = VerificationBackend.create();
        double[] reference;
        try (Backend cpu = new CpuBackendProvider().create(new BackendContext(Map.of()))) {
            reference = TinyGptWorkload.train(cpu, STEPS, () -> 0).losses();
        }
        TinyGptWorkload.TrainingRun xla;
        try (XlaBackend backend = verification) {
            xla = TinyGptWorkload.train(backend, STEPS, backend.engine()::compilations);
        }
        for (int step = 0; step < STEPS; step++) {
            double want = reference[step];
            double got = xla.losses()[step];
            assertTrue(Math.abs(got - want) <= LOSS_TOLERANCE * Math.max(1, Math.abs(want)),
                    String.format(Locale.ROOT, "step %d: loss %.8f on xla, %.8f on cpu (tolerance %.1e)", step, got, want, LOSS_TOLERANCE));
        }
        assertTrue(reference[STEPS - 1] < reference[0] - 0.1, "the workload must learn: loss " + reference[0] + " -> " + reference[STEPS - 1]);
        // Step 0 differs (AdamW creates its moments); from step 1 on every step has the same graph.
        long afterSecondStep = xla.countAfterStep()[1];
        assertEquals(1, afterSecondStep - xla.countAfterStep()[0], "the second step compiles one program: the training step");
        assertEquals(afterSecondStep, xla.countAfterStep()[STEPS - 1],
                "steps 2.." + STEPS + " must reuse the compiled training step instead of compiling again");
        double largest = 0;
        for (int step = 0; step < STEPS; step++) {
            largest = Math.max(largest, Math.abs(xla.losses()[step] - reference[step]));
        }
        System.out.printf(Locale.ROOT, "tiny GPT on xla (XLA:CPU): %d steps, loss %.4f -> %.4f, largest difference from cpu %.2e (tolerance %.0e),"
                + " %d compilations in all, the training step once (step 2)%n", STEPS, xla.losses()[0], xla.losses()[STEPS - 1], largest, LOSS_TOLERANCE,
                xla.countAfterStep()[STEPS - 1]);
    }
}
