package dev.crossbar.backend.cpu.kernel;

import dev.crossbar.spi.TensorView;
import java.util.Arrays;

/**
 * Walks the positions of one shape in row-major order and tracks, for each of several operands, the element index the
 * position maps to through that operand's strides (which may be zero or in any order) and offset.
 */
final class StridedCursor {
    /** Work for the elements of one task's share, {@code [start, end)} in row-major order. */
    interface ElementTask {
        void at(StridedCursor cursor);
    }

    private final int[] dims;
    private final long[][] strides;
    private final long[] offsets;
    private final int[] coordinates;
    private final long[] positions;

    StridedCursor(int[] dims, long[] offsets, long[]... strides) {
        this.dims = dims;
        this.strides = strides;
        this.offsets = offsets;
        this.coordinates = new int[dims.length];
        this.positions = offsets.clone();
    }

    /** A cursor over the shape of the first view; every view must have that shape. */
    static StridedCursor over(TensorView... views) {
        long[] offsets = new long[views.length];
        long[][] strides = new long[views.length][];
        for (int v = 0; v < views.length; v++) {
            offsets[v] = views[v].offset();
            strides[v] = views[v].strides();
        }
        return new StridedCursor(views[0].shape().dims(), offsets, strides);
    }

    /**
     * Runs a task at every position of the views' common shape, in parallel chunks when the work is large; each
     * position is visited exactly once with the same result whatever the number of threads.
     */
    static void forEach(long workPerElement, ElementTask task, TensorView... views) {
        KernelPool.forEachRange(views[0].size(), workPerElement, (start, end) -> {
            StridedCursor cursor = over(views);
            cursor.seek(start);
            for (long i = start; i < end; i++) {
                task.at(cursor);
                cursor.advance();
            }
        });
    }

    /** A copy of {@code strides} with one axis's stride replaced, such as 0 to make an operand ignore that axis. */
    static long[] withStride(long[] strides, int axis, long stride) {
        long[] copy = strides.clone();
        copy[axis] = stride;
        return copy;
    }

    /** Moves to the position with row-major index {@code index}; a shape with a zero dimension stays at its origin. */
    void seek(long index) {
        Arrays.fill(coordinates, 0);
        System.arraycopy(offsets, 0, positions, 0, positions.length);
        for (int d : dims) {
            if (d == 0) {
                return;
            }
        }
        long rest = index;
        for (int axis = dims.length - 1; axis >= 0; axis--) {
            int c = (int) (rest % dims[axis]);
            rest /= dims[axis];
            coordinates[axis] = c;
            for (int v = 0; v < positions.length; v++) {
                positions[v] += c * strides[v][axis];
            }
        }
    }

    /** Moves to the next position in row-major order; after the last position it wraps to the first. */
    void advance() {
        for (int axis = dims.length - 1; axis >= 0; axis--) {
            if (++coordinates[axis] < dims[axis]) {
                for (int v = 0; v < positions.length; v++) {
                    positions[v] += strides[v][axis];
                }
                return;
            }
            coordinates[axis] = 0;
            for (int v = 0; v < positions.length; v++) {
                positions[v] -= strides[v][axis] * (dims[axis] - 1);
            }
        }
    }

    /** The element index of operand {@code operand} at the current position. */
    long position(int operand) {
        return positions[operand];
    }

    /** The current coordinate along one axis. */
    int coordinate(int axis) {
        return coordinates[axis];
    }

    /** The current coordinates, for error messages. */
    String coordinatesText() {
        return Arrays.toString(coordinates);
    }
}
