package dev.crossbar.backend.cpu.kernel;

import dev.crossbar.api.DType;
import dev.crossbar.spi.TensorView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The F32 and F64 batched matrix product with operands of any strides. Output rows are split among threads; each
 * thread packs blocks of B row-major into heap arrays that stay in the L2 cache, and accumulates a block of output rows
 * in double in order of k, in loops shaped for C2's auto-vectorization. Every output element is computed by one thread
 * with the reference kernel's sums (a product of floats is exact in double, and no multiply-add is fused), so results
 * equal the reference's bit for bit whatever the thread count.
 */
final class BlockedMatmul {
    /** Columns per packed block of B. */
    private static final int BLOCK_COLUMNS = 128;
    /** Rows of B (values of k) per packed block: with {@link #BLOCK_COLUMNS}, 64 KiB of doubles. */
    private static final int BLOCK_DEPTH = 64;
    /** Output rows accumulated together, so that one packed block serves them all. */
    private static final int BLOCK_ROWS = 64;

    private BlockedMatmul() {
    }

    /** Tells whether the product can take this path: F32 or F64 with a row-major output. */
    static boolean serves(TensorView out) {
        return (out.dtype() == DType.F32 || out.dtype() == DType.F64) && out.isContiguous();
    }

    /** Computes {@code out = a b} over the broadcast batch dims; see {@link #serves}. */
    static void multiply(TensorView out, TensorView a, TensorView b) {
        int rank = out.shape().rank();
        MatmulShape shape = MatmulShape.of(out, a, b);
        int m = shape.m();
        int n = shape.n();
        int k = shape.k();
        long batches = shape.batches();
        if (batches == 0 || m == 0 || n == 0) {
            return;
        }
        Operands operands = new Operands(out.dtype() == DType.F64, segment(out), segment(a), segment(b),
                a.stride(rank - 2), a.stride(rank - 1), b.stride(rank - 2), b.stride(rank - 1), m, n, k);
        // Work items are output rows of all products; a share may start and end inside a product.
        KernelPool.forEachRange(batches * m, (long) n * Math.max(k, 1), (start, end) -> {
            StridedCursor batch = shape.cursor(a, b);
            Scratch scratch = operands.scratch();
            batch.seek(start / m);
            for (long row = start; row < end; batch.advance()) {
                long product = row / m;
                int first = (int) (row - product * m);
                int last = (int) Math.min(m, end - product * m);
                operands.multiplyRows(out.offset() + product * m * n, batch.position(0), batch.position(1), first, last, scratch);
                row += last - first;
            }
        });
    }

    private static MemorySegment segment(TensorView view) {
        return HostTensor.of(view).memory();
    }

    /** One thread's work arrays: a packed block of B, a row of A and a block of output rows. */
    private record Scratch(double[][] panel, double[] aRow, double[][] acc) {
    }

    /** One product's memory, strides and sizes; positions are element indices. */
    private record Operands(boolean f64, MemorySegment out, MemorySegment a, MemorySegment b,
                            long aRowStride, long aColumnStride, long bRowStride, long bColumnStride, int m, int n, int k) {

        /** Work arrays for one thread. */
        Scratch scratch() {
            int width = Math.min(n, BLOCK_COLUMNS);
            int depth = Math.max(1, Math.min(k, BLOCK_DEPTH));
            int rows = Math.min(m, BLOCK_ROWS);
            return new Scratch(new double[depth][width], new double[depth], new double[rows][width]);
        }

        /** Computes output rows {@code [first, last)} of the product whose operands start at the given positions. */
        void multiplyRows(long outStart, long aStart, long bStart, int first, int last, Scratch scratch) {
            int width = Math.min(n, BLOCK_COLUMNS);
            for (int column = 0; column < n; column += width) {
                for (int row = first; row < last; row += BLOCK_ROWS) {
                    int endRow = Math.min(last, row + BLOCK_ROWS);
                    int columns = Math.min(width, n - column);
                    multiplyBlock(outStart, aStart, bStart, row, endRow, column, columns, scratch.panel(), scratch.aRow(), scratch.acc());
                }
            }
        }

        /** One block of output rows and columns, over all of k; the scratch arrays are the thread's own. */
        private void multiplyBlock(long outStart, long aStart, long bStart, int firstRow, int endRow, int column, int width,
                                      double[][] panel, double[] aRow, double[][] acc) {
            for (int i = 0; i < endRow - firstRow; i++) {
                Arrays.fill(acc[i], 0, width, 0);
            }
            for (int depthStart = 0; depthStart < k; depthStart += BLOCK_DEPTH) {
                int depth = Math.min(BLOCK_DEPTH, k - depthStart);
                for (int p = 0; p < depth; p++) {
                    long bRow = bStart + (depthStart + p) * bRowStride + column * bColumnStride;
                    load(b, bRow, bColumnStride, panel[p], width);
                }
                for (int i = firstRow; i < endRow; i++) {
                    long aRowStart = aStart + i * aRowStride + depthStart * aColumnStride;
                    load(a, aRowStart, aColumnStride, aRow, depth);
                    double[] c = acc[i - firstRow];
                    int p = 0;
                    for (; p + 3 < depth; p += 4) {
                        double a0 = aRow[p];
                        double a1 = aRow[p + 1];
                        double a2 = aRow[p + 2];
                        double a3 = aRow[p + 3];
                        double[] b0 = panel[p];
                        double[] b1 = panel[p + 1];
                        double[] b2 = panel[p + 2];
                        double[] b3 = panel[p + 3];
                        for (int j = 0; j < width; j++) {
                            c[j] = c[j] + a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
                        }
                    }
                    for (; p < depth; p++) {
                        double a0 = aRow[p];
                        double[] b0 = panel[p];
                        for (int j = 0; j < width; j++) {
                            c[j] += a0 * b0[j];
                        }
                    }
                }
            }
            for (int i = firstRow; i < endRow; i++) {
                long outRow = outStart + (long) i * n + column;
                if (f64) {
                    MemorySegment.copy(acc[i - firstRow], 0, out, ValueLayout.JAVA_DOUBLE_UNALIGNED, outRow * Double.BYTES, width);
                } else {
                    for (int j = 0; j < width; j++) {
                        out.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, outRow + j, (float) acc[i - firstRow][j]);
                    }
                }
            }
        }

        /** Reads {@code count} elements from {@code start} by {@code stride} into {@code into}, widening floats. */
        private void load(MemorySegment from, long start, long stride, double[] into, int count) {
            if (f64 && stride == 1) {
                MemorySegment.copy(from, ValueLayout.JAVA_DOUBLE_UNALIGNED, start * Double.BYTES, into, 0, count);
            } else if (f64) {
                for (int i = 0; i < count; i++) {
                    into[i] = from.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, start + i * stride);
                }
            } else {
                for (int i = 0; i < count; i++) {
                    into[i] = from.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, start + i * stride);
                }
            }
        }

    }
}
