package dev.crossbar.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.conformance.Tolerance;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Reductions, argmax and matmul against sums computed here: reductions in the same order, so results must be equal;
 * F32 matmul within the conformance kit's tolerance.
 */
class ReductionKernelsTest extends CpuScopeFixture {
    private static final float NAN = Float.NaN;

    @Test
    void sumsOverChosenAxesOfAPermutedView() {
        Tensor x = scope.arange(24, DType.F32).reshape(2, 3, 4).permute(2, 0, 1); // [4, 2, 3], x[k][i][j] = 12i + 4j + k
        float[] sum = x.sum(new int[] {1, 2}, false).toFloatArray();
        for (int k = 0; k < 4; k++) {
            float expected = 0;
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    expected += 12 * i + 4 * j + k;
                }
            }
            assertEquals(expected, sum[k]);
        }
        assertEquals(Shape.of(4, 1, 1), x.sum(new int[] {1, 2}, true).shape());
    }

    @Test
    void floatSumsAccumulateInDouble() {
        float[] x = new float[10_001];
        x[0] = 1e8f;
        Arrays.fill(x, 1, x.length, 1f); // adding 1 to 1e8 in float loses it every time
        assertEquals(1e8f + 10_000f, scope.fromArray(x, x.length).sum().item(), 0);
    }

    /**
     * BF16 sums, maxima and minima over the last axis (rows longer than a vector chunk) and over the first axis
     * (columns) against a double reduction of the same values here: max and min exact; sums within one BF16 rounding
     * (half an ulp, 2^-8 relative) plus, for the columns, which accumulate in F32, 1e-6 of the absolute terms per row.
     */
    @Test
    void bf16ReductionsOverRowsAndColumnsMatchADoubleReduction() {
        int rows = 37;
        int columns = 2100;
        float[] values = new float[rows * columns];
        Random random = new Random(5);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        values[17 * columns + 1500] = NAN;
        Tensor x = scope.fromArray(values, rows, columns).cast(DType.BF16);
        float[] widened = x.cast(DType.F32).toFloatArray();
        float[] rowSums = x.sum(new int[] {1}, false).cast(DType.F32).toFloatArray();
        float[] rowMax = x.max(1).cast(DType.F32).toFloatArray();
        float[] columnSums = x.sum(new int[] {0}, false).cast(DType.F32).toFloatArray();
        float[] columnMin = x.min(0).cast(DType.F32).toFloatArray();
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < columns; c++) {
                sum += widened[r * columns + c];
                max = Math.max(max, widened[r * columns + c]);
            }
            assertEquals((float) max, rowMax[r], "max of row " + r);
            if (!Double.isNaN(sum)) {
                assertEquals(sum, rowSums[r], 0x1p-8 * Math.abs(sum), "sum of row " + r);
            }
        }
        for (int c = 0; c < columns; c++) {
            double sum = 0;
            double magnitude = 0;
            double min = Double.POSITIVE_INFINITY;
            for (int r = 0; r < rows; r++) {
                sum += widened[r * columns + c];
                magnitude += Math.abs(widened[r * columns + c]);
                min = Math.min(min, widened[r * columns + c]);
            }
            assertEquals((float) min, columnMin[c], "min of column " + c);
            if (Double.isNaN(sum)) {
                assertTrue(Float.isNaN(columnSums[c]), "a column with NaN sums to NaN");
            } else {
                assertEquals(sum, columnSums[c], 0x1p-8 * Math.abs(sum) + 1e-6 * rows * magnitude, "sum of column " + c);
            }
        }
    }

    @Test
    void integerSumsWrapToTheType() {
        assertEquals(-56, scope.fromArray(new byte[] {100, 100}, 2).sum().item());
        assertEquals(Long.MIN_VALUE, scope.fromArray(new long[] {Long.MAX_VALUE, 1}, 2).sum().toLongArray()[0]);
    }

    @Test
    void maxAndMinReductionsPropagateNaN() {
        Tensor x = scope.fromArray(new float[] {1, NAN, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new float[] {NAN, 6}, x.max(1).toFloatArray());
        assertArrayEquals(new float[] {NAN, 4}, x.min(1).toFloatArray());
        assertArrayEquals(new float[] {4, NAN, 6}, x.max(0).toFloatArray());
    }

    @Test
    void emptySumIsZero() {
        assertArrayEquals(new float[] {0, 0}, scope.zeros(DType.F32, 2, 0).sum(1).toFloatArray());
    }

    @Test
    void argmaxTakesTheFirstMaximumAndTheFirstNaN() {
        Tensor x = scope.fromArray(new float[] {1, 5, 5, 2, 1, NAN, 9, NAN, NAN, 0, 0, 0}, 3, 4);
        assertArrayEquals(new long[] {1, 1, 0}, x.argmax(1, false).toLongArray());
        assertArrayEquals(new long[] {2, 1, 1, 1}, x.argmax(0, false).toLongArray());
        Tensor ints = scope.fromArray(new long[] {-3, Long.MAX_VALUE, Long.MAX_VALUE - 1}, 3);
        assertEquals(1, ints.argmax(0, false).item());
    }

    @Test
    void batchedMatmulWithTransposedAndBroadcastOperands() {
        Random random = new Random(7);
        double[] a = random.doubles(2 * 3 * 4).toArray();
        double[] b = random.doubles(5 * 4).toArray();
        // a [2, 3, 4] @ b^T, where b is [5, 4] read through a transposed view and broadcast over the batch.
        double[] out = scope.fromArray(a, 2, 3, 4).matmul(scope.fromArray(b, 5, 4).transpose(0, 1)).toDoubleArray();
        for (int batch = 0; batch < 2; batch++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 5; j++) {
                    double expected = 0;
                    for (int k = 0; k < 4; k++) {
                        expected += a[batch * 12 + i * 4 + k] * b[j * 4 + k];
                    }
                    assertEquals(expected, out[batch * 15 + i * 5 + j], 0);
                }
            }
        }
    }

    @Test
    void largeReductionIsExactAndLargeMatmulIsWithinTheKitsTolerance() {
        int n = 96;
        Random random = new Random(11);
        float[] a = new float[n * n];
        float[] b = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextFloat() - 0.5f;
            b[i] = random.nextFloat() - 0.5f;
        }
        Tensor ta = scope.fromArray(a, n, n);
        float[] product = ta.matmul(scope.fromArray(b, n, n)).toFloatArray();
        float[] rowSums = ta.sum(1).toFloatArray();
        // The F32 matmul paths (Vector API, OpenBLAS, oneDNN) accumulate in float with fused multiply-adds in their own
        // blocking order, so the product is held to the conformance kit's tolerance for a k-term sum, not to the bits
        // of a double-accumulated reference; the row sums still accumulate in double and must match exactly.
        Tolerance tolerance = Tolerance.of(DType.F32).forReductionOf(n);
        for (int i = 0; i < n; i++) {
            double row = 0;
            for (int k = 0; k < n; k++) {
                row += a[i * n + k];
            }
            assertEquals((float) row, rowSums[i]);
            for (int j = 0; j < n; j++) {
                double acc = 0;
                double magnitude = 0;
                for (int k = 0; k < n; k++) {
                    acc += (double) a[i * n + k] * b[k * n + j];
                    magnitude += Math.abs((double) a[i * n + k] * b[k * n + j]);
                }
                double expected = acc;
                double got = product[i * n + j];
                double scale = magnitude;
                assertTrue(tolerance.accepts(expected, got, scale),
                        () -> String.format(Locale.ROOT, "product element: expected %s, got %s, tolerance %s of %s", expected, got, tolerance, scale));
            }
        }
    }

    @Test
    void halfPrecisionMatmulAccumulatesWide() {
        // 512 products of 1 * 2^-8: a bf16 accumulator stalls at 1 (adding half an ulp ties to even), a wide one reaches 2.
        Tensor a = scope.ones(DType.BF16, 1, 512);
        Tensor b = scope.full(Shape.of(512, 1), 0x1p-8, DType.BF16);
        assertEquals(2.0, a.matmul(b).item());
    }

    @Test
    void integerMatmulWrapsToTheType() {
        Tensor a = scope.fromArray(new int[] {1 << 30, 1 << 30}, 1, 2);
        Tensor b = scope.fromArray(new int[] {4, 1}, 2, 1);
        assertEquals((1 << 30) * 4 + (1 << 30), (int) a.matmul(b).item());
    }
}
