package dev.crossbar.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Unary, binary, compare, select, cast, fill and iota kernels, on strided inputs, against values computed here. */
class ElementwiseKernelsTest extends CpuScopeFixture {
    private static final float NAN = Float.NaN;

    @Test
    void permutedInputsAreReadThroughTheirStrides() {
        Tensor a = scope.arange(6, DType.F32).reshape(2, 3);
        Tensor b = scope.fromArray(new float[] {10, 20, 30, 40, 50, 60}, 3, 2);
        // a.permute(1, 0) is [[0, 3], [1, 4], [2, 5]].
        assertArrayEquals(new float[] {10, 23, 31, 44, 52, 65}, a.permute(1, 0).add(b).toFloatArray());
    }

    @Test
    void broadcastInputsRepeatWithZeroStrides() {
        Tensor a = scope.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 1, 3);
        Tensor b = scope.fromArray(new float[] {10, 20}, 2, 1);
        Tensor sum = a.mul(b);
        assertEquals(Shape.of(2, 2, 3), sum.shape());
        assertArrayEquals(new float[] {10, 20, 30, 20, 40, 60, 40, 50, 60, 80, 100, 120}, sum.toFloatArray());
    }

    @Test
    void slicedInputsWithStepsAndOffsets() {
        Tensor x = scope.arange(24, DType.I32).reshape(4, 6);
        Tensor window = x.slice(0, 1, 4, 2).slice(1, 1, 6, 2); // rows 1 and 3, columns 1, 3, 5
        assertArrayEquals(new int[] {-7, -9, -11, -19, -21, -23}, window.neg().toIntArray());
    }

    @Test
    void unaryFloatOpsMatchJavaMath() {
        double[] x = {-2.5, -0.5, 0.25, 1, 3};
        Tensor t = scope.fromArray(x, x.length);
        double[] exp = t.exp().toDoubleArray();
        double[] tanh = t.tanh().toDoubleArray();
        double[] logistic = t.logistic().toDoubleArray();
        double[] rsqrt = t.abs().rsqrt().toDoubleArray();
        for (int i = 0; i < x.length; i++) {
            assertEquals(Math.exp(x[i]), exp[i], 0);
            assertEquals(Math.tanh(x[i]), tanh[i], 0);
            assertEquals(1 / (1 + Math.exp(-x[i])), logistic[i], 0);
            assertEquals(1 / Math.sqrt(Math.abs(x[i])), rsqrt[i], 0);
        }
    }

    @Test
    void erfMatchesReferenceValuesToDoublePrecision() {
        // Reference values from mpmath at 30 digits, rounded to double.
        double[] x = {0.01, 0.5, 1, -1.5, 2, 3.5, 5, 7};
        double[] expected = {0.011283415555849618, 0.5204998778130465, 0.8427007929497149, -0.9661051464753108,
            0.9953222650189527, 0.9999992569016276, 0.9999999999984626, 1};
        double[] erf = scope.fromArray(x, x.length).erf().toDoubleArray();
        for (int i = 0; i < x.length; i++) {
            assertEquals(expected[i], erf[i], 4e-16 * Math.abs(expected[i]), "erf(" + x[i] + ")");
        }
    }

    @Test
    void integerDivisionTruncatesTowardZero() {
        Tensor a = scope.fromArray(new long[] {7, -7, 7, -7, Long.MIN_VALUE}, 5);
        Tensor b = scope.fromArray(new long[] {2, 2, -2, -2, -1}, 5);
        assertArrayEquals(new long[] {3, -3, -3, 3, Long.MIN_VALUE}, a.div(b).toLongArray());
    }

    @Test
    void integerDivisionByZeroThrowsWithThePosition() {
        Tensor a = scope.fromArray(new int[] {1, 2, 3, 4}, 2, 2);
        Tensor b = scope.fromArray(new int[] {1, 1, 0, 1}, 2, 2);
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> a.div(b));
        assertTrue(e.getMessage().startsWith("div: integer division by zero"), e.getMessage());
        assertTrue(e.getMessage().contains("(3 / 0) at position [1, 0]"), e.getMessage());
    }

    @Test
    void parallelDivisionReportsTheFirstZeroDivisor() {
        int n = 1 << 19;
        int[] divisors = new int[n];
        Arrays.fill(divisors, 1);
        divisors[n - 3] = 0;
        divisors[10] = 0;
        Tensor a = scope.ones(DType.I32, n);
        Tensor b = scope.fromArray(divisors, n);
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> a.div(b));
        assertTrue(e.getMessage().contains("at position [10]"), e.getMessage());
    }

    @Test
    void floatDivisionByZeroFollowsIeee() {
        float[] q = scope.fromArray(new float[] {1, -1, 0}, 3).div(scope.zeros(DType.F32, 3)).toFloatArray();
        assertArrayEquals(new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, NAN}, q);
    }

    @Test
    void maxAndMinPropagateNaN() {
        Tensor a = scope.fromArray(new float[] {NAN, 1, 2, -0f}, 4);
        Tensor b = scope.fromArray(new float[] {0, NAN, 1, 0f}, 4);
        assertArrayEquals(new float[] {NAN, NAN, 2, 0f}, a.maximum(b).toFloatArray());
        assertArrayEquals(new float[] {NAN, NAN, 1, -0f}, a.minimum(b).toFloatArray());
    }

    @Test
    void integerArithmeticWrapsToTheType() {
        Tensor a = scope.fromArray(new byte[] {127, -128, 100}, 3);
        Tensor b = scope.fromArray(new byte[] {1, -1, 100}, 3);
        assertArrayEquals(new long[] {-128, 127, -56}, a.add(b).toLongArray());
        assertArrayEquals(new long[] {127, -128, 16}, a.mul(b).toLongArray());
        assertArrayEquals(new long[] {127, -1, 100}, a.maximum(b).toLongArray());
    }

    @Test
    void comparisonsWithNaNAreFalseExceptNotEqual() {
        Tensor a = scope.fromArray(new float[] {NAN, 1, 2}, 3);
        Tensor b = scope.fromArray(new float[] {NAN, NAN, 2}, 3);
        assertArrayEquals(new boolean[] {false, false, true}, a.eq(b).toBooleanArray());
        assertArrayEquals(new boolean[] {true, true, false}, a.ne(b).toBooleanArray());
        assertArrayEquals(new boolean[] {false, false, false}, a.lt(b).toBooleanArray());
        assertArrayEquals(new boolean[] {false, false, true}, a.le(b).toBooleanArray());
        assertArrayEquals(new boolean[] {false, false, false}, a.gt(b).toBooleanArray());
        assertArrayEquals(new boolean[] {false, false, true}, a.ge(b).toBooleanArray());
    }

    @Test
    void longComparisonsAreExactBeyondDoublePrecision() {
        Tensor a = scope.fromArray(new long[] {(1L << 53) + 1}, 1);
        Tensor b = scope.fromArray(new long[] {1L << 53}, 1);
        assertArrayEquals(new boolean[] {true}, a.gt(b).toBooleanArray());
    }

    @Test
    void selectPicksByABroadcastCondition() {
        Tensor cond = scope.fromArray(new boolean[] {true, false}, 2, 1);
        Tensor a = scope.fromArray(new float[] {1, 2, 3}, 3);
        Tensor b = scope.full(Shape.of(2, 3), NAN, DType.F32);
        float[] out = Tensor.where(cond, a, b).toFloatArray();
        assertArrayEquals(new float[] {1, 2, 3, NAN, NAN, NAN}, out);
        for (DType type : new DType[] {DType.BF16, DType.I32, DType.I8, DType.F64}) {
            float[] typed = Tensor.where(cond, a.cast(type), scope.full(Shape.of(2, 3), -7, type)).cast(DType.F32).toFloatArray();
            assertArrayEquals(new float[] {1, 2, 3, -7, -7, -7}, typed, type.toString());
        }
    }

    @Test
    void floatToIntegerCastsTruncateSaturateAndMapNaNToZero() {
        Tensor x = scope.fromArray(new float[] {1.9f, -1.9f, NAN, 1e20f, -1e20f, 300, -300}, 7);
        assertArrayEquals(new int[] {1, -1, 0, Integer.MAX_VALUE, Integer.MIN_VALUE, 300, -300}, x.cast(DType.I32).toIntArray());
        assertArrayEquals(new long[] {1, -1, 0, 127, -128, 127, -128}, x.cast(DType.I8).toLongArray());
        assertArrayEquals(new long[] {1, -1, 0, Long.MAX_VALUE, Long.MIN_VALUE, 300, -300}, x.cast(DType.I64).toLongArray());
    }

    @Test
    void castsToBoolTestForNonZero() {
        Tensor x = scope.fromArray(new float[] {0, -0f, NAN, 2, 0.1f}, 5);
        assertArrayEquals(new boolean[] {false, false, true, true, true}, x.cast(DType.BOOL).toBooleanArray());
        assertArrayEquals(new boolean[] {false, true}, scope.fromArray(new byte[] {0, -3}, 2).cast(DType.BOOL).toBooleanArray());
    }

    @Test
    void integerToIntegerCastsWrap() {
        Tensor x = scope.fromArray(new long[] {(1L << 32) + 5, 255, -1}, 3);
        assertArrayEquals(new int[] {5, 255, -1}, x.cast(DType.I32).toIntArray());
        assertArrayEquals(new long[] {5, -1, -1}, x.cast(DType.I8).toLongArray());
    }

    @Test
    void fillConvertsTheValueToTheType() {
        assertArrayEquals(new long[] {-2, -2}, scope.full(Shape.of(2), -2.7, DType.I64).toLongArray());
        assertArrayEquals(new long[] {127}, scope.full(Shape.of(1), 1000, DType.I8).toLongArray());
        assertArrayEquals(new boolean[] {true}, scope.full(Shape.of(1), 0.5, DType.BOOL).toBooleanArray());
        assertArrayEquals(new float[] {1.5f}, scope.full(Shape.of(1), 1.5, DType.BF16).toFloatArray());
    }

    @Test
    void iotaCountsAlongTheAxis() {
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1}, scope.iota(Shape.of(2, 3), 0, DType.I32).toIntArray());
        assertArrayEquals(new float[] {0, 1, 2, 0, 1, 2}, scope.iota(Shape.of(2, 3), 1, DType.BF16).toFloatArray());
    }

    @Test
    void largeElementwiseOpsGiveTheSameResultInParallel() {
        int n = 1 << 19;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.sin(i);
        }
        float[] out = scope.fromArray(x, 512, 1024).permute(1, 0).sin().toFloatArray();
        for (int row = 0; row < 1024; row++) {
            for (int col = 0; col < 512; col++) {
                assertEquals((float) Math.sin(x[col * 1024 + row]), out[row * 512 + col]);
            }
        }
    }
}
