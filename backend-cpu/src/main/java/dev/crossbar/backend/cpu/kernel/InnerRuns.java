package dev.crossbar.backend.cpu.kernel;

import dev.crossbar.spi.TensorView;

/**
 * Walks several same-shaped views as runs along their innermost axis, after merging the axes that every view steps
 * through evenly (so a contiguous tensor is one run, and {@code [B, T, C] + [C]} is runs of C); fast paths use it to
 * give each run a tight loop instead of a per-element cursor.
 */
final class InnerRuns {
    /** Work on one run: {@code length} elements starting at each view's element index {@code starts[v]}. */
    interface RunTask {
        void run(long[] starts, int length);
    }

    private final int[] outerDims;
    private final long[][] outerStrides;
    private final long[] offsets;
    private final long runLength;
    private final long[] runStrides;
    private final long size;

    private InnerRuns(int[] outerDims, long[][] outerStrides, long[] offsets, long runLength, long[] runStrides, long size) {
        this.outerDims = outerDims;
        this.outerStrides = outerStrides;
        this.offsets = offsets;
        this.runLength = runLength;
        this.runStrides = runStrides;
        this.size = size;
    }

    /** The runs over the shape of the first view; every view must have that shape. */
    static InnerRuns of(TensorView... views) {
        int rank = views[0].shape().rank();
        int count = views.length;
        long[] offsets = new long[count];
        for (int v = 0; v < count; v++) {
            offsets[v] = views[v].offset();
        }
        // Groups of merged axes from the innermost out: each has a length and, per view, its innermost stride.
        long[] lengths = new long[rank];
        long[][] strides = new long[rank][];
        int groups = 0;
        for (int axis = rank - 1; axis >= 0; axis--) {
            int dim = views[0].shape().dim(axis);
            if (dim == 0) {
                return new InnerRuns(new int[0], new long[count][0], offsets, 0, new long[count], 0);
            }
            if (dim == 1) {
                continue;
            }
            long[] axisStrides = new long[count];
            for (int v = 0; v < count; v++) {
                axisStrides[v] = views[v].stride(axis);
            }
            if (groups > 0 && mergeable(axisStrides, strides[groups - 1], lengths[groups - 1])) {
                lengths[groups - 1] *= dim;
            } else {
                lengths[groups] = dim;
                strides[groups] = axisStrides;
                groups++;
            }
        }
        if (groups == 0) {
            return new InnerRuns(new int[0], new long[count][0], offsets, 1, new long[count], 1);
        }
        int outerRank = groups - 1;
        int[] outerDims = new int[outerRank];
        long[][] outerStrides = new long[count][outerRank];
        for (int g = 1; g <= outerRank; g++) {
            // Merged outer groups can exceed an int only when the tensor itself is beyond what the API allocates.
            outerDims[outerRank - g] = Math.toIntExact(lengths[g]);
            for (int v = 0; v < count; v++) {
                outerStrides[v][outerRank - g] = strides[g][v];
            }
        }
        return new InnerRuns(outerDims, outerStrides, offsets, lengths[0], strides[0], views[0].size());
    }

    private static boolean mergeable(long[] outer, long[] inner, long innerLength) {
        for (int v = 0; v < outer.length; v++) {
            if (outer[v] != inner[v] * innerLength) {
                return false;
            }
        }
        return true;
    }

    /** The stride of view {@code v} along a run, in elements. */
    long runStride(int v) {
        return runStrides[v];
    }

    /** Runs a task over every run, in parallel chunks when the work is large; chunks may split a run. */
    void forEach(long workPerElement, RunTask task) {
        KernelPool.forEachRange(size, workPerElement, (start, end) -> walk(start, end, task));
    }

    /** Runs a task over the elements {@code [start, end)} in row-major order, on the calling thread. */
    private void walk(long start, long end, RunTask task) {
        if (start >= end) {
            return;
        }
        StridedCursor outer = new StridedCursor(outerDims, offsets, outerStrides);
        long[] starts = new long[offsets.length];
        outer.seek(start / runLength);
        long within = start % runLength;
        for (long i = start; i < end; ) {
            int length = (int) Math.min(Math.min(runLength - within, end - i), Integer.MAX_VALUE);
            for (int v = 0; v < starts.length; v++) {
                starts[v] = outer.position(v) + within * runStrides[v];
            }
            task.run(starts, length);
            i += length;
            within += length;
            if (within == runLength) {
                within = 0;
                outer.advance();
            }
        }
    }
}
