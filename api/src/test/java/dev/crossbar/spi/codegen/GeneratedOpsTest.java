package dev.crossbar.spi.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.crossbar.api.DType;
import dev.crossbar.api.Device;
import dev.crossbar.api.Shape;
import dev.crossbar.spi.DeviceBuffer;
import dev.crossbar.spi.TensorView;
import org.junit.jupiter.api.Test;

class GeneratedOpsTest {
    private static final DeviceBuffer NO_MEMORY = new DeviceBuffer() {
        @Override
        public Device device() {
            return new Device("gpu", 0);
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
    void contiguousBatchesCollapseToOneStride() {
        TensorView a = view(Shape.of(2, 3, 4, 5), new long[] {60, 20, 5, 1}, 0);

        assertEquals(20, GeneratedOps.uniformBatchStride(a, new int[] {2, 3}, 4, 5));
    }

    @Test
    void aBroadcastBatchReusesOneMatrix() {
        TensorView b = view(Shape.of(4, 5), new long[] {5, 1}, 7).broadcastTo(Shape.of(2, 3, 4, 5));

        assertEquals(0, GeneratedOps.uniformBatchStride(b, new int[] {2, 3}, 4, 5));
    }

    @Test
    void slicedOrTransposedOperandsNeedACopy() {
        TensorView transposed = view(Shape.of(3, 4, 5), new long[] {20, 1, 4}, 0);
        TensorView partlyBroadcast = view(Shape.of(2, 1, 4, 5), new long[] {20, 20, 5, 1}, 0).broadcastTo(Shape.of(2, 3, 4, 5));
        TensorView gappedBatches = view(Shape.of(3, 4, 5), new long[] {40, 5, 1}, 0);

        assertEquals(-1, GeneratedOps.uniformBatchStride(transposed, new int[] {3}, 4, 5));
        assertEquals(-1, GeneratedOps.uniformBatchStride(partlyBroadcast, new int[] {2, 3}, 4, 5));
        assertEquals(40, GeneratedOps.uniformBatchStride(gappedBatches, new int[] {3}, 4, 5), "one stride, however large, is fine");
    }

    @Test
    void sizeOneDimensionsMayHaveAnyStride() {
        TensorView rowVector = view(Shape.of(2, 1, 5), new long[] {5, 99, 1}, 0);

        assertEquals(5, GeneratedOps.uniformBatchStride(rowVector, new int[] {2}, 1, 5));
    }

    @Test
    void faultPositionsBecomeCoordinates() {
        assertArrayEquals(new long[] {1, 2, 3}, GeneratedOps.coordinates(1 * 12 + 2 * 4 + 3, Shape.of(2, 3, 4)));
        assertArrayEquals(new long[] {}, GeneratedOps.coordinates(0, Shape.scalar()));
    }

    private static TensorView view(Shape shape, long[] strides, long offset) {
        return new TensorView(NO_MEMORY, DType.F32, shape, strides, offset);
    }
}
