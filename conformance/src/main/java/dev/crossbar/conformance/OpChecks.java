package dev.crossbar.conformance;

import static dev.crossbar.conformance.CellContext.inputsAt;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.UnsupportedOpException;
import dev.crossbar.spi.Cell;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.Philox;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.Assertions;

/**
 * The check of every op, one method per family, each driving the public {@link Tensor} API and comparing with
 * {@link ReferenceOps}. A check's first kernel call is the op under test, so running it on a backend that does not
 * declare the cell throws that cell's {@link dev.crossbar.api.UnsupportedOpException}.
 */
final class OpChecks {
    /** A cell's check: runs its op on inputs of {@code dtype} and asserts the results. */
    @FunctionalInterface
    interface CellCheck {
        void run(CellContext c, DType dtype);
    }

    private static final Set<Op> TRANSCENDENTAL = EnumSet.of(Op.EXP, Op.LOG, Op.SQRT, Op.RSQRT, Op.TANH, Op.LOGISTIC, Op.SIN, Op.COS, Op.ERF, Op.POW);

    /** NaN, both infinities, both zeros and two ordinary values: every floating type holds each exactly. */
    private static final double[] SPECIALS = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.0, -0.0, 1.0, -2.5};

    private static final long SEED = 0x5EED_C0FFEEL;
    private static final int RNG_SAMPLES = 100_003; // not a multiple of 4: the last Philox block is used in part

    private OpChecks() {
    }

    /** Returns the check of an op. */
    static CellCheck forOp(Op op) {
        return switch (op.kind()) {
            case CREATION -> switch (op) {
                case FULL -> OpChecks::full;
                case IOTA -> OpChecks::iota;
                default -> (c, d) -> random(c, op, d);
            };
            case UNARY -> (c, d) -> unary(c, op, d);
            case BINARY -> (c, d) -> binary(c, op, d);
            case COMPARE -> (c, d) -> compare(c, op, d);
            case SELECT -> OpChecks::select;
            case CAST -> OpChecks::cast;
            case REDUCE -> op == Op.ARGMAX ? OpChecks::argmax : (c, d) -> reduce(c, op, d);
            case MATMUL -> OpChecks::matmul;
            case LAYOUT -> layout(op);
            case INDEXING -> op == Op.GATHER ? OpChecks::gather : OpChecks::scatterAdd;
        };
    }

    // ---------------------------------------------------------------- creation

    private static void full(CellContext c, DType d) {
        double[] values = switch (d.kind()) {
            // FP8 values beyond the largest finite one: 500 overflows E4M3FN to NaN, 1e5 overflows E5M2 to infinity.
            case FLOATING -> d.isStorageOnly() ? new double[] {1.0 / 3, -2.75, 0, 7, 1e-3, -0.0, 500, -1e5, 0x1p-17}
                    : new double[] {1.0 / 3, -2.75, 0, 7, 1e-3, -0.0};
            case INTEGER -> new double[] {-2.75, 3.99, 0, 7, 300.5, -1e20}; // the last two saturate in I8, and -1e20 in every type
            case BOOLEAN -> new double[] {0, 0.5, -1};
        };
        for (double v : values) {
            for (Shape shape : List.of(Shape.of(2, 3), Shape.scalar(), Shape.of(0, 4))) {
                Tensor t = c.scope().full(shape, v, d);
                HostArray want = new HostArray(shape, DoubleStream.generate(() -> DTypeValues.round(d, v)).limit(shape.size()).toArray());
                c.assertMatches("full(" + shape + ", " + v + ")", Expected.elementwise(want), c.get(t), Tolerance.EXACT, p -> "", true);
            }
        }
    }

    private static void iota(CellContext c, DType d) {
        Shape shape = Shape.of(3, 4, 2);
        for (int axis : new int[] {1, -1, 0}) {
            Tensor t = c.scope().iota(shape, axis, d);
            c.assertMatches("iota(" + shape + ", axis " + axis + ")", Expected.elementwise(ReferenceOps.iota(shape, Math.floorMod(axis, 3))), t, Tolerance.EXACT);
        }
    }

    private static void random(CellContext c, Op op, DType d) {
        boolean uniform = op == Op.RNG_UNIFORM;
        double a = uniform ? -2 : 1.5;
        double b = uniform ? 3 : 2;
        long offset = 5;
        for (Shape shape : List.of(Shape.of(RNG_SAMPLES), Shape.of(3, 5))) {
            Tensor t = uniform ? c.scope().randUniform(shape, d, SEED, offset, a, b) : c.scope().randNormal(shape, d, SEED, offset, a, b);
            HostArray got = c.get(t);
            HostArray want = uniform ? ReferenceOps.uniform(shape, SEED, offset, a, b) : ReferenceOps.normal(shape, SEED, offset, a, b);
            // The error of low + (high - low) * u scales with the bounds; that of mean + std * z with std * |z|.
            DoubleUnaryOperator magnitude = uniform ? v -> Math.abs(a) + Math.abs(b) : v -> Math.abs(a) + b * Math.max(1, Math.abs(v - a) / b);
            Expected expected = new Expected(want, Arrays.stream(want.values()).map(magnitude).toArray());
            String what = String.format(Locale.ROOT, "%s(%s, seed %d, offset %d, %s, %s)", op.opName(), shape, SEED, offset, a, b);
            c.assertMatches(what + " against the Philox reference", expected, got, uniform ? Tolerance.of(d) : Tolerance.transcendental(d), p -> "", false);
            if (uniform) {
                assertUniformRange(what, d, got, a, b);
            }
            offset += Philox.blocksFor(shape.size());
        }
        HostArray sample = c.get(uniform ? c.scope().randUniform(Shape.of(RNG_SAMPLES), d, SEED + 1, 0, a, b)
                : c.scope().randNormal(Shape.of(RNG_SAMPLES), d, SEED + 1, 0, a, b));
        double mean = Arrays.stream(sample.values()).average().orElseThrow();
        double std = Math.sqrt(Arrays.stream(sample.values()).map(v -> (v - mean) * (v - mean)).sum() / (RNG_SAMPLES - 1));
        double wantMean = uniform ? (a + b) / 2 : a;
        double wantStd = uniform ? (b - a) / Math.sqrt(12) : b;
        // Five standard errors: the draw is deterministic, so this bound either always holds or never does.
        double meanBound = 5 * wantStd / Math.sqrt(RNG_SAMPLES);
        double stdBound = 5 * wantStd / Math.sqrt(2.0 * RNG_SAMPLES);
        Assertions.assertTrue(Math.abs(mean - wantMean) <= meanBound, () -> String.format(Locale.ROOT,
                "%s/%s: sample mean of %d draws is %.6f, expected %.6f +- %.6f", op.opName(), d.shortName(), RNG_SAMPLES, mean, wantMean, meanBound));
        Assertions.assertTrue(Math.abs(std - wantStd) <= stdBound, () -> String.format(Locale.ROOT,
                "%s/%s: sample standard deviation of %d draws is %.6f, expected %.6f +- %.6f", op.opName(), d.shortName(), RNG_SAMPLES, std, wantStd, stdBound));
    }

    /**
     * Uniform numbers lie in [low, high). In F16 and BF16 a value just below {@code high} rounds to nearest even onto
     * {@code high} itself, which the Philox mapping does not exclude, so there the upper bound is inclusive.
     */
    private static void assertUniformRange(String what, DType d, HostArray got, double low, double high) {
        boolean halfWidth = d == DType.F16 || d == DType.BF16;
        for (int i = 0; i < got.size(); i++) {
            double v = got.values()[i];
            boolean inside = v >= low && (halfWidth ? v <= high : v < high);
            int at = i;
            Assertions.assertTrue(inside, () -> String.format(Locale.ROOT, "%s: element %d is %s, outside [%s, %s%s", what, at, v, low, high, halfWidth ? "]" : ")"));
        }
    }

    // ---------------------------------------------------------------- element-wise

    private static Tolerance toleranceOf(Op op, DType d) {
        return TRANSCENDENTAL.contains(op) ? Tolerance.transcendental(d) : Tolerance.of(d);
    }

    private static void unary(CellContext c, Op op, DType d) {
        double low = switch (op) {
            case LOG, SQRT, RSQRT -> 0.125;
            case EXP -> -5;
            default -> -CellContext.defaultRange(d);
        };
        double high = switch (op) {
            case LOG, SQRT, RSQRT -> 8;
            case EXP -> 5;
            default -> CellContext.defaultRange(d);
        };
        Tolerance tolerance = toleranceOf(op, d);
        HostArray x = c.randomIn(d, low, high, 3, 4, 5);
        Tensor result = applyUnary(op, c.put(x, d));
        c.assertMatches("on " + x.shape(), Expected.elementwise(ReferenceOps.unary(op, d, x)), result, tolerance, inputsAt(x.shape(), new String[] {"x"}, x));

        HostArray y = c.randomIn(d, low, high, 5, 4, 3);
        HostArray permuted = ReferenceOps.permute(y, 2, 1, 0);
        Tensor fromView = applyUnary(op, c.put(y, d).permute(2, 1, 0));
        c.assertMatches("on a permuted (non-contiguous) view", Expected.elementwise(ReferenceOps.unary(op, d, permuted)), fromView, tolerance,
                inputsAt(permuted.shape(), new String[] {"x"}, permuted));

        if (d.isFloating()) {
            // rsqrt(-0) is -inf by IEEE 754 but +inf in several vendor libraries; the suite leaves it open.
            double[] specials = Arrays.stream(SPECIALS).filter(v -> op != Op.RSQRT || Double.doubleToRawLongBits(v) != Double.doubleToRawLongBits(-0.0)).toArray();
            HostArray s = HostArray.of(specials, specials.length);
            HostArray want = ReferenceOps.unary(op, d, s);
            boolean signedZeros = op == Op.NEG || op == Op.ABS;
            c.assertMatches("on NaN, infinities and signed zeros", Expected.elementwise(want), c.get(applyUnary(op, c.put(s, d))), tolerance,
                    inputsAt(s.shape(), new String[] {"x"}, s), signedZeros);
        }
    }

    private static Tensor applyUnary(Op op, Tensor x) {
        return switch (op) {
            case NEG -> x.neg();
            case ABS -> x.abs();
            case EXP -> x.exp();
            case LOG -> x.log();
            case SQRT -> x.sqrt();
            case RSQRT -> x.rsqrt();
            case TANH -> x.tanh();
            case LOGISTIC -> x.logistic();
            case SIN -> x.sin();
            case COS -> x.cos();
            case ERF -> x.erf();
            default -> throw new IllegalArgumentException(op + " is not unary");
        };
    }

    private static void binary(CellContext c, Op op, DType d) {
        Tolerance tolerance = toleranceOf(op, d);
        for (int[][] shapes : new int[][][] {{{2, 3, 4}, {2, 3, 4}}, {{3, 1}, {1, 4}}, {{}, {2, 3}}, {{2, 3}, {}}}) {
            HostArray a = firstOperand(c, op, d, shapes[0]);
            HostArray b = secondOperand(c, op, d, shapes[1]);
            Tensor result = applyBinary(op, c.put(a, d), c.put(b, d));
            assertBinary(c, op, d, "of " + a.shape() + " and " + b.shape(), a, b, result, tolerance);
        }

        HostArray a = firstOperand(c, op, d, 3, 7);
        HostArray b = secondOperand(c, op, d, 4, 3);
        Tensor strided = c.put(a, d).slice(1, 0, 7, 2);
        Tensor transposed = c.put(b, d).permute(1, 0);
        assertBinary(c, op, d, "of a step-2 slice and a permuted view", ReferenceOps.slice(a, 1, 0, 7, 2), ReferenceOps.permute(b, 1, 0),
                applyBinary(op, strided, transposed), tolerance);

        if (d.isFloating() && op != Op.POW) {
            // pow's special cases differ between IEEE 754 (pow(1, NaN) = 1) and Java (NaN); the others agree.
            HostArray s = HostArray.of(SPECIALS, SPECIALS.length, 1);
            HostArray t = HostArray.of(SPECIALS, 1, SPECIALS.length);
            assertBinary(c, op, d, "of every pair of NaN, infinities and signed zeros", s, t, applyBinary(op, c.put(s, d), c.put(t, d)), tolerance);
        }
        if (op == Op.DIV && d.isInteger()) {
            HostArray dividend = HostArray.of(new double[] {7, -7, 7, -7, 5, -1}, 6);
            HostArray divisor = HostArray.of(new double[] {2, 2, -2, -2, 7, 3}, 6);
            assertBinary(c, op, d, "truncating toward zero", dividend, divisor, c.put(dividend, d).div(c.put(divisor, d)), tolerance);
            Tensor numerator = c.put(HostArray.of(new double[] {1, 2, 3}, 3), d);
            Tensor zeros = c.put(HostArray.of(new double[] {1, 0, 1}, 3), d);
            Assertions.assertThrows(ArithmeticException.class, () -> numerator.div(zeros), "div/" + d.shortName() + " by an integer zero must throw ArithmeticException");
        }
    }

    private static HostArray firstOperand(CellContext c, Op op, DType d, int... dims) {
        return op == Op.POW ? c.randomIn(d, 0.25, 4, dims) : c.random(d, dims);
    }

    /** Divisors stay away from zero (at least 0.25, or 1 for integers); exponents within [-2, 2]. */
    private static HostArray secondOperand(CellContext c, Op op, DType d, int... dims) {
        if (op == Op.POW) {
            return c.randomIn(d, -2, 2, dims);
        }
        if (op == Op.DIV) {
            HostArray magnitude = c.randomIn(d, d.isFloating() ? 0.25 : 1, CellContext.defaultRange(d), dims);
            HostArray sign = c.random(DType.BOOL, dims);
            double[] v = magnitude.values();
            for (int i = 0; i < v.length; i++) {
                v[i] = sign.values()[i] != 0 ? -v[i] : v[i];
            }
            return magnitude;
        }
        return c.random(d, dims);
    }

    private static void assertBinary(CellContext c, Op op, DType d, String what, HostArray a, HostArray b, Tensor result, Tolerance tolerance) {
        HostArray want = ReferenceOps.binary(op, d, a, b);
        c.assertMatches(what, Expected.elementwise(want), result, tolerance, inputsAt(want.shape(), new String[] {"a", "b"}, a, b));
    }

    private static Tensor applyBinary(Op op, Tensor a, Tensor b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
            case POW -> a.pow(b);
            case MAX -> a.maximum(b);
            case MIN -> a.minimum(b);
            default -> throw new IllegalArgumentException(op + " is not binary");
        };
    }

    private static void compare(CellContext c, Op op, DType d) {
        // Values in {-2, ..., 2} (or {0, 1}) make equal pairs frequent; every type holds them exactly.
        DType source = d == DType.BOOL ? DType.BOOL : DType.I32;
        HostArray a = c.randomIn(source, -2, 2, 4, 1);
        HostArray b = c.randomIn(source, -2, 2, 1, 5);
        assertCompare(c, op, "of [4, 1] and [1, 5]", a, b, applyCompare(op, c.put(a, d), c.put(b, d)));

        HostArray x = c.randomIn(source, -2, 2, 4, 3);
        HostArray y = c.randomIn(source, -2, 2, 3, 4);
        assertCompare(c, op, "of a permuted view and a contiguous tensor", ReferenceOps.permute(x, 1, 0), y,
                applyCompare(op, c.put(x, d).permute(1, 0), c.put(y, d)));

        if (d.isFloating()) {
            HostArray s = HostArray.of(SPECIALS, SPECIALS.length, 1);
            HostArray t = HostArray.of(SPECIALS, 1, SPECIALS.length);
            assertCompare(c, op, "of every pair of NaN, infinities and signed zeros", s, t, applyCompare(op, c.put(s, d), c.put(t, d)));
        }
    }

    private static void assertCompare(CellContext c, Op op, String what, HostArray a, HostArray b, Tensor result) {
        Assertions.assertEquals(DType.BOOL, result.dtype(), () -> op.opName() + " must give BOOL");
        HostArray want = ReferenceOps.compare(op, a, b);
        c.assertMatches(what, Expected.elementwise(want), result, Tolerance.EXACT, inputsAt(want.shape(), new String[] {"a", "b"}, a, b));
    }

    private static Tensor applyCompare(Op op, Tensor a, Tensor b) {
        return switch (op) {
            case EQ -> a.eq(b);
            case NE -> a.ne(b);
            case LT -> a.lt(b);
            case LE -> a.le(b);
            case GT -> a.gt(b);
            case GE -> a.ge(b);
            default -> throw new IllegalArgumentException(op + " is not a comparison");
        };
    }

    private static void select(CellContext c, DType d) {
        HostArray condition = c.random(DType.BOOL, 2, 1, 4);
        HostArray a = c.random(d, 2, 3, 1);
        HostArray b = c.random(d, 4);
        if (d.isFloating()) {
            a.values()[0] = Double.NaN;
            a.values()[1] = -0.0;
            b.values()[0] = Double.NEGATIVE_INFINITY;
        }
        Tensor result = Tensor.where(c.put(condition, DType.BOOL), c.put(a, d), c.put(b, d));
        HostArray want = ReferenceOps.select(condition, a, b);
        c.assertMatches("of [2, 1, 4] ? [2, 3, 1] : [4]", Expected.elementwise(want), c.get(result), Tolerance.EXACT,
                inputsAt(want.shape(), new String[] {"cond", "a", "b"}, condition, a, b), true);
    }

    // ---------------------------------------------------------------- cast

    /**
     * Values that probe every conversion rule: truncation toward zero, saturation, NaN, infinities, ties to even when
     * rounding to F16 (1 + 2^-11, 1 + 3 * 2^-11, the subnormal ties 2^-25 and 3 * 2^-25, the overflow 65520), to
     * BF16 (1 + 2^-8, 1 + 3 * 2^-8), to F8E4M3FN (1 + 2^-4, 1 + 3 * 2^-4, the subnormal ties 2^-10 and 3 * 2^-10, 464
     * between 448 and the missing 480, the overflow 465, and 1 + 2^-4 + 2^-12, which rounding through F16 first would
     * turn into a tie) and to F8E5M2 (1 + 2^-3, 1 + 3 * 2^-3, 2^-17 and 3 * 2^-17, 61439 and the overflow 61440), and
     * integers F32 and F16 cannot hold (2^24 + 1, 2049).
     */
    private static final double[] CAST_PROBES = {0, -0.0, 1, -1, 1.5, -1.5, 2.5, -3.7, 3.99, 100.25, -129.5, 300.7, 127, -128, 2049, 65519, 65520,
        1e10, -1e10, 1e19, -1e19, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1 + 0x1p-8, 1 + 3 * 0x1p-8, 1 + 0x1p-11,
        1 + 3 * 0x1p-11, 0x1p-25, 3 * 0x1p-25, 1e-3, 1.0 / 3, 16777217, 16777219, 1 << 30, Integer.MIN_VALUE, Integer.MAX_VALUE, 0x1p40 + 1, -0x1p53,
        1 + 0x1p-4, 1 + 3 * 0x1p-4, 0x1p-10, 3 * 0x1p-10, 0x1p-9, 448, -464, 465, 480, 1 + 0x1p-3, 1 + 3 * 0x1p-3, 0x1p-17, 3 * 0x1p-17, 0x1p-16,
        57344, -61439, 61440, 1 + 0x1p-4 + 0x1p-12};

    private static void cast(CellContext c, DType source) {
        double[] probes = switch (source.kind()) {
            case FLOATING -> Arrays.stream(CAST_PROBES).map(v -> DTypeValues.round(source, v)).toArray();
            // + 0.0 turns -0.0 into 0.0: integers have one zero.
            case INTEGER -> Arrays.stream(CAST_PROBES).filter(v -> !Double.isNaN(v) && DTypeValues.isRepresentable(source, v)).map(v -> v + 0.0).toArray();
            case BOOLEAN -> new double[] {0, 1, 1, 0};
        };
        for (DType target : DType.values()) {
            if (target.isStorageOnly() && !c.declares(Op.CAST, target)) {
                // A backend converts into FP8 only where it declares FP8; elsewhere the cast must be refused by name.
                Tensor input = c.put(HostArray.of(probes, probes.length), source);
                UnsupportedOpException e = Assertions.assertThrows(UnsupportedOpException.class, () -> input.cast(target),
                        () -> "cast from " + source + " to " + target + ", whose cast cell the backend does not declare, must throw UnsupportedOpException");
                Assertions.assertEquals(new Cell(Op.CAST, target), new Cell(e.op(), e.dtype()), "the refused cell");
                continue;
            }
            // Narrowing one integer type to another is unspecified out of range; only in-range values are probed.
            double[] values = source.isFloating() || !target.isInteger() ? probes
                    : Arrays.stream(probes).filter(v -> DTypeValues.isRepresentable(target, v)).toArray();
            HostArray x = HostArray.of(values, values.length);
            Tensor result = c.put(x, source).cast(target);
            Assertions.assertEquals(target, result.dtype(), "cast result type");
            c.assertMatches("to " + target, Expected.elementwise(ReferenceOps.cast(x, target)), c.get(result), Tolerance.EXACT,
                    inputsAt(x.shape(), new String[] {"x"}, x), target.isFloating());
        }
        HostArray y = c.random(source, 4, 3);
        HostArray permuted = ReferenceOps.permute(y, 1, 0);
        DType target = source == DType.F32 ? DType.F64 : DType.F32;
        c.assertMatches("of a permuted view to " + target, Expected.elementwise(ReferenceOps.cast(permuted, target)), c.put(y, source).permute(1, 0).cast(target),
                Tolerance.EXACT);
    }

    // ---------------------------------------------------------------- reductions and matmul

    private static void reduce(CellContext c, Op op, DType d) {
        HostArray x = c.random(d, 4, 5, 6);
        Tensor t = c.put(x, d);
        record Case(int[] axes, boolean keepDims, int reducedLength) {
        }
        for (Case k : List.of(new Case(new int[] {1}, false, 5), new Case(new int[] {0, 2}, true, 24), new Case(new int[0], false, 120),
                new Case(new int[] {-1}, true, 6))) {
            int[] normalized = Arrays.stream(k.axes()).map(a -> Math.floorMod(a, 3)).toArray();
            assertReduce(c, op, d, "over axes " + Arrays.toString(k.axes()) + (k.keepDims() ? " keeping them" : ""),
                    ReferenceOps.reduce(op, d, x, normalized, k.keepDims()), applyReduce(op, t, k.axes(), k.keepDims()), k.reducedLength());
        }

        HostArray y = c.random(d, 6, 4, 5);
        assertReduce(c, op, d, "of a permuted view over axes [0, 1]", ReferenceOps.reduce(op, d, ReferenceOps.permute(y, 1, 2, 0), new int[] {0, 1}, false),
                applyReduce(op, c.put(y, d).permute(1, 2, 0), new int[] {0, 1}, false), 20);

        if (op == Op.REDUCE_SUM) {
            for (int[] dims : new int[][] {{0, 3}, {2, 0}}) {
                HostArray empty = HostArray.of(new double[0], dims);
                assertReduce(c, op, d, "of an empty " + empty.shape() + " over the empty axis", ReferenceOps.reduce(op, d, empty, new int[] {dims[0] == 0 ? 0 : 1}, false),
                        applyReduce(op, c.put(empty, d), new int[] {dims[0] == 0 ? 0 : 1}, false), 0);
            }
        }
        if (d.isFloating()) {
            double nan = Double.NaN;
            double inf = Double.POSITIVE_INFINITY;
            HostArray s = HostArray.of(new double[] {1, nan, 2, 3, inf, 1, -inf, 2, inf, 1, 2, 3, -0.0, 0.0, -1, nan}, 4, 4);
            assertReduce(c, op, d, "of rows holding NaN and infinities", ReferenceOps.reduce(op, d, s, new int[] {1}, false),
                    applyReduce(op, c.put(s, d), new int[] {1}, false), 4);
        }
    }

    private static void assertReduce(CellContext c, Op op, DType d, String what, Expected want, Tensor got, int reducedLength) {
        Tolerance tolerance = op == Op.REDUCE_SUM ? Tolerance.of(d).forReductionOf(reducedLength) : Tolerance.EXACT;
        c.assertMatches(what, want, got, tolerance);
    }

    private static Tensor applyReduce(Op op, Tensor x, int[] axes, boolean keepDims) {
        return switch (op) {
            case REDUCE_SUM -> x.sum(axes, keepDims);
            case REDUCE_MAX -> x.max(axes, keepDims);
            case REDUCE_MIN -> x.min(axes, keepDims);
            default -> throw new IllegalArgumentException(op + " is not a reduction");
        };
    }

    private static void argmax(CellContext c, DType d) {
        // Values in {-2, ..., 2} make ties frequent: the first maximum must win.
        HostArray x = c.randomIn(DType.I32, -2, 2, 4, 6);
        Tensor t = c.put(x, d);
        assertArgmax(c, "along axis 1", ReferenceOps.argmax(x, 1, false), t.argmax(1, false));
        assertArgmax(c, "along axis 0 keeping it", ReferenceOps.argmax(x, 0, true), t.argmax(0, true));
        HostArray y = c.randomIn(DType.I32, -2, 2, 6, 4);
        assertArgmax(c, "of a permuted view along axis -1", ReferenceOps.argmax(ReferenceOps.permute(y, 1, 0), 1, false), c.put(y, d).permute(1, 0).argmax(-1, false));
        if (d.isFloating()) {
            double nan = Double.NaN;
            double inf = Double.POSITIVE_INFINITY;
            HostArray s = HostArray.of(new double[] {1, 2, 3, nan, 4, nan, -inf, -inf, -inf, -inf, -inf, -inf, 1, inf, 2, inf, 0, 0}, 3, 6);
            assertArgmax(c, "of rows holding NaN (the maximum) and infinities", ReferenceOps.argmax(s, 1, false), c.put(s, d).argmax(1, false));
        }
    }

    private static void assertArgmax(CellContext c, String what, HostArray want, Tensor got) {
        Assertions.assertEquals(DType.I64, got.dtype(), "argmax must give I64");
        c.assertMatches(what, Expected.elementwise(want), got, Tolerance.EXACT);
    }

    private static void matmul(CellContext c, DType d) {
        for (int[][] shapes : new int[][][] {{{2, 3, 4}, {4, 5}}, {{2, 1, 3, 4}, {2, 4, 5}}, {{4}, {4, 5}}, {{3, 4}, {4}}, {{4}, {4}}, {{3, 0}, {0, 2}}}) {
            HostArray a = c.random(d, shapes[0]);
            HostArray b = c.random(d, shapes[1]);
            assertMatmul(c, d, a.shape() + " @ " + b.shape(), a, b, c.put(a, d).matmul(c.put(b, d)));
        }
        HostArray a = c.random(d, 3, 8);
        HostArray b = c.random(d, 5, 4);
        assertMatmul(c, d, "of a step-2 slice and a transposed view", ReferenceOps.slice(a, 1, 0, 8, 2), ReferenceOps.permute(b, 1, 0),
                c.put(a, d).slice(1, 0, 8, 2).matmul(c.put(b, d).transpose(0, 1)));
    }

    private static void assertMatmul(CellContext c, DType d, String what, HostArray a, HostArray b, Tensor got) {
        int k = a.shape().dim(-1);
        c.assertMatches(what, ReferenceOps.matmul(d, a, b), got, Tolerance.of(d).forReductionOf(k));
    }

    // ---------------------------------------------------------------- layout

    private static CellCheck layout(Op op) {
        return switch (op) {
            case RESHAPE -> OpChecks::reshape;
            case PERMUTE -> OpChecks::permute;
            case BROADCAST_TO -> OpChecks::broadcastTo;
            case SLICE -> OpChecks::slice;
            case CONCAT -> OpChecks::concat;
            case PAD -> OpChecks::pad;
            case COPY -> OpChecks::copy;
            default -> throw new IllegalArgumentException(op + " is not a layout op");
        };
    }

    /** Random values with, for floating types, NaN, -0.0 and an infinity (if the type has one) in front: layout ops must move bits unchanged. */
    private static HostArray layoutValues(CellContext c, DType d, int... dims) {
        HostArray x = c.random(d, dims);
        if (d.isFloating()) {
            double[] v = x.values();
            v[0] = Double.NaN;
            v[1] = -0.0;
            v[2] = DTypeValues.round(d, Double.NEGATIVE_INFINITY); // NaN in F8E4M3FN, which has no infinities
        }
        return x;
    }

    private static void assertLayout(CellContext c, String what, HostArray want, Tensor got) {
        c.assertMatches(what, Expected.elementwise(want), c.get(got), Tolerance.EXACT, p -> "", true);
    }

    private static void reshape(CellContext c, DType d) {
        HostArray x = layoutValues(c, d, 3, 4, 2);
        Tensor t = c.put(x, d);
        assertLayout(c, "of a permuted view (the copy path) to [6, 4]", ReferenceOps.permute(x, 2, 0, 1).reshape(6, 4), t.permute(2, 0, 1).reshape(6, 4));
        assertLayout(c, "of a step-2 slice to [-1]", ReferenceOps.slice(x, 1, 0, 4, 2).reshape(12), t.slice(1, 0, 4, 2).reshape(-1));
        assertLayout(c, "of a contiguous tensor to [-1, 4]", x.reshape(6, 4), t.reshape(-1, 4));
        assertLayout(c, "of a permuted view splitting an axis (the view path) to [2, 2, 3, 2]",
                ReferenceOps.permute(x, 1, 0, 2).reshape(2, 2, 3, 2), t.permute(1, 0, 2).reshape(2, 2, 3, 2));
        assertLayout(c, "of a slice of a permuted view dropping its size-1 axis (the view path) to [4, 2]",
                ReferenceOps.slice(ReferenceOps.permute(x, 1, 0, 2), 1, 1, 2, 1).reshape(4, 2), t.permute(1, 0, 2).slice(1, 1, 2).reshape(4, 2));
    }

    private static void permute(CellContext c, DType d) {
        HostArray x = layoutValues(c, d, 2, 3, 4);
        Tensor t = c.put(x, d);
        assertLayout(c, "(2, 0, 1)", ReferenceOps.permute(x, 2, 0, 1), t.permute(2, 0, 1));
        assertLayout(c, "(-1, 0, 1)", ReferenceOps.permute(x, 2, 0, 1), t.permute(-1, 0, 1));
        assertLayout(c, "twice, (1, 2, 0) then (0, 2, 1)", ReferenceOps.permute(ReferenceOps.permute(x, 1, 2, 0), 0, 2, 1), t.permute(1, 2, 0).permute(0, 2, 1));
    }

    private static void broadcastTo(CellContext c, DType d) {
        HostArray x = layoutValues(c, d, 3, 1);
        assertLayout(c, "[3, 1] to [2, 3, 4]", ReferenceOps.broadcastTo(x, Shape.of(2, 3, 4)), c.put(x, d).broadcastTo(2, 3, 4));
        HostArray s = c.random(d);
        assertLayout(c, "a scalar to [2, 2]", ReferenceOps.broadcastTo(s, Shape.of(2, 2)), c.put(s, d).broadcastTo(2, 2));
    }

    private static void slice(CellContext c, DType d) {
        HostArray x = layoutValues(c, d, 5, 6);
        Tensor t = c.put(x, d);
        assertLayout(c, "[:, 1:6:2]", ReferenceOps.slice(x, 1, 1, 6, 2), t.slice(1, 1, 6, 2));
        assertLayout(c, "[1:4, :]", ReferenceOps.slice(x, 0, 1, 4, 1), t.slice(0, 1, 4));
        assertLayout(c, "[2:2, :] (empty)", ReferenceOps.slice(x, 0, 2, 2, 1), t.slice(0, 2, 2));
        assertLayout(c, "[0:5:2, 0:6:3]", ReferenceOps.slice(ReferenceOps.slice(x, 0, 0, 5, 2), 1, 0, 6, 3), t.slice(0, 0, 5, 2).slice(1, 0, 6, 3));
    }

    private static void concat(CellContext c, DType d) {
        HostArray a = layoutValues(c, d, 2, 3);
        HostArray empty = HostArray.of(new double[0], 2, 0);
        HostArray b = c.random(d, 2, 2);
        assertLayout(c, "along axis 1 of [2, 3], an empty [2, 0] and a permuted [2, 2]",
                ReferenceOps.concat(1, List.of(a, empty, ReferenceOps.permute(b, 1, 0))),
                Tensor.concat(1, c.put(a, d), c.put(empty, d), c.put(b, d).permute(1, 0)));
        HostArray top = c.random(d, 1, 3);
        assertLayout(c, "along axis -2 of [1, 3] and [2, 3]", ReferenceOps.concat(0, List.of(top, a)), Tensor.concat(-2, c.put(top, d), c.put(a, d)));
    }

    private static void pad(CellContext c, DType d) {
        double value = switch (d.kind()) {
            case FLOATING -> 2.5;
            case INTEGER -> 7;
            case BOOLEAN -> 1;
        };
        HostArray x = layoutValues(c, d, 2, 3);
        int[] low = {1, 0};
        int[] high = {0, 2};
        assertLayout(c, "[2, 3] by low [1, 0] high [0, 2] with " + value, ReferenceOps.pad(x, low, high, value), c.put(x, d).pad(low, high, value));
        HostArray y = c.random(d, 3, 2);
        assertLayout(c, "a permuted view by low [0, 1] high [1, 1]", ReferenceOps.pad(ReferenceOps.permute(y, 1, 0), new int[] {0, 1}, new int[] {1, 1}, value),
                c.put(y, d).permute(1, 0).pad(new int[] {0, 1}, new int[] {1, 1}, value));
    }

    private static void copy(CellContext c, DType d) {
        HostArray x = layoutValues(c, d, 3, 4);
        Tensor t = c.put(x, d);
        assertCopy(c, "of a permuted view", ReferenceOps.permute(x, 1, 0), t.permute(1, 0).contiguous());
        assertCopy(c, "of a step-2 slice", ReferenceOps.slice(x, 1, 1, 4, 2), t.slice(1, 1, 4, 2).contiguous());
        HostArray column = c.random(d, 3, 1);
        assertCopy(c, "of a broadcast view", ReferenceOps.broadcastTo(column, Shape.of(2, 3, 4)), c.put(column, d).broadcastTo(2, 3, 4).contiguous());
    }

    private static void assertCopy(CellContext c, String what, HostArray want, Tensor got) {
        Assertions.assertTrue(got.isContiguous(), () -> "copy " + what + " must be contiguous, strides " + Arrays.toString(got.strides()));
        assertLayout(c, what, want, got);
    }

    // ---------------------------------------------------------------- indexing

    private static void gather(CellContext c, DType d) {
        HostArray x = layoutValues(c, d, 3, 5);
        Tensor t = c.put(x, d);
        HostArray index = c.randomIn(DType.I64, 0, 4, 3, 4);
        assertLayout(c, "along axis 1 with I64 indices", ReferenceOps.gather(x, 1, index), t.gather(1, c.put(index, DType.I64)));
        HostArray rows = c.randomIn(DType.I32, 0, 2, 2, 5);
        assertLayout(c, "along axis 0 with I32 indices", ReferenceOps.gather(x, 0, rows), t.gather(0, c.put(rows, DType.I32)));
        HostArray picks = c.randomIn(DType.I64, 0, 2, 4, 1);
        assertLayout(c, "whole rows along axis 0 by an index broadcast along axis 1 (an embedding lookup)",
                ReferenceOps.gather(x, 0, repeatedColumns(picks, 5)), t.gather(0, c.put(picks, DType.I64).broadcastTo(4, 5)));
        for (double bad : new double[] {5, -1}) {
            Tensor outOfRange = c.put(HostArray.of(new double[] {0, 1, bad, 2}, 1, 4), DType.I64);
            assertIndexOutOfBounds("gather", d, bad, () -> t.gather(1, outOfRange));
            Tensor badRow = c.put(HostArray.of(new double[] {0, bad}, 2, 1), DType.I64).broadcastTo(2, 5);
            assertIndexOutOfBounds("gather", d, bad, () -> t.gather(0, badRow));
        }
    }

    /** A {@code [n, 1]} array repeated along its second axis to {@code [n, columns]}, as broadcastTo views it. */
    private static HostArray repeatedColumns(HostArray column, int columns) {
        int n = column.shape().dim(0);
        double[] values = new double[n * columns];
        for (int r = 0; r < n; r++) {
            java.util.Arrays.fill(values, r * columns, (r + 1) * columns, column.values()[r]);
        }
        return HostArray.of(values, n, columns);
    }

    private static void scatterAdd(CellContext c, DType d) {
        HostArray base = c.random(d, 3, 5);
        Tensor t = c.put(base, d);
        HostArray index = c.randomIn(DType.I64, 0, 4, 3, 4);
        HostArray src = c.random(d, 3, 4);
        c.assertMatches("along axis 1 with I64 indices", ReferenceOps.scatterAdd(d, base, 1, index, src), t.scatterAdd(1, c.put(index, DType.I64), c.put(src, d)),
                Tolerance.of(d).forReductionOf(5));
        HostArray rows = c.randomIn(DType.I32, 0, 2, 2, 5);
        HostArray rowSrc = c.random(d, 2, 5);
        c.assertMatches("along axis 0 with I32 indices", ReferenceOps.scatterAdd(d, base, 0, rows, rowSrc), t.scatterAdd(0, c.put(rows, DType.I32), c.put(rowSrc, d)),
                Tolerance.of(d).forReductionOf(3));
        HostArray picks = c.randomIn(DType.I64, 0, 2, 6, 1);
        HostArray embeddingGradient = c.random(d, 6, 5);
        c.assertMatches("whole rows along axis 0 by an index broadcast along axis 1 (an embedding's gradient)",
                ReferenceOps.scatterAdd(d, base, 0, repeatedColumns(picks, 5), embeddingGradient),
                t.scatterAdd(0, c.put(picks, DType.I64).broadcastTo(6, 5), c.put(embeddingGradient, d)), Tolerance.of(d).forReductionOf(7));
        for (double bad : new double[] {5, -1}) {
            Tensor outOfRange = c.put(HostArray.of(new double[] {0, 1, bad, 2}, 1, 4), DType.I64);
            Tensor values = c.put(c.random(d, 1, 4), d);
            assertIndexOutOfBounds("scatter_add", d, bad, () -> t.scatterAdd(1, outOfRange, values));
            Tensor badRow = c.put(HostArray.of(new double[] {0, bad}, 2, 1), DType.I64).broadcastTo(2, 5);
            Tensor rowValues = c.put(c.random(d, 2, 5), d);
            assertIndexOutOfBounds("scatter_add", d, bad, () -> t.scatterAdd(0, badRow, rowValues));
        }
    }

    private static void assertIndexOutOfBounds(String op, DType d, double bad, org.junit.jupiter.api.function.Executable call) {
        IndexOutOfBoundsException e = Assertions.assertThrows(IndexOutOfBoundsException.class, call,
                () -> op + "/" + d.shortName() + " with index " + (long) bad + " on an axis of size 5 must throw IndexOutOfBoundsException");
        Assertions.assertTrue(String.valueOf(e.getMessage()).contains(Long.toString((long) bad)),
                () -> op + "/" + d.shortName() + ": the IndexOutOfBoundsException must name the bad index " + (long) bad + ", got: " + e.getMessage());
    }
}
