package dev.crossbar.api;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.BOOL;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.F8E4M3FN;
import static dev.crossbar.api.DType.F8E5M2;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;
import static dev.crossbar.api.DType.I8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DTypeTest {
    /** The types of the promotion lattice: all but the FP8 storage types. */
    private static final List<DType> LATTICE = Arrays.stream(DType.values()).filter(d -> !d.isStorageOnly()).toList();

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
        for (DType a : LATTICE) {
            for (DType b : LATTICE) {
                assertEquals(DType.promote(a, b), DType.promote(b, a), a + " with " + b);
            }
        }
    }

    @Test
    void onlyAnExplicitF64OperandGivesF64() {
        for (DType a : LATTICE) {
            for (DType b : LATTICE) {
                if (a != F64 && b != F64) {
                    assertEquals(false, DType.promote(a, b) == F64, a + " with " + b);
                }
            }
        }
    }

    @Test
    void storageTypesPromoteOnlyWithThemselves() {
        assertEquals(List.of(F8E4M3FN, F8E5M2), Arrays.stream(DType.values()).filter(DType::isStorageOnly).toList());
        assertEquals(F8E5M2, DType.promote(F8E5M2, F8E5M2));
        for (DType other : DType.values()) {
            if (other != F8E4M3FN) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DType.promote(F8E4M3FN, other), () -> "F8E4M3FN with " + other);
                assertTrue(e.getMessage().contains("F8E4M3FN") && e.getMessage().contains(other.toString()) && e.getMessage().contains("cast"), e.getMessage());
                assertThrows(IllegalArgumentException.class, () -> DType.promote(other, F8E4M3FN), () -> other + " with F8E4M3FN");
            }
        }
        assertTrue(F8E4M3FN.isFloating() && F8E4M3FN.byteSize() == 1 && F8E5M2.byteSize() == 1);
        assertEquals("f8e4m3fn", F8E4M3FN.shortName());
    }

    @Test
    void scalarsAreWeak() {
        assertEquals(BF16, BF16.withScalar(true));
        assertEquals(I32, I32.withScalar(false));
        assertEquals(F32, I32.withScalar(true));
        assertEquals(F32, BOOL.withScalar(true));
    }
}
