package dev.crossbar.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Device;
import dev.crossbar.api.Shape;
import dev.crossbar.spi.Capabilities;
import dev.crossbar.spi.Cell;
import dev.crossbar.spi.DeviceBuffer;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.codegen.KernelGenerator;
import org.junit.jupiter.api.Test;

class CudaKernelsTest {
    private static final DeviceBuffer NO_MEMORY = new DeviceBuffer() {
        @Override
        public Device device() {
            return new Device("cuda", 0);
        }

        @Override
        public long byteSize() {
            return 0;
        }

        @Override
        public void close() {
        }
    };

    @Test
    void declaresEveryGeneratedCellAndTheFloatingMatmuls() {
        Capabilities capabilities = Capabilities.declaredBy(ExecutionMode.EAGER, CudaKernels.classes());

        for (Cell cell : capabilities.cells()) {
            assertTrue(cell.op() == Op.DOT_GENERAL || KernelGenerator.supports(cell.op(), cell.dtype()), cell + " has no generated kernel");
        }
        long generated = capabilities.cells().stream().filter(c -> c.op() != Op.DOT_GENERAL).count();
        long generatable = java.util.Arrays.stream(Op.values()).mapToLong(op -> op.admitted().stream().filter(d -> KernelGenerator.supports(op, d)).count()).sum();
        assertEquals(generatable, generated, "every cell the generator serves is declared");
        assertTrue(capabilities.supports(Op.DOT_GENERAL, DType.BF16));
        assertTrue(!capabilities.supports(Op.DOT_GENERAL, DType.I32), "cuBLAS has no i32 x i32 GEMM");
        assertEquals(286, capabilities.cells().size());
    }

    @Test
    void contiguousBatchesCollapseToOneStride() {
        TensorView a = view(Shape.of(2, 3, 4, 5), new long[] {60, 20, 5, 1}, 0);

        assertEquals(20, CudaKernels.uniformBatchStride(a, new int[] {2, 3}, 4, 5));
    }

    @Test
    void aBroadcastBatchReusesOneMatrix() {
        TensorView b = view(Shape.of(4, 5), new long[] {5, 1}, 7).broadcastTo(Shape.of(2, 3, 4, 5));

        assertEquals(0, CudaKernels.uniformBatchStride(b, new int[] {2, 3}, 4, 5));
    }

    @Test
    void slicedOrTransposedOperandsNeedACopy() {
        TensorView transposed = view(Shape.of(3, 4, 5), new long[] {20, 1, 4}, 0);
        TensorView partlyBroadcast = view(Shape.of(2, 1, 4, 5), new long[] {20, 20, 5, 1}, 0).broadcastTo(Shape.of(2, 3, 4, 5));
        TensorView gappedBatches = view(Shape.of(3, 4, 5), new long[] {40, 5, 1}, 0);

        assertEquals(-1, CudaKernels.uniformBatchStride(transposed, new int[] {3}, 4, 5));
        assertEquals(-1, CudaKernels.uniformBatchStride(partlyBroadcast, new int[] {2, 3}, 4, 5));
        assertEquals(40, CudaKernels.uniformBatchStride(gappedBatches, new int[] {3}, 4, 5), "one stride, however large, is fine");
    }

    @Test
    void sizeOneDimensionsMayHaveAnyStride() {
        TensorView rowVector = view(Shape.of(2, 1, 5), new long[] {5, 99, 1}, 0);

        assertEquals(5, CudaKernels.uniformBatchStride(rowVector, new int[] {2}, 1, 5));
    }

    @Test
    void faultPositionsBecomeCoordinates() {
        assertArrayEquals(new long[] {1, 2, 3}, CudaKernels.coordinates(1 * 12 + 2 * 4 + 3, Shape.of(2, 3, 4)));
        assertArrayEquals(new long[] {}, CudaKernels.coordinates(0, Shape.scalar()));
    }

    private static TensorView view(Shape shape, long[] strides, long offset) {
        return new TensorView(NO_MEMORY, DType.F32, shape, strides, offset);
    }
}
