package dev.crossbar.conformance;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import org.junit.jupiter.api.Test;

/** NaN, infinities and the relative bound are judged as documented. */
class ToleranceTest {

    @Test
    void nanMustMeetNanAndInfinityTheSameInfinity() {
        Tolerance loose = new Tolerance(1, 1);
        assertTrue(loose.accepts(Double.NaN, Double.NaN, 0));
        assertFalse(loose.accepts(Double.NaN, 1, 0));
        assertFalse(loose.accepts(1, Double.NaN, 1));
        assertTrue(loose.accepts(Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, 0));
        assertFalse(loose.accepts(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0));
        assertFalse(loose.accepts(1e300, Double.POSITIVE_INFINITY, 1e300));
    }

    @Test
    void relativeBoundScalesWithMagnitudeAndReductionLength() {
        Tolerance f32 = Tolerance.of(DType.F32);
        assertTrue(f32.accepts(1000, 1000.0005, 1000));
        assertFalse(f32.accepts(1000, 1000.01, 1000));
        assertTrue(f32.forReductionOf(10_000).accepts(1000, 1000.01, 1000));
        assertFalse(Tolerance.EXACT.accepts(3, 3.0000001, 3));
        assertTrue(Tolerance.of(DType.I32).accepts(3, 3, 3));
    }
}
