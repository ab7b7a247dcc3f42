package dev.crossbar.backend.cpu.kernel;

import dev.crossbar.spi.TensorView;
import java.lang.foreign.MemorySegment;

/**
 * A kernel operand resolved to its host memory and element access; positions are element indices that already include
 * the view's offset, as {@link StridedCursor} produces them.
 *
 * @param memory the buffer's host memory
 * @param access how its elements are read and written
 */
record HostTensor(MemorySegment memory, ElementAccess access) {

    static HostTensor of(TensorView view) {
        MemorySegment memory = view.buffer().hostSegment().orElseThrow(() -> new IllegalArgumentException(
                "The cpu backend's kernels read host memory, but " + view + " is device memory; copy the tensor to a cpu device first"));
        return new HostTensor(memory, ElementAccess.of(view.dtype()));
    }

    double load(long position) {
        return access.load(memory, position);
    }

    void store(long position, double value) {
        access.store(memory, position, value);
    }

    long loadLong(long position) {
        return access.loadLong(memory, position);
    }

    void storeLong(long position, long value) {
        access.storeLong(memory, position, value);
    }

    long loadBits(long position) {
        return access.loadBits(memory, position);
    }

    void storeBits(long position, long bits) {
        access.storeBits(memory, position, bits);
    }
}
