package dev.crossbar.backend.cpu.kernel;

import dev.crossbar.spi.Op;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * F32 loops over host memory with the Vector API, called only when {@link Simd#AVAILABLE}. Positions and lengths are
 * in elements. Each loop keeps its vectors inside one method, with the operator a constant, so that C2 compiles them
 * to registers: a vector returned by or passed to a method C2 did not inline is boxed on every iteration, and a small
 * helper of our own is not inlined once its own compiled code is large, so loads and stores call the Vector API
 * (whose methods are force-inlined) directly. The tail after the last
 * whole vector runs as scalar code with the same rounding. Element-wise results equal the scalar kernels' bit for bit,
 * except exp (and logistic and softmax through it), a polynomial within 2 ulp (see {@link #exp}), and erf, a
 * polynomial approximation within 2.5e-7 of the exact value (see {@link #unary}).
 *
 * <p>Every result here is the same whether the JIT has compiled the loop or not, so a training run is reproducible
 * bit for bit. Two Vector API operations are avoided for that reason: the transcendental {@code lanewise} operators
 * ({@code EXP}, {@code LOG}, {@code TANH}, ...), which C2 computes with its vector math library but the interpreter
 * with {@code Math}, and {@code reduceLanes(ADD)}, whose order of additions the JIT chooses. log, tanh, sin and cos
 * therefore run through the scalar kernel, and lane sums are added in lane order.
 */
final class VectorFloatLoops {
    /** The fewest lanes for which the vector loops are used. */
    static final int MINIMUM_LANES = 8;

    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = FLOATS.length();
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;
    /** Floats that widen into one vector of {@link #DOUBLES}. */
    private static final VectorSpecies<Float> HALF_FLOATS = VectorSpecies.of(float.class, VectorShape.forBitSize(DOUBLES.vectorBitSize() / 2));
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> SHORTS = VectorSpecies.of(short.class, VectorShape.forBitSize(INTS.vectorBitSize() / 2));
    private static final VectorSpecies<Byte> BYTES = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, LANES * 8)));
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    /** Taylor coefficients of erf(x) / x in powers of x^2: 2/sqrt(pi) (-1)^k / (k! (2k + 1)); the first omitted term is below 1.2e-9 for |x| < 1. */
    private static final float[] ERF_TAYLOR = erfTaylor(11);
    /** Abramowitz and Stegun, Handbook of Mathematical Functions, 7.1.26: p and a1 to a5. */
    private static final float ERF_P = 0.3275911f;
    private static final float[] ERF_A = {0.254829592f, -0.284496736f, 1.421413741f, -1.453152027f, 1.061405429f};

    /** Round-to-nearest-even of a float below 2^22 in magnitude: adding and subtracting 1.5 * 2^23 drops its fraction. */
    private static final float ROUNDING_SHIFT = 0x1.8p23f;
    private static final float LOG2_E = 1.44269504f;
    /** ln 2 split so that {@code n * LN2_HIGH} is exact for the n that occur. */
    private static final float LN2_HIGH = 0.693145752f;
    private static final float LN2_LOW = 1.42860677e-6f;
    /** Taylor coefficients 1/k! of e^r, k = 0..7; on |r| <= ln(2)/2 the first omitted term is below 5e-9 relative. */
    private static final float[] EXP_TAYLOR = {1f, 1f, 1f / 2, 1f / 6, 1f / 24, 1f / 120, 1f / 720, 1f / 5040};
    /** Beyond these e^x is +infinity or rounds to +0 in float. */
    private static final float EXP_HIGH = 88.8f;
    private static final float EXP_LOW = -104f;

    private VectorFloatLoops() {
    }

    /**
     * e^x of every lane, from exact range reduction {@code x = n ln 2 + r}, a degree-7 polynomial in r and a scale by
     * 2^n applied in two halves (so subnormal results and overflow to infinity come out right); NaN stays NaN. Built
     * from additions, fused multiply-adds and bit operations only, it gives the same bits interpreted and compiled,
     * which {@code lanewise(VectorOperators.EXP)} does not.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector clamped = x.max(EXP_LOW).min(EXP_HIGH);
        FloatVector n = clamped.mul(LOG2_E).add(ROUNDING_SHIFT).sub(ROUNDING_SHIFT);
        FloatVector r = n.fma(FloatVector.broadcast(FLOATS, -LN2_HIGH), clamped).add(n.mul(-LN2_LOW));
        FloatVector p = FloatVector.broadcast(FLOATS, EXP_TAYLOR[EXP_TAYLOR.length - 1]);
        for (int k = EXP_TAYLOR.length - 2; k >= 0; k--) {
            p = p.fma(r, FloatVector.broadcast(FLOATS, EXP_TAYLOR[k]));
        }
        IntVector exponent = (IntVector) n.convert(VectorOperators.F2I, 0);
        IntVector half = exponent.lanewise(VectorOperators.ASHR, 1);
        FloatVector first = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector second = exponent.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(first).mul(second);
    }

    /** The sum of a vector's lanes in lane order, in F32 (see the class comment). */
    static float sumInOrder(FloatVector lanes) {
        float sum = 0;
        for (int i = 0; i < LANES; i++) {
            sum += lanes.lane(i);
        }
        return sum;
    }

    /** The sum of the lanes in lane order (see the class comment). */
    private static double sumInOrder(double[] lanes) {
        double sum = 0;
        for (double lane : lanes) {
            sum += lane;
        }
        return sum;
    }

    private static float[] erfTaylor(int terms) {
        float[] coefficients = new float[terms];
        double factorial = 1;
        for (int k = 0; k < terms; k++) {
            factorial *= Math.max(k, 1);
            coefficients[k] = (float) (2 / Math.sqrt(Math.PI) * (k % 2 == 0 ? 1 : -1) / (factorial * (2 * k + 1)));
        }
        return coefficients;
    }

    /** Floats per preferred vector on this machine. */
    static int lanes() {
        return LANES;
    }

    /**
     * Tells whether {@link #binary} serves a run with these strides: the output steps by one, each input by zero or
     * one, and at least one input by one.
     */
    static boolean servesBinary(long so, long sx, long sy) {
        return so == 1 && (sx == 1 || sx == 0) && (sy == 1 || sy == 0) && (sx | sy) == 1;
    }

    /** {@code o[i] = x[i * sx] op y[i * sy]} for i in [0, n), strides as {@link #servesBinary} admits. */
    static void binary(Op op, MemorySegment o, long po, MemorySegment x, long px, long sx, MemorySegment y, long py, long sy, int n) {
        switch (op) {
            case ADD -> add(o, po, x, px, sx, y, py, sy, n);
            case SUB -> sub(o, po, x, px, sx, y, py, sy, n);
            case MUL -> mul(o, po, x, px, sx, y, py, sy, n);
            case DIV -> div(o, po, x, px, sx, y, py, sy, n);
            case MAX -> max(o, po, x, px, sx, y, py, sy, n);
            case MIN -> min(o, po, x, px, sx, y, py, sy, n);
            default -> throw KernelArguments.notServed(op, "vector binary");
        }
    }

    private static void add(MemorySegment o, long po, MemorySegment x, long px, long sx, MemorySegment y, long py, long sy, int n) {
        int i = 0;
        int bound = FLOATS.loopBound(n);
        if (sx == 1 && sy == 1) {
            for (; i < bound; i += LANES) {
                FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).add(FloatVector.fromMemorySegment(FLOATS, y, (py + i) * Float.BYTES, ORDER)).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
            }
        } else if (sy == 0) {
            FloatVector b = FloatVector.broadcast(FLOATS, y.getAtIndex(FLOAT, py));
            for (; i < bound; i += LANES) {
                FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).add(b).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
            }
        } else {
            FloatVector a = FloatVector.broadcast(FLOATS, x.getAtIndex(FLOAT, px));
            for (; i < bound; i += LANES) {
                a.add(FloatVector.fromMemorySegment(FLOATS, y, (py + i) * Float.BYTES, ORDER)).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
            }
        }
        for (; i < n; i++) {
            o.setAtIndex(FLOAT, po + i, x.getAtIndex(FLOAT, px + i * sx) + y.getAtIndex(FLOAT, py + i * sy));
        }
    }

    private static void sub(MemorySegment o, long po, MemorySegment x, long px, long sx, MemorySegment y, long py, long sy, int n) {
        int i = 0;
        int bound = FLOATS.loopBound(n);
        if (sx == 1 && sy == 1) {
            for (; i < bound; i += LANES) {
                FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).sub(FloatVector.fromMemorySegment(FLOATS, y, (py + i) * Float.BYTES, ORDER)).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
            }
        } else if (sy == 0) {
            FloatVector b = FloatVector.broadcast(FLOATS, y.getAtIndex(FLOAT, py));
            for (; i < bound; i += LANES) {
                FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).sub(b).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
            }
        } else {
            FloatVector a = FloatVector.broadcast(FLOATS, x.getAtIndex(FLOAT, px));
            for (; i < bound; i += LANES) {
                a.sub(FloatVector.fromMemorySegment(FLOATS, y, (py + i) * Float.BYTES, ORDER)).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
            }
        }
        for (; i < n; i++) {
            o.setAtIndex(FLOAT, po + i, x.getAtIndex(FLOAT, px + i * sx) - y.getAtIndex(FLOAT, py + i * sy));
        }
    }

    private static void mul(MemorySegment o, long po, MemorySegment x, long px, long sx, MemorySegment y, long py, long sy, int n) {
        int i = 0;
        int bound = FLOATS.loopBound(n);
        if (sx == 1 && sy == 1) {
            for (; i < bound; i += LANES) {
                FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).mul(FloatVector.fromMemorySegment(FLOATS, y, (py + i) * Float.BYTES, ORDER)).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
            }
        } else if (sy == 0) {
            FloatVector b = FloatVector.broadcast(FLOATS, y.getAtIndex(FLOAT, py));
            for (; i < bound; i += LANES) {
                FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).mul(b).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
            }
        } else {
            FloatVector a = FloatVector.broadcast(FLOATS, x.getAtIndex(FLOAT, px));
            for (; i < bound; i += LANES) {
                a.mul(FloatVector.fromMemorySegment(FLOATS, y, (py + i) * Float.BYTES, ORDER)).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
            }
        }
        for (; i < n; i++) {
            o.setAtIndex(FLOAT, po + i, x.getAtIndex(FLOAT, px + i * sx) * y.getAtIndex(FLOAT, py + i * sy));
        }
    }

    private static void div(MemorySegment o, long po, MemorySegment x, long px, long sx, MemorySegment y, long py, long sy, int n) {
        int i = 0;
        int bound = FLOATS.loopBound(n);
        if (sx == 1 && sy == 1) {
            for (; i < bound; i += LANES) {
                FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).div(FloatVector.fromMemorySegment(FLOATS, y, (py + i) * Float.BYTES, ORDER)).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
            }
        } else if (sy == 0) {
            FloatVector b = FloatVector.broadcast(FLOATS, y.getAtIndex(FLOAT, py));
            for (; i < bound; i += LANES) {
                FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).div(b).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
            }
        } else {
            FloatVector a = FloatVector.broadcast(FLOATS, x.getAtIndex(FLOAT, px));
            for (; i < bound; i += LANES) {
                a.div(FloatVector.fromMemorySegment(FLOATS, y, (py + i) * Float.BYTES, ORDER)).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
            }
        }
        for (; i < n; i++) {
            o.setAtIndex(FLOAT, po + i, x.getAtIndex(FLOAT, px + i * sx) / y.getAtIndex(FLOAT, py + i * sy));
        }
    }

    private static void max(MemorySegment o, long po, MemorySegment x, long px, long sx, MemorySegment y, long py, long sy, int n) {
        int i = 0;
        int bound = FLOATS.loopBound(n);
        if (sx == 1 && sy == 1) {
            for (; i < bound; i += LANES) {
                FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).max(FloatVector.fromMemorySegment(FLOATS, y, (py + i) * Float.BYTES, ORDER)).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
            }
        } else if (sy == 0) {
            FloatVector b = FloatVector.broadcast(FLOATS, y.getAtIndex(FLOAT, py));
            for (; i < bound; i += LANES) {
                FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).max(b).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
            }
        } else {
            FloatVector a = FloatVector.broadcast(FLOATS, x.getAtIndex(FLOAT, px));
            for (; i < bound; i += LANES) {
                a.max(FloatVector.fromMemorySegment(FLOATS, y, (py + i) * Float.BYTES, ORDER)).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
            }
        }
        for (; i < n; i++) {
            o.setAtIndex(FLOAT, po + i, Math.max(x.getAtIndex(FLOAT, px + i * sx), y.getAtIndex(FLOAT, py + i * sy)));
        }
    }

    private static void min(MemorySegment o, long po, MemorySegment x, long px, long sx, MemorySegment y, long py, long sy, int n) {
        int i = 0;
        int bound = FLOATS.loopBound(n);
        if (sx == 1 && sy == 1) {
            for (; i < bound; i += LANES) {
                FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).min(FloatVector.fromMemorySegment(FLOATS, y, (py + i) * Float.BYTES, ORDER)).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
            }
        } else if (sy == 0) {
            FloatVector b = FloatVector.broadcast(FLOATS, y.getAtIndex(FLOAT, py));
            for (; i < bound; i += LANES) {
                FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).min(b).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
            }
        } else {
            FloatVector a = FloatVector.broadcast(FLOATS, x.getAtIndex(FLOAT, px));
            for (; i < bound; i += LANES) {
                a.min(FloatVector.fromMemorySegment(FLOATS, y, (py + i) * Float.BYTES, ORDER)).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
            }
        }
        for (; i < n; i++) {
            o.setAtIndex(FLOAT, po + i, Math.min(x.getAtIndex(FLOAT, px + i * sx), y.getAtIndex(FLOAT, py + i * sy)));
        }
    }

    /** Tells whether {@link #unary} has a vector loop for the op. */
    static boolean servesUnary(Op op) {
        return switch (op) {
            case NEG, ABS, SQRT, RSQRT, EXP, LOGISTIC, ERF -> true;
            default -> false;
        };
    }

    /** {@code o[i] = op(x[i])} for i in [0, n), both contiguous; the tail is evaluated as the scalar kernel does. */
    static void unary(Op op, MemorySegment o, long po, MemorySegment x, long px, int n) {
        int i = 0;
        int bound = FLOATS.loopBound(n);
        FloatVector one = FloatVector.broadcast(FLOATS, 1f);
        switch (op) {
            case NEG -> {
                for (; i < bound; i += LANES) {
                    FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).neg().intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
                }
            }
            case ABS -> {
                for (; i < bound; i += LANES) {
                    FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).abs().intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
                }
            }
            case SQRT -> {
                for (; i < bound; i += LANES) {
                    FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).sqrt().intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
                }
            }
            case RSQRT -> {
                for (; i < bound; i += LANES) {
                    one.div(FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).sqrt()).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
                }
            }
            case EXP -> {
                for (; i < bound; i += LANES) {
                    exp(FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER)).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
                }
            }
            case LOGISTIC -> {
                for (; i < bound; i += LANES) {
                    one.div(exp(FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).neg()).add(one)).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
                }
            }
            case ERF -> {
                // Below 1 in magnitude the Taylor series x * P(x^2) keeps the relative error small near 0; from 1 on,
                // Abramowitz and Stegun 7.1.26, 1 - t (a1 + t (a2 + ... + t a5)) exp(-x^2) with t = 1 / (1 + p |x|),
                // whose absolute error is at most 1.5e-7, with the sign of x. NaN takes the second branch and stays NaN.
                FloatVector p = FloatVector.broadcast(FLOATS, ERF_P);
                for (; i < bound; i += LANES) {
                    FloatVector v = FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER);
                    FloatVector a = v.abs();
                    FloatVector z = v.mul(v);
                    FloatVector series = FloatVector.broadcast(FLOATS, ERF_TAYLOR[ERF_TAYLOR.length - 1]);
                    for (int k = ERF_TAYLOR.length - 2; k >= 0; k--) {
                        series = series.fma(z, FloatVector.broadcast(FLOATS, ERF_TAYLOR[k]));
                    }
                    series = series.mul(v);
                    FloatVector t = one.div(a.fma(p, one));
                    FloatVector tail = FloatVector.broadcast(FLOATS, ERF_A[ERF_A.length - 1]);
                    for (int k = ERF_A.length - 2; k >= 0; k--) {
                        tail = tail.fma(t, FloatVector.broadcast(FLOATS, ERF_A[k]));
                    }
                    FloatVector large = one.sub(tail.mul(t).mul(exp(z.neg())));
                    large = large.blend(large.neg(), v.compare(VectorOperators.LT, 0f));
                    large.blend(series, a.compare(VectorOperators.LT, 1f)).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
                }
            }
            default -> throw KernelArguments.notServed(op, "vector unary");
        }
        for (; i < n; i++) {
            o.setAtIndex(FLOAT, po + i, (float) CpuUnaryKernel.evaluate(op, x.getAtIndex(FLOAT, px + i)));
        }
    }

    /**
     * Reduces {@code n} contiguous floats from {@code px}: the sum accumulated in double, or the maximum or minimum
     * with NaN winning.
     */
    static double reduce(Op op, MemorySegment x, long px, long n) {
        return switch (op) {
            case REDUCE_SUM -> sum(x, px, n);
            case REDUCE_MAX -> max(x, px, n);
            case REDUCE_MIN -> min(x, px, n);
            default -> throw KernelArguments.notServed(op, "vector reduce");
        };
    }

    private static double sum(MemorySegment x, long px, long n) {
        int step = HALF_FLOATS.length();
        long bound = n - n % step;
        long unrolled = n - n % (4L * step);
        // Four independent accumulators hide the latency of the double add, which one accumulator waits on every step.
        DoubleVector acc = DoubleVector.zero(DOUBLES);
        DoubleVector acc1 = acc;
        DoubleVector acc2 = acc;
        DoubleVector acc3 = acc;
        long i = 0;
        for (; i < unrolled; i += 4L * step) {
            acc = acc.add(FloatVector.fromMemorySegment(HALF_FLOATS, x, (px + i) * Float.BYTES, ORDER).convertShape(VectorOperators.F2D, DOUBLES, 0));
            acc1 = acc1.add(FloatVector.fromMemorySegment(HALF_FLOATS, x, (px + i + step) * Float.BYTES, ORDER).convertShape(VectorOperators.F2D, DOUBLES, 0));
            acc2 = acc2.add(FloatVector.fromMemorySegment(HALF_FLOATS, x, (px + i + 2L * step) * Float.BYTES, ORDER).convertShape(VectorOperators.F2D, DOUBLES, 0));
            acc3 = acc3.add(FloatVector.fromMemorySegment(HALF_FLOATS, x, (px + i + 3L * step) * Float.BYTES, ORDER).convertShape(VectorOperators.F2D, DOUBLES, 0));
        }
        for (; i < bound; i += step) {
            acc = acc.add(FloatVector.fromMemorySegment(HALF_FLOATS, x, (px + i) * Float.BYTES, ORDER).convertShape(VectorOperators.F2D, DOUBLES, 0));
        }
        double total = sumInOrder(acc.add(acc1).add(acc2.add(acc3)).toArray());
        for (; i < n; i++) {
            total += x.getAtIndex(FLOAT, px + i);
        }
        return total;
    }

    private static double max(MemorySegment x, long px, long n) {
        long bound = n - n % LANES;
        long unrolled = n - n % (4L * LANES);
        float result = Float.NEGATIVE_INFINITY;
        long i = 0;
        if (bound > 0) {
            // Four independent accumulators hide the latency of the NaN-propagating max (the order does not matter).
            FloatVector acc = FloatVector.fromMemorySegment(FLOATS, x, (px) * Float.BYTES, ORDER);
            FloatVector acc1 = acc;
            FloatVector acc2 = acc;
            FloatVector acc3 = acc;
            for (; i < unrolled; i += 4L * LANES) {
                acc = acc.max(FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER));
                acc1 = acc1.max(FloatVector.fromMemorySegment(FLOATS, x, (px + i + LANES) * Float.BYTES, ORDER));
                acc2 = acc2.max(FloatVector.fromMemorySegment(FLOATS, x, (px + i + 2L * LANES) * Float.BYTES, ORDER));
                acc3 = acc3.max(FloatVector.fromMemorySegment(FLOATS, x, (px + i + 3L * LANES) * Float.BYTES, ORDER));
            }
            for (; i < bound; i += LANES) {
                acc = acc.max(FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER));
            }
            result = acc.max(acc1).max(acc2.max(acc3)).reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) {
            result = Math.max(result, x.getAtIndex(FLOAT, px + i));
        }
        return result;
    }

    private static double min(MemorySegment x, long px, long n) {
        long bound = n - n % LANES;
        long unrolled = n - n % (4L * LANES);
        float result = Float.POSITIVE_INFINITY;
        long i = 0;
        if (bound > 0) {
            // Four independent accumulators hide the latency of the NaN-propagating min (the order does not matter).
            FloatVector acc = FloatVector.fromMemorySegment(FLOATS, x, (px) * Float.BYTES, ORDER);
            FloatVector acc1 = acc;
            FloatVector acc2 = acc;
            FloatVector acc3 = acc;
            for (; i < unrolled; i += 4L * LANES) {
                acc = acc.min(FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER));
                acc1 = acc1.min(FloatVector.fromMemorySegment(FLOATS, x, (px + i + LANES) * Float.BYTES, ORDER));
                acc2 = acc2.min(FloatVector.fromMemorySegment(FLOATS, x, (px + i + 2L * LANES) * Float.BYTES, ORDER));
                acc3 = acc3.min(FloatVector.fromMemorySegment(FLOATS, x, (px + i + 3L * LANES) * Float.BYTES, ORDER));
            }
            for (; i < bound; i += LANES) {
                acc = acc.min(FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER));
            }
            result = acc.min(acc1).min(acc2.min(acc3)).reduceLanes(VectorOperators.MIN);
        }
        for (; i < n; i++) {
            result = Math.min(result, x.getAtIndex(FLOAT, px + i));
        }
        return result;
    }

    /**
     * Combines row {@code x[px, px + n)} into the accumulator row {@code o[po, po + n)}: {@code o = o op x}, in F32.
     */
    static void accumulate(Op op, MemorySegment o, long po, MemorySegment x, long px, int n) {
        int i = 0;
        int bound = FLOATS.loopBound(n);
        switch (op) {
            case REDUCE_SUM -> {
                for (; i < bound; i += LANES) {
                    FloatVector.fromMemorySegment(FLOATS, o, (po + i) * Float.BYTES, ORDER).add(FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER)).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
                }
                for (; i < n; i++) {
                    o.setAtIndex(FLOAT, po + i, o.getAtIndex(FLOAT, po + i) + x.getAtIndex(FLOAT, px + i));
                }
            }
            case REDUCE_MAX -> {
                for (; i < bound; i += LANES) {
                    FloatVector.fromMemorySegment(FLOATS, o, (po + i) * Float.BYTES, ORDER).max(FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER)).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
                }
                for (; i < n; i++) {
                    o.setAtIndex(FLOAT, po + i, Math.max(o.getAtIndex(FLOAT, po + i), x.getAtIndex(FLOAT, px + i)));
                }
            }
            case REDUCE_MIN -> {
                for (; i < bound; i += LANES) {
                    FloatVector.fromMemorySegment(FLOATS, o, (po + i) * Float.BYTES, ORDER).min(FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER)).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
                }
                for (; i < n; i++) {
                    o.setAtIndex(FLOAT, po + i, Math.min(o.getAtIndex(FLOAT, po + i), x.getAtIndex(FLOAT, px + i)));
                }
            }
            default -> throw KernelArguments.notServed(op, "vector accumulate");
        }
    }

    /** {@code o[i] = x[i] op y[i]} into BOOL bytes (1 or 0), all contiguous. */
    static void compare(Op op, MemorySegment o, long po, MemorySegment x, long px, MemorySegment y, long py, int n) {
        int i = 0;
        int bound = FLOATS.loopBound(n);
        ByteVector ones = ByteVector.broadcast(BYTES, (byte) 1);
        ByteVector zeros = ByteVector.zero(BYTES);
        switch (op) {
            case EQ -> {
                for (; i < bound; i += LANES) {
                    zeros.blend(ones, FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).compare(VectorOperators.EQ, FloatVector.fromMemorySegment(FLOATS, y, (py + i) * Float.BYTES, ORDER)).cast(BYTES)).intoMemorySegment(o, po + i, ORDER);
                }
            }
            case NE -> {
                for (; i < bound; i += LANES) {
                    zeros.blend(ones, FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).compare(VectorOperators.NE, FloatVector.fromMemorySegment(FLOATS, y, (py + i) * Float.BYTES, ORDER)).cast(BYTES)).intoMemorySegment(o, po + i, ORDER);
                }
            }
            case LT -> {
                for (; i < bound; i += LANES) {
                    zeros.blend(ones, FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).compare(VectorOperators.LT, FloatVector.fromMemorySegment(FLOATS, y, (py + i) * Float.BYTES, ORDER)).cast(BYTES)).intoMemorySegment(o, po + i, ORDER);
                }
            }
            case LE -> {
                for (; i < bound; i += LANES) {
                    zeros.blend(ones, FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).compare(VectorOperators.LE, FloatVector.fromMemorySegment(FLOATS, y, (py + i) * Float.BYTES, ORDER)).cast(BYTES)).intoMemorySegment(o, po + i, ORDER);
                }
            }
            case GT -> {
                for (; i < bound; i += LANES) {
                    zeros.blend(ones, FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).compare(VectorOperators.GT, FloatVector.fromMemorySegment(FLOATS, y, (py + i) * Float.BYTES, ORDER)).cast(BYTES)).intoMemorySegment(o, po + i, ORDER);
                }
            }
            case GE -> {
                for (; i < bound; i += LANES) {
                    zeros.blend(ones, FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).compare(VectorOperators.GE, FloatVector.fromMemorySegment(FLOATS, y, (py + i) * Float.BYTES, ORDER)).cast(BYTES)).intoMemorySegment(o, po + i, ORDER);
                }
            }
            default -> throw KernelArguments.notServed(op, "vector compare");
        }
        for (; i < n; i++) {
            o.set(BYTE, po + i, (byte) (CpuCompareKernel.test(op, x.getAtIndex(FLOAT, px + i), y.getAtIndex(FLOAT, py + i)) ? 1 : 0));
        }
    }

    /** {@code o[i] = c[i] != 0 ? x[i] : y[i]}, all contiguous, the condition in BOOL bytes. */
    static void select(MemorySegment o, long po, MemorySegment c, long pc, MemorySegment x, long px, MemorySegment y, long py, int n) {
        int i = 0;
        int bound = FLOATS.loopBound(n);
        for (; i < bound; i += LANES) {
            VectorMask<Float> chosen = ByteVector.fromMemorySegment(BYTES, c, pc + i, ORDER).compare(VectorOperators.NE, 0).cast(FLOATS);
            FloatVector.fromMemorySegment(FLOATS, y, (py + i) * Float.BYTES, ORDER).blend(FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER), chosen).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
        }
        for (; i < n; i++) {
            o.setAtIndex(FLOAT, po + i, c.get(BYTE, pc + i) != 0 ? x.getAtIndex(FLOAT, px + i) : y.getAtIndex(FLOAT, py + i));
        }
    }

    /** Rounds contiguous floats to BF16 bits, to nearest even, NaN kept quiet, as {@link HalfFloats#floatToBf16}. */
    static void floatToBf16(MemorySegment o, long po, MemorySegment x, long px, int n) {
        int step = INTS.length();
        int i = 0;
        int bound = n - n % step;
        for (; i < bound; i += step) {
            IntVector bits = IntVector.fromMemorySegment(INTS, x, (px + i) * Float.BYTES, ORDER);
            VectorMask<Integer> nan = bits.reinterpretAsFloats().test(VectorOperators.IS_NAN).cast(INTS);
            IntVector rounded = bits.add(bits.lanewise(VectorOperators.LSHR, 16).and(1).add(0x7FFF)).lanewise(VectorOperators.LSHR, 16);
            IntVector quiet = bits.lanewise(VectorOperators.LSHR, 16).or(0x0040);
            rounded.blend(quiet, nan).convertShape(VectorOperators.I2S, SHORTS, 0).intoMemorySegment(o, (po + i) * Short.BYTES, ORDER);
        }
        for (; i < n; i++) {
            o.setAtIndex(SHORT, po + i, HalfFloats.floatToBf16(x.getAtIndex(FLOAT, px + i)));
        }
    }

    /** Widens contiguous BF16 bits to floats, exactly. */
    static void bf16ToFloat(MemorySegment o, long po, MemorySegment x, long px, int n) {
        int step = INTS.length();
        int i = 0;
        int bound = n - n % step;
        for (; i < bound; i += step) {
            ShortVector bits = ShortVector.fromMemorySegment(SHORTS, x, (px + i) * Short.BYTES, ORDER);
            ((IntVector) bits.convertShape(VectorOperators.S2I, INTS, 0)).lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats().intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
        }
        for (; i < n; i++) {
            o.setAtIndex(FLOAT, po + i, HalfFloats.bf16ToFloat(x.getAtIndex(SHORT, px + i)));
        }
    }

    /**
     * Softmax (or log-softmax) of one contiguous row: the maximum, then {@code exp(x - max)} and its sum in one pass,
     * then a scaling pass ({@code e / sum}, or {@code (x - max) - log(sum)}).
     */
    static void softmaxRow(MemorySegment o, long po, MemorySegment x, long px, int n, boolean log) {
        float max = (float) max(x, px, n);
        FloatVector shift = FloatVector.broadcast(FLOATS, max);
        FloatVector acc = FloatVector.zero(FLOATS);
        int bound = FLOATS.loopBound(n);
        int i = 0;
        for (; i < bound; i += LANES) {
            FloatVector e = exp(FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).sub(shift));
            e.intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
            acc = acc.add(e);
        }
        double sum = sumInOrder(acc.toDoubleArray());
        for (; i < n; i++) {
            float e = (float) Math.exp(x.getAtIndex(FLOAT, px + i) - max);
            o.setAtIndex(FLOAT, po + i, e);
            sum += e;
        }
        if (log) {
            float logSum = (float) Math.log(sum);
            FloatVector offset = FloatVector.broadcast(FLOATS, logSum);
            for (i = 0; i < bound; i += LANES) {
                FloatVector.fromMemorySegment(FLOATS, x, (px + i) * Float.BYTES, ORDER).sub(shift).sub(offset).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
            }
            for (; i < n; i++) {
                o.setAtIndex(FLOAT, po + i, x.getAtIndex(FLOAT, px + i) - max - logSum);
            }
        } else {
            float total = (float) sum;
            FloatVector divisor = FloatVector.broadcast(FLOATS, total);
            for (i = 0; i < bound; i += LANES) {
                FloatVector.fromMemorySegment(FLOATS, o, (po + i) * Float.BYTES, ORDER).div(divisor).intoMemorySegment(o, (po + i) * Float.BYTES, ORDER);
            }
            for (; i < n; i++) {
                o.setAtIndex(FLOAT, po + i, o.getAtIndex(FLOAT, po + i) / total);
            }
        }
    }

    /**
     * One AdamW step over contiguous F32 parameter, gradient and moments, in F32 as the composite computes it:
     * {@code m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p = p decay - lr (m / c1) / (sqrt(v / c2) + eps)}.
     */
    static void adamW(MemorySegment p, MemorySegment g, MemorySegment m, MemorySegment v, long first, int n,
            float beta1, float beta2, float learningRate, float decay, float eps, float correction1, float correction2) {
        FloatVector b1 = FloatVector.broadcast(FLOATS, beta1);
        FloatVector b2 = FloatVector.broadcast(FLOATS, beta2);
        FloatVector oneMinusB1 = FloatVector.broadcast(FLOATS, 1 - beta1);
        FloatVector oneMinusB2 = FloatVector.broadcast(FLOATS, 1 - beta2);
        FloatVector lr = FloatVector.broadcast(FLOATS, learningRate);
        FloatVector keep = FloatVector.broadcast(FLOATS, decay);
        FloatVector epsilon = FloatVector.broadcast(FLOATS, eps);
        FloatVector c1 = FloatVector.broadcast(FLOATS, correction1);
        FloatVector c2 = FloatVector.broadcast(FLOATS, correction2);
        int bound = FLOATS.loopBound(n);
        int i = 0;
        for (; i < bound; i += LANES) {
            long at = (first + i) * Float.BYTES;
            FloatVector grad = FloatVector.fromMemorySegment(FLOATS, g, at, ORDER);
            FloatVector m1 = FloatVector.fromMemorySegment(FLOATS, m, at, ORDER).mul(b1).add(grad.mul(oneMinusB1));
            FloatVector v1 = FloatVector.fromMemorySegment(FLOATS, v, at, ORDER).mul(b2).add(grad.mul(grad).mul(oneMinusB2));
            m1.intoMemorySegment(m, at, ORDER);
            v1.intoMemorySegment(v, at, ORDER);
            FloatVector denominator = v1.div(c2).sqrt().add(epsilon);
            FloatVector delta = m1.div(c1).div(denominator).mul(lr);
            FloatVector.fromMemorySegment(FLOATS, p, at, ORDER).mul(keep).sub(delta).intoMemorySegment(p, at, ORDER);
        }
        for (; i < n; i++) {
            long at = first + i;
            float grad = g.getAtIndex(FLOAT, at);
            float m1 = m.getAtIndex(FLOAT, at) * beta1 + grad * (1 - beta1);
            float v1 = v.getAtIndex(FLOAT, at) * beta2 + grad * grad * (1 - beta2);
            m.setAtIndex(FLOAT, at, m1);
            v.setAtIndex(FLOAT, at, v1);
            float denominator = (float) Math.sqrt(v1 / correction2) + eps;
            p.setAtIndex(FLOAT, at, p.getAtIndex(FLOAT, at) * decay - m1 / correction1 / denominator * learningRate);
        }
    }
}
