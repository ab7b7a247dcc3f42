package dev.crossbar.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.Philox;
import org.junit.jupiter.api.Test;

/** The reference layer on small cases worked out by hand or by an independent source. */
class ReferenceOpsTest {

    @Test
    void erfMatchesPublishedValues() {
        // Abramowitz and Stegun, table 7.1, and erf(3.5) from the complementary function's tables.
        assertEquals(0.5204998778130465, ReferenceOps.erf(0.5), 1e-15);
        assertEquals(0.8427007929497149, ReferenceOps.erf(1), 1e-15);
        assertEquals(-0.9953222650189527, ReferenceOps.erf(-2), 1e-15);
        assertEquals(0.9999992569016276, ReferenceOps.erf(3.5), 1e-15);
        assertEquals(1.0, ReferenceOps.erf(Double.POSITIVE_INFINITY));
        assertEquals(0x8000000000000000L, Double.doubleToRawLongBits(ReferenceOps.erf(-0.0)));
    }

    @Test
    void rngReferenceAgreesWithTheSpisOwnMapping() {
        long seed = 0x1234_5678_9ABCL;
        long offset = 3;
        HostArray uniform = ReferenceOps.uniform(Shape.of(10), seed, offset, 0, 1);
        HostArray normal = ReferenceOps.normal(Shape.of(10), seed, offset, 0, 1);
        int[] words = new int[4];
        double[] normals = new double[4];
        for (int i = 0; i < 10; i++) {
            Philox.block(seed, offset + i / 4, words);
            Philox.normals(words, normals);
            assertEquals(Philox.uniform(words[i % 4]), uniform.values()[i], "uniform element " + i);
            assertEquals(normals[i % 4], normal.values()[i], "normal element " + i);
        }
    }

    @Test
    void binaryOpsBroadcastAndTruncateIntegerDivision() {
        HostArray column = HostArray.of(new double[] {7, -7}, 2, 1);
        HostArray row = HostArray.of(new double[] {2, -2, 4}, 1, 3);
        HostArray quotient = ReferenceOps.binary(Op.DIV, DType.I32, column, row);
        assertEquals(Shape.of(2, 3), quotient.shape());
        assertArrayEquals(new double[] {3, -3, 1, -3, 3, -1}, quotient.values());
        assertThrows(ArithmeticException.class, () -> ReferenceOps.binary(Op.DIV, DType.I32, column, HostArray.of(new double[] {0})));
        assertArrayEquals(new double[] {-126}, ReferenceOps.binary(Op.ADD, DType.I8, HostArray.of(new double[] {127}), HostArray.of(new double[] {3})).values(),
                "I8 wraps around");
        assertEquals(Double.NaN, ReferenceOps.binary(Op.MAX, DType.F32, HostArray.of(new double[] {Double.NaN}), HostArray.of(new double[] {1})).values()[0]);
    }

    @Test
    void reductionsAndArgmaxFollowTheirDefinitions() {
        HostArray x = HostArray.of(new double[] {1, -2, 3, 4, Double.NaN, 6}, 2, 3);
        Expected sum = ReferenceOps.reduce(Op.REDUCE_SUM, DType.F64, x, new int[] {0}, true);
        assertEquals(Shape.of(1, 3), sum.values().shape());
        assertArrayEquals(new double[] {5, Double.NaN, 9}, sum.values().values());
        assertArrayEquals(new double[] {5, Double.NaN, 9}, sum.magnitudes());
        assertArrayEquals(new double[] {2, 1}, ReferenceOps.argmax(x, 1, false).values(), "the first NaN is the maximum");
        assertArrayEquals(new double[] {0}, ReferenceOps.reduce(Op.REDUCE_SUM, DType.F32, HostArray.of(new double[0], 0, 1), new int[] {0}, false).values().values());
    }

    @Test
    void matmulFollowsNumpyRules() {
        HostArray a = HostArray.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        HostArray b = HostArray.of(new double[] {1, 0, -1}, 3);
        Expected product = ReferenceOps.matmul(DType.F32, a, b);
        assertEquals(Shape.of(2), product.values().shape());
        assertArrayEquals(new double[] {-2, -2}, product.values().values());
        assertArrayEquals(new double[] {4, 10}, product.magnitudes());
        Expected empty = ReferenceOps.matmul(DType.F32, HostArray.of(new double[0], 2, 0), HostArray.of(new double[0], 0, 3));
        assertArrayEquals(new double[6], empty.values().values());
    }

    @Test
    void layoutOpsMoveElements() {
        HostArray x = HostArray.of(new double[] {0, 1, 2, 3, 4, 5}, 2, 3);
        assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, ReferenceOps.permute(x, 1, 0).values());
        assertArrayEquals(new double[] {1, 4}, ReferenceOps.slice(x, 1, 1, 3, 2).values());
        assertArrayEquals(new double[] {9, 9, 9, 9, 0, 1, 2, 9}, ReferenceOps.pad(HostArray.of(new double[] {0, 1, 2}, 1, 3), new int[] {1, 0}, new int[] {0, 1}, 9).values());
        assertArrayEquals(new double[] {2, 0, 5, 5}, ReferenceOps.gather(x, 1, HostArray.of(new double[] {2, 0, 2, 2}, 2, 2)).values());
    }
}
