package dev.crossbar.conformance;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.Philox;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;

/**
 * The ops of {@link dev.crossbar.spi.OpSet#V1} evaluated in double precision in plain Java, the reference the suite
 * compares every backend with. Shapes broadcast with numpy's rules. Integer results wrap around as the integer type
 * does; floating results are left unrounded, and the comparison's {@link Tolerance} absorbs the rounding.
 */
public final class ReferenceOps {
    private static final double TWO_POW_MINUS_24 = 0x1p-24;

    private ReferenceOps() {
    }

    // ---------------------------------------------------------------- element-wise

    /**
     * Evaluates a unary op.
     *
     * @param op a unary op
     * @param dtype the element type, for integer wrap-around
     * @param x the input
     * @return the result
     */
    public static HostArray unary(Op op, DType dtype, HostArray x) {
        return x.map(v -> wrap(dtype, switch (op) {
            case NEG -> -v;
            case ABS -> Math.abs(v);
            case EXP -> Math.exp(v);
            case LOG -> Math.log(v);
            case SQRT -> Math.sqrt(v);
            case RSQRT -> 1 / Math.sqrt(v);
            case TANH -> Math.tanh(v);
            case LOGISTIC -> 1 / (1 + Math.exp(-v));
            case SIN -> Math.sin(v);
            case COS -> Math.cos(v);
            case ERF -> erf(v);
            default -> throw new IllegalArgumentException(op + " is not unary");
        }));
    }

    /**
     * Evaluates a binary op with broadcasting. Integer division truncates toward zero; max and min return NaN when
     * either input is NaN.
     *
     * @param op a binary op
     * @param dtype the common element type of the inputs
     * @param a the first input
     * @param b the second input
     * @return the result
     * @throws ArithmeticException on an integer division by zero
     */
    public static HostArray binary(Op op, DType dtype, HostArray a, HostArray b) {
        boolean integer = !dtype.isFloating();
        DoubleBinaryOperator f = switch (op) {
            case ADD -> Double::sum;
            case SUB -> (x, y) -> x - y;
            case MUL -> (x, y) -> x * y;
            case DIV -> integer ? (x, y) -> (double) ((long) x / (long) y) : (x, y) -> x / y;
            case POW -> Math::pow;
            case MAX -> Math::max;
            case MIN -> Math::min;
            default -> throw new IllegalArgumentException(op + " is not binary");
        };
        return zip(op, a, b, (x, y) -> wrap(dtype, f.applyAsDouble(x, y)));
    }

    /**
     * Evaluates a comparison with broadcasting; every comparison with NaN is false except {@code ne}.
     *
     * @param op a comparison
     * @param a the first input
     * @param b the second input
     * @return 1 where true, 0 where false
     */
    public static HostArray compare(Op op, HostArray a, HostArray b) {
        return zip(op, a, b, (x, y) -> (switch (op) {
            case EQ -> x == y;
            case NE -> x != y;
            case LT -> x < y;
            case LE -> x <= y;
            case GT -> x > y;
            case GE -> x >= y;
            default -> throw new IllegalArgumentException(op + " is not a comparison");
        }) ? 1 : 0);
    }

    /**
     * Evaluates {@code condition ? a : b} with the three inputs broadcast together.
     *
     * @param condition 0 for false, anything else for true
     * @param a values where true
     * @param b values where false
     * @return the selection
     */
    public static HostArray select(HostArray condition, HostArray a, HostArray b) {
        Shape out = Shape.broadcast("select", Shape.broadcast("select", condition.shape(), a.shape()), b.shape());
        double[] c = broadcastTo(condition, out).values();
        double[] x = broadcastTo(a, out).values();
        double[] y = broadcastTo(b, out).values();
        double[] r = new double[c.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = c[i] != 0 ? x[i] : y[i];
        }
        return new HostArray(out, r);
    }

    /**
     * Converts to another type with {@code cast}'s semantics, as {@link DTypeValues#round} describes.
     *
     * @param x the input
     * @param target the target type
     * @return the converted values
     */
    public static HostArray cast(HostArray x, DType target) {
        return x.map(v -> DTypeValues.round(target, v));
    }

    private static HostArray zip(Op op, HostArray a, HostArray b, DoubleBinaryOperator f) {
        Shape out = Shape.broadcast(op.opName(), a.shape(), b.shape());
        double[] x = broadcastTo(a, out).values();
        double[] y = broadcastTo(b, out).values();
        double[] r = new double[x.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = f.applyAsDouble(x[i], y[i]);
        }
        return new HostArray(out, r);
    }

    // ---------------------------------------------------------------- reductions and matmul

    /**
     * Evaluates {@code reduce_sum}, {@code reduce_max} or {@code reduce_min}; max and min return NaN for a group
     * holding NaN.
     *
     * @param op the reduction
     * @param dtype the element type, for integer wrap-around
     * @param x the input
     * @param axes the reduced axes, in {@code [0, rank)}; empty reduces every axis
     * @param keepDims whether the reduced axes stay with size 1
     * @return the result, with the sum of absolute terms as the magnitude of sums
     */
    public static Expected reduce(Op op, DType dtype, HostArray x, int[] axes, boolean keepDims) {
        int rank = x.shape().rank();
        boolean[] reduced = new boolean[rank];
        for (int a : axes.length == 0 ? allAxes(rank) : axes) {
            reduced[a] = true;
        }
        int[] kept = x.shape().dims();
        for (int a = 0; a < rank; a++) {
            if (reduced[a]) {
                kept[a] = 1;
            }
        }
        HostArray out = new HostArray(Shape.of(kept), new double[Math.toIntExact(Shape.of(kept).size())]);
        double[] magnitudes = new double[out.size()];
        double initial = switch (op) {
            case REDUCE_SUM -> 0;
            case REDUCE_MAX -> Double.NEGATIVE_INFINITY;
            case REDUCE_MIN -> Double.POSITIVE_INFINITY;
            default -> throw new IllegalArgumentException(op + " is not a reduction");
        };
        Arrays.fill(out.values(), initial);
        for (int p = 0; p < x.size(); p++) {
            int[] index = x.indexOf(p);
            for (int a = 0; a < rank; a++) {
                if (reduced[a]) {
                    index[a] = 0;
                }
            }
            int o = out.offsetOf(index);
            double v = x.values()[p];
            out.values()[o] = switch (op) {
                case REDUCE_SUM -> out.values()[o] + v;
                case REDUCE_MAX -> Math.max(out.values()[o], v);
                default -> Math.min(out.values()[o], v);
            };
            magnitudes[o] += Math.abs(v);
        }
        HostArray wrapped = out.map(v -> wrap(dtype, v));
        int[] dims = keepDims ? kept : dropAxes(x.shape().dims(), reduced);
        HostArray shaped = wrapped.reshape(dims);
        return op == Op.REDUCE_SUM ? new Expected(shaped, magnitudes) : Expected.elementwise(shaped);
    }

    /**
     * Evaluates {@code argmax}: the index of the first maximum along an axis, NaN counting as the maximum.
     *
     * @param x the input
     * @param axis the axis, in {@code [0, rank)}
     * @param keepDims whether the axis stays with size 1
     * @return the indices
     */
    public static HostArray argmax(HostArray x, int axis, boolean keepDims) {
        int[] kept = x.shape().dims();
        kept[axis] = 1;
        HostArray out = new HostArray(Shape.of(kept), new double[Math.toIntExact(Shape.of(kept).size())]);
        for (int o = 0; o < out.size(); o++) {
            int[] index = out.indexOf(o);
            double best = Double.NEGATIVE_INFINITY;
            int bestIndex = -1;
            for (int i = 0; i < x.shape().dim(axis); i++) {
                index[axis] = i;
                double v = x.get(index);
                if (Double.isNaN(v)) {
                    bestIndex = i;
                    break;
                }
                if (bestIndex < 0 || v > best) {
                    best = v;
                    bestIndex = i;
                }
            }
            out.values()[o] = bestIndex;
        }
        boolean[] reduced = new boolean[kept.length];
        reduced[axis] = true;
        return keepDims ? out : out.reshape(dropAxes(x.shape().dims(), reduced));
    }

    /**
     * Evaluates a matrix product with numpy's {@code matmul} rules: leading axes broadcast, a rank-1 left operand is a
     * row and a rank-1 right operand a column, their axis removed from the result.
     *
     * @param dtype the element type, for integer wrap-around
     * @param a the left operand, rank at least 1
     * @param b the right operand, rank at least 1
     * @return the product, with the sum of {@code |a * b|} terms as the magnitude
     */
    public static Expected matmul(DType dtype, HostArray a, HostArray b) {
        HostArray left = a.shape().rank() == 1 ? a.reshape(1, a.shape().dim(0)) : a;
        HostArray right = b.shape().rank() == 1 ? b.reshape(b.shape().dim(0), 1) : b;
        int m = left.shape().dim(-2);
        int k = left.shape().dim(-1);
        int n = right.shape().dim(-1);
        Shape batch = Shape.broadcast("matmul", leading(left.shape()), leading(right.shape()));
        HostArray l = broadcastTo(left, append(batch, m, k));
        HostArray r = broadcastTo(right, append(batch, k, n));
        int batches = Math.toIntExact(batch.size());
        double[] out = new double[batches * m * n];
        double[] magnitudes = new double[out.length];
        for (int t = 0; t < batches; t++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    double magnitude = 0;
                    for (int p = 0; p < k; p++) {
                        double term = l.values()[(t * m + i) * k + p] * r.values()[(t * k + p) * n + j];
                        sum += term;
                        magnitude += Math.abs(term);
                    }
                    out[(t * m + i) * n + j] = wrap(dtype, sum);
                    magnitudes[(t * m + i) * n + j] = magnitude;
                }
            }
        }
        int[] dims = batch.dims();
        if (a.shape().rank() > 1) {
            dims = Arrays.copyOf(dims, dims.length + 1);
            dims[dims.length - 1] = m;
        }
        if (b.shape().rank() > 1) {
            dims = Arrays.copyOf(dims, dims.length + 1);
            dims[dims.length - 1] = n;
        }
        return new Expected(new HostArray(Shape.of(dims), out), magnitudes);
    }

    // ---------------------------------------------------------------- layout

    /**
     * Repeats an array along size-1 and new leading axes, with numpy's rules.
     *
     * @param x the array
     * @param target the shape to broadcast to
     * @return the materialized broadcast
     */
    public static HostArray broadcastTo(HostArray x, Shape target) {
        if (x.shape().equals(target)) {
            return x;
        }
        int lead = target.rank() - x.shape().rank();
        HostArray out = new HostArray(target, new double[Math.toIntExact(target.size())]);
        int[] source = new int[x.shape().rank()];
        for (int p = 0; p < out.size(); p++) {
            int[] index = out.indexOf(p);
            for (int a = 0; a < source.length; a++) {
                source[a] = x.shape().dim(a) == 1 ? 0 : index[a + lead];
            }
            out.values()[p] = x.get(source);
        }
        return out;
    }

    /**
     * Reorders the axes.
     *
     * @param x the array
     * @param axes a permutation of {@code [0, rank)}: output axis {@code i} is input axis {@code axes[i]}
     * @return the permuted array
     */
    public static HostArray permute(HostArray x, int... axes) {
        int[] dims = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            dims[i] = x.shape().dim(axes[i]);
        }
        HostArray out = new HostArray(Shape.of(dims), new double[x.size()]);
        int[] source = new int[axes.length];
        for (int p = 0; p < out.size(); p++) {
            int[] index = out.indexOf(p);
            for (int i = 0; i < axes.length; i++) {
                source[axes[i]] = index[i];
            }
            out.values()[p] = x.get(source);
        }
        return out;
    }

    /**
     * Takes {@code [start, limit)} with a step along one axis.
     *
     * @param x the array
     * @param axis the axis
     * @param start the first index
     * @param limit the end index, exclusive
     * @param step the step, at least 1
     * @return the slice
     */
    public static HostArray slice(HostArray x, int axis, int start, int limit, int step) {
        int[] dims = x.shape().dims();
        dims[axis] = (limit - start + step - 1) / step;
        HostArray out = new HostArray(Shape.of(dims), new double[Math.toIntExact(Shape.of(dims).size())]);
        for (int p = 0; p < out.size(); p++) {
            int[] index = out.indexOf(p);
            index[axis] = start + index[axis] * step;
            out.values()[p] = x.get(index);
        }
        return out;
    }

    /**
     * Joins arrays along an axis.
     *
     * @param axis the axis
     * @param parts arrays of equal shape except along {@code axis}
     * @return the joined array
     */
    public static HostArray concat(int axis, List<HostArray> parts) {
        int[] dims = parts.getFirst().shape().dims();
        dims[axis] = parts.stream().mapToInt(h -> h.shape().dim(axis)).sum();
        HostArray out = new HostArray(Shape.of(dims), new double[Math.toIntExact(Shape.of(dims).size())]);
        for (int p = 0; p < out.size(); p++) {
            int[] index = out.indexOf(p);
            int part = 0;
            while (index[axis] >= parts.get(part).shape().dim(axis)) {
                index[axis] -= parts.get(part).shape().dim(axis);
                part++;
            }
            out.values()[p] = parts.get(part).get(index);
        }
        return out;
    }

    /**
     * Pads every axis with a value.
     *
     * @param x the array
     * @param low elements added before, per axis
     * @param high elements added after, per axis
     * @param value the padding value, already in the array's type
     * @return the padded array
     */
    public static HostArray pad(HostArray x, int[] low, int[] high, double value) {
        int[] dims = x.shape().dims();
        for (int a = 0; a < dims.length; a++) {
            dims[a] += low[a] + high[a];
        }
        HostArray out = new HostArray(Shape.of(dims), new double[Math.toIntExact(Shape.of(dims).size())]);
        for (int p = 0; p < out.size(); p++) {
            int[] index = out.indexOf(p);
            boolean inside = true;
            for (int a = 0; a < dims.length; a++) {
                index[a] -= low[a];
                inside &= index[a] >= 0 && index[a] < x.shape().dim(a);
            }
            out.values()[p] = inside ? x.get(index) : value;
        }
        return out;
    }

    /**
     * Creates each element's index along an axis.
     *
     * @param shape the shape
     * @param axis the axis, in {@code [0, rank)}
     * @return the indices
     */
    public static HostArray iota(Shape shape, int axis) {
        HostArray out = new HostArray(shape, new double[Math.toIntExact(shape.size())]);
        for (int p = 0; p < out.size(); p++) {
            out.values()[p] = out.indexOf(p)[axis];
        }
        return out;
    }

    // ---------------------------------------------------------------- indexing

    /**
     * Takes along an axis: {@code out[p] = x[p with p[axis] = index[p]]}.
     *
     * @param x the input
     * @param axis the axis
     * @param index indices, same rank as {@code x}
     * @return an array shaped as {@code index}
     */
    public static HostArray gather(HostArray x, int axis, HostArray index) {
        HostArray out = new HostArray(index.shape(), new double[index.size()]);
        for (int p = 0; p < out.size(); p++) {
            int[] at = index.indexOf(p);
            at[axis] = (int) index.values()[p];
            out.values()[p] = x.get(at);
        }
        return out;
    }

    /**
     * Adds {@code src} into a copy of {@code x}: {@code out[p with p[axis] = index[p]] += src[p]} for every position of
     * {@code index}.
     *
     * @param dtype the element type, for integer wrap-around
     * @param x the base values
     * @param axis the axis
     * @param index indices, same rank as {@code x}
     * @param src values, at least as large as {@code index} on every axis
     * @return the sums, with the sum of absolute terms as the magnitude
     */
    public static Expected scatterAdd(DType dtype, HostArray x, int axis, HostArray index, HostArray src) {
        double[] out = x.values().clone();
        double[] magnitudes = Arrays.stream(out).map(Math::abs).toArray();
        for (int p = 0; p < index.size(); p++) {
            int[] at = index.indexOf(p);
            double v = src.get(at);
            at[axis] = (int) index.values()[p];
            int o = x.offsetOf(at);
            out[o] += v;
            magnitudes[o] += Math.abs(v);
        }
        return new Expected(new HostArray(x.shape(), out).map(v -> wrap(dtype, v)), magnitudes);
    }

    // ---------------------------------------------------------------- random numbers

    /**
     * Computes the uniform numbers in {@code [low, high)} that {@code rng_uniform} draws, from Philox4x32-10 blocks
     * as {@link Philox}'s class documentation specifies: element {@code i} takes word {@code i % 4} of block
     * {@code offset + i / 4}, mapped to {@code (word >>> 8) * 2^-24}.
     *
     * @param shape the shape
     * @param seed the key
     * @param offset the first counter block
     * @param low the lower bound
     * @param high the upper bound
     * @return the numbers, in double precision
     */
    public static HostArray uniform(Shape shape, long seed, long offset, double low, double high) {
        HostArray out = new HostArray(shape, new double[Math.toIntExact(shape.size())]);
        int[] words = new int[4];
        for (int i = 0; i < out.size(); i++) {
            if (i % 4 == 0) {
                philoxBlock(seed, offset + i / 4, words);
            }
            out.values()[i] = low + (high - low) * ((words[i % 4] >>> 8) * TWO_POW_MINUS_24);
        }
        return out;
    }

    /**
     * Computes the normal numbers {@code rng_normal} draws: Box-Muller over the word pairs (0, 1) and (2, 3) of each
     * Philox4x32-10 block, with {@code ((word >>> 8) + 0.5) * 2^-24} in (0, 1), as {@link Philox}'s class
     * documentation specifies.
     *
     * @param shape the shape
     * @param seed the key
     * @param offset the first counter block
     * @param mean the mean
     * @param std the standard deviation
     * @return the numbers, in double precision
     */
    public static HostArray normal(Shape shape, long seed, long offset, double mean, double std) {
        HostArray out = new HostArray(shape, new double[Math.toIntExact(shape.size())]);
        int[] words = new int[4];
        for (int i = 0; i < out.size(); i++) {
            if (i % 4 == 0) {
                philoxBlock(seed, offset + i / 4, words);
            }
            int pair = (i % 4) / 2;
            double u1 = ((words[2 * pair] >>> 8) + 0.5) * TWO_POW_MINUS_24;
            double u2 = ((words[2 * pair + 1] >>> 8) + 0.5) * TWO_POW_MINUS_24;
            double radius = Math.sqrt(-2 * Math.log(u1));
            double angle = 2 * Math.PI * u2;
            out.values()[i] = mean + std * (i % 2 == 0 ? radius * Math.cos(angle) : radius * Math.sin(angle));
        }
        return out;
    }

    /** The block of a 64-bit counter value: counter words {lo, hi, 0, 0}, key words {lo(seed), hi(seed)}. */
    private static void philoxBlock(long seed, long block, int[] words) {
        Philox.block(new int[] {(int) block, (int) (block >>> 32), 0, 0}, new int[] {(int) seed, (int) (seed >>> 32)}, words);
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Computes the Gauss error function to about 1e-15 relative, which {@link Math} lacks. Uses the everywhere
     * convergent series {@code erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n (2x^2)^n x / (1 * 3 * ... * (2n + 1))},
     * whose terms are all positive, so no cancellation; beyond |x| = 6 erf is 1 to double precision.
     *
     * @param x the argument
     * @return erf(x)
     */
    public static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double a = Math.abs(x);
        if (a >= 6) {
            return Math.copySign(1, x);
        }
        double term = a;
        double sum = a;
        for (int n = 1; term > sum * 1e-17; n++) {
            term *= 2 * a * a / (2 * n + 1);
            sum += term;
        }
        return Math.copySign(Math.min(1, 2 / Math.sqrt(Math.PI) * Math.exp(-a * a) * sum), x);
    }

    /** Wraps an integer result around as the integer type does; floating results pass unchanged. */
    static double wrap(DType dtype, double v) {
        return switch (dtype) {
            case I8 -> (byte) (long) v;
            case I32 -> (int) (long) v;
            case I64 -> (long) v;
            default -> v;
        };
    }

    private static int[] allAxes(int rank) {
        int[] axes = new int[rank];
        Arrays.setAll(axes, i -> i);
        return axes;
    }

    private static int[] dropAxes(int[] dims, boolean[] reduced) {
        return java.util.stream.IntStream.range(0, dims.length).filter(a -> !reduced[a]).map(a -> dims[a]).toArray();
    }

    private static Shape leading(Shape s) {
        return Shape.of(Arrays.copyOf(s.dims(), s.rank() - 2));
    }

    private static Shape append(Shape batch, int rows, int columns) {
        int[] dims = Arrays.copyOf(batch.dims(), batch.rank() + 2);
        dims[batch.rank()] = rows;
        dims[batch.rank() + 1] = columns;
        return Shape.of(dims);
    }
}
