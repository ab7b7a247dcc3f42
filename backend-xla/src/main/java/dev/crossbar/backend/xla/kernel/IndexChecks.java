package dev.crossbar.backend.xla.kernel;

import java.util.Locale;

/** Index checks done on the host before recording, because XLA clamps out-of-range indices silently. */
final class IndexChecks {
    private IndexChecks() {
    }

    static void checkBounds(String op, long[] indices, int size, int axis) {
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= size) {
                throw new IndexOutOfBoundsException(String.format(Locale.ROOT,
                        "%s: index %d at element %d of the indices is outside [0, %d) along axis %d", op, indices[i], i, size, axis));
            }
        }
    }
}
