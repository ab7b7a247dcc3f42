package dev.crossbar.backend.neuron;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.BOOL;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.I32;
import static dev.crossbar.api.DType.I64;
import static dev.crossbar.api.DType.I8;

import dev.crossbar.api.DType;
import dev.crossbar.backend.xla.kernel.XlaKernels;
import dev.crossbar.backend.xla.lazy.LazyEngine;
import dev.crossbar.backend.xla.lazy.Ops;
import dev.crossbar.spi.DeviceBuffer;
import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.Philox;
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
import dev.crossbar.spi.kernel.OpKernel;
import dev.crossbar.spi.kernel.PadKernel;
import dev.crossbar.spi.kernel.ReduceKernel;
import dev.crossbar.spi.kernel.RngKernel;
import dev.crossbar.spi.kernel.ScatterAddKernel;
import dev.crossbar.spi.kernel.SelectKernel;
import dev.crossbar.spi.kernel.UnaryKernel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The cells Neuron runs, each recorded by the xla backend's kernel of its op into the lazy engine, so a Neuron program
 * is the graph xla would build, lowered by the same StableHLO lowering.
 *
 * <p>The types are those the Neuron compiler documents: FP32, FP16 and BF16 tensors and operators ("Mixed Precision
 * and Performance-accuracy Tuning (neuronx-cc)", and "Data Types" under Neuron features, in the AWS Neuron
 * documentation, awsdocs-neuron.readthedocs-hosted.com), plus the I32, I64 and BOOL values that indices, positions and
 * masks are made of. F64 is not declared: NeuronCores have no double-precision units, and a program with an F64 value
 * is refused by {@link NeuronProgramRules}. I8 is declared only where values are stored, moved and converted (fill,
 * layout, gather, select, cast), so 8-bit data can be read and written, not computed on: the same guide lists INT8
 * computation in the Neuron compiler as planned, not available.
 *
 * <p>The OCP FP8 types are not declared. The Neuron compiler refuses F8E4M3FN operands on Trn1 and Trn2 (error
 * NCC_EVRF051, "Data type F8E4M3FN is not supported on TRN1/TRN2"; native from Trn3, otherwise only through an
 * experimental flag that reinterprets them as the IEEE-style F8E4M3, a different format), NeuronCore-v2 and v3 document
 * their 8-bit type as the configurable cFP8, and the plugin's {@code PJRT_Plugin_Attributes} carry versions, not
 * element types, so no attribute of the plugin can declare them either. Cells are declared per provider, not per
 * instance, so they wait for a way to declare cells from the probed instance (Trn3 and later).
 *
 * <p>F32 normal numbers are drawn on the host, see {@link #random}. F32 matrix products compute in the rules' compute
 * type: by default the Neuron compiler casts FP32 matrix multiplications to BF16 and accumulates in FP32 (the guide
 * above, "auto-cast matmult"), so with BF16 the operands are rounded to BF16 and the product is accumulated and
 * returned in F32, as on a NeuronCore.
 */
@Kernel(op = Op.FULL, dtypes = {F32, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.IOTA, dtypes = {F32, F16, BF16, I32, I64})
@Kernel(op = Op.RNG_UNIFORM, dtypes = {F32, F16, BF16})
@Kernel(op = Op.RNG_NORMAL, dtypes = {F32, F16, BF16})
@Kernel(op = Op.NEG, dtypes = {F32, F16, BF16, I32, I64})
@Kernel(op = Op.ABS, dtypes = {F32, F16, BF16, I32, I64})
@Kernel(op = Op.EXP, dtypes = {F32, F16, BF16})
@Kernel(op = Op.LOG, dtypes = {F32, F16, BF16})
@Kernel(op = Op.SQRT, dtypes = {F32, F16, BF16})
@Kernel(op = Op.RSQRT, dtypes = {F32, F16, BF16})
@Kernel(op = Op.TANH, dtypes = {F32, F16, BF16})
@Kernel(op = Op.LOGISTIC, dtypes = {F32, F16, BF16})
@Kernel(op = Op.SIN, dtypes = {F32, F16, BF16})
@Kernel(op = Op.COS, dtypes = {F32, F16, BF16})
@Kernel(op = Op.ERF, dtypes = {F32, F16, BF16})
@Kernel(op = Op.ADD, dtypes = {F32, F16, BF16, I32, I64})
@Kernel(op = Op.SUB, dtypes = {F32, F16, BF16, I32, I64})
@Kernel(op = Op.MUL, dtypes = {F32, F16, BF16, I32, I64})
@Kernel(op = Op.DIV, dtypes = {F32, F16, BF16, I32, I64})
@Kernel(op = Op.POW, dtypes = {F32, F16, BF16})
@Kernel(op = Op.MAX, dtypes = {F32, F16, BF16, I32, I64})
@Kernel(op = Op.MIN, dtypes = {F32, F16, BF16, I32, I64})
@Kernel(op = Op.EQ, dtypes = {F32, F16, BF16, I32, I64, BOOL})
@Kernel(op = Op.NE, dtypes = {F32, F16, BF16, I32, I64, BOOL})
@Kernel(op = Op.LT, dtypes = {F32, F16, BF16, I32, I64, BOOL})
@Kernel(op = Op.LE, dtypes = {F32, F16, BF16, I32, I64, BOOL})
@Kernel(op = Op.GT, dtypes = {F32, F16, BF16, I32, I64, BOOL})
@Kernel(op = Op.GE, dtypes = {F32, F16, BF16, I32, I64, BOOL})
@Kernel(op = Op.SELECT, dtypes = {F32, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.CAST, dtypes = {F32, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.REDUCE_SUM, dtypes = {F32, F16, BF16, I32, I64})
@Kernel(op = Op.REDUCE_MAX, dtypes = {F32, F16, BF16, I32, I64})
@Kernel(op = Op.REDUCE_MIN, dtypes = {F32, F16, BF16, I32, I64})
@Kernel(op = Op.ARGMAX, dtypes = {F32, F16, BF16, I32, I64})
@Kernel(op = Op.DOT_GENERAL, dtypes = {F32, F16, BF16, I32, I64})
@Kernel(op = Op.COPY, dtypes = {F32, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.RESHAPE, dtypes = {F32, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.PERMUTE, dtypes = {F32, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.BROADCAST_TO, dtypes = {F32, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.SLICE, dtypes = {F32, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.CONCAT, dtypes = {F32, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.PAD, dtypes = {F32, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.GATHER, dtypes = {F32, F16, BF16, I8, I32, I64, BOOL})
@Kernel(op = Op.SCATTER_ADD, dtypes = {F32, F16, BF16, I32, I64})
final class NeuronKernels implements FillKernel, IotaKernel, RngKernel, UnaryKernel, BinaryKernel, CompareKernel, SelectKernel, CastKernel,
        ReduceKernel, ArgReduceKernel, MatmulKernel, CopyKernel, ConcatKernel, PadKernel, GatherKernel, ScatterAddKernel {
    private final LazyEngine engine;
    private final DType computeType;
    private final List<OpKernel> xla;

    /**
     * Kernels recording into an engine.
     *
     * @param engine the engine
     * @param computeType the type F32 matrix products compute in
     */
    NeuronKernels(LazyEngine engine, DType computeType) {
        this.engine = engine;
        this.computeType = computeType;
        this.xla = XlaKernels.create(engine);
    }

    /** The xla kernel implementing an op's kernel interface; the kernel set has already checked Neuron declares the cell. */
    private <K extends OpKernel> K xla(Class<K> type) {
        return xla.stream().filter(type::isInstance).map(type::cast).findFirst()
                .orElseThrow(() -> new IllegalStateException("the xla backend has no " + type.getSimpleName()));
    }

    @Override
    public void fill(TensorView out, double value) {
        xla(FillKernel.class).fill(out, value);
    }

    @Override
    public void iota(TensorView out, int axis) {
        xla(IotaKernel.class).iota(out, axis);
    }

    @Override
    public void random(Op op, TensorView out, long seed, long offset, double a, double b) {
        if (op == Op.RNG_NORMAL && out.dtype() == F32) {
            drawNormalsOnTheHost(out, seed, offset, a, b);
            return;
        }
        xla(RngKernel.class).random(op, out, seed, offset, a, b);
    }

    /**
     * F32 normal numbers come from the host: the Box-Muller transform of {@link Philox} needs F64 to round each
     * number once, which NeuronCores lack, and in F32 about one number in 50000 differs from the reference by 1e-5.
     * F16 and BF16 round that difference away, so they are drawn on the device.
     */
    private void drawNormalsOnTheHost(TensorView out, long seed, long offset, double mean, double std) {
        MemorySegment values = Arena.ofAuto().allocate(out.size() * F32.byteSize(), 8);
        int[] words = new int[4];
        double[] normals = new double[4];
        for (long i = 0; i < out.size(); i++) {
            if (i % 4 == 0) {
                Philox.block(seed, offset + i / 4, words);
                Philox.normals(words, normals);
            }
            values.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (mean + std * normals[(int) (i % 4)]));
        }
        try (DeviceBuffer drawn = engine.allocate(out.buffer().device(), values.byteSize())) {
            engine.copyFromHost(values, drawn, 0);
            xla(CopyKernel.class).copy(out, TensorView.contiguous(drawn, F32, out.shape()));
        }
    }

    @Override
    public void apply(Op op, TensorView out, TensorView in) {
        xla(UnaryKernel.class).apply(op, out, in);
    }

    @Override
    public void apply(Op op, TensorView out, TensorView a, TensorView b) {
        xla(BinaryKernel.class).apply(op, out, a, b);
    }

    @Override
    public void compare(Op op, TensorView out, TensorView a, TensorView b) {
        xla(CompareKernel.class).compare(op, out, a, b);
    }

    @Override
    public void select(TensorView out, TensorView cond, TensorView a, TensorView b) {
        xla(SelectKernel.class).select(out, cond, a, b);
    }

    @Override
    public void cast(TensorView out, TensorView in) {
        xla(CastKernel.class).cast(out, in);
    }

    @Override
    public void reduce(Op op, TensorView out, TensorView in, int[] axes) {
        xla(ReduceKernel.class).reduce(op, out, in, axes);
    }

    @Override
    public void argmax(TensorView out, TensorView in, int axis) {
        xla(ArgReduceKernel.class).argmax(out, in, axis);
    }

    @Override
    public void matmul(TensorView out, TensorView a, TensorView b) {
        MatmulKernel matmul = xla(MatmulKernel.class);
        if (out.dtype() != F32 || computeType == F32) {
            matmul.matmul(out, a, b);
            return;
        }
        try (DeviceBuffer roundedA = rounded(a); DeviceBuffer roundedB = rounded(b)) {
            matmul.matmul(out, TensorView.contiguous(roundedA, F32, a.shape()), TensorView.contiguous(roundedB, F32, b.shape()));
        }
    }

    /**
     * A buffer holding an F32 operand rounded to the compute type and widened back, so the product multiplies
     * compute-type values and accumulates in F32. The recorded value outlives the buffer, which only names it.
     */
    private DeviceBuffer rounded(TensorView operand) {
        DeviceBuffer buffer = engine.allocate(operand.buffer().device(), operand.size() * F32.byteSize());
        engine.write(TensorView.contiguous(buffer, F32, operand.shape()), Ops.cast(Ops.cast(engine.read(operand), computeType), F32));
        return buffer;
    }

    @Override
    public void copy(TensorView out, TensorView in) {
        xla(CopyKernel.class).copy(out, in);
    }

    @Override
    public void concat(TensorView out, List<TensorView> inputs, int axis) {
        xla(ConcatKernel.class).concat(out, inputs, axis);
    }

    @Override
    public void pad(TensorView out, TensorView in, int[] low, int[] high, double value) {
        xla(PadKernel.class).pad(out, in, low, high, value);
    }

    @Override
    public void gather(TensorView out, TensorView in, TensorView index, int axis) {
        xla(GatherKernel.class).gather(out, in, index, axis);
    }

    @Override
    public void scatterAdd(TensorView out, TensorView index, TensorView src, int axis) {
        xla(ScatterAddKernel.class).scatterAdd(out, index, src, axis);
    }
}
