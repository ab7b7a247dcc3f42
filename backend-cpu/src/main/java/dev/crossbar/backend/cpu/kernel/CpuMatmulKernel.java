package dev.crossbar.backend.cpu.kernel;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;

import dev.crossbar.api.DType;
import dev.crossbar.backend.cpu.internal.ffi.OnednnMatmul;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.MatmulKernel;
import java.util.Locale;

/**
 * The batched matrix product. F32, BF16 and F16 take the {@link MatmulPath} chosen at construction and accumulate in
 * float (fused multiply-adds in whatever order the path blocks them); F64 goes through {@link BlockedMatmul},
 * accumulating in double; integers accumulate in long, wrapping to the type. Without the Vector API module the
 * {@link MatmulPath#JAVA} path falls back to {@link BlockedMatmul} for F32 and to a double-accumulating dot product per
 * element for BF16 and F16.
 */
@Kernel(op = Op.DOT_GENERAL, dtypes = {F32, F64, F16, BF16, I32, I64})
final class CpuMatmulKernel implements MatmulKernel {
    /** Products with fewer multiply-adds stay in Java under {@link MatmulPath#AUTO}: a native call costs microseconds. */
    private static final long NATIVE_MINIMUM = 32 * 32 * 32;

    private final MatmulPath path;

    CpuMatmulKernel(MatmulPath path) {
        this.path = path;
    }

    @Override
    public void matmul(TensorView out, TensorView a, TensorView b) {
        DType type = out.dtype();
        if ((type == F32 || type == BF16 || type == F16) && out.isContiguous()) {
            int rank = out.shape().rank();
            long k = a.shape().dim(rank - 1);
            if (out.size() == 0) {
                return;
            }
            if (k == 0) {
                // Zero is all-zero bits in F32, BF16 and F16.
                HostTensor.of(out).memory().asSlice(out.offset() * type.byteSize(), out.size() * type.byteSize()).fill((byte) 0);
                return;
            }
            long work = (long) out.shape().dim(rank - 2) * out.shape().dim(rank - 1) * k;
            switch (route(type, work, onednnDescribes(a) && onednnDescribes(b))) {
                case OPENBLAS -> OpenBlasMatmul.multiply(MatmulLibraries.openBlas().orElseThrow(), out, a, b);
                case ONEDNN -> multiplyOnednn(MatmulLibraries.onednn().orElseThrow(), out, a, b);
                default -> multiplyJava(out, a, b);
            }
            return;
        }
        if (BlockedMatmul.serves(out)) {
            BlockedMatmul.multiply(out, a, b);
            return;
        }
        multiplyByDotProducts(out, a, b);
    }

    /**
     * Chooses the path for one call: {@code work} is the multiply-adds of one product of the batch, {@code onednnLayout}
     * whether oneDNN can describe the operands' strides. Mixed-precision training computes in BF16, so under
     * {@link MatmulPath#AUTO} its products go to oneDNN (AMX) when present.
     */
    MatmulPath route(DType type, long work, boolean onednnLayout) {
        boolean dnnlServes = OnednnMatmul.serves(type) && onednnLayout;
        return switch (path) {
            case JAVA -> MatmulPath.JAVA;
            case OPENBLAS -> type == F32 ? required(MatmulPath.OPENBLAS) : MatmulPath.JAVA;
            case ONEDNN -> dnnlServes ? required(MatmulPath.ONEDNN) : MatmulPath.JAVA;
            case AUTO -> {
                if (type == BF16 && dnnlServes && MatmulLibraries.onednn().isPresent()) {
                    yield MatmulPath.ONEDNN;
                }
                if (type == F32 && work >= NATIVE_MINIMUM) {
                    if (MatmulLibraries.openBlasTuned()) {
                        yield MatmulPath.OPENBLAS;
                    }
                    if (dnnlServes && MatmulLibraries.onednn().isPresent()) {
                        yield MatmulPath.ONEDNN;
                    }
                }
                yield MatmulPath.JAVA;
            }
        };
    }

    private static MatmulPath required(MatmulPath forced) {
        MatmulLibraries.unavailable(forced).ifPresent(reason -> {
            throw new IllegalStateException(String.format(Locale.ROOT, "%s=%s forces a path that is not available: %s; set %s=auto to use what is present",
                    MatmulPath.PROPERTY, forced.propertyValue(), reason, MatmulPath.PROPERTY));
        });
        return forced;
    }

    private static void multiplyJava(TensorView out, TensorView a, TensorView b) {
        if (MatmulLibraries.vectorPresent()) {
            VectorMatmul.multiply(out, a, b);
        } else if (BlockedMatmul.serves(out)) {
            BlockedMatmul.multiply(out, a, b);
        } else {
            multiplyByDotProducts(out, a, b);
        }
    }

    /** Tells whether oneDNN can take an operand: at most 12 dims, and no zero stride along a matrix axis longer than 1. */
    private static boolean onednnDescribes(TensorView operand) {
        int rank = operand.shape().rank();
        return rank <= 12 && (operand.stride(rank - 2) != 0 || operand.shape().dim(rank - 2) == 1)
                && (operand.stride(rank - 1) != 0 || operand.shape().dim(rank - 1) == 1);
    }

    private static void multiplyOnednn(OnednnMatmul dnnl, TensorView out, TensorView a, TensorView b) {
        int rank = out.shape().rank();
        long[] outDims = new long[rank];
        for (int axis = 0; axis < rank; axis++) {
            outDims[axis] = out.shape().dim(axis);
        }
        long[] aDims = operandDims(a, outDims);
        long[] bDims = operandDims(b, outDims);
        long bytes = out.dtype().byteSize();
        dnnl.multiply(out.dtype(), aDims, operandStrides(a, aDims), HostTensor.of(a).memory().asSlice(a.offset() * bytes),
                bDims, operandStrides(b, bDims), HostTensor.of(b).memory().asSlice(b.offset() * bytes),
                outDims, out.strides(), HostTensor.of(out).memory().asSlice(out.offset() * bytes));
    }

    /** The operand's own dims: its matrix dims, and 1 along batch axes it is broadcast over (stride 0). */
    private static long[] operandDims(TensorView operand, long[] outDims) {
        int rank = outDims.length;
        long[] dims = new long[rank];
        for (int axis = 0; axis < rank; axis++) {
            dims[axis] = axis < rank - 2 && operand.stride(axis) == 0 ? 1 : operand.shape().dim(axis);
        }
        return dims;
    }

    /** The operand's strides, with each broadcast batch axis given the span of the axes after it (oneDNN checks strides). */
    private static long[] operandStrides(TensorView operand, long[] dims) {
        int rank = dims.length;
        long[] strides = operand.strides();
        long span = 1;
        for (int axis = rank - 1; axis >= 0; axis--) {
            if (axis < rank - 2 && strides[axis] == 0) {
                strides[axis] = span;
            }
            span = Math.max(span, strides[axis] * dims[axis]);
        }
        return strides;
    }

    /** One dot product per output element in order of k: double accumulation for floats, long for integers. */
    private static void multiplyByDotProducts(TensorView out, TensorView a, TensorView b) {
        int rank = out.shape().rank();
        int k = a.shape().dim(rank - 1);
        long aK = a.stride(rank - 1);
        long bK = b.stride(rank - 2);
        // Rows of a follow out's row axis and ignore its column axis; columns of b the reverse.
        TensorView rows = new TensorView(a.buffer(), a.dtype(), out.shape(), StridedCursor.withStride(a.strides(), rank - 1, 0), a.offset());
        TensorView columns = new TensorView(b.buffer(), b.dtype(), out.shape(), StridedCursor.withStride(b.strides(), rank - 2, 0), b.offset());
        HostTensor o = HostTensor.of(out);
        HostTensor x = HostTensor.of(a);
        HostTensor y = HostTensor.of(b);
        if (out.dtype().isFloating()) {
            StridedCursor.forEach(k, c -> {
                long p = c.position(1);
                long q = c.position(2);
                double acc = 0;
                for (int i = 0; i < k; i++, p += aK, q += bK) {
                    acc += x.load(p) * y.load(q);
                }
                o.store(c.position(0), acc);
            }, out, rows, columns);
        } else {
            StridedCursor.forEach(k, c -> {
                long p = c.position(1);
                long q = c.position(2);
                long acc = 0;
                for (int i = 0; i < k; i++, p += aK, q += bK) {
                    acc += x.loadLong(p) * y.loadLong(q);
                }
                o.storeLong(c.position(0), acc);
            }, out, rows, columns);
        }
    }
}
