package dev.crossbar.runtime.internal.ffi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The user-defined MPI reductions for floating MAX and MIN: {@link dev.crossbar.api.distributed.ReduceOp} lets NaN win,
 * which MPI's predefined {@code MPI_MAX} and {@code MPI_MIN} (a plain comparison) do not. Each is an upcall of the
 * {@code MPI_User_function} signature {@code void f(void *in, void *inout, int *len, MPI_Datatype *type)}, for
 * {@code MPI_FLOAT} and {@code MPI_DOUBLE}.
 */
final class NanPropagatingExtrema {
    /** {@code ompi_mpi_double}'s address, set before the operations are created. */
    private static volatile long doubleType;

    private NanPropagatingExtrema() {
    }

    static void bind(MemorySegment doubleHandle) {
        doubleType = doubleHandle.address();
    }

    static void max(MemorySegment in, MemorySegment inout, MemorySegment length, MemorySegment type) {
        combine(in, inout, length, type, true);
    }

    static void min(MemorySegment in, MemorySegment inout, MemorySegment length, MemorySegment type) {
        combine(in, inout, length, type, false);
    }

    private static void combine(MemorySegment in, MemorySegment inout, MemorySegment length, MemorySegment type, boolean max) {
        int n = length.reinterpret(Integer.BYTES).get(ValueLayout.JAVA_INT, 0);
        boolean isDouble = type.reinterpret(ValueLayout.ADDRESS.byteSize()).get(ValueLayout.ADDRESS, 0).address() == doubleType;
        if (isDouble) {
            MemorySegment a = in.reinterpret((long) n * Double.BYTES);
            MemorySegment b = inout.reinterpret((long) n * Double.BYTES);
            for (int i = 0; i < n; i++) {
                double x = a.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
                double y = b.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
                b.setAtIndex(ValueLayout.JAVA_DOUBLE, i, max ? Math.max(x, y) : Math.min(x, y));
            }
        } else {
            MemorySegment a = in.reinterpret((long) n * Float.BYTES);
            MemorySegment b = inout.reinterpret((long) n * Float.BYTES);
            for (int i = 0; i < n; i++) {
                float x = a.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                float y = b.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                b.setAtIndex(ValueLayout.JAVA_FLOAT, i, max ? Math.max(x, y) : Math.min(x, y));
            }
        }
    }
}
