package dev.crossbar.backend.cpu.kernel;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;
import static dev.crossbar.api.DType.I8;

import dev.crossbar.api.DType;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.ReduceKernel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Sum, maximum and minimum over axes, with results that never depend on the thread count: floats accumulate in double,
 * integers in long (wrapping to the type at the end), and NaN wins in max and min. Each output element is reduced by
 * one thread in row-major order of the reduced axes, except with the vector loops: contiguous F32 and BF16 rows are
 * reduced in fixed blocks whose double partial sums are added in order, and F32 and BF16 reductions over leading rows
 * accumulate in F32 (BF16 rounded once at the end).
 */
@Kernel(op = Op.REDUCE_SUM, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.REDUCE_MAX, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.REDUCE_MIN, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
final class CpuReduceKernel implements ReduceKernel {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    /** Elements of a row reduced as one unit; rows longer than this are split so threads share them. */
    private static final long ROW_BLOCK = 1 << 16;
    /** Output columns one task owns when reducing over rows. */
    private static final int COLUMN_BAND = 256;

    @Override
    public void reduce(Op op, TensorView out, TensorView in, int[] axes) {
        if (op != Op.REDUCE_SUM && op != Op.REDUCE_MAX && op != Op.REDUCE_MIN) {
            throw KernelArguments.notServed(op, "reduce");
        }
        if (reduceContiguousBlock(op, out, in, axes)) {
            return;
        }
        int[] reducedDims = new int[axes.length];
        long[] reducedStrides = new long[axes.length];
        long[] keptStrides = in.strides();
        long reducedCount = 1;
        for (int i = 0; i < axes.length; i++) {
            reducedDims[i] = in.shape().dim(axes[i]);
            reducedStrides[i] = in.stride(axes[i]);
            keptStrides[axes[i]] = 0;
            reducedCount *= reducedDims[i];
        }
        long count = reducedCount;
        boolean floating = in.dtype().isFloating();
        HostTensor o = HostTensor.of(out);
        HostTensor x = HostTensor.of(in);
        TensorView first = new TensorView(in.buffer(), in.dtype(), out.shape(), keptStrides, in.offset());
        StridedCursor.forEach(count, c -> {
            StridedCursor inner = new StridedCursor(reducedDims, new long[] {c.position(1)}, reducedStrides);
            if (floating) {
                o.store(c.position(0), reduceFloating(op, x, inner, count));
            } else {
                o.storeLong(c.position(0), reduceIntegral(op, x, inner, count));
            }
        }, out, first);
    }

    /**
     * F32 and F64 contiguous input reduced over consecutive axes, seen as {@code [outer, reduced, inner]}: F32 with the
     * vector loops when available, otherwise rows combined into per-column double accumulators in the generic path's
     * order, so results are identical to it.
     */
    private static boolean reduceContiguousBlock(Op op, TensorView out, TensorView in, int[] axes) {
        DType type = in.dtype();
        boolean bf16 = type == DType.BF16 && Simd.AVAILABLE;
        if ((type != DType.F32 && type != DType.F64 && !bf16) || axes.length == 0 || !in.isContiguous() || in.size() == 0) {
            return false;
        }
        for (int i = 1; i < axes.length; i++) {
            if (axes[i] != axes[i - 1] + 1) {
                return false;
            }
        }
        long outer = 1;
        long reduced = 1;
        long inner = 1;
        for (int d = 0; d < in.shape().rank(); d++) {
            long size = in.shape().dim(d);
            if (d < axes[0]) {
                outer *= size;
            } else if (d <= axes[axes.length - 1]) {
                reduced *= size;
            } else {
                inner *= size;
            }
        }
        MemorySegment x = HostTensor.of(in).memory();
        MemorySegment o = HostTensor.of(out).memory();
        long base = in.offset();
        long rows = reduced;
        int columns = Math.toIntExact(inner);
        boolean single = type == DType.F32;
        if ((single && Simd.AVAILABLE) || bf16) {
            if (columns == 1) {
                reduceRows(op, bf16, o, out.offset(), x, base, outer, rows);
            } else {
                reduceColumns(op, bf16, o, out.offset(), x, base, outer, rows, columns);
            }
            return true;
        }
        KernelPool.forEachRange(outer, rows * columns, (start, end) -> {
            double[] acc = new double[columns];
            for (long a = start; a < end; a++) {
                long first = base + a * rows * columns;
                for (int c = 0; c < columns; c++) {
                    acc[c] = op == Op.REDUCE_SUM ? 0 : (single ? x.getAtIndex(FLOAT, first + c) : x.getAtIndex(DOUBLE, first + c));
                }
                for (long r = 0; r < rows; r++) {
                    long row = first + r * columns;
                    if (single) {
                        for (int c = 0; c < columns; c++) {
                            acc[c] = combine(op, acc[c], x.getAtIndex(FLOAT, row + c));
                        }
                    } else {
                        for (int c = 0; c < columns; c++) {
                            acc[c] = combine(op, acc[c], x.getAtIndex(DOUBLE, row + c));
                        }
                    }
                }
                long target = out.offset() + a * columns;
                for (int c = 0; c < columns; c++) {
                    if (single) {
                        o.setAtIndex(FLOAT, target + c, (float) acc[c]);
                    } else {
                        o.setAtIndex(DOUBLE, target + c, acc[c]);
                    }
                }
            }
        });
        return true;
    }

    /**
     * Contiguous F32 (or BF16) rows {@code [outer, rows]} reduced to {@code [outer]} in fixed blocks of
     * {@link #ROW_BLOCK} elements, each reduced by {@link VectorFloatLoops#reduce} (or {@link Bf16Loops#reduce}) and
     * combined in order, so that long rows use every thread and the result does not depend on the thread count.
     */
    private static void reduceRows(Op op, boolean bf16, MemorySegment o, long po, MemorySegment x, long px, long outer, long rows) {
        long blocks = Math.max(1, (rows + ROW_BLOCK - 1) / ROW_BLOCK);
        if (blocks == 1) {
            KernelPool.forEachRange(outer, rows, (start, end) -> {
                for (long a = start; a < end; a++) {
                    store(bf16, o, po + a, reduceBlock(op, bf16, x, px + a * rows, rows));
                }
            });
            return;
        }
        double[] partial = new double[Math.toIntExact(outer * blocks)];
        KernelPool.forEachRange(outer * blocks, ROW_BLOCK, (start, end) -> {
            for (long item = start; item < end; item++) {
                long a = item / blocks;
                long first = item % blocks * ROW_BLOCK;
                partial[(int) item] = reduceBlock(op, bf16, x, px + a * rows + first, Math.min(ROW_BLOCK, rows - first));
            }
        });
        for (long a = 0; a < outer; a++) {
            double acc = partial[(int) (a * blocks)];
            for (long b = 1; b < blocks; b++) {
                acc = combine(op, acc, partial[(int) (a * blocks + b)]);
            }
            store(bf16, o, po + a, acc);
        }
    }

    private static double reduceBlock(Op op, boolean bf16, MemorySegment x, long px, long n) {
        return bf16 ? Bf16Loops.reduce(op, x, px, n) : VectorFloatLoops.reduce(op, x, px, n);
    }

    private static void store(boolean bf16, MemorySegment o, long position, double value) {
        if (bf16) {
            o.setAtIndex(SHORT, position, HalfFloats.doubleToBf16(value));
        } else {
            o.setAtIndex(FLOAT, position, (float) value);
        }
    }

    /**
     * Contiguous F32 (or BF16) {@code [outer, rows, columns]} reduced over the rows: each task owns a band of output
     * columns and combines the input rows into it in order, in F32, with {@link VectorFloatLoops#accumulate} (BF16
     * through {@link Bf16Loops#reduceColumns}, rounded once at the end).
     */
    private static void reduceColumns(Op op, boolean bf16, MemorySegment o, long po, MemorySegment x, long px, long outer, long rows, int columns) {
        int bands = Math.max(1, columns / COLUMN_BAND);
        KernelPool.forEachRange(outer * bands, rows * Math.min(columns, COLUMN_BAND), (start, end) -> {
            for (long item = start; item < end; item++) {
                long a = item / bands;
                int band = (int) (item % bands);
                int first = band * COLUMN_BAND;
                int width = band == bands - 1 ? columns - first : COLUMN_BAND;
                long target = po + a * columns + first;
                long source = px + a * rows * columns + first;
                if (bf16) {
                    Bf16Loops.reduceColumns(op, o, target, x, source, rows, columns, width);
                    continue;
                }
                if (op == Op.REDUCE_SUM) {
                    // Sums start from +0 as the scalar path's do, so that a column of -0 sums to +0.
                    o.asSlice(target * Float.BYTES, (long) width * Float.BYTES).fill((byte) 0);
                    VectorFloatLoops.accumulate(op, o, target, x, source, width);
                } else {
                    MemorySegment.copy(x, FLOAT, source * Float.BYTES, o, FLOAT, target * Float.BYTES, width);
                }
                for (long r = 1; r < rows; r++) {
                    VectorFloatLoops.accumulate(op, o, target, x, source + r * columns, width);
                }
            }
        });
    }

    static double combine(Op op, double acc, double v) {
        return switch (op) {
            case REDUCE_SUM -> acc + v;
            case REDUCE_MAX -> Math.max(acc, v);
            default -> Math.min(acc, v);
        };
    }

    private static double reduceFloating(Op op, HostTensor x, StridedCursor inner, long count) {
        double acc = op == Op.REDUCE_SUM ? 0 : x.load(inner.position(0));
        for (long i = 0; i < count; i++) {
            acc = combine(op, acc, x.load(inner.position(0)));
            inner.advance();
        }
        return acc;
    }

    private static long reduceIntegral(Op op, HostTensor x, StridedCursor inner, long count) {
        long acc = op == Op.REDUCE_SUM ? 0 : x.loadLong(inner.position(0));
        for (long i = 0; i < count; i++) {
            long v = x.loadLong(inner.position(0));
            acc = switch (op) {
                case REDUCE_SUM -> acc + v;
                case REDUCE_MAX -> Math.max(acc, v);
                default -> Math.min(acc, v);
            };
            inner.advance();
        }
        return acc;
    }
}
