package dev.crossbar.backend.xla.stablehlo;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.graph.ValueType;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code rng_uniform} and {@code rng_normal} in StableHLO: Philox4x32-10 over counter blocks {@code offset + i}, with
 * the 32-bit words kept in I64 lanes (products of two 32-bit words fit 64 bits modulo 2^64, which is all Philox needs),
 * then the word-to-number mapping of {@link dev.crossbar.spi.Philox} computed in F64 and rounded once to the result type.
 */
final class PhiloxLowering {
    private static final long MASK32 = 0xFFFFFFFFL;
    private static final long M0 = 0xD2511F53L;
    private static final long M1 = 0xCD9E8D57L;
    private static final long W0 = 0x9E3779B9L;
    private static final long W1 = 0xBB67AE85L;
    private static final int ROUNDS = 10;
    private static final double TWO_POW_MINUS_24 = 0x1.0p-24;

    private PhiloxLowering() {
    }

    static Value random(MlirText t, Op op, ValueType type, Value seed, Value offset, Value a, Value b) {
        int n = Math.toIntExact(type.size());
        if (n == 0) {
            return t.splat(type.dtype(), 0, type.shape());
        }
        int blocks = (n + 3) / 4;
        Shape lanes = Shape.of(blocks);
        ValueType lane = new ValueType(DType.I64, lanes);
        Value mask = t.splat(DType.I64, MASK32, lanes);
        Value counter = binary(t, "stablehlo.add", t.broadcast(offset, lanes, new int[0]), t.op("stablehlo.iota", List.of(), "iota_dimension = 0 : i64", lane));
        Value wideSeed = t.broadcast(seed, lanes, new int[0]);
        Value c0 = binary(t, "stablehlo.and", counter, mask);
        Value c1 = high(t, counter);
        Value c2 = t.splat(DType.I64, 0, lanes);
        Value c3 = c2;
        Value k0 = binary(t, "stablehlo.and", wideSeed, mask);
        Value k1 = high(t, wideSeed);
        Value m0 = t.splat(DType.I64, M0, lanes);
        Value m1 = t.splat(DType.I64, M1, lanes);
        Value w0 = t.splat(DType.I64, W0, lanes);
        Value w1 = t.splat(DType.I64, W1, lanes);
        for (int round = 0; round < ROUNDS; round++) {
            Value p0 = binary(t, "stablehlo.multiply", m0, c0);
            Value p1 = binary(t, "stablehlo.multiply", m1, c2);
            Value n0 = binary(t, "stablehlo.xor", binary(t, "stablehlo.xor", high(t, p1), c1), k0);
            Value n1 = binary(t, "stablehlo.and", p1, mask);
            Value n2 = binary(t, "stablehlo.xor", binary(t, "stablehlo.xor", high(t, p0), c3), k1);
            Value n3 = binary(t, "stablehlo.and", p0, mask);
            c0 = n0;
            c1 = n1;
            c2 = n2;
            c3 = n3;
            k0 = binary(t, "stablehlo.and", binary(t, "stablehlo.add", k0, w0), mask);
            k1 = binary(t, "stablehlo.and", binary(t, "stablehlo.add", k1, w1), mask);
        }
        Value wideA = t.broadcast(a, lanes, new int[0]);
        Value wideB = t.broadcast(b, lanes, new int[0]);
        List<Value> numbers = new ArrayList<>();
        if (op == Op.RNG_UNIFORM) {
            Value range = binary(t, "stablehlo.subtract", wideB, wideA);
            for (Value word : List.of(c0, c1, c2, c3)) {
                Value u = binary(t, "stablehlo.multiply", top24(t, word), t.splat(DType.F64, TWO_POW_MINUS_24, lanes));
                numbers.add(binary(t, "stablehlo.add", wideA, binary(t, "stablehlo.multiply", range, u)));
            }
        } else {
            for (Value[] pair : List.of(new Value[] {c0, c1}, new Value[] {c2, c3})) {
                Value u1 = open(t, pair[0], lanes);
                Value u2 = open(t, pair[1], lanes);
                Value log = t.op("stablehlo.log", List.of(u1), null, u1.type());
                Value r = t.op("stablehlo.sqrt", List.of(binary(t, "stablehlo.multiply", t.splat(DType.F64, -2.0, lanes), log)), null, u1.type());
                Value theta = binary(t, "stablehlo.multiply", t.splat(DType.F64, 2.0 * Math.PI, lanes), u2);
                Value cos = binary(t, "stablehlo.multiply", r, t.op("stablehlo.cosine", List.of(theta), null, theta.type()));
                Value sin = binary(t, "stablehlo.multiply", r, t.op("stablehlo.sine", List.of(theta), null, theta.type()));
                numbers.add(binary(t, "stablehlo.add", wideA, binary(t, "stablehlo.multiply", wideB, cos)));
                numbers.add(binary(t, "stablehlo.add", wideA, binary(t, "stablehlo.multiply", wideB, sin)));
            }
        }
        List<Value> columns = numbers.stream().map(v -> t.reshape(v, Shape.of(blocks, 1))).toList();
        Value table = t.op("stablehlo.concatenate", columns, "dimension = 1 : i64", new ValueType(DType.F64, Shape.of(blocks, 4)));
        Value all = t.reshape(table, Shape.of(blocks * 4));
        Value used = all.type().size() == n ? all
                : t.op("stablehlo.slice", List.of(all), "start_indices = array<i64: 0>, limit_indices = array<i64: " + n + ">, strides = array<i64: 1>",
                        new ValueType(DType.F64, Shape.of(n)));
        return t.convert(t.reshape(used, type.shape()), type.dtype());
    }

    private static Value binary(MlirText t, String name, Value x, Value y) {
        return t.op(name, List.of(x, y), null, x.type());
    }

    /** The upper 32 bits of a 64-bit lane. */
    private static Value high(MlirText t, Value x) {
        return binary(t, "stablehlo.shift_right_logical", x, t.splat(DType.I64, 32, x.type().shape()));
    }

    /** {@code word >>> 8} as F64, the 24 bits a number is made of. */
    private static Value top24(MlirText t, Value word) {
        return t.convert(binary(t, "stablehlo.shift_right_logical", word, t.splat(DType.I64, 8, word.type().shape())), DType.F64);
    }

    /** {@code ((word >>> 8) + 0.5) * 2^-24}, in (0, 1). */
    private static Value open(MlirText t, Value word, Shape lanes) {
        Value shifted = binary(t, "stablehlo.add", top24(t, word), t.splat(DType.F64, 0.5, lanes));
        return binary(t, "stablehlo.multiply", shifted, t.splat(DType.F64, TWO_POW_MINUS_24, lanes));
    }
}
