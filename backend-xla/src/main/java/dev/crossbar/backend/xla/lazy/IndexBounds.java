package dev.crossbar.backend.xla.lazy;

import dev.crossbar.api.DType;
import dev.crossbar.spi.Op;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;

/**
 * Bounds of an integer lazy value that follow from its ops (iota, full, layout ops, casts between integers, add,
 * subtract, multiply, concat, select, gather) and the host data of its inputs. Lets gather and scatter_add check
 * recorded indices, such as positions made with iota, without running the graph recorded so far.
 */
final class IndexBounds {
    /** Deeper expressions are left to the host check; index computations are short. */
    private static final int MAX_DEPTH = 24;

    private IndexBounds() {
    }

    /** Inclusive {@code [min, max]} of the value's elements, or empty when they do not follow from its ops. */
    static Optional<long[]> of(LazyValue value) {
        return of(value, 0);
    }

    private static Optional<long[]> of(LazyValue v, int depth) {
        DType dtype = v.type().dtype();
        if (depth > MAX_DEPTH || !(dtype.isInteger() || dtype == DType.F64 && v.isLeaf() && v.type().size() == 1)) {
            return Optional.empty();
        }
        if (v.isLeaf()) {
            return leaf(v.data(), dtype);
        }
        if (!(v.op() instanceof Op op)) {
            return Optional.empty();
        }
        try {
            return switch (op) {
                case IOTA -> Optional.of(new long[] {0, v.type().shape().dim(((dev.crossbar.spi.graph.Attributes.Axes) v.attributes()).axes().getFirst()) - 1});
                case FULL, RESHAPE, BROADCAST_TO, PERMUTE, SLICE, COPY, CAST, GATHER -> of(v.operands().getFirst(), depth + 1);
                case ADD -> both(v, depth).map(b -> new long[] {Math.addExact(b[0], b[2]), Math.addExact(b[1], b[3])});
                case SUB -> both(v, depth).map(b -> new long[] {Math.subtractExact(b[0], b[3]), Math.subtractExact(b[1], b[2])});
                case MUL -> both(v, depth).map(IndexBounds::product);
                case CONCAT -> v.operands().stream().map(o -> of(o, depth + 1)).reduce(Optional.of(new long[] {Long.MAX_VALUE, Long.MIN_VALUE}), IndexBounds::union);
                case SELECT -> union(of(v.operands().get(1), depth + 1), of(v.operands().get(2), depth + 1));
                default -> Optional.empty();
            };
        } catch (ArithmeticException overflow) {
            return Optional.empty();
        }
    }

    private static Optional<long[]> both(LazyValue v, int depth) {
        Optional<long[]> a = of(v.operands().get(0), depth + 1);
        Optional<long[]> b = of(v.operands().get(1), depth + 1);
        return a.isPresent() && b.isPresent() ? Optional.of(new long[] {a.get()[0], a.get()[1], b.get()[0], b.get()[1]}) : Optional.empty();
    }

    private static long[] product(long[] b) {
        long[] corners = {Math.multiplyExact(b[0], b[2]), Math.multiplyExact(b[0], b[3]), Math.multiplyExact(b[1], b[2]), Math.multiplyExact(b[1], b[3])};
        return new long[] {Math.min(Math.min(corners[0], corners[1]), Math.min(corners[2], corners[3])),
                Math.max(Math.max(corners[0], corners[1]), Math.max(corners[2], corners[3]))};
    }

    private static Optional<long[]> union(Optional<long[]> a, Optional<long[]> b) {
        return a.isPresent() && b.isPresent() ? Optional.of(new long[] {Math.min(a.get()[0], b.get()[0]), Math.max(a.get()[1], b.get()[1])}) : Optional.empty();
    }

    /** Bounds of host data: a scanned integer array, or a rank-0 F64 argument holding an integer. */
    private static Optional<long[]> leaf(MemorySegment data, DType dtype) {
        long n = data.byteSize() / dtype.byteSize();
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (long i = 0; i < n; i++) {
            long x;
            if (dtype == DType.F64) {
                double d = data.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
                if (d != Math.rint(d) || Math.abs(d) > 0x1p53) {
                    return Optional.empty();
                }
                x = (long) d;
            } else {
                x = switch (dtype) {
                    case I8 -> data.get(ValueLayout.JAVA_BYTE, i);
                    case I32 -> data.getAtIndex(ValueLayout.JAVA_INT, i);
                    default -> data.getAtIndex(ValueLayout.JAVA_LONG, i);
                };
            }
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        return Optional.of(new long[] {min, max});
    }
}
