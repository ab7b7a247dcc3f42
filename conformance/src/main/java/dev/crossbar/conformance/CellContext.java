package dev.crossbar.conformance;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.spi.Capabilities;
import dev.crossbar.spi.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Assertions;

/** What a check needs while it runs: the scope its tensors belong to, input generation, and the comparison. */
final class CellContext {
    private static final int MISMATCHES_SHOWN = 5;

    private final TensorScope scope;
    private final TensorIo io;
    private final Capabilities declared;
    private final String subject;
    private final SplittableRandom random;

    /**
     * @param scope the scope the check's tensors belong to
     * @param io how to read tensors back
     * @param declared the cells the backend under test declares
     * @param subject what failures name first, such as the cell {@code "add/f32"}
     */
    CellContext(TensorScope scope, TensorIo io, Capabilities declared, String subject) {
        this.scope = scope;
        this.io = io;
        this.declared = declared;
        this.subject = subject;
        this.random = new SplittableRandom(subject.hashCode()); // fixed per check, so every run draws the same inputs
    }

    TensorScope scope() {
        return scope;
    }

    /** Whether the backend under test declares a cell, for checks whose op reaches into a second cell (cast's target). */
    boolean declares(Op op, DType dtype) {
        return declared.supports(op, dtype);
    }

    Tensor put(HostArray values, DType dtype) {
        return TensorIo.upload(scope, values, dtype);
    }

    HostArray get(Tensor t) {
        return io.download(t);
    }

    /** Random values of {@code dtype} in {@code [low, high]}: floats rounded to the type, integers uniform. */
    HostArray randomIn(DType dtype, double low, double high, int... dims) {
        double[] v = new double[Math.toIntExact(Shape.of(dims).size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (dtype.kind()) {
                case FLOATING -> DTypeValues.round(dtype, random.nextDouble(low, high));
                case INTEGER -> random.nextLong((long) Math.ceil(low), (long) Math.floor(high) + 1);
                case BOOLEAN -> random.nextBoolean() ? 1 : 0;
            };
        }
        return HostArray.of(v, dims);
    }

    /** Random values in the range every op of the suite takes safely in that type, see {@link #defaultRange}. */
    HostArray random(DType dtype, int... dims) {
        double range = defaultRange(dtype);
        return randomIn(dtype, -range, range, dims);
    }

    /**
     * The symmetric input range of a type: small enough that sums and products of the suite's sizes stay inside
     * I8 and that no F16 result overflows; floats take fractional values.
     */
    static double defaultRange(DType dtype) {
        return switch (dtype) {
            case I8 -> 5;
            case I32, I64 -> 50;
            default -> 4;
        };
    }

    /** Asserts every element of {@code got} matches {@code expected} within {@code tolerance}; see {@link Tolerance}. */
    void assertMatches(String what, Expected expected, Tensor got, Tolerance tolerance, IntFunction<String> inputs) {
        assertMatches(what, expected, get(got), tolerance, inputs, false);
    }

    void assertMatches(String what, Expected expected, Tensor got, Tolerance tolerance) {
        assertMatches(what, expected, got, tolerance, p -> "");
    }

    /**
     * Compares element by element. NaN must meet NaN, an infinity the same infinity, and with {@code signedZeros} a
     * zero the zero of the same sign.
     */
    void assertMatches(String what, Expected expected, HostArray actual, Tolerance tolerance, IntFunction<String> inputs, boolean signedZeros) {
        HostArray want = expected.values();
        Assertions.assertEquals(want.shape(), actual.shape(), () -> subject + " " + what + ": result shape");
        List<String> mismatches = new ArrayList<>();
        int count = 0;
        for (int p = 0; p < want.size(); p++) {
            double e = want.values()[p];
            double g = actual.values()[p];
            boolean ok = tolerance.accepts(e, g, expected.magnitudes()[p])
                    && (!signedZeros || e != 0 || Double.doubleToRawLongBits(e) == Double.doubleToRawLongBits(g));
            if (!ok) {
                count++;
                if (mismatches.size() < MISMATCHES_SHOWN) {
                    String in = inputs.apply(p);
                    mismatches.add(String.format(Locale.ROOT, "at %s%s expected %s got %s", Arrays.toString(want.indexOf(p)),
                            in.isEmpty() ? "" : " (" + in + ")", e, g));
                }
            }
        }
        if (count > 0) {
            Assertions.fail(String.format(Locale.ROOT, "%s %s: %d of %d elements differ beyond %s%s; %s", subject, what, count, want.size(), tolerance,
                    signedZeros ? " (sign of zero checked)" : "", String.join("; ", mismatches)));
        }
    }

    /** Describes the inputs of each output position of an op whose inputs broadcast to {@code out}. */
    static IntFunction<String> inputsAt(Shape out, String[] names, HostArray... inputs) {
        double[][] broadcast = new double[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            broadcast[i] = ReferenceOps.broadcastTo(inputs[i], out).values();
        }
        return p -> {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < inputs.length; i++) {
                s.append(i == 0 ? "" : ", ").append(names[i]).append('=').append(broadcast[i][p]);
            }
            return s.toString();
        };
    }
}
