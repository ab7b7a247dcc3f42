package dev.crossbar.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.backend.cpu.internal.ffi.DnnlException;
import dev.crossbar.backend.cpu.internal.ffi.OnednnMatmul;
import dev.crossbar.backend.cpu.kernel.MatmulLibraries;
import dev.crossbar.backend.cpu.kernel.MatmulPath;
import dev.crossbar.conformance.Tolerance;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every forced matmul path on products that cross its blocking (depth beyond one packed block, more rows than one row
 * block, more columns than one column block, ragged edges, several threads), batched with broadcast, transposed and
 * strided, against a double-precision reference within the conformance kit's tolerance for a k-term sum.
 */
class MatmulPathsTest {

    static Stream<Arguments> pathsAndTypes() {
        List<Arguments> cases = new ArrayList<>();
        for (MatmulPath path : MatmulPath.values()) {
            for (DType type : List.of(DType.F32, DType.BF16, DType.F16)) {
                cases.add(Arguments.of(path, type));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("pathsAndTypes")
    void productsCrossingEveryBlockMatchTheReference(MatmulPath path, DType type) {
        assumeTrue(MatmulLibraries.unavailable(path).isEmpty(), () -> "UNAVAILABLE: " + MatmulLibraries.unavailable(path).orElseThrow());
        Backend backend = new CpuBackendProvider().create(new BackendContext(Map.of(MatmulPath.PROPERTY, path.propertyValue())));
        try (TensorScope scope = TensorScope.root(backend, backend.devices().getFirst())) {
            UnaryOperator<Tensor> asIs = UnaryOperator.identity();
            UnaryOperator<Tensor> transposed = t -> t.transpose(0, 1);
            check(scope, type, "[1, 1] @ [1, 1]", new int[] {1, 1}, asIs, new int[] {1, 1}, asIs);
            check(scope, type, "[7, 300] @ [300, 33]", new int[] {7, 300}, asIs, new int[] {300, 33}, asIs);
            check(scope, type, "[130, 600] @ [600, 70]", new int[] {130, 600}, asIs, new int[] {600, 70}, asIs);
            check(scope, type, "[5, 20] @ [20, 2100]", new int[] {5, 20}, asIs, new int[] {20, 2100}, asIs);
            check(scope, type, "[3, 1, 17, 40] @ [4, 40, 50]", new int[] {3, 1, 17, 40}, asIs, new int[] {4, 40, 50}, asIs);
            check(scope, type, "[40, 17]^T @ [50, 40]^T", new int[] {40, 17}, transposed, new int[] {50, 40}, transposed);
            check(scope, type, "[17, 80] (every second column) @ [40, 9]", new int[] {17, 80}, t -> t.slice(1, 0, 80, 2), new int[] {40, 9}, asIs);
        } finally {
            backend.close();
        }
    }

    @Test
    void aForcedPathThatIsAbsentMakesTheBackendUnavailableWithTheReason() {
        for (MatmulPath path : MatmulPath.values()) {
            Availability availability = new CpuBackendProvider().probe(new BackendContext(Map.of(MatmulPath.PROPERTY, path.propertyValue())));
            assertEquals(MatmulLibraries.unavailable(path).isEmpty(), availability.available(), path + ": " + availability.reason());
            assertEquals(path.propertyValue(), availability.versions().get("matmul"));
        }
        Availability bad = new CpuBackendProvider().probe(new BackendContext(Map.of(MatmulPath.PROPERTY, "cublas")));
        assertTrue(!bad.available() && bad.reason().contains("auto, java, openblas, onednn") && bad.reason().contains("cublas"), bad.reason());
    }

    @Test
    void onednnFailuresCarryTheStatusName() {
        assumeTrue(MatmulLibraries.unavailable(MatmulPath.ONEDNN).isEmpty(), () -> "UNAVAILABLE: " + MatmulLibraries.unavailable(MatmulPath.ONEDNN).orElseThrow());
        OnednnMatmul dnnl = OnednnMatmul.open();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(64 * Float.BYTES);
            // k is 4 in a but 3 in b: oneDNN refuses the descriptor.
            DnnlException e = assertThrows(DnnlException.class, () -> dnnl.multiply(DType.F32, new long[] {2, 4}, new long[] {4, 1}, memory,
                    new long[] {3, 2}, new long[] {2, 1}, memory, new long[] {2, 2}, new long[] {2, 1}, memory));
            assertTrue(e.getMessage().contains("dnnl_invalid_arguments (2)"), e.getMessage());
            assertEquals(2, e.status());
        }
    }

    private static void check(TensorScope scope, DType type, String what, int[] aShape, UnaryOperator<Tensor> aView, int[] bShape,
                              UnaryOperator<Tensor> bView) {
        Tensor a = aView.apply(scope.randUniform(Shape.of(aShape), DType.F32, 3, 0, -1, 1).cast(type));
        Tensor b = bView.apply(scope.randUniform(Shape.of(bShape), DType.F32, 4, 0, -1, 1).cast(type));
        Tensor got = a.matmul(b);
        // The reference reads the same rounded inputs through the same views, widened to double and made row-major.
        double[] x = a.cast(DType.F64).toDoubleArray();
        double[] y = b.cast(DType.F64).toDoubleArray();
        Shape xs = a.shape();
        Shape ys = b.shape();
        int m = xs.dim(-2);
        int k = xs.dim(-1);
        int n = ys.dim(-1);
        assertEquals(type, got.dtype(), what);
        double[] z = got.cast(DType.F64).toDoubleArray();
        Shape outShape = got.shape();
        int batches = (int) (outShape.size() / ((long) m * n));
        Tolerance tolerance = Tolerance.of(type).forReductionOf(k);
        for (int batch = 0; batch < batches; batch++) {
            int xBatch = broadcastIndex(batch, outShape, xs);
            int yBatch = broadcastIndex(batch, outShape, ys);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    double magnitude = 0;
                    for (int p = 0; p < k; p++) {
                        double term = x[(xBatch * m + i) * k + p] * y[(yBatch * k + p) * n + j];
                        sum += term;
                        magnitude += Math.abs(term);
                    }
                    double actual = z[(batch * m + i) * n + j];
                    double expected = sum;
                    double scale = magnitude;
                    int bi = batch;
                    int row = i;
                    int column = j;
                    assertTrue(tolerance.accepts(expected, actual, scale), () -> String.format(Locale.ROOT,
                            "%s %s: element [%d][%d][%d] expected %s, got %s (tolerance %s of %s)", type, what, bi, row, column, expected, actual, tolerance, scale));
                }
            }
        }
    }

    /** The index of the batch of an operand that output batch {@code batch} reads, with numpy's broadcasting. */
    private static int broadcastIndex(int batch, Shape out, Shape operand) {
        int outBatchRank = out.rank() - 2;
        int operandBatchRank = operand.rank() - 2;
        int index = 0;
        int remaining = batch;
        int[] outIndex = new int[outBatchRank];
        for (int axis = outBatchRank - 1; axis >= 0; axis--) {
            outIndex[axis] = remaining % out.dim(axis);
            remaining /= out.dim(axis);
        }
        for (int axis = 0; axis < operandBatchRank; axis++) {
            int dim = operand.dim(axis);
            int outAxis = axis + outBatchRank - operandBatchRank;
            index = index * dim + (dim == 1 ? 0 : outIndex[outAxis]);
        }
        return index;
    }
}
