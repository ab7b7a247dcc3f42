package dev.crossbar.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ShapeTest {

    @Test
    void broadcastFollowsNumpy() {
        assertEquals(Shape.of(3, 4), Shape.broadcast("add", Shape.of(3, 1), Shape.of(1, 4)));
        assertEquals(Shape.of(2, 3, 4), Shape.broadcast("add", Shape.of(3, 4), Shape.of(2, 1, 1)));
        assertEquals(Shape.of(5), Shape.broadcast("add", Shape.scalar(), Shape.of(5)));
        assertEquals(Shape.of(0, 4), Shape.broadcast("add", Shape.of(0, 1), Shape.of(4)));
    }

    @Test
    void incompatibleShapesNameTheOpAndBothShapes() {
        ShapeMismatchException e = assertThrows(ShapeMismatchException.class,
                () -> Shape.broadcast("add", Shape.of(2, 3), Shape.of(4, 3)));
        assertTrue(e.getMessage().startsWith("add: shapes [2, 3] and [4, 3] do not match"), e.getMessage());
    }

    @Test
    void contiguousStridesAreRowMajor() {
        assertArrayEquals(new long[] {12, 4, 1}, Shape.of(2, 3, 4).contiguousStrides());
        assertArrayEquals(new long[] {}, Shape.scalar().contiguousStrides());
        assertEquals(0, Shape.of(2, 0, 3).size());
    }

    @Test
    void axesNormalizeFromTheEndAndRejectOutOfRange() {
        Shape s = Shape.of(2, 3, 4);
        assertEquals(2, s.normalizeAxis(-1, "sum"));
        assertEquals(0, s.normalizeAxis(0, "sum"));
        InvalidAxisException e = assertThrows(InvalidAxisException.class, () -> s.normalizeAxis(3, "sum"));
        assertEquals("sum: axis 3 is out of range for shape [2, 3, 4] (rank 3); use an axis in [-3, 3)", e.getMessage());
    }

    @Test
    void negativeDimensionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Shape.of(2, -1));
    }
}
