package dev.crossbar.backend.archfixture.complete;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.BOOL;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;
import static dev.crossbar.api.DType.F8E4M3FN;
import static dev.crossbar.api.DType.F8E5M2;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;
import static dev.crossbar.api.DType.I8;

import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.ArgReduceKernel;
import dev.crossbar.spi.kernel.BinaryKernel;
import dev.crossbar.spi.kernel.CastKernel;
import dev.crossbar.spi.kernel.CompareKernel;
import dev.crossbar.spi.kernel.ConcatKernel;
import dev.crossbar.spi.kernel.CopyKernel;
import dev.crossbar.spi.kernel.FillKernel;
import dev.crossbar.spi.kernel.GatherKernel;
import dev.crossbar.spi.kernel.IotaKernel;
import dev.crossbar.spi.kernel.MatmulKernel;
import dev.crossbar.spi.kernel.PadKernel;
import dev.crossbar.spi.kernel.ReduceKernel;
import dev.crossbar.spi.kernel.RngKernel;
import dev.crossbar.spi.kernel.ScatterAddKernel;
import dev.crossbar.spi.kernel.SelectKernel;
import dev.crossbar.spi.kernel.UnaryKernel;
import java.util.List;

/** Declares every cell of OpSet.V1, so the every-cell rule passes on this package; the kernels themselves never run. */
@Kernel(op = Op.FULL, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
@Kernel(op = Op.IOTA, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.RNG_UNIFORM, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.RNG_NORMAL, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.NEG, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.ABS, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.EXP, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.LOG, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.SQRT, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.RSQRT, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.TANH, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.LOGISTIC, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.SIN, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.COS, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.ERF, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.ADD, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.SUB, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.MUL, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.DIV, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.MAX, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.MIN, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.POW, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.EQ, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.NE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.LT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.LE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.GT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.GE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.SELECT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.CAST, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
@Kernel(op = Op.REDUCE_SUM, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.REDUCE_MAX, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.REDUCE_MIN, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.ARGMAX, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
@Kernel(op = Op.DOT_GENERAL, dtypes = {F32, F64, F16, BF16, I32, I64})
@Kernel(op = Op.RESHAPE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
@Kernel(op = Op.PERMUTE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
@Kernel(op = Op.BROADCAST_TO, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
@Kernel(op = Op.SLICE, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
@Kernel(op = Op.COPY, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
@Kernel(op = Op.CONCAT, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
@Kernel(op = Op.PAD, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL, F8E4M3FN, F8E5M2})
@Kernel(op = Op.GATHER, dtypes = {F32, F64, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.SCATTER_ADD, dtypes = {F32, F64, F16, BF16, I8, I32, I64})
public class EveryCellKernel implements ArgReduceKernel, BinaryKernel, CastKernel, CompareKernel, ConcatKernel, CopyKernel, FillKernel, GatherKernel, IotaKernel, MatmulKernel, PadKernel, ReduceKernel, RngKernel, ScatterAddKernel, SelectKernel, UnaryKernel {
    private static UnsupportedOperationException fixture() {
        return new UnsupportedOperationException("fixture");
    }

    @Override
    public void argmax(TensorView out, TensorView in, int axis) {
        throw fixture();
    }

    @Override
    public void apply(Op op, TensorView out, TensorView a, TensorView b) {
        throw fixture();
    }

    @Override
    public void cast(TensorView out, TensorView in) {
        throw fixture();
    }

    @Override
    public void compare(Op op, TensorView out, TensorView a, TensorView b) {
        throw fixture();
    }

    @Override
    public void concat(TensorView out, List<TensorView> inputs, int axis) {
        throw fixture();
    }

    @Override
    public void copy(TensorView out, TensorView in) {
        throw fixture();
    }

    @Override
    public void fill(TensorView out, double value) {
        throw fixture();
    }

    @Override
    public void gather(TensorView out, TensorView in, TensorView index, int axis) {
        throw fixture();
    }

    @Override
    public void iota(TensorView out, int axis) {
        throw fixture();
    }

    @Override
    public void matmul(TensorView out, TensorView a, TensorView b) {
        throw fixture();
    }

    @Override
    public void pad(TensorView out, TensorView in, int[] low, int[] high, double value) {
        throw fixture();
    }

    @Override
    public void reduce(Op op, TensorView out, TensorView in, int[] axes) {
        throw fixture();
    }

    @Override
    public void random(Op op, TensorView out, long seed, long offset, double a, double b) {
        throw fixture();
    }

    @Override
    public void scatterAdd(TensorView out, TensorView index, TensorView src, int axis) {
        throw fixture();
    }

    @Override
    public void select(TensorView out, TensorView cond, TensorView a, TensorView b) {
        throw fixture();
    }

    @Override
    public void apply(Op op, TensorView out, TensorView in) {
        throw fixture();
    }
}
