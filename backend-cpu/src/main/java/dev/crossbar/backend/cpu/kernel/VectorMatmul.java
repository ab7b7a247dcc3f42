package dev.crossbar.backend.cpu.kernel;

import dev.crossbar.api.DType;
import dev.crossbar.spi.TensorView;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Locale;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The F32, BF16 and F16 batched matrix product on the Vector API, accumulating in float with fused multiply-adds.
 * It follows Goto and van de Geijn ("Anatomy of high-performance matrix multiplication", ACM TOMS 2008): B is packed in
 * blocks of {@link #KC} rows by {@link #NC} columns shared by all threads, each thread packs {@link #MC}-row blocks of A
 * into its own buffer, and a {@link #MR} x {@link #NR} register tile is computed by one method holding its
 * accumulators in registers. Packing widens BF16 and F16 to float. Buffers are kept per thread and reused, so a
 * product in steady state allocates only the kernel pool's task bookkeeping.
 *
 * <p>Only reached after {@link VectorSupport#available()} says the incubator module is present: loading this class
 * without it fails.
 */
final class VectorMatmul {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    /** Rows of the register tile. */
    private static final int MR = 8;
    /** Columns of the register tile: two vectors, so that 16 accumulators, two B vectors and an A broadcast fit 32 registers. */
    private static final int NR = 2 * LANES;
    /** Depth of a packed block: a {@code KC x NR} panel of B (32 KiB for 512-bit vectors) stays in the L1 cache. */
    private static final int KC = 256;
    /** Rows of a packed block of A: {@code MC x KC} floats (128 KiB) stay in the L2 cache. */
    private static final int MC = 128;
    /**
     * Columns of a packed block of B, shared by the threads: {@code KC x NC} floats, 1 MiB, so that it stays in a 2 MiB
     * L2 cache beside the A block; 2048 columns (2 MiB) measured 0.56x of OpenBLAS at n = 2048 against 0.89x with 1024.
     */
    private static final int NC = 1024 / NR * NR;

    private static final ThreadLocal<float[]> PACKED_A = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> PACKED_B = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> WIDE_OUTPUT = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[MR * NR]);

    private VectorMatmul() {
    }

    /** Names the vector width and tile, for doctor. */
    static String describe() {
        return String.format(Locale.ROOT, "Vector API %d-bit tile=%dx%d", SPECIES.vectorBitSize(), MR, NR);
    }

    /** Computes {@code out = a b} over the broadcast batch dims for F32, BF16 and F16, with a row-major output and {@code k > 0}. */
    static void multiply(TensorView out, TensorView a, TensorView b) {
        int rank = out.shape().rank();
        MatmulShape shape = MatmulShape.of(out, a, b);
        int m = shape.m();
        int n = shape.n();
        int k = shape.k();
        long batches = shape.batches();
        Product product = new Product(HostTensor.of(out).memory(), out.dtype(), HostTensor.of(a).memory(), a.dtype(), HostTensor.of(b).memory(), b.dtype(),
                a.stride(rank - 2), a.stride(rank - 1), b.stride(rank - 2), b.stride(rank - 1), m, n, k);
        // Products are split among threads when there are several; each then runs its blocks on that thread.
        KernelPool.forEachRange(batches, (long) m * n * k, (start, end) -> {
            StridedCursor batch = shape.cursor(a, b);
            batch.seek(start);
            for (long index = start; index < end; index++, batch.advance()) {
                product.multiply(out.offset() + index * m * n, batch.position(0), batch.position(1));
            }
        });
    }

    /** One product's memory, element types, strides and sizes; positions are element indices. */
    private record Product(MemorySegment out, DType outType, MemorySegment a, DType aType, MemorySegment b, DType bType,
                           long aRowStride, long aDepthStride, long bDepthStride, long bColumnStride, int m, int n, int k) {

        /** Computes one product; F32 accumulates in the output, BF16 and F16 in a float buffer rounded at the end. */
        void multiply(long outStart, long aStart, long bStart) {
            boolean wide = outType == DType.F32;
            MemorySegment accumulator = wide ? out : MemorySegment.ofArray(buffer(WIDE_OUTPUT, Math.multiplyExact(m, n)));
            long accumulatorStart = wide ? outStart : 0;
            int rowBlock = Math.min(MC, roundUp(m, MR));
            int rowBlocks = ceilDiv(m, rowBlock);
            for (int column = 0; column < n; column += NC) {
                int columns = Math.min(NC, n - column);
                int panels = ceilDiv(columns, NR);
                // Enough column slices that every thread has work even when A has few row blocks.
                int slices = Math.min(panels, ceilDiv(2 * KernelPool.parallelism(), rowBlocks));
                for (int depth = 0; depth < k; depth += KC) {
                    int depths = Math.min(KC, k - depth);
                    float[] packedB = buffer(PACKED_B, panels * NR * depths);
                    long bBlock = bStart + depth * bDepthStride + column * bColumnStride;
                    KernelPool.forEachRange(panels, (long) depths * NR, (first, last) -> {
                        for (long panel = first; panel < last; panel++) {
                            int p = (int) panel;
                            pack(b, bType, bBlock + p * NR * bColumnStride, bColumnStride, bDepthStride,
                                    Math.min(NR, columns - p * NR), depths, NR, packedB, p * NR * depths);
                        }
                    });
                    boolean accumulate = depth > 0;
                    int firstColumn = column;
                    long aBlock = aStart + depth * aDepthStride;
                    KernelPool.forEachRange((long) rowBlocks * slices, (long) rowBlock * columns / slices * depths, (first, last) -> {
                        float[] packedA = buffer(PACKED_A, rowBlock * depths);
                        float[] tile = TILE.get();
                        int packedRowBlock = -1;
                        for (long item = first; item < last; item++) {
                            int block = (int) (item / slices);
                            int slice = (int) (item % slices);
                            int row = block * rowBlock;
                            int rows = Math.min(rowBlock, m - row);
                            if (block != packedRowBlock) {
                                for (int r = 0; r < rows; r += MR) {
                                    pack(a, aType, aBlock + (row + r) * aRowStride, aRowStride, aDepthStride,
                                            Math.min(MR, rows - r), depths, MR, packedA, r * depths);
                                }
                                packedRowBlock = block;
                            }
                            int firstPanel = panels * slice / slices;
                            int endPanel = panels * (slice + 1) / slices;
                            for (int panel = firstPanel; panel < endPanel; panel++) {
                                int col = panel * NR;
                                int cols = Math.min(NR, columns - col);
                                for (int r = 0; r < rows; r += MR) {
                                    registerTile(packedA, r * depths, packedB, col * depths, depths, tile);
                                    long origin = accumulatorStart + (long) (row + r) * n + firstColumn + col;
                                    storeTile(tile, accumulator, origin, n, Math.min(MR, rows - r), cols, accumulate);
                                }
                            }
                        }
                    });
                }
            }
            if (!wide) {
                round(accumulator, outStart);
            }
        }

        /** Rounds the float results once to the BF16 or F16 output. */
        private void round(MemorySegment accumulator, long outStart) {
            long count = (long) m * n;
            for (long i = 0; i < count; i++) {
                float value = accumulator.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                short bits = outType == DType.BF16 ? HalfFloats.floatToBf16(value) : Float.floatToFloat16(value);
                out.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, outStart + i, bits);
            }
        }
    }

    /**
     * Computes an {@code MR x NR} tile from a packed A panel ({@code [depth][MR]}) and a packed B panel
     * ({@code [depth][NR]}) into {@code tile}, row-major. One method with its accumulators in locals, so that C2 keeps
     * them in registers: passing vectors to a helper that is not inlined boxes them (see FACTS.md).
     */
    private static void registerTile(float[] a, int aStart, float[] b, int bStart, int depth, float[] tile) {
        FloatVector c00 = FloatVector.zero(SPECIES);
        FloatVector c01 = FloatVector.zero(SPECIES);
        FloatVector c10 = FloatVector.zero(SPECIES);
        FloatVector c11 = FloatVector.zero(SPECIES);
        FloatVector c20 = FloatVector.zero(SPECIES);
        FloatVector c21 = FloatVector.zero(SPECIES);
        FloatVector c30 = FloatVector.zero(SPECIES);
        FloatVector c31 = FloatVector.zero(SPECIES);
        FloatVector c40 = FloatVector.zero(SPECIES);
        FloatVector c41 = FloatVector.zero(SPECIES);
        FloatVector c50 = FloatVector.zero(SPECIES);
        FloatVector c51 = FloatVector.zero(SPECIES);
        FloatVector c60 = FloatVector.zero(SPECIES);
        FloatVector c61 = FloatVector.zero(SPECIES);
        FloatVector c70 = FloatVector.zero(SPECIES);
        FloatVector c71 = FloatVector.zero(SPECIES);
        for (int p = 0; p < depth; p++) {
            int ai = aStart + p * MR;
            int bi = bStart + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bi);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bi + LANES);
            FloatVector a0 = FloatVector.broadcast(SPECIES, a[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(SPECIES, a[ai + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(SPECIES, a[ai + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(SPECIES, a[ai + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(SPECIES, a[ai + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(SPECIES, a[ai + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(SPECIES, a[ai + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(SPECIES, a[ai + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, LANES);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + LANES);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + LANES);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + LANES);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + LANES);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + LANES);
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + LANES);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + LANES);
    }

    /** Writes or adds the valid {@code rows x columns} corner of a tile to row-major floats starting at {@code origin}. */
    private static void storeTile(float[] tile, MemorySegment c, long origin, int rowStride, int rows, int columns, boolean accumulate) {
        if (rows == MR && columns == NR) {
            for (int r = 0; r < MR; r++) {
                long offset = (origin + (long) r * rowStride) * Float.BYTES;
                FloatVector t0 = FloatVector.fromArray(SPECIES, tile, r * NR);
                FloatVector t1 = FloatVector.fromArray(SPECIES, tile, r * NR + LANES);
                if (accumulate) {
                    t0 = t0.add(FloatVector.fromMemorySegment(SPECIES, c, offset, ByteOrder.nativeOrder()));
                    t1 = t1.add(FloatVector.fromMemorySegment(SPECIES, c, offset + LANES * Float.BYTES, ByteOrder.nativeOrder()));
                }
                t0.intoMemorySegment(c, offset, ByteOrder.nativeOrder());
                t1.intoMemorySegment(c, offset + LANES * Float.BYTES, ByteOrder.nativeOrder());
            }
            return;
        }
        for (int r = 0; r < rows; r++) {
            long rowStart = origin + (long) r * rowStride;
            for (int j = 0; j < columns; j++) {
                float value = tile[r * NR + j];
                if (accumulate) {
                    value += c.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, rowStart + j);
                }
                c.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, rowStart + j, value);
            }
        }
    }

    /**
     * Packs {@code lines} lines (rows of A or columns of B) of {@code depth} elements as {@code [depth][width]} floats
     * at {@code offset}, zeroing the lines from {@code lines} to {@code width}. Reads go along whichever axis has unit
     * stride.
     */
    private static void pack(MemorySegment from, DType type, long start, long lineStride, long depthStride, int lines, int depth,
                             int width, float[] into, int offset) {
        if (lines < width) {
            Arrays.fill(into, offset, offset + depth * width, 0);
        }
        if (lineStride == 1 && depthStride != 1) {
            for (int p = 0; p < depth; p++) {
                readRun(from, type, start + p * depthStride, 1, lines, into, offset + p * width, 1);
            }
        } else {
            for (int line = 0; line < lines; line++) {
                readRun(from, type, start + line * lineStride, depthStride, depth, into, offset + line, width);
            }
        }
    }

    /** Reads {@code count} elements by {@code stride} as floats into {@code into} by {@code intoStride}. */
    private static void readRun(MemorySegment from, DType type, long start, long stride, int count, float[] into, int offset, int intoStride) {
        switch (type) {
            case F32 -> {
                if (stride == 1 && intoStride == 1) {
                    MemorySegment.copy(from, ValueLayout.JAVA_FLOAT_UNALIGNED, start * Float.BYTES, into, offset, count);
                } else {
                    for (int i = 0; i < count; i++) {
                        into[offset + i * intoStride] = from.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, start + i * stride);
                    }
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    into[offset + i * intoStride] = HalfFloats.bf16ToFloat(from.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, start + i * stride));
                }
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    into[offset + i * intoStride] = Float.float16ToFloat(from.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, start + i * stride));
                }
            }
            default -> throw new IllegalArgumentException("The vector matmul reads F32, BF16 and F16, not " + type);
        }
    }

    /** Returns this thread's buffer of at least {@code size} floats, growing it when needed. */
    private static float[] buffer(ThreadLocal<float[]> local, int size) {
        float[] buffer = local.get();
        if (buffer.length < size) {
            buffer = new float[size];
            local.set(buffer);
        }
        return buffer;
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    private static int roundUp(int x, int multiple) {
        return ceilDiv(x, multiple) * multiple;
    }
}
