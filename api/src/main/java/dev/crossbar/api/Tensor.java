package dev.crossbar.api;

import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.ArgReduceKernel;
import dev.crossbar.spi.kernel.BinaryKernel;
import dev.crossbar.spi.kernel.CastKernel;
import dev.crossbar.spi.kernel.CompareKernel;
import dev.crossbar.spi.kernel.ConcatKernel;
import dev.crossbar.spi.kernel.CopyKernel;
import dev.crossbar.spi.kernel.GatherKernel;
import dev.crossbar.spi.kernel.MatmulKernel;
import dev.crossbar.spi.kernel.PadKernel;
import dev.crossbar.spi.kernel.ReduceKernel;
import dev.crossbar.spi.kernel.ScatterAddKernel;
import dev.crossbar.spi.kernel.SelectKernel;
import dev.crossbar.spi.kernel.UnaryKernel;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An n-dimensional array on one device, owned by a {@link TensorScope}.
 *
 * <p>Ops return new tensors, owned by the innermost open scope of the calling thread. Binary ops broadcast with numpy's
 * rules and promote element types as described on {@link DType}. Views ({@link #reshape}, {@link #permute},
 * {@link #broadcastTo}, {@link #slice}) share memory with their source where strides allow and copy otherwise;
 * memory is freed when the last tensor using it closes. Using a closed tensor throws
 * {@link AlreadyClosedException} with the message {@code "Already closed: <tensor>"}.
 *
 * <p>Errors are typed: {@link ShapeMismatchException} names the op and both shapes, {@link InvalidAxisException}
 * the axis and rank, {@link DTypeNotAdmittedException} the op and the types it admits,
 * {@link DeviceMismatchException} both devices, and {@link UnsupportedOpException} the backend's missing cell.
 */
public final class Tensor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Tensor.class);
    private static final Cleaner CLEANER = Cleaner.create();

    private final Storage storage;
    private final DType dtype;
    private final Shape shape;
    private final long[] strides;
    private final long offset;
    private final LeakGuard guard;
    private final Cleaner.Cleanable cleanable;
    private volatile TensorScope scope;
    private boolean requiresGrad;
    private Autograd.Node gradNode;
    private Tensor grad;
    /** The scope whose list of owned tensors holds this one, and the neighbours there; guarded by that scope. */
    TensorScope listedIn;
    Tensor listPrevious;
    Tensor listNext;

    Tensor(Storage storage, DType dtype, Shape shape, long[] strides, long offset, TensorScope scope) {
        this.storage = storage;
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.scope = scope;
        this.guard = new LeakGuard(storage, dtype, shape);
        this.cleanable = CLEANER.register(this, guard);
        MemoryAccounting.tensorOpened();
    }

    /**
     * Frees the storage reference of a tensor that became unreachable without being closed, and says so. Closing the
     * tensor runs it through {@link Cleaner.Cleanable#clean()}, which also unregisters it, so that the garbage
     * collector has no reference left to process for tensors that were closed.
     */
    private static final class LeakGuard implements Runnable {
        private final Storage storage;
        private final DType dtype;
        private final Shape shape;
        private final AtomicBoolean released = new AtomicBoolean();
        private boolean closedExplicitly;

        LeakGuard(Storage storage, DType dtype, Shape shape) {
            this.storage = storage;
            this.dtype = dtype;
            this.shape = shape;
        }

        boolean release() {
            if (released.compareAndSet(false, true)) {
                MemoryAccounting.tensorClosed();
                storage.release();
                return true;
            }
            return false;
        }

        @Override
        public void run() {
            if (release() && !closedExplicitly) {
                LOG.warn("Tensor {} was never closed and became unreachable; its memory is freed now. Close tensors, or the TensorScope that owns them, with try-with-resources",
                        dtype + shape.toString() + " on " + storage.buffer().device());
            }
        }
    }

    // ---------------------------------------------------------------- properties

    /**
     * Returns the shape.
     *
     * @return the shape
     */
    public Shape shape() {
        return shape;
    }

    /**
     * Returns the element type.
     *
     * @return the element type
     */
    public DType dtype() {
        return dtype;
    }

    /**
     * Returns the device holding the elements.
     *
     * @return the device
     */
    public Device device() {
        return storage.buffer().device();
    }

    /**
     * Returns the strides, in elements.
     *
     * @return one stride per dimension
     */
    public long[] strides() {
        return strides.clone();
    }

    /**
     * Returns the number of dimensions.
     *
     * @return the rank
     */
    public int rank() {
        return shape.rank();
    }

    /**
     * Returns the number of elements.
     *
     * @return the element count
     */
    public long size() {
        return shape.size();
    }

    /**
     * Tells whether the elements are stored row-major without gaps.
     *
     * @return true when contiguous
     */
    public boolean isContiguous() {
        return view().isContiguous();
    }

    /**
     * Tells whether this tensor has been closed, by itself or by its scope.
     *
     * @return true after close
     */
    public boolean isClosed() {
        return guard.released.get();
    }

    /**
     * Returns the scope that owns this tensor.
     *
     * @return the owner
     */
    public TensorScope scope() {
        return scope;
    }

    // ---------------------------------------------------------------- unary

    /**
     * Negation.
     *
     * @return {@code -this}
     */
    public Tensor neg() {
        return unary(Op.NEG);
    }

    /**
     * Absolute value.
     *
     * @return {@code |this|}
     */
    public Tensor abs() {
        return unary(Op.ABS);
    }

    /**
     * Natural exponential; floating types only.
     *
     * @return {@code e^this}
     */
    public Tensor exp() {
        return unary(Op.EXP);
    }

    /**
     * Natural logarithm; floating types only.
     *
     * @return {@code ln(this)}
     */
    public Tensor log() {
        return unary(Op.LOG);
    }

    /**
     * Square root; floating types only.
     *
     * @return {@code sqrt(this)}
     */
    public Tensor sqrt() {
        return unary(Op.SQRT);
    }

    /**
     * Reciprocal square root; floating types only.
     *
     * @return {@code 1 / sqrt(this)}
     */
    public Tensor rsqrt() {
        return unary(Op.RSQRT);
    }

    /**
     * Hyperbolic tangent; floating types only.
     *
     * @return {@code tanh(this)}
     */
    public Tensor tanh() {
        return unary(Op.TANH);
    }

    /**
     * Logistic sigmoid; floating types only.
     *
     * @return {@code 1 / (1 + e^-this)}
     */
    public Tensor logistic() {
        return unary(Op.LOGISTIC);
    }

    /**
     * Sine; floating types only.
     *
     * @return {@code sin(this)}
     */
    public Tensor sin() {
        return unary(Op.SIN);
    }

    /**
     * Cosine; floating types only.
     *
     * @return {@code cos(this)}
     */
    public Tensor cos() {
        return unary(Op.COS);
    }

    /**
     * Gauss error function; floating types only.
     *
     * @return {@code erf(this)}
     */
    public Tensor erf() {
        return unary(Op.ERF);
    }

    private Tensor unary(Op op) {
        checkOpen();
        UnaryKernel kernel = scope.kernelFor(op, dtype, UnaryKernel.class);
        Tensor out = newResult(dtype, shape);
        kernel.apply(op, out.view(), view());
        Autograd.unary(op, this, out);
        return out;
    }

    // ---------------------------------------------------------------- binary

    /**
     * Addition with broadcasting and promotion.
     *
     * @param other the other operand
     * @return {@code this + other}
     */
    public Tensor add(Tensor other) {
        return binary(Op.ADD, other);
    }

    /**
     * Adds an integer scalar, which takes this tensor's type.
     *
     * @param value the scalar
     * @return {@code this + value}
     */
    public Tensor add(long value) {
        return binaryScalar(Op.ADD, value, false);
    }

    /**
     * Adds a floating scalar; a BOOL or integer tensor gives F32, as described on {@link DType}.
     *
     * @param value the scalar
     * @return {@code this + value}
     */
    public Tensor add(double value) {
        return binaryScalar(Op.ADD, value, true);
    }

    /**
     * Subtraction with broadcasting and promotion.
     *
     * @param other the other operand
     * @return {@code this - other}
     */
    public Tensor sub(Tensor other) {
        return binary(Op.SUB, other);
    }

    /**
     * Subtracts an integer scalar.
     *
     * @param value the scalar
     * @return {@code this - value}
     */
    public Tensor sub(long value) {
        return binaryScalar(Op.SUB, value, false);
    }

    /**
     * Subtracts a floating scalar.
     *
     * @param value the scalar
     * @return {@code this - value}
     */
    public Tensor sub(double value) {
        return binaryScalar(Op.SUB, value, true);
    }

    /**
     * Multiplication with broadcasting and promotion.
     *
     * @param other the other operand
     * @return {@code this * other}
     */
    public Tensor mul(Tensor other) {
        return binary(Op.MUL, other);
    }

    /**
     * Multiplies by an integer scalar.
     *
     * @param value the scalar
     * @return {@code this * value}
     */
    public Tensor mul(long value) {
        return binaryScalar(Op.MUL, value, false);
    }

    /**
     * Multiplies by a floating scalar.
     *
     * @param value the scalar
     * @return {@code this * value}
     */
    public Tensor mul(double value) {
        return binaryScalar(Op.MUL, value, true);
    }

    /**
     * Division with broadcasting and promotion; integer division truncates toward zero and throws
     * {@link ArithmeticException} on a zero divisor.
     *
     * @param other the divisor
     * @return {@code this / other}
     */
    public Tensor div(Tensor other) {
        return binary(Op.DIV, other);
    }

    /**
     * Divides by an integer scalar.
     *
     * @param value the divisor
     * @return {@code this / value}
     */
    public Tensor div(long value) {
        return binaryScalar(Op.DIV, value, false);
    }

    /**
     * Divides by a floating scalar.
     *
     * @param value the divisor
     * @return {@code this / value}
     */
    public Tensor div(double value) {
        return binaryScalar(Op.DIV, value, true);
    }

    /**
     * Power with broadcasting and promotion; floating types only.
     *
     * @param exponent the exponent
     * @return {@code this ^ exponent}
     */
    public Tensor pow(Tensor exponent) {
        return binary(Op.POW, exponent);
    }

    /**
     * Raises to a scalar power.
     *
     * @param exponent the exponent
     * @return {@code this ^ exponent}
     */
    public Tensor pow(double exponent) {
        return binaryScalar(Op.POW, exponent, true);
    }

    /**
     * Element-wise maximum with broadcasting and promotion; NaN wins.
     *
     * @param other the other operand
     * @return {@code max(this, other)}
     */
    public Tensor maximum(Tensor other) {
        return binary(Op.MAX, other);
    }

    /**
     * Element-wise maximum with a scalar.
     *
     * @param value the scalar
     * @return {@code max(this, value)}
     */
    public Tensor maximum(double value) {
        return binaryScalar(Op.MAX, value, true);
    }

    /**
     * Element-wise minimum with broadcasting and promotion; NaN wins.
     *
     * @param other the other operand
     * @return {@code min(this, other)}
     */
    public Tensor minimum(Tensor other) {
        return binary(Op.MIN, other);
    }

    /**
     * Element-wise minimum with a scalar.
     *
     * @param value the scalar
     * @return {@code min(this, value)}
     */
    public Tensor minimum(double value) {
        return binaryScalar(Op.MIN, value, true);
    }

    // ---------------------------------------------------------------- compare and select

    /**
     * Equality, giving BOOL.
     *
     * @param other the other operand
     * @return {@code this == other}
     */
    public Tensor eq(Tensor other) {
        return compare(Op.EQ, other);
    }

    /**
     * Inequality, giving BOOL; true where either is NaN.
     *
     * @param other the other operand
     * @return {@code this != other}
     */
    public Tensor ne(Tensor other) {
        return compare(Op.NE, other);
    }

    /**
     * Less than, giving BOOL.
     *
     * @param other the other operand
     * @return {@code this < other}
     */
    public Tensor lt(Tensor other) {
        return compare(Op.LT, other);
    }

    /**
     * Less than or equal, giving BOOL.
     *
     * @param other the other operand
     * @return {@code this <= other}
     */
    public Tensor le(Tensor other) {
        return compare(Op.LE, other);
    }

    /**
     * Greater than, giving BOOL.
     *
     * @param other the other operand
     * @return {@code this > other}
     */
    public Tensor gt(Tensor other) {
        return compare(Op.GT, other);
    }

    /**
     * Greater than or equal, giving BOOL.
     *
     * @param other the other operand
     * @return {@code this >= other}
     */
    public Tensor ge(Tensor other) {
        return compare(Op.GE, other);
    }

    /**
     * Picks from {@code a} where {@code condition} is true and from {@code b} elsewhere, broadcasting all three.
     *
     * @param condition a BOOL tensor
     * @param a values where true
     * @param b values where false; promoted with {@code a}
     * @return the selection
     */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        String op = Op.SELECT.opName();
        condition.checkOpen();
        a.checkOpen();
        b.checkOpen();
        condition.checkSameDevice(op, a);
        condition.checkSameDevice(op, b);
        if (condition.dtype != DType.BOOL) {
            throw new DTypeNotAdmittedException(op + " condition", condition.dtype, java.util.Set.of(DType.BOOL));
        }
        DType type = DType.promote(a.dtype, b.dtype);
        Shape out = Shape.broadcast(op, Shape.broadcast(op, condition.shape, a.shape), b.shape);
        SelectKernel kernel = condition.scope.kernelFor(Op.SELECT, type, SelectKernel.class);
        Tensor ca = a.castTemp(type);
        Tensor cb = b.castTemp(type);
        try {
            Tensor result = condition.newResult(type, out);
            kernel.select(result.view(), condition.broadcastView(out), ca.broadcastView(out), cb.broadcastView(out));
            Autograd.select(condition, a, b, result);
            return result;
        } finally {
            closeTemp(ca, a);
            closeTemp(cb, b);
        }
    }

    // ---------------------------------------------------------------- cast

    /**
     * Converts to another element type: floats to integers truncate toward zero (NaN gives 0, out-of-range saturates),
     * to BOOL is {@code x != 0}, to F16 and BF16 rounds to nearest even, to the FP8 types as
     * {@link dev.crossbar.spi.Float8} states (nearest even, not saturating).
     *
     * @param target the element type
     * @return the converted tensor (a new tensor even when the type is unchanged)
     * @throws UnsupportedOpException if the backend declares no cast from this tensor's type, or {@code target} is an
     *     FP8 type whose cast cell the backend does not declare (it converts into FP8 only where it declares FP8)
     */
    public Tensor cast(DType target) {
        checkOpen();
        CastKernel kernel = scope.kernelFor(Op.CAST, dtype, CastKernel.class);
        if (target.isStorageOnly()) {
            scope.kernelFor(Op.CAST, target, CastKernel.class);
        }
        Tensor out = newResult(target, shape);
        kernel.cast(out.view(), view());
        Autograd.cast(this, out);
        return out;
    }

    // ---------------------------------------------------------------- reductions

    /**
     * Sums over axes, dropping them; no axes sums everything into a scalar.
     *
     * @param axes the axes, negative counting from the end
     * @return the sum
     */
    public Tensor sum(int... axes) {
        return reduce(Op.REDUCE_SUM, axes, false);
    }

    /**
     * Sums over axes.
     *
     * @param axes the axes; empty means all
     * @param keepDims whether the reduced axes stay with size 1
     * @return the sum
     */
    public Tensor sum(int[] axes, boolean keepDims) {
        return reduce(Op.REDUCE_SUM, axes, keepDims);
    }

    /**
     * Maximum over axes, dropping them; no axes means all. NaN wins; an empty axis is an error.
     *
     * @param axes the axes
     * @return the maximum
     */
    public Tensor max(int... axes) {
        return reduce(Op.REDUCE_MAX, axes, false);
    }

    /**
     * Maximum over axes.
     *
     * @param axes the axes; empty means all
     * @param keepDims whether the reduced axes stay with size 1
     * @return the maximum
     */
    public Tensor max(int[] axes, boolean keepDims) {
        return reduce(Op.REDUCE_MAX, axes, keepDims);
    }

    /**
     * Minimum over axes, dropping them; no axes means all. NaN wins; an empty axis is an error.
     *
     * @param axes the axes
     * @return the minimum
     */
    public Tensor min(int... axes) {
        return reduce(Op.REDUCE_MIN, axes, false);
    }

    /**
     * Minimum over axes.
     *
     * @param axes the axes; empty means all
     * @param keepDims whether the reduced axes stay with size 1
     * @return the minimum
     */
    public Tensor min(int[] axes, boolean keepDims) {
        return reduce(Op.REDUCE_MIN, axes, keepDims);
    }

    /**
     * Mean over axes, dropping them; no axes means all. Integer tensors give F32.
     *
     * @param axes the axes
     * @return the mean
     */
    public Tensor mean(int... axes) {
        return mean(axes, false);
    }

    /**
     * Mean over axes, the sum divided by the number of elements reduced.
     *
     * @param axes the axes; empty means all
     * @param keepDims whether the reduced axes stay with size 1
     * @return the mean
     */
    public Tensor mean(int[] axes, boolean keepDims) {
        checkOpen();
        long count = reducedCount(axes);
        Tensor x = dtype.isFloating() ? this : cast(DType.F32);
        try (Tensor sum = x.sum(axes, keepDims)) {
            return sum.div((double) count);
        } finally {
            closeTemp(x, this);
        }
    }

    /**
     * Variance over axes: the mean squared deviation from the mean, times {@code n / (n - correction)}.
     *
     * @param axes the axes; empty means all
     * @param keepDims whether the reduced axes stay with size 1
     * @param correction 0 for the population variance, 1 for Bessel's unbiased estimate
     * @return the variance
     */
    public Tensor var(int[] axes, boolean keepDims, int correction) {
        checkOpen();
        long count = reducedCount(axes);
        try (Tensor mu = mean(axes, true);
                Tensor deviation = sub(mu);
                Tensor squared = deviation.mul(deviation);
                Tensor total = squared.sum(axes, keepDims)) {
            return total.div((double) Math.max(count - correction, 0));
        }
    }

    private long reducedCount(int[] axes) {
        if (axes.length == 0) {
            return size();
        }
        long n = 1;
        for (int a : normalizeAxes("mean", axes)) {
            n *= shape.dim(a);
        }
        return n;
    }

    /**
     * Index (I64) of the first maximum along an axis; NaN counts as the maximum.
     *
     * @param axis the axis
     * @param keepDims whether the axis stays with size 1
     * @return the indices
     */
    public Tensor argmax(int axis, boolean keepDims) {
        checkOpen();
        String op = Op.ARGMAX.opName();
        int a = shape.normalizeAxis(axis, op);
        if (shape.dim(a) == 0) {
            throw new ShapeMismatchException(op, shape, "axis " + a + " is empty; argmax needs at least one element");
        }
        ArgReduceKernel kernel = scope.kernelFor(Op.ARGMAX, dtype, ArgReduceKernel.class);
        int[] kept = shape.dims();
        kept[a] = 1;
        Tensor out = newResult(DType.I64, keepDims ? Shape.of(kept) : dropAxes(shape, new int[] {a}));
        kernel.argmax(TensorView.contiguous(out.storage.buffer(), DType.I64, Shape.of(kept)), view(), a);
        return out;
    }

    private Tensor reduce(Op op, int[] axes, boolean keepDims) {
        checkOpen();
        int[] sorted = normalizeAxes(op.opName(), axes.length == 0 ? allAxes(rank()) : axes);
        if (op != Op.REDUCE_SUM) {
            for (int a : sorted) {
                if (shape.dim(a) == 0) {
                    throw new ShapeMismatchException(op.opName(), shape, "axis " + a + " is empty and has no " + (op == Op.REDUCE_MAX ? "maximum" : "minimum"));
                }
            }
        }
        ReduceKernel kernel = scope.kernelFor(op, dtype, ReduceKernel.class);
        int[] kept = shape.dims();
        for (int a : sorted) {
            kept[a] = 1;
        }
        Tensor out = newResult(dtype, keepDims ? Shape.of(kept) : dropAxes(shape, sorted));
        kernel.reduce(op, TensorView.contiguous(out.storage.buffer(), dtype, Shape.of(kept)), view(), sorted);
        if (op == Op.REDUCE_SUM) {
            Autograd.sum(this, sorted, out);
        } else {
            Autograd.extremum(op, this, sorted, out);
        }
        return out;
    }

    // ---------------------------------------------------------------- matmul

    /**
     * Matrix product with numpy's {@code matmul} rules: the last two axes multiply, leading axes are batch axes that
     * broadcast; a rank-1 left operand is a row vector and a rank-1 right operand a column vector, their axis removed
     * from the result. F16 and BF16 accumulate in F32.
     *
     * @param other the right operand
     * @return the product
     */
    public Tensor matmul(Tensor other) {
        String op = "matmul";
        checkOpen();
        other.checkOpen();
        checkSameDevice(op, other);
        if (rank() == 0 || other.rank() == 0) {
            throw new ShapeMismatchException(op, shape, other.shape, "both operands need at least one dimension");
        }
        DType type = DType.promote(dtype, other.dtype);
        MatmulKernel kernel = scope.kernelFor(Op.DOT_GENERAL, type, MatmulKernel.class);
        Shape a = rank() == 1 ? Shape.of(1, shape.dim(0)) : shape;
        Shape b = other.rank() == 1 ? Shape.of(other.shape.dim(0), 1) : other.shape;
        int k = a.dim(-1);
        if (b.dim(-2) != k) {
            throw new ShapeMismatchException(op, shape, other.shape,
                    String.format(Locale.ROOT, "the left operand's last dimension (%d) must equal the right operand's second-to-last (%d)", k, b.dim(-2)));
        }
        int m = a.dim(-2);
        int n = b.dim(-1);
        Shape batch = Shape.broadcast(op, batchOf(a), batchOf(b));
        int[] outDims = Arrays.copyOf(batch.dims(), batch.rank() + 2);
        outDims[batch.rank()] = m;
        outDims[batch.rank() + 1] = n;
        Shape full = Shape.of(outDims);
        Tensor ca = castTemp(type);
        Tensor cb = other.castTemp(type);
        try {
            Shape aTarget = withLastTwo(batch, m, k);
            Shape bTarget = withLastTwo(batch, k, n);
            TensorView av = ca.matmulOperand(a, aTarget);
            TensorView bv = cb.matmulOperand(b, bTarget);
            List<Integer> dims = new ArrayList<>();
            for (int d : batch.dims()) {
                dims.add(d);
            }
            if (rank() > 1) {
                dims.add(m);
            }
            if (other.rank() > 1) {
                dims.add(n);
            }
            Tensor out = newResult(type, Shape.of(dims.stream().mapToInt(Integer::intValue).toArray()));
            if (other.rank() == 2 && rank() > 2 && k > 0 && ca.isContiguous()) {
                // One matrix shared by a row-major batch (x W in a transformer): the batch folds into the rows of a
                // single product, which the kernel blocks and threads as one large matrix.
                int rows = Math.toIntExact(size() / k);
                kernel.matmul(TensorView.contiguous(out.storage.buffer(), type, Shape.of(rows, n)),
                        new TensorView(ca.storage.buffer(), type, Shape.of(rows, k), new long[] {k, 1}, ca.offset), cb.view());
            } else {
                kernel.matmul(TensorView.contiguous(out.storage.buffer(), type, full), av, bv);
            }
            Autograd.matmul(this, other, out);
            return out;
        } finally {
            closeTemp(ca, this);
            closeTemp(cb, other);
        }
    }

    private static Shape batchOf(Shape s) {
        return Shape.of(Arrays.copyOf(s.dims(), s.rank() - 2));
    }

    private static Shape withLastTwo(Shape batch, int x, int y) {
        int[] d = Arrays.copyOf(batch.dims(), batch.rank() + 2);
        d[batch.rank()] = x;
        d[batch.rank() + 1] = y;
        return Shape.of(d);
    }

    // ---------------------------------------------------------------- layout

    /**
     * Gives the elements a new shape in row-major order; one dimension may be -1 and is inferred. Shares memory when
     * the strides allow it (always for a contiguous tensor; for a strided one when each group of axes merged or split
     * steps evenly, as in PyTorch's {@code view}) and copies otherwise.
     *
     * @param dims the new shape
     * @return the reshaped tensor
     */
    public Tensor reshape(int... dims) {
        checkOpen();
        Shape target = inferShape(dims);
        Tensor out;
        long[] viewStrides = isContiguous() ? target.contiguousStrides() : viewStrides(target);
        if (viewStrides != null) {
            out = newView(dtype, target, viewStrides, offset);
        } else {
            CopyKernel kernel = scope.kernelFor(Op.RESHAPE, dtype, CopyKernel.class);
            out = newResult(dtype, target);
            kernel.copy(out.view(), view());
        }
        Autograd.reshape(this, out);
        return out;
    }

    /**
     * Reorders the axes; shares memory.
     *
     * @param axes a permutation of {@code [0, rank)}; negative axes count from the end
     * @return the permuted view
     */
    public Tensor permute(int... axes) {
        checkOpen();
        String op = Op.PERMUTE.opName();
        scope.kernelFor(Op.PERMUTE, dtype, CopyKernel.class);
        if (axes.length != rank()) {
            throw new InvalidAxisException(op, String.format(Locale.ROOT, "%s is not a permutation of the %d axes of %s", Arrays.toString(axes), rank(), shape));
        }
        int[] normalized = new int[axes.length];
        boolean[] seen = new boolean[axes.length];
        for (int i = 0; i < axes.length; i++) {
            normalized[i] = shape.normalizeAxis(axes[i], op);
            if (seen[normalized[i]]) {
                throw new InvalidAxisException(op, String.format(Locale.ROOT, "axis %d appears twice in %s", normalized[i], Arrays.toString(axes)));
            }
            seen[normalized[i]] = true;
        }
        int[] dims = new int[axes.length];
        long[] st = new long[axes.length];
        for (int i = 0; i < axes.length; i++) {
            dims[i] = shape.dim(normalized[i]);
            st[i] = strides[normalized[i]];
        }
        Tensor out = newView(dtype, Shape.of(dims), st, offset);
        Autograd.permute(this, normalized, out);
        return out;
    }

    /**
     * Swaps two axes; shares memory.
     *
     * @param axis0 one axis
     * @param axis1 another axis
     * @return the transposed view
     */
    public Tensor transpose(int axis0, int axis1) {
        int a = shape.normalizeAxis(axis0, "transpose");
        int b = shape.normalizeAxis(axis1, "transpose");
        int[] perm = allAxes(rank());
        perm[a] = b;
        perm[b] = a;
        return permute(perm);
    }

    /**
     * Repeats the elements along size-1 and new leading axes, with numpy's rules; shares memory (stride 0).
     *
     * @param dims the target shape
     * @return the broadcast view
     */
    public Tensor broadcastTo(int... dims) {
        checkOpen();
        scope.kernelFor(Op.BROADCAST_TO, dtype, CopyKernel.class);
        Shape target = Shape.of(dims);
        TensorView v = view().broadcastTo(target);
        Tensor out = newView(dtype, target, v.strides(), offset);
        Autograd.broadcast(this, out);
        return out;
    }

    /**
     * Takes {@code [start, limit)} with a step along one axis; shares memory.
     *
     * @param axis the axis
     * @param start first index, {@code 0 <= start <= limit}
     * @param limit end index (exclusive), {@code <= dim}
     * @param step step, {@code >= 1}
     * @return the sliced view
     */
    public Tensor slice(int axis, int start, int limit, int step) {
        checkOpen();
        String op = Op.SLICE.opName();
        scope.kernelFor(Op.SLICE, dtype, CopyKernel.class);
        int a = shape.normalizeAxis(axis, op);
        int d = shape.dim(a);
        if (start < 0 || start > limit || limit > d || step < 1) {
            throw new ShapeMismatchException(op, shape, String.format(Locale.ROOT,
                    "slice [%d:%d:%d] on axis %d of size %d; need 0 <= start <= limit <= %d and step >= 1", start, limit, step, a, d, d));
        }
        int[] dims = shape.dims();
        dims[a] = (limit - start + step - 1) / step;
        long[] st = strides.clone();
        st[a] = strides[a] * step;
        Tensor out = newView(dtype, Shape.of(dims), st, offset + (dims[a] == 0 ? 0 : start * strides[a]));
        Autograd.slice(this, a, start, step, out);
        return out;
    }

    /**
     * Takes {@code [start, limit)} along one axis; shares memory.
     *
     * @param axis the axis
     * @param start first index
     * @param limit end index (exclusive)
     * @return the sliced view
     */
    public Tensor slice(int axis, int start, int limit) {
        return slice(axis, start, limit, 1);
    }

    /**
     * Returns a row-major tensor with the same elements: a view sharing memory when already contiguous, a copy
     * otherwise.
     *
     * @return the contiguous tensor
     */
    public Tensor contiguous() {
        checkOpen();
        Tensor out;
        if (isContiguous()) {
            out = newView(dtype, shape, strides, offset);
        } else {
            CopyKernel kernel = scope.kernelFor(Op.COPY, dtype, CopyKernel.class);
            out = newResult(dtype, shape);
            kernel.copy(out.view(), view());
        }
        Autograd.identity(Op.COPY.opName(), this, out);
        return out;
    }

    /**
     * Joins tensors along an axis; all must have the same rank and equal dimensions except along the axis, and their
     * types are promoted together.
     *
     * @param axis the axis
     * @param tensors at least one tensor
     * @return the joined tensor
     */
    public static Tensor concat(int axis, Tensor... tensors) {
        String op = Op.CONCAT.opName();
        if (tensors.length == 0) {
            throw new IllegalArgumentException(op + ": needs at least one tensor");
        }
        Tensor first = tensors[0];
        DType type = first.dtype;
        for (Tensor t : tensors) {
            t.checkOpen();
            first.checkSameDevice(op, t);
            type = DType.promote(type, t.dtype);
        }
        int a = first.shape.normalizeAxis(axis, op);
        int total = 0;
        for (Tensor t : tensors) {
            if (t.rank() != first.rank()) {
                throw new ShapeMismatchException(op, first.shape, t.shape, "ranks differ");
            }
            for (int i = 0; i < t.rank(); i++) {
                if (i != a && t.shape.dim(i) != first.shape.dim(i)) {
                    throw new ShapeMismatchException(op, first.shape, t.shape,
                            String.format(Locale.ROOT, "dimension %d differs (%d vs %d); only the concat axis %d may differ", i, first.shape.dim(i), t.shape.dim(i), a));
                }
            }
            total += t.shape.dim(a);
        }
        ConcatKernel kernel = first.scope.kernelFor(Op.CONCAT, type, ConcatKernel.class);
        int[] dims = first.shape.dims();
        dims[a] = total;
        List<Tensor> cast = new ArrayList<>();
        try {
            List<TensorView> views = new ArrayList<>();
            for (Tensor t : tensors) {
                Tensor c = t.castTemp(type);
                cast.add(c);
                views.add(c.view());
            }
            Tensor out = first.newResult(type, Shape.of(dims));
            kernel.concat(out.view(), views, a);
            Autograd.concat(tensors, a, out);
            return out;
        } finally {
            for (int i = 0; i < cast.size(); i++) {
                closeTemp(cast.get(i), tensors[i]);
            }
        }
    }

    /**
     * Pads every axis with a value.
     *
     * @param low elements added before, per axis, non-negative
     * @param high elements added after, per axis, non-negative
     * @param value the padding value
     * @return the padded tensor
     */
    public Tensor pad(int[] low, int[] high, double value) {
        checkOpen();
        String op = Op.PAD.opName();
        if (low.length != rank() || high.length != rank()) {
            throw new ShapeMismatchException(op, shape, String.format(Locale.ROOT,
                    "low %s and high %s need one entry per axis (%d)", Arrays.toString(low), Arrays.toString(high), rank()));
        }
        int[] dims = shape.dims();
        for (int i = 0; i < dims.length; i++) {
            if (low[i] < 0 || high[i] < 0) {
                throw new ShapeMismatchException(op, shape, String.format(Locale.ROOT,
                        "padding must be non-negative, got low %s high %s", Arrays.toString(low), Arrays.toString(high)));
            }
            dims[i] += low[i] + high[i];
        }
        PadKernel kernel = scope.kernelFor(Op.PAD, dtype, PadKernel.class);
        Tensor out = newResult(dtype, Shape.of(dims));
        kernel.pad(out.view(), view(), low.clone(), high.clone(), value);
        Autograd.pad(this, low.clone(), out);
        return out;
    }

    // ---------------------------------------------------------------- indexing

    /**
     * Takes elements along an axis (PyTorch's {@code gather}): {@code out[p] = this[p with p[axis] = index[p]]}. The
     * index has this tensor's rank and, on every other axis, a size no larger than this tensor's.
     *
     * @param axis the axis
     * @param index I32 or I64 indices in {@code [0, dim(axis))}
     * @return a tensor shaped as {@code index}
     */
    public Tensor gather(int axis, Tensor index) {
        checkOpen();
        index.checkOpen();
        String op = Op.GATHER.opName();
        checkSameDevice(op, index);
        int a = shape.normalizeAxis(axis, op);
        checkIndex(op, index, shape, a, index.shape);
        GatherKernel kernel = scope.kernelFor(Op.GATHER, dtype, GatherKernel.class);
        Tensor out = newResult(dtype, index.shape);
        kernel.gather(out.view(), view(), index.view(), a);
        Autograd.gather(this, a, index, out);
        return out;
    }

    /**
     * Adds {@code src} into a copy of this tensor at the positions {@code index} names along an axis (PyTorch's
     * {@code scatter_add}): {@code out[p with p[axis] = index[p]] += src[p]}.
     *
     * @param axis the axis
     * @param index I32 or I64 indices in {@code [0, dim(axis))}, same rank as this tensor
     * @param src the values, at least as large as {@code index} on every axis; cast to this tensor's type
     * @return the updated copy
     */
    public Tensor scatterAdd(int axis, Tensor index, Tensor src) {
        checkOpen();
        index.checkOpen();
        src.checkOpen();
        String op = Op.SCATTER_ADD.opName();
        checkSameDevice(op, index);
        checkSameDevice(op, src);
        int a = shape.normalizeAxis(axis, op);
        checkIndex(op, index, shape, a, index.shape);
        if (src.rank() != index.rank()) {
            throw new ShapeMismatchException(op, index.shape, src.shape, "src must have the index's rank");
        }
        for (int i = 0; i < index.rank(); i++) {
            if (src.shape.dim(i) < index.shape.dim(i)) {
                throw new ShapeMismatchException(op, index.shape, src.shape,
                        String.format(Locale.ROOT, "src dimension %d (%d) is smaller than the index's (%d)", i, src.shape.dim(i), index.shape.dim(i)));
            }
        }
        ScatterAddKernel kernel = scope.kernelFor(Op.SCATTER_ADD, dtype, ScatterAddKernel.class);
        CopyKernel copy = scope.kernelFor(Op.COPY, dtype, CopyKernel.class);
        Tensor cs = src.castTemp(dtype);
        try {
            Tensor out = newResult(dtype, shape);
            copy.copy(out.view(), view());
            kernel.scatterAdd(out.view(), index.view(), cs.view(), a);
            Autograd.scatterAdd(this, a, index, src, out);
            return out;
        } finally {
            closeTemp(cs, src);
        }
    }

    private static void checkIndex(String op, Tensor index, Shape data, int axis, Shape indexShape) {
        if (index.dtype != DType.I32 && index.dtype != DType.I64) {
            throw new DTypeNotAdmittedException(op + " index", index.dtype, java.util.EnumSet.of(DType.I32, DType.I64));
        }
        if (indexShape.rank() != data.rank()) {
            throw new ShapeMismatchException(op, data, indexShape, "the index must have the input's rank");
        }
        for (int i = 0; i < data.rank(); i++) {
            if (i != axis && indexShape.dim(i) > data.dim(i)) {
                throw new ShapeMismatchException(op, data, indexShape,
                        String.format(Locale.ROOT, "index dimension %d (%d) exceeds the input's (%d)", i, indexShape.dim(i), data.dim(i)));
            }
        }
    }

    // ---------------------------------------------------------------- devices and host transfer

    /**
     * Copies this tensor to another device of the same backend.
     *
     * @param target the device
     * @return a contiguous copy on {@code target}
     */
    public Tensor to(Device target) {
        checkOpen();
        if (!target.backend().equals(device().backend())) {
            throw new DeviceMismatchException("to", device(), target);
        }
        try (Tensor c = contiguous()) {
            TensorScope owner = TensorScope.forResult(scope);
            Tensor out = owner.allocateOn(target, dtype, shape);
            long bytes = size() * dtype.byteSize();
            storage.backend().copy(c.storage.buffer(), c.offset * dtype.byteSize(), out.storage.buffer(), 0, bytes);
            Autograd.transfer(this, out);
            return out;
        }
    }

    /**
     * Finishes the work recorded on this tensor's device so far. On a lazy graph backend (xla) this compiles, or
     * reuses, and runs the pending graph of the device (with the other ranks' when it holds collectives), a materialization point like reading values; on eager backends it returns
     * at once. Optimizers call it at the end of every step.
     */
    public void synchronize() {
        checkOpen();
        storage.backend().synchronize(device());
    }

    /**
     * Copies the elements to a new array, converting to F32 first if needed.
     *
     * @return the elements, row-major
     */
    public float[] toFloatArray() {
        float[] data = new float[checkedLength()];
        toHost(DType.F32, MemorySegment.ofArray(data));
        return data;
    }

    /**
     * Copies the elements to a new array, converting to F64 first if needed.
     *
     * @return the elements, row-major
     */
    public double[] toDoubleArray() {
        double[] data = new double[checkedLength()];
        toHost(DType.F64, MemorySegment.ofArray(data));
        return data;
    }

    /**
     * Copies the elements to a new array, converting to I32 first if needed.
     *
     * @return the elements, row-major
     */
    public int[] toIntArray() {
        int[] data = new int[checkedLength()];
        toHost(DType.I32, MemorySegment.ofArray(data));
        return data;
    }

    /**
     * Copies the elements to a new array, converting to I64 first if needed.
     *
     * @return the elements, row-major
     */
    public long[] toLongArray() {
        long[] data = new long[checkedLength()];
        toHost(DType.I64, MemorySegment.ofArray(data));
        return data;
    }

    /**
     * Copies the elements to a new array, converting to BOOL first if needed.
     *
     * @return the elements, row-major
     */
    public boolean[] toBooleanArray() {
        byte[] bytes = new byte[checkedLength()];
        toHost(DType.BOOL, MemorySegment.ofArray(bytes));
        boolean[] data = new boolean[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            data[i] = bytes[i] != 0;
        }
        return data;
    }

    /**
     * Returns the single element of a one-element tensor as a double.
     *
     * @return the value
     */
    public double item() {
        checkOpen();
        if (size() != 1) {
            throw new ShapeMismatchException("item", shape, "item() needs exactly one element; reduce first, e.g. t.sum()");
        }
        return toDoubleArray()[0];
    }

    /**
     * Returns the elements as host memory without copying: a slice of the tensor's own storage, valid while the
     * tensor is open. Needs a contiguous tensor on a device whose memory is host memory (the cpu backend).
     *
     * @return the memory, row-major, in native byte order
     * @throws CrossbarException if the tensor is not contiguous or not in host memory
     */
    public MemorySegment asSegment() {
        checkOpen();
        if (!isContiguous()) {
            throw new CrossbarException("asSegment needs a contiguous tensor, got " + this + " with strides " + Arrays.toString(strides) + "; call contiguous() first");
        }
        MemorySegment memory = storage.buffer().hostSegment().orElseThrow(() -> new CrossbarException(
                "asSegment needs host memory but " + this + " lives on a device; copy it out with toFloatArray() or toDoubleArray()"));
        return memory.asSlice(offset * dtype.byteSize(), size() * dtype.byteSize());
    }

    private int checkedLength() {
        checkOpen();
        if (size() > Integer.MAX_VALUE - 8) {
            throw new ShapeMismatchException("toArray", shape, "has more elements than a Java array holds; use asSegment()");
        }
        return (int) size();
    }

    private void toHost(DType type, MemorySegment destination) {
        try (Grad.Scope off = Grad.noGrad()) {
            Tensor converted = castTemp(type);
            try (Tensor c = converted.contiguous()) {
                if (destination.byteSize() > 0) {
                    storage.backend().copyToHost(c.storage.buffer(), c.offset * type.byteSize(), destination);
                }
            } finally {
                closeTemp(converted, this);
            }
        }
    }

    /**
     * A tensor of zeros with this tensor's shape, type and device.
     *
     * @return the zeros
     */
    public Tensor zerosLike() {
        checkOpen();
        return fullLike(shape, 0, dtype);
    }

    /**
     * A tensor filled with one value, with this tensor's shape, type and device.
     *
     * @param value the value
     * @return the filled tensor
     */
    public Tensor fullLike(double value) {
        checkOpen();
        return fullLike(shape, value, dtype);
    }

    /**
     * Writes the elements of {@code source} into this tensor's memory, in place (converting the type and broadcasting
     * the shape). Views sharing the memory see the change. Optimizers use this to update parameters.
     *
     * @param source the new values
     * @throws CrossbarException if this tensor requires gradients and recording is on; update inside
     *     {@link Grad#noGrad()}
     */
    public void assign(Tensor source) {
        checkOpen();
        source.checkOpen();
        checkSameDevice("assign", source);
        if (requiresGrad && Grad.isEnabled()) {
            throw new CrossbarException("assign: " + this + " requires gradients; update it inside Grad.noGrad(), as optimizers do");
        }
        Tensor converted = source.castTemp(dtype);
        try {
            TensorView from = converted.view().broadcastTo(shape);
            scope.kernelFor(Op.COPY, dtype, CopyKernel.class).copy(view(), from);
        } finally {
            closeTemp(converted, source);
        }
    }

    // ---------------------------------------------------------------- autograd

    /**
     * Marks a leaf tensor as a variable whose gradient {@link #backward()} computes, as PyTorch's
     * {@code requires_grad_}.
     *
     * @param requires whether to record ops on this tensor
     * @return this tensor
     * @throws DTypeNotAdmittedException if the tensor is not of a floating type
     * @throws IllegalStateException if the tensor is the result of a recorded op (not a leaf)
     */
    public Tensor requiresGrad(boolean requires) {
        checkOpen();
        if (requires && !dtype.isFloating()) {
            throw new DTypeNotAdmittedException("requiresGrad", dtype, java.util.EnumSet.of(DType.F32, DType.F64, DType.F16, DType.BF16));
        }
        if (gradNode != null) {
            throw new IllegalStateException("requiresGrad: " + this + " is the result of " + gradNode.op() + ", not a leaf; call detach() first");
        }
        this.requiresGrad = requires;
        return this;
    }

    /**
     * Tells whether ops on this tensor are recorded for differentiation.
     *
     * @return true for marked leaves and for results of recorded ops
     */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Returns the gradient accumulated into this leaf by {@link #backward()}, owned by this tensor's scope.
     *
     * @return the gradient, or empty before the first backward pass and after {@link #zeroGrad()}
     */
    public java.util.Optional<Tensor> grad() {
        return java.util.Optional.ofNullable(grad);
    }

    /** Frees and forgets the accumulated gradient. */
    public void zeroGrad() {
        if (grad != null) {
            grad.close();
            grad = null;
        }
    }

    /**
     * Computes the gradient of this scalar with respect to every leaf it depends on that requires gradients, adding
     * it to their {@link #grad()}, then frees the recorded graph.
     *
     * @throws ShapeMismatchException if this tensor has more than one element; use {@link #backward(Tensor)}
     */
    public void backward() {
        checkOpen();
        if (size() != 1) {
            throw new ShapeMismatchException("backward", shape, "backward() without a gradient needs a single element; pass the output's gradient with backward(gradient)");
        }
        try (Tensor one = fullLike(shape, 1, dtype)) {
            backward(one);
        }
    }

    /**
     * Computes vector-Jacobian products from the given gradient of this tensor to every leaf it depends on that
     * requires gradients, adding them to their {@link #grad()}, then frees the recorded graph.
     *
     * @param gradient the gradient of some scalar with respect to this tensor, same shape
     */
    public void backward(Tensor gradient) {
        checkOpen();
        gradient.checkOpen();
        if (!requiresGrad) {
            throw new CrossbarException("backward: " + this + " does not require gradients; call requiresGrad(true) on a leaf it is computed from, outside Grad.noGrad()");
        }
        if (!gradient.shape.equals(shape)) {
            throw new ShapeMismatchException("backward", shape, gradient.shape, "the gradient must have the output's shape");
        }
        Autograd.backward(this, gradient.dtype == dtype ? gradient : gradient.cast(dtype));
    }

    /**
     * Returns a view of the same memory that is not part of any recorded graph.
     *
     * @return the detached view
     */
    public Tensor detach() {
        checkOpen();
        return newView(dtype, shape, strides, offset);
    }

    Autograd.Node gradNode() {
        return gradNode;
    }

    void gradNode(Autograd.Node node) {
        this.gradNode = node;
        this.requiresGrad = true;
    }

    /** An alias of this tensor that a recorded node keeps, owned by {@code result}'s scope. */
    Tensor savedFor(Tensor result) {
        Tensor alias = new Tensor(storage.retain(), dtype, shape, strides, offset, result.scope);
        result.scope.attach(alias);
        return alias;
    }

    /** Adds a gradient into this leaf's {@link #grad()}, moving it into this tensor's scope. */
    void accumulateGrad(Tensor g) {
        Tensor sum = grad == null ? g.contiguous() : grad.add(g);
        g.close();
        if (grad != null) {
            grad.close();
        }
        scope.adopt(sum);
        grad = sum;
    }

    /** A view of the same memory that passes gradients through unchanged. */
    Tensor alias() {
        checkOpen();
        Tensor out = newView(dtype, shape, strides, offset);
        Autograd.identity("alias", this, out);
        return out;
    }

    /** Random numbers shaped and typed like this tensor, on its device, as {@link TensorScope#randUniform} draws them. */
    Tensor randomLike(Op op, long seed, long offset) {
        Tensor t = newResult(dtype, shape);
        scope.kernelFor(op, dtype, dev.crossbar.spi.kernel.RngKernel.class).random(op, t.view(), seed, offset, 0, 1);
        return t;
    }

    /** A new tensor on this tensor's device whose elements are their index along {@code axis}. */
    Tensor iotaLike(Shape s, int axis, DType type) {
        Tensor t = newResult(type, s);
        scope.kernelFor(Op.IOTA, type, dev.crossbar.spi.kernel.IotaKernel.class).iota(t.view(), s.normalizeAxis(axis, Op.IOTA.opName()));
        return t;
    }

    /** A new tensor on this tensor's device filled with {@code value}. */
    Tensor fullLike(Shape s, double value, DType type) {
        Tensor t = newResult(type, s);
        scope.kernelFor(Op.FULL, type, dev.crossbar.spi.kernel.FillKernel.class).fill(t.view(), value);
        return t;
    }

    /** Copies {@code source} into the window of one axis starting at {@code start} with {@code step}, in place. */
    void writeInto(int axis, int start, int step, Tensor source) {
        long[] st = strides.clone();
        st[axis] = strides[axis] * step;
        long off = offset + (source.shape.dim(axis) == 0 ? 0 : start * strides[axis]);
        TensorView window = new TensorView(storage.buffer(), dtype, source.shape, st, off);
        Tensor s = source.castTemp(dtype);
        try {
            scope.kernelFor(Op.COPY, dtype, CopyKernel.class).copy(window, s.view());
        } finally {
            closeTemp(s, source);
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /** Releases this tensor's reference to its memory; the memory is freed when no view uses it. Idempotent. */
    @Override
    public void close() {
        TensorScope owner = scope;
        if (owner != null) {
            owner.detach(this);
        }
        closeOwned();
    }

    void closeOwned() {
        if (!guard.released.get()) {
            guard.closedExplicitly = true;
            cleanable.clean();
        }
    }

    void owner(TensorScope owner) {
        this.scope = owner;
    }

    Storage storage() {
        return storage;
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype.shortName() + shape + " on " + device() + (isClosed() ? ", closed" : "") + "]";
    }

    // ---------------------------------------------------------------- internals

    /** The backend's fused kernel of an interface, if it has one. */
    <F extends dev.crossbar.spi.kernel.FusedKernel> java.util.Optional<F> fusedKernel(Class<F> type) {
        checkOpen();
        return scope.backend().kernels().fused(type);
    }

    /** A new row-major tensor shaped and typed like this one, on its device, with unspecified contents. */
    Tensor emptyLike() {
        checkOpen();
        return newResult(dtype, shape);
    }

    /**
     * Returns this tensor's memory as the SPI describes it: its buffer, element type, shape, strides and offset. For
     * backends' own communicators, which hand device addresses to a library such as NCCL; valid while the tensor is open.
     *
     * @return the view
     */
    public TensorView view() {
        return new TensorView(storage.buffer(), dtype, shape, strides, offset);
    }

    private TensorView broadcastView(Shape target) {
        return view().broadcastTo(target);
    }

    /**
     * This tensor as a matmul operand of shape {@code matrix} (itself, or a rank-1 tensor seen as a row or column),
     * broadcast to {@code target}.
     */
    private TensorView matmulOperand(Shape matrix, Shape target) {
        TensorView base = view();
        if (!shape.equals(matrix)) {
            long s = strides[0];
            long[] st = matrix.dim(0) == 1 ? new long[] {0, s} : new long[] {s, 0};
            base = new TensorView(storage.buffer(), dtype, matrix, st, offset);
        }
        return base.broadcastTo(target);
    }

    private Tensor binary(Op op, Tensor other) {
        checkOpen();
        other.checkOpen();
        checkSameDevice(op.opName(), other);
        DType type = DType.promote(dtype, other.dtype);
        Shape out = Shape.broadcast(op.opName(), shape, other.shape);
        BinaryKernel kernel = scope.kernelFor(op, type, BinaryKernel.class);
        Tensor ca = castTemp(type);
        Tensor cb = other.castTemp(type);
        try {
            Tensor result = newResult(type, out);
            kernel.apply(op, result.view(), ca.broadcastView(out), cb.broadcastView(out));
            Autograd.binary(op, this, other, result);
            return result;
        } finally {
            closeTemp(ca, this);
            closeTemp(cb, other);
        }
    }

    private Tensor binaryScalar(Op op, double value, boolean floating) {
        checkOpen();
        DType type = dtype.withScalar(floating);
        scope.kernelFor(op, type, BinaryKernel.class);
        try (Tensor s = TensorScope.forResult(scope).allocateOn(device(), type, Shape.scalar())) {
            scope.kernelFor(Op.FULL, type, dev.crossbar.spi.kernel.FillKernel.class).fill(s.view(), value);
            return binary(op, s);
        }
    }

    private Tensor compare(Op op, Tensor other) {
        checkOpen();
        other.checkOpen();
        checkSameDevice(op.opName(), other);
        DType type = DType.promote(dtype, other.dtype);
        Shape out = Shape.broadcast(op.opName(), shape, other.shape);
        CompareKernel kernel = scope.kernelFor(op, type, CompareKernel.class);
        Tensor ca = castTemp(type);
        Tensor cb = other.castTemp(type);
        try {
            Tensor result = newResult(DType.BOOL, out);
            kernel.compare(op, result.view(), ca.broadcastView(out), cb.broadcastView(out));
            return result;
        } finally {
            closeTemp(ca, this);
            closeTemp(cb, other);
        }
    }

    /** This tensor in another type: itself when the type matches, else a temporary the caller closes with closeTemp. */
    private Tensor castTemp(DType type) {
        return dtype == type ? this : cast(type);
    }

    private static void closeTemp(Tensor temp, Tensor original) {
        if (temp != original) {
            temp.close();
        }
    }

    private Tensor newResult(DType type, Shape s) {
        return TensorScope.forResult(scope).allocateOn(device(), type, s);
    }

    private Tensor newView(DType type, Shape s, long[] st, long off) {
        TensorScope owner = TensorScope.forResult(scope);
        Tensor t = new Tensor(storage.retain(), type, s, st, off, owner);
        owner.attach(t);
        return t;
    }

    void checkOpen() {
        if (isClosed()) {
            throw new AlreadyClosedException(this);
        }
    }

    private void checkSameDevice(String op, Tensor other) {
        if (!device().equals(other.device())) {
            throw new DeviceMismatchException(op, device(), other.device());
        }
    }

    /**
     * The strides that show this tensor's elements in {@code target}'s row-major order without a copy, or null when
     * there are none: each run of axes whose strides chain evenly is one chunk of memory, and the target's axes must
     * split those chunks exactly.
     */
    private long[] viewStrides(Shape target) {
        long[] result = new long[target.rank()];
        if (size() == 0) {
            return target.contiguousStrides();
        }
        int viewAxis = target.rank() - 1;
        long chunkStride = rank() == 0 ? 1 : strides[rank() - 1];
        long chunkSize = 1;
        long viewSize = 1;
        for (int axis = rank() - 1; axis >= 0; axis--) {
            chunkSize *= shape.dim(axis);
            boolean chunkEnds = axis == 0 || (shape.dim(axis - 1) != 1 && strides[axis - 1] != chunkSize * chunkStride);
            if (!chunkEnds) {
                continue;
            }
            while (viewAxis >= 0 && (viewSize < chunkSize || target.dim(viewAxis) == 1)) {
                result[viewAxis] = viewSize * chunkStride;
                viewSize *= target.dim(viewAxis);
                viewAxis--;
            }
            if (viewSize != chunkSize) {
                return null;
            }
            if (axis > 0) {
                chunkStride = strides[axis - 1];
                chunkSize = 1;
                viewSize = 1;
            }
        }
        return viewAxis == -1 ? result : null;
    }

    private Shape inferShape(int[] dims) {
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == -1) {
                if (inferred >= 0) {
                    throw new ShapeMismatchException("reshape", shape, "only one dimension may be -1 in " + Arrays.toString(dims));
                }
                inferred = i;
            } else if (dims[i] < 0) {
                throw new ShapeMismatchException("reshape", shape, "negative dimension in " + Arrays.toString(dims));
            } else {
                known *= dims[i];
            }
        }
        int[] out = dims.clone();
        if (inferred >= 0) {
            if (known == 0 || size() % known != 0) {
                throw new ShapeMismatchException("reshape", shape, String.format(Locale.ROOT, "cannot infer -1 in %s for %d elements", Arrays.toString(dims), size()));
            }
            out[inferred] = (int) (size() / known);
        }
        Shape target = Shape.of(out);
        if (target.size() != size()) {
            throw new ShapeMismatchException("reshape", shape, target, String.format(Locale.ROOT, "element counts differ (%d vs %d)", size(), target.size()));
        }
        return target;
    }

    private static int[] allAxes(int rank) {
        int[] axes = new int[rank];
        for (int i = 0; i < rank; i++) {
            axes[i] = i;
        }
        return axes;
    }

    private int[] normalizeAxes(String op, int[] axes) {
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            out[i] = shape.normalizeAxis(axes[i], op);
        }
        Arrays.sort(out);
        for (int i = 1; i < out.length; i++) {
            if (out[i] == out[i - 1]) {
                throw new InvalidAxisException(op, String.format(Locale.ROOT, "axis %d appears twice in %s", out[i], Arrays.toString(axes)));
            }
        }
        return out;
    }

    private static Shape dropAxes(Shape s, int[] sortedAxes) {
        int[] d = new int[s.rank() - sortedAxes.length];
        int j = 0;
        int k = 0;
        for (int i = 0; i < s.rank(); i++) {
            if (k < sortedAxes.length && sortedAxes[k] == i) {
                k++;
            } else {
                d[j++] = s.dim(i);
            }
        }
        return Shape.of(d);
    }
}
