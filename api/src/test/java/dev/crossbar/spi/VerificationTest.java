package dev.crossbar.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** A verification's collectives status is one matrix cell: one line, no '|'; empty unless stated. */
class VerificationTest {
    @Test
    void theCollectivesStatusIsEmptyUnlessStated() {
        assertEquals("", Verification.ofCells("compiled only").collectivesStatus());
        Verification gpu = Verification.ofCells("compiled only", "NCCL calls compiled; not run: no device");
        assertEquals("NCCL calls compiled; not run: no device", gpu.collectivesStatus());
        assertFalse(gpu.collectives());
    }

    @Test
    void aStatusThatWouldBreakTheTableIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Verification.ofCells("compiled only", "a | b"));
        assertThrows(IllegalArgumentException.class, () -> Verification.ofCells("compiled only", "a\nb"));
    }
}
