package dev.crossbar.spi.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Device;
import dev.crossbar.api.Shape;
import dev.crossbar.spi.DeviceBuffer;
import dev.crossbar.spi.TensorView;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class DescriptorsTest {
    private static final DeviceBuffer BUFFER = new DeviceBuffer() {
        @Override
        public Device device() {
            return new Device("cuda", 0);
        }

        @Override
        public long byteSize() {
            return 1 << 20;
        }

        @Override
        public void close() {
        }
    };

    @Test
    void broadcastOperandsGetZeroStrides() {
        TensorView bias = TensorView.contiguous(BUFFER, DType.F32, Shape.of(3, 1));
        LayoutDescriptor layout = LayoutDescriptor.broadcast(bias, Shape.of(2, 3, 4));
        assertArrayEquals(new long[] {0, 1, 0}, layout.strides());
        assertEquals(0, layout.offset());
    }

    @Test
    void stridedViewsKeepTheirOffsetAndStrides() {
        // The transpose of a [4, 6] tensor, starting at element 7 of its buffer.
        TensorView transposed = new TensorView(BUFFER, DType.F16, Shape.of(6, 4), new long[] {1, 6}, 7);
        LayoutDescriptor layout = LayoutDescriptor.of(transposed);
        assertEquals(new LayoutDescriptor(7, new long[] {1, 6}), layout);
        assertEquals(new LayoutDescriptor(7, new long[] {1, 0}), layout.withoutAxis(1));
    }

    @Test
    void reductionsSplitKeptAndReducedAxes() {
        TensorView in = TensorView.contiguous(BUFFER, DType.BF16, Shape.of(2, 3, 4, 5));
        ReductionDescriptors split = ReductionDescriptors.of(in, new int[] {1, 3});
        assertEquals(new LayoutDescriptor(0, new long[] {60, 0, 5, 0}), split.kept());
        assertEquals(new ShapeDescriptor(new long[] {3, 5}), split.reducedShape());
        assertEquals(new LayoutDescriptor(0, new long[] {20, 1}), split.reduced());
        assertThrows(IllegalArgumentException.class, () -> ReductionDescriptors.of(in, new int[] {3, 1}));
    }

    @Test
    void structsAreLittleEndianAndPaddedToTheMaximumRank() {
        ByteBuffer bytes = ByteBuffer.allocate(ShapeDescriptor.BYTES + LayoutDescriptor.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        new ShapeDescriptor(new long[] {2, 3}).writeTo(bytes);
        new LayoutDescriptor(5, new long[] {0, 1}).writeTo(bytes);
        assertEquals(bytes.capacity(), bytes.position());
        long[] words = new long[bytes.capacity() / 8];
        bytes.flip().asLongBuffer().get(words);
        assertArrayEquals(new long[] {2, 2, 3, 1, 1, 1, 1, 1, 1, 5, 0, 1, 0, 0, 0, 0, 0, 0}, words);
        assertEquals(6, new ShapeDescriptor(new long[] {2, 3}).elementCount());
    }

    @Test
    void ranksAboveTheMaximumAreRefusedWithTheFix() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> new ShapeDescriptor(new long[9]));
        assertTrue(error.getMessage().contains("at most 8 axes"), error.getMessage());
        assertTrue(error.getMessage().contains("merge axes"), error.getMessage());
    }
}
