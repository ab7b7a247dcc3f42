package dev.crossbar.api;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.BOOL;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;
import static dev.crossbar.api.DType.I8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DTypeTest {

    @Test
    void promotionIsTheLeastUpperBoundOfTheLattice() {
        assertEquals(I32, DType.promote(BOOL, I32));
        assertEquals(I64, DType.promote(I8, I64));
        assertEquals(F16, DType.promote(I64, F16));
        assertEquals(BF16, DType.promote(BF16, I32));
        assertEquals(F32, DType.promote(F16, BF16), "neither half type holds the other");
        assertEquals(F32, DType.promote(I64, F32), "integers never widen a float");
        assertEquals(F64, DType.promote(F32, F64));
        assertEquals(BOOL, DType.promote(BOOL, BOOL));
    }

    @Test
    void promotionIsSymmetric() {
        for (DType a : DType.values()) {
            for (DType b : DType.values()) {
                assertEquals(DType.promote(a, b), DType.promote(b, a), a + " with " + b);
            }
        }
    }

    @Test
    void onlyAnExplicitF64OperandGivesF64() {
        for (DType a : DType.values()) {
            for (DType b : DType.values()) {
                if (a != F64 && b != F64) {
                    assertEquals(false, DType.promote(a, b) == F64, a + " with " + b);
                }
            }
        }
    }

    @Test
    void scalarsAreWeak() {
        assertEquals(BF16, BF16.withScalar(true));
        assertEquals(I32, I32.withScalar(false));
        assertEquals(F32, I32.withScalar(true));
        assertEquals(F32, BOOL.withScalar(true));
    }
}
