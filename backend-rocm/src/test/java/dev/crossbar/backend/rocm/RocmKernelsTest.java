package dev.crossbar.backend.rocm;

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

class RocmKernelsTest {
    private static final DeviceBuffer NO_MEMORY = new DeviceBuffer() {
        @Override
        public Device device() {
            return new Device("rocm", 0);
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
    void declaresEveryCell() {
        Capabilities capabilities = Capabilities.declaredBy(ExecutionMode.EAGER, RocmKernels.classes());

        for (Cell cell : capabilities.cells()) {
            assertTrue(cell.op() == Op.DOT_GENERAL || KernelGenerator.supports(cell.op(), cell.dtype()), cell + " has no generated kernel");
        }
        long generated = capabilities.cells().stream().filter(c -> c.op() != Op.DOT_GENERAL).count();
        long generatable = java.util.Arrays.stream(Op.values()).mapToLong(op -> op.admitted().stream().filter(d -> KernelGenerator.supports(op, d)).count()).sum();
        assertEquals(generatable, generated, "every cell the generator serves is declared");
        assertTrue(capabilities.supports(Op.DOT_GENERAL, DType.BF16));
        assertTrue(capabilities.supports(Op.DOT_GENERAL, DType.I64), "integer products run the generated matmul");
        assertEquals(288, capabilities.cells().size());
    }

    @Test
    void contiguousBatchesCollapseToOneStride() {
        TensorView a = view(Shape.of(2, 3, 4, 5), new long[] {60, 20, 5, 1}, 0);

        assertEquals(20, RocmKernels.uniformBatchStride(a, new int[] {2, 3}, 4, 5));
    }

    @Test
    void aBroadcastBatchReusesOneMatrix() {
        TensorView b = view(Shape.of(4, 5), new long[] {5, 1}, 7).broadcastTo(Shape.of(2, 3, 4, 5));

        assertEquals(0, RocmKernels.uniformBatchStride(b, new int[] {2, 3}, 4, 5));
    }

    @Test
    void slicedOrTransposedOperandsNeedACopy() {
        TensorView transposed = view(Shape.of(3, 4, 5), new long[] {20, 1, 4}, 0);
        TensorView partlyBroadcast = view(Shape.of(2, 1, 4, 5), new long[] {20, 20, 5, 1}, 0).broadcastTo(Shape.of(2, 3, 4, 5));
        TensorView gappedBatches = view(Shape.of(3, 4, 5), new long[] {40, 5, 1}, 0);

        assertEquals(-1, RocmKernels.uniformBatchStride(transposed, new int[] {3}, 4, 5));
        assertEquals(-1, RocmKernels.uniformBatchStride(partlyBroadcast, new int[] {2, 3}, 4, 5));
        assertEquals(40, RocmKernels.uniformBatchStride(gappedBatches, new int[] {3}, 4, 5), "one stride, however large, is fine");
    }

    @Test
    void sizeOneDimensionsMayHaveAnyStride() {
        TensorView rowVector = view(Shape.of(2, 1, 5), new long[] {5, 99, 1}, 0);

        assertEquals(5, RocmKernels.uniformBatchStride(rowVector, new int[] {2}, 1, 5));
    }

    @Test
    void faultPositionsBecomeCoordinates() {
        assertArrayEquals(new long[] {1, 2, 3}, RocmKernels.coordinates(1 * 12 + 2 * 4 + 3, Shape.of(2, 3, 4)));
        assertArrayEquals(new long[] {}, RocmKernels.coordinates(0, Shape.scalar()));
    }

    private static TensorView view(Shape shape, long[] strides, long offset) {
        return new TensorView(NO_MEMORY, DType.F32, shape, strides, offset);
    }
}
