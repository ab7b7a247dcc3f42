package com.example.opencl;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;

import dev.crossbar.api.DType;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.codegen.Dialect;
import dev.crossbar.spi.codegen.GeneratedKernel;
import dev.crossbar.spi.codegen.KernelParameter;
import dev.crossbar.spi.codegen.ShapeDescriptor;
import dev.crossbar.spi.kernel.MatmulKernel;
import java.util.Arrays;
import java.util.List;

/**
 * The batched matrix product as a tiled kernel: each 16x16 work-group computes a 16x16 block of the output, staging
 * 16x16 tiles of both operands in local memory, one batch element per index of the third dimension. Operands are
 * read through their layouts, so broadcast batch axes and transposed views need no copy. F32 accumulates in float, F64
 * and the 16-bit floats in double (rounded once), integers in wrapping unsigned arithmetic of their width.
 */
@Kernel(op = Op.DOT_GENERAL, dtypes = {F32, F64, F16, BF16, I32, I64})
final class OpenClMatmulKernel extends OpenClKernel implements MatmulKernel {
    /** The tile edge: work-groups are TILE x TILE work items. */
    static final int TILE = 16;

    private static final List<KernelParameter> PARAMETERS = List.of(
            new KernelParameter("m", KernelParameter.Type.I64),
            new KernelParameter("n", KernelParameter.Type.I64),
            new KernelParameter("k", KernelParameter.Type.I64),
            new KernelParameter("batch_dims", KernelParameter.Type.DIMS),
            new KernelParameter("out", KernelParameter.Type.POINTER),
            new KernelParameter("out_layout", KernelParameter.Type.LAYOUT),
            new KernelParameter("a", KernelParameter.Type.POINTER),
            new KernelParameter("a_layout", KernelParameter.Type.LAYOUT),
            new KernelParameter("b", KernelParameter.Type.POINTER),
            new KernelParameter("b_layout", KernelParameter.Type.LAYOUT));

    OpenClMatmulKernel(OpenClBackend backend) {
        super(backend);
    }

    @Override
    public void matmul(TensorView out, TensorView a, TensorView b) {
        int rank = out.shape().rank();
        long m = out.shape().dim(rank - 2);
        long n = out.shape().dim(rank - 1);
        long k = a.shape().dim(rank - 1);
        ShapeDescriptor batch = new ShapeDescriptor(Arrays.stream(out.shape().dims()).limit(rank - 2L).asLongStream().toArray());
        long batchCount = batch.elementCount();
        if (m == 0 || n == 0 || batchCount == 0) {
            return;
        }
        DType dtype = out.dtype();
        GeneratedKernel kernel = kernel("matmul " + dtype, () -> source(dtype));
        backend().launchRange(kernel, new long[] {roundUp(n), roundUp(m), batchCount}, new long[] {TILE, TILE, 1},
                m, n, k, batch, out.buffer(), layout(out), a.buffer(), layout(a), b.buffer(), layout(b));
    }

    private static long roundUp(long size) {
        return (size + TILE - 1) / TILE * TILE;
    }

    private GeneratedKernel source(DType dtype) {
        String storage = switch (dtype) {
            case F32 -> "float";
            case F64 -> "double";
            case F16, BF16 -> "cb_u16";
            case I32 -> "cb_i32";
            case I64 -> "cb_i64";
            default -> throw new IllegalArgumentException("dot_general does not admit " + dtype);
        };
        String accumulator = switch (dtype) {
            case F32 -> "float";
            case F64, F16, BF16 -> "double";
            case I32 -> "cb_u32";
            default -> "cb_u64";
        };
        String load = switch (dtype) {
            case F16 -> "(double)cb_f16_to_f32(%s)";
            case BF16 -> "(double)cb_bf16_to_f32(%s)";
            default -> "(" + accumulator + ")%s";
        };
        String store = switch (dtype) {
            case F16 -> "cb_f64_to_f16(acc)";
            case BF16 -> "cb_f64_to_bf16(acc)";
            default -> "(" + storage + ")acc";
        };
        String entryPoint = "cb_matmul_" + dtype.shortName();
        String body = """
                /* tiled matmul DTYPE (the Crossbar OpenCL plugin) */
                __kernel __attribute__((reqd_work_group_size(TILE, TILE, 1))) void ENTRY(
                    long m, long n, long k, cb_dims batch_dims,
                    __global STORAGE* out, cb_layout out_layout,
                    const __global STORAGE* a, cb_layout a_layout,
                    const __global STORAGE* b, cb_layout b_layout) {
                  __local ACC a_tile[TILE][TILE];
                  __local ACC b_tile[TILE][TILE];
                  int tx = (int)get_local_id(0);
                  int ty = (int)get_local_id(1);
                  long col = (long)get_global_id(0);
                  long row = (long)get_global_id(1);
                  int r = (int)batch_dims.rank;
                  long out_at = out_layout.offset, a_at = a_layout.offset, b_at = b_layout.offset;
                  long rest = (long)get_global_id(2);
                  for (int d = r - 1; d >= 0; --d) {
                    long c = rest % batch_dims.size[d];
                    rest /= batch_dims.size[d];
                    out_at += c * out_layout.stride[d];
                    a_at += c * a_layout.stride[d];
                    b_at += c * b_layout.stride[d];
                  }
                  ACC acc = 0;
                  for (long t = 0; t < k; t += TILE) {
                    long ak = t + tx;
                    long bk = t + ty;
                    a_tile[ty][tx] = row < m && ak < k ? LOAD_A : 0;
                    b_tile[ty][tx] = bk < k && col < n ? LOAD_B : 0;
                    barrier(CLK_LOCAL_MEM_FENCE);
                    for (int j = 0; j < TILE; ++j) acc += a_tile[ty][j] * b_tile[j][tx];
                    barrier(CLK_LOCAL_MEM_FENCE);
                  }
                  if (row < m && col < n) out[out_at + row * out_layout.stride[r] + col * out_layout.stride[r + 1]] = STORE;
                }
                """
                .replace("DTYPE", dtype.shortName())
                .replace("ENTRY", entryPoint)
                .replace("TILE", Integer.toString(TILE))
                .replace("STORAGE", storage)
                .replace("ACC", accumulator)
                .replace("LOAD_A", load.formatted("a[a_at + row * a_layout.stride[r] + ak * a_layout.stride[r + 1]]"))
                .replace("LOAD_B", load.formatted("b[b_at + bk * b_layout.stride[r] + col * b_layout.stride[r + 1]]"))
                .replace("STORE", store);
        return GeneratedKernel.of("matmul " + dtype.shortName(), Dialect.OPENCL, generator().prelude() + "\n" + body, entryPoint, PARAMETERS);
    }
}
