package dev.crossbar.spi.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.spi.Op;
import java.util.List;
import org.junit.jupiter.api.Test;

class GraphTest {
    /** {@code sum(tanh(x @ w), axis 1)} over inputs of the given shapes, built the way a recorder would. */
    private static Graph matmulTanhSum(int rows, Op activation) {
        Graph.Builder b = new Graph.Builder();
        int x = b.input(new ValueType(DType.F32, Shape.of(rows, 3)));
        int w = b.input(new ValueType(DType.F32, Shape.of(3, 4)));
        int product = b.add(new Node(Op.DOT_GENERAL, List.of(x, w), new ValueType(DType.F32, Shape.of(rows, 4)), Attributes.NONE));
        int act = b.add(new Node(activation, List.of(product), new ValueType(DType.F32, Shape.of(rows, 4)), Attributes.NONE));
        int sum = b.add(new Node(Op.REDUCE_SUM, List.of(act), new ValueType(DType.F32, Shape.of(rows, 1)), Attributes.Axes.of(1)));
        return b.build(List.of(sum));
    }

    @Test
    void graphsOfTheSameStructureAreEqualAndHashAlike() {
        Graph a = matmulTanhSum(2, Op.TANH);
        Graph b = matmulTanhSum(2, Op.TANH);

        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(a.structuralHash(), b.structuralHash());
    }

    @Test
    void anOpAShapeOrAnAttributeMakesAnotherGraph() {
        Graph base = matmulTanhSum(2, Op.TANH);

        assertNotEquals(base, matmulTanhSum(2, Op.LOGISTIC));
        assertNotEquals(base.structuralHash(), matmulTanhSum(2, Op.LOGISTIC).structuralHash());
        assertNotEquals(base, matmulTanhSum(5, Op.TANH), "input shapes are part of the structure");
        Graph.Builder other = new Graph.Builder();
        int x = other.input(new ValueType(DType.F32, Shape.of(2, 4)));
        int sum0 = other.add(new Node(Op.REDUCE_SUM, List.of(x), new ValueType(DType.F32, Shape.of(1, 4)), Attributes.Axes.of(0)));
        Graph.Builder other2 = new Graph.Builder();
        int y = other2.input(new ValueType(DType.F32, Shape.of(2, 4)));
        int sum1 = other2.add(new Node(Op.REDUCE_SUM, List.of(y), new ValueType(DType.F32, Shape.of(1, 4)), Attributes.Axes.of(1)));
        assertNotEquals(other.build(List.of(sum0)), other2.build(List.of(sum1)), "attributes are part of the structure");
    }

    @Test
    void typesOfValuesAndOutputsAreKnownWithoutRunning() {
        Graph g = matmulTanhSum(2, Op.TANH);

        assertEquals(new ValueType(DType.F32, Shape.of(3, 4)), g.type(1));
        assertEquals(List.of(new ValueType(DType.F32, Shape.of(2, 1))), g.outputTypes());
        assertEquals(8 * 4, new ValueType(DType.F32, Shape.of(2, 4)).byteSize());
        assertTrue(g.toString().contains("%4 = reduce_sum[3] -> f32[2, 1] Axes[axes=[1]]"), g.toString());
    }

    @Test
    void aNodeMayOnlyReadValuesDefinedBeforeIt() {
        ValueType t = ValueType.scalar(DType.F32);
        var e = assertThrows(IllegalArgumentException.class, () -> new Graph(List.of(t), List.of(new Node(Op.NEG, List.of(1), t, Attributes.NONE)), List.of(1)));
        assertEquals("node 0 (neg[1] -> f32[]) reads value 1, which is not defined before it", e.getMessage());
        var builder = new Graph.Builder();
        builder.add(new Node(Op.IOTA, List.of(), new ValueType(DType.I32, Shape.of(3)), Attributes.Axes.of(0)));
        assertThrows(IllegalStateException.class, () -> builder.input(t));
    }
}
