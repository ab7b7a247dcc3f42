package dev.crossbar.spi;

import dev.crossbar.api.DType;
import dev.crossbar.spi.graph.GraphOp;
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
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The primitive ops of {@link OpSet#V1}: the unit of the compatibility matrix. Each op names the element types it
 * admits and the kernel interface a backend implements for it. The element type of a cell is the type of the op's
 * (first) data input; for {@link #CAST} it is the source type, and the kernel converts to every type, except that it
 * converts into an FP8 type only when the backend declares that type's cast cell too (otherwise the cast throws
 * {@link dev.crossbar.api.UnsupportedOpException} for that cell).
 *
 * <p>The FP8 storage types ({@link DType#isStorageOnly()}) are admitted by {@link #FULL}, {@link #CAST} and the layout
 * ops only: they are stored, moved and converted, and computed on after a cast.
 *
 * <p>The layout ops {@link #RESHAPE}, {@link #PERMUTE}, {@link #BROADCAST_TO} and {@link #SLICE} are views on eager
 * backends: the API expresses them with strides and calls the op's {@link CopyKernel} only when it must materialize
 * one (a reshape of a non-contiguous tensor, or reading it out).
 */
public enum Op implements GraphOp {
    /** A tensor filled with one value. */
    FULL("full", Kind.CREATION, Types.ALL, FillKernel.class),
    /** Each element's index along one axis. */
    IOTA("iota", Kind.CREATION, Types.NUMERIC, IotaKernel.class),
    /** Uniform numbers in [low, high) from Philox4x32-10 keyed by seed and offset. */
    RNG_UNIFORM("rng_uniform", Kind.CREATION, Types.FLOATING, RngKernel.class),
    /** Normal numbers (Box-Muller over Philox4x32-10) keyed by seed and offset. */
    RNG_NORMAL("rng_normal", Kind.CREATION, Types.FLOATING, RngKernel.class),

    /** Negation. */
    NEG("neg", Kind.UNARY, Types.NUMERIC, UnaryKernel.class),
    /** Absolute value. */
    ABS("abs", Kind.UNARY, Types.NUMERIC, UnaryKernel.class),
    /** Natural exponential. */
    EXP("exp", Kind.UNARY, Types.FLOATING, UnaryKernel.class),
    /** Natural logarithm. */
    LOG("log", Kind.UNARY, Types.FLOATING, UnaryKernel.class),
    /** Square root. */
    SQRT("sqrt", Kind.UNARY, Types.FLOATING, UnaryKernel.class),
    /** Reciprocal square root. */
    RSQRT("rsqrt", Kind.UNARY, Types.FLOATING, UnaryKernel.class),
    /** Hyperbolic tangent. */
    TANH("tanh", Kind.UNARY, Types.FLOATING, UnaryKernel.class),
    /** The logistic sigmoid 1 / (1 + exp(-x)). */
    LOGISTIC("logistic", Kind.UNARY, Types.FLOATING, UnaryKernel.class),
    /** Sine. */
    SIN("sin", Kind.UNARY, Types.FLOATING, UnaryKernel.class),
    /** Cosine. */
    COS("cos", Kind.UNARY, Types.FLOATING, UnaryKernel.class),
    /** The Gauss error function. */
    ERF("erf", Kind.UNARY, Types.FLOATING, UnaryKernel.class),

    /** Addition. */
    ADD("add", Kind.BINARY, Types.NUMERIC, BinaryKernel.class),
    /** Subtraction. */
    SUB("sub", Kind.BINARY, Types.NUMERIC, BinaryKernel.class),
    /** Multiplication. */
    MUL("mul", Kind.BINARY, Types.NUMERIC, BinaryKernel.class),
    /** Division; integer division truncates toward zero and fails on a zero divisor. */
    DIV("div", Kind.BINARY, Types.NUMERIC, BinaryKernel.class),
    /** Power. */
    POW("pow", Kind.BINARY, Types.FLOATING, BinaryKernel.class),
    /** Element-wise maximum; NaN wins. */
    MAX("max", Kind.BINARY, Types.NUMERIC, BinaryKernel.class),
    /** Element-wise minimum; NaN wins. */
    MIN("min", Kind.BINARY, Types.NUMERIC, BinaryKernel.class),

    /** Equal, giving BOOL. */
    EQ("eq", Kind.COMPARE, Types.COMPUTED, CompareKernel.class),
    /** Not equal, giving BOOL. */
    NE("ne", Kind.COMPARE, Types.COMPUTED, CompareKernel.class),
    /** Less than, giving BOOL. */
    LT("lt", Kind.COMPARE, Types.COMPUTED, CompareKernel.class),
    /** Less than or equal, giving BOOL. */
    LE("le", Kind.COMPARE, Types.COMPUTED, CompareKernel.class),
    /** Greater than, giving BOOL. */
    GT("gt", Kind.COMPARE, Types.COMPUTED, CompareKernel.class),
    /** Greater than or equal, giving BOOL. */
    GE("ge", Kind.COMPARE, Types.COMPUTED, CompareKernel.class),
    /** {@code cond ? a : b} element-wise; the cell's type is that of a and b. */
    SELECT("select", Kind.SELECT, Types.COMPUTED, SelectKernel.class),

    /** Conversion between element types; the cell's type is the source type. */
    CAST("cast", Kind.CAST, Types.ALL, CastKernel.class),

    /** Sum over axes. */
    REDUCE_SUM("reduce_sum", Kind.REDUCE, Types.NUMERIC, ReduceKernel.class),
    /** Maximum over axes; NaN wins. */
    REDUCE_MAX("reduce_max", Kind.REDUCE, Types.NUMERIC, ReduceKernel.class),
    /** Minimum over axes; NaN wins. */
    REDUCE_MIN("reduce_min", Kind.REDUCE, Types.NUMERIC, ReduceKernel.class),
    /** Index (I64) of the first maximum along an axis; NaN counts as the maximum. */
    ARGMAX("argmax", Kind.REDUCE, Types.NUMERIC, ArgReduceKernel.class),

    /** Batched matrix product with broadcasting batch dimensions. */
    DOT_GENERAL("dot_general", Kind.MATMUL, Types.MATMUL, MatmulKernel.class),

    /** New shape over the same elements in row-major order. */
    RESHAPE("reshape", Kind.LAYOUT, Types.ALL, CopyKernel.class),
    /** Reordering of the axes. */
    PERMUTE("permute", Kind.LAYOUT, Types.ALL, CopyKernel.class),
    /** Repetition along size-1 or new leading axes. */
    BROADCAST_TO("broadcast_to", Kind.LAYOUT, Types.ALL, CopyKernel.class),
    /** A strided window: start, limit and step per axis. */
    SLICE("slice", Kind.LAYOUT, Types.ALL, CopyKernel.class),
    /** Joining along an axis. */
    CONCAT("concat", Kind.LAYOUT, Types.ALL, ConcatKernel.class),
    /** Padding with a value before and after each axis. */
    PAD("pad", Kind.LAYOUT, Types.ALL, PadKernel.class),
    /** Materializing a (possibly strided) view into row-major storage. */
    COPY("copy", Kind.LAYOUT, Types.ALL, CopyKernel.class),

    /** Take along an axis: {@code out[i][j] = in[i][index[i][j]]} for axis 1 (PyTorch's gather). */
    GATHER("gather", Kind.INDEXING, Types.COMPUTED, GatherKernel.class),
    /** Scatter-add along an axis, the adjoint of gather: {@code out[i][index[i][j]] += src[i][j]} for axis 1. */
    SCATTER_ADD("scatter_add", Kind.INDEXING, Types.NUMERIC, ScatterAddKernel.class);

    /** The families of ops, each with its kernel interface. */
    public enum Kind {
        /** full, iota, rng. */
        CREATION,
        /** One input, same shape out. */
        UNARY,
        /** Two inputs broadcast together. */
        BINARY,
        /** Two inputs, BOOL out. */
        COMPARE,
        /** Condition and two values. */
        SELECT,
        /** Type conversion. */
        CAST,
        /** Reductions over axes. */
        REDUCE,
        /** Batched matrix product. */
        MATMUL,
        /** Views and copies. */
        LAYOUT,
        /** Gather and scatter. */
        INDEXING
    }

    private final String opName;
    private final Kind kind;
    private final Set<DType> admitted;
    private final Class<? extends OpKernel> kernelType;

    Op(String opName, Kind kind, Set<DType> admitted, Class<? extends OpKernel> kernelType) {
        this.opName = opName;
        this.kind = kind;
        this.admitted = Collections.unmodifiableSet(admitted);
        this.kernelType = kernelType;
    }

    /**
     * Returns the op's name as written in the matrix and in StableHLO-like IR, such as {@code "reduce_sum"}.
     *
     * @return the name
     */
    public String opName() {
        return opName;
    }

    /**
     * Returns the family of the op.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * Returns the element types this op admits; a backend may declare any subset.
     *
     * @return the admitted types
     */
    public Set<DType> admitted() {
        return admitted;
    }

    /**
     * Returns the interface a kernel for this op implements.
     *
     * @return the kernel interface
     */
    public Class<? extends OpKernel> kernelType() {
        return kernelType;
    }

    private static final class Types {
        /** Every type, the FP8 storage types included: creation by full, cast, and the layout ops that move bits. */
        static final Set<DType> ALL = EnumSet.allOf(DType.class);
        /** The types ops compute on: all but the storage types. */
        static final Set<DType> COMPUTED = EnumSet.of(DType.F32, DType.F64, DType.F16, DType.BF16, DType.I8, DType.I32, DType.I64, DType.BOOL);
        static final Set<DType> NUMERIC = EnumSet.of(DType.F32, DType.F64, DType.F16, DType.BF16, DType.I8, DType.I32, DType.I64);
        static final Set<DType> FLOATING = EnumSet.of(DType.F32, DType.F64, DType.F16, DType.BF16);
        static final Set<DType> MATMUL = EnumSet.of(DType.F32, DType.F64, DType.F16, DType.BF16, DType.I32, DType.I64);
    }
}
