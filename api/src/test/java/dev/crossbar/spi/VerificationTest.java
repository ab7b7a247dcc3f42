package dev.crossbar.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** A verification's collective note is one line the matrix prints under its table; empty unless stated. */
class VerificationTest {
    @Test
    void theCollectiveNoteIsEmptyUnlessStated() {
        assertEquals("", Verification.ofCells("compiled only").collectiveNote());
        Verification gpu = Verification.ofCells("compiled only").withCollectiveNote("NCCL calls compiled; not run: no device");
        assertEquals("NCCL calls compiled; not run: no device", gpu.collectiveNote());
        assertEquals("compiled only", gpu.path());
        assertFalse(gpu.collectives());
    }

    @Test
    void aNoteOrPathThatWouldBreakTheMatrixIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Verification.ofCells("compiled only").withCollectiveNote("a\nb"));
        assertThrows(IllegalArgumentException.class, () -> Verification.ofCells("a | b"));
    }
}
