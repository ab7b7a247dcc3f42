package dev.crossbar.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.spi.DeviceBuffer;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.CopyKernel;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Copy, concat, pad, gather and scatter_add, including strided destinations and out-of-range indices. */
class LayoutAndIndexingKernelsTest extends CpuScopeFixture {

    @Test
    void reshapeOfAPermutedTensorCopiesInRowMajorOrder() {
        Tensor x = scope.arange(6, DType.I64).reshape(2, 3).permute(1, 0); // [[0, 3], [1, 4], [2, 5]]
        assertArrayEquals(new long[] {0, 3, 1, 4, 2, 5}, x.reshape(6).toLongArray());
    }

    @Test
    void copyWritesIntoAStridedDestinationOfAnotherShape() {
        CopyKernel copy = backend.kernels().get(Op.COPY, DType.F32, CopyKernel.class);
        try (DeviceBuffer source = backend.allocate(scope.device(), 6 * 4);
                DeviceBuffer destination = backend.allocate(scope.device(), 8 * 4)) {
            backend.copyFromHost(MemorySegment.ofArray(new float[] {1, 2, 3, 4, 5, 6}), source, 0);
            backend.copyFromHost(MemorySegment.ofArray(new float[8]), destination, 0);
            // The destination is a [2, 3] transposed view [3, 2] starting at element 2: position (i, j) is 2 + i + 3j.
            TensorView out = new TensorView(destination, DType.F32, Shape.of(3, 2), new long[] {1, 3}, 2);
            copy.copy(out, TensorView.contiguous(source, DType.F32, Shape.of(6)));
            float[] result = new float[8];
            backend.copyToHost(destination, 0, MemorySegment.ofArray(result));
            assertArrayEquals(new float[] {0, 0, 1, 3, 5, 2, 4, 6}, result);
        }
    }

    @Test
    void copyKeepsNaNPayloadBits() {
        float payload = Float.intBitsToFloat(0x7FA00001);
        Tensor x = scope.fromArray(new float[] {payload, 1}, 2, 1).broadcastTo(2, 2).contiguous();
        assertArrayEquals(new int[] {0x7FA00001, 0x7FA00001}, x.asSegment().asSlice(0, 8).toArray(java.lang.foreign.ValueLayout.JAVA_INT));
    }

    @Test
    void concatJoinsStridedInputsAlongAnAxis() {
        Tensor a = scope.arange(4, DType.I32).reshape(2, 2).permute(1, 0); // [[0, 2], [1, 3]]
        Tensor b = scope.fromArray(new int[] {9, 8}, 2, 1);
        assertArrayEquals(new int[] {0, 2, 9, 1, 3, 8}, Tensor.concat(1, a, b).toIntArray());
        assertArrayEquals(new int[] {0, 2, 1, 3, 0, 2, 1, 3}, Tensor.concat(0, a, a).toIntArray());
    }

    @Test
    void padSurroundsTheInputWithTheValue() {
        Tensor x = scope.fromArray(new float[] {1, 2, 3, 4}, 2, 2);
        float[] padded = x.pad(new int[] {1, 0}, new int[] {0, 2}, -1).toFloatArray();
        assertArrayEquals(new float[] {-1, -1, -1, -1, 1, 2, -1, -1, 3, 4, -1, -1}, padded);
        assertArrayEquals(new boolean[] {true, false, true}, scope.fromArray(new boolean[] {false}, 1).pad(new int[] {1}, new int[] {1}, 5).toBooleanArray());
    }

    @Test
    void gatherTakesAlongAnAxisWithI32AndI64Indices() {
        Tensor x = scope.fromArray(new float[] {10, 11, 12, 20, 21, 22}, 2, 3);
        assertArrayEquals(new float[] {12, 10, 21, 21}, x.gather(1, scope.fromArray(new int[] {2, 0, 1, 1}, 2, 2)).toFloatArray());
        assertArrayEquals(new float[] {20, 11}, x.gather(0, scope.fromArray(new long[] {1, 0}, 1, 2)).toFloatArray());
    }

    @Test
    void gatherOutOfRangeNamesTheIndexPositionAndRange() {
        Tensor x = scope.fromArray(new float[] {10, 11, 12, 20, 21, 22}, 2, 3);
        Tensor index = scope.fromArray(new int[] {0, 1, 2, 3}, 2, 2);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> x.gather(1, index));
        assertTrue(e.getMessage().contains("index 3 at position [1, 1] is out of range [0, 3) for axis 1"), e.getMessage());
        Tensor negative = scope.fromArray(new long[] {-1}, 1, 1);
        assertThrows(IndexOutOfBoundsException.class, () -> x.gather(0, negative));
    }

    @Test
    void scatterAddSumsCollidingIndices() {
        Tensor base = scope.fromArray(new long[] {1, 1, 1, 1, 1, 1}, 2, 3);
        Tensor index = scope.fromArray(new int[] {0, 0, 2, 1, 1, 1}, 2, 3);
        Tensor src = scope.fromArray(new long[] {5, 6, 7, 1, 2, 3}, 2, 3);
        assertArrayEquals(new long[] {12, 1, 8, 1, 7, 1}, base.scatterAdd(1, index, src).toLongArray());
    }

    @Test
    void scatterAddOutOfRangeThrows() {
        Tensor base = scope.zeros(DType.F32, 2);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> base.scatterAdd(0, scope.fromArray(new long[] {2}, 1), scope.ones(DType.F32, 1)));
        assertTrue(e.getMessage().contains("scatter_add: index 2 at position [0]"), e.getMessage());
    }
}
