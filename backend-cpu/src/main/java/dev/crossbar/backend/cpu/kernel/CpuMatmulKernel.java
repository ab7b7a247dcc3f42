package dev.crossbar.backend.cpu.kernel;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;

import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.MatmulKernel;

/**
 * The batched matrix product: F32 and F64 through {@link BlockedMatmul}, accumulating in their own type; F16 and BF16
 * as one dot product per output element in order of k accumulated in double (rounded once to the output type), and
 * integers in long (wrapping to the type).
 */
@Kernel(op = Op.DOT_GENERAL, dtypes = {F32, F64, F16, BF16, I32, I64})
final class CpuMatmulKernel implements MatmulKernel {
    @Override
    public void matmul(TensorView out, TensorView a, TensorView b) {
        if (BlockedMatmul.serves(out)) {
            BlockedMatmul.multiply(out, a, b);
            return;
        }
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
