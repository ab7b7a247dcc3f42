package dev.crossbar.backend.cpu.kernel;

import dev.crossbar.api.DType;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import java.util.Locale;

/** Checks and errors shared by the kernels for arguments the API should never pass. */
final class KernelArguments {
    private KernelArguments() {
    }

    static IllegalArgumentException notServed(Op op, String kernel) {
        return new IllegalArgumentException(String.format(Locale.ROOT,
                "The cpu %s kernel does not serve op '%s'; look the kernel up with KernelSet.get for that op", kernel, op.opName()));
    }

    static void requireIndexType(String op, TensorView index) {
        if (index.dtype() != DType.I32 && index.dtype() != DType.I64) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s: the index has type %s; indices must be i32 or i64, cast them first", op, index.dtype().shortName()));
        }
    }

    /** Checks one index and returns it, or throws naming the index, where it was found and the valid range. */
    static long checkedIndex(String op, long index, int limit, StridedCursor cursor, int axis) {
        if (index < 0 || index >= limit) {
            throw indexOutOfRange(op, index, cursor.coordinatesText(), limit, axis);
        }
        return index;
    }

    /** As {@link #checkedIndex(String, long, int, StridedCursor, int)} for the index of a whole row of a 2-D operand. */
    static long checkedRowIndex(String op, long index, int limit, long row) {
        if (index < 0 || index >= limit) {
            throw indexOutOfRange(op, index, "[" + row + ", 0]", limit, 0);
        }
        return index;
    }

    private static IndexOutOfBoundsException indexOutOfRange(String op, long index, String position, int limit, int axis) {
        return new IndexOutOfBoundsException(String.format(Locale.ROOT,
                "%s: index %d at position %s is out of range [0, %d) for axis %d; indices must satisfy 0 <= index < %d",
                op, index, position, limit, axis, limit));
    }
}
