package dev.crossbar.backend.xla.stablehlo;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.spi.Float8;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.graph.ValueType;
import java.util.List;

/**
 * Conversion into the FP8 types, rounded once to nearest even as {@link Float8} states, written out in StableHLO.
 *
 * <p>{@code stablehlo.convert} alone is not used for it: XLA:CPU (TensorFlow Java 1.1.0's XLA) converts F32 and F64
 * into FP8 through F16, rounding twice, so 61439 becomes infinity in E5M2 instead of 57344 and 1 + 2^-4 + 2^-30
 * becomes 1 in E4M3FN instead of 1.125 (measured). Here the value is rounded to its FP8 quantum in F32 (or F64, for F64
 * and integer sources), where scaling by a power of two is exact and {@code round_nearest_even} is the one rounding, and
 * only the already representable result goes through {@code convert}, which cannot round it again. Overflow gives
 * NaN in E4M3FN and infinity in E5M2, as XLA's {@code convert} does.
 */
final class Float8Lowering {
    private Float8Lowering() {
    }

    /**
     * Converts {@code x} to an FP8 type.
     *
     * @param text the module being written
     * @param x the value, of any type
     * @param target {@link DType#F8E4M3FN} or {@link DType#F8E5M2}
     * @return the converted value
     */
    static Value convert(MlirText text, Value x, DType target) {
        DType source = x.type().dtype();
        // F32 holds every F16, BF16 and FP8 value exactly; F64 every F32, I8 and I32 value (and I64 values up to 2^53,
        // beyond which every FP8 type overflows anyway).
        boolean narrow = source == DType.F32 || source == DType.F16 || source == DType.BF16 || source.isStorageOnly();
        DType wide = narrow ? DType.F32 : DType.F64;
        DType bitsType = narrow ? DType.I32 : DType.I64;
        int fractionBits = narrow ? 23 : 52;
        int wideBias = narrow ? 127 : 1023;
        Shape shape = x.type().shape();
        ValueType wideType = new ValueType(wide, shape);
        ValueType bitsValueType = new ValueType(bitsType, shape);

        Value w = text.convert(x, wide);
        Value magnitude = text.op("stablehlo.abs", List.of(w), null, wideType);
        Value magnitudeBits = text.op("stablehlo.bitcast_convert", List.of(magnitude), null, bitsValueType);
        Value exponent = text.op("stablehlo.subtract", List.of(
                text.op("stablehlo.shift_right_logical", List.of(magnitudeBits, text.splat(bitsType, fractionBits, shape)), null, bitsValueType),
                text.splat(bitsType, wideBias, shape)), null, bitsValueType);
        // The quantum of the target at this magnitude: 2^(e - m) for normals, 2^(1 - bias - m) below the normal range.
        int mantissaBits = Float8.mantissaBits(target);
        Value quantumExponent = text.op("stablehlo.maximum", List.of(exponent, text.splat(bitsType, 1 - Float8.exponentBias(target), shape)), null, bitsValueType);
        Value quantumBits = text.op("stablehlo.shift_left", List.of(
                text.op("stablehlo.add", List.of(quantumExponent, text.splat(bitsType, wideBias - mantissaBits, shape)), null, bitsValueType),
                text.splat(bitsType, fractionBits, shape)), null, bitsValueType);
        Value quantum = text.op("stablehlo.bitcast_convert", List.of(quantumBits), null, wideType);
        Value steps = text.op("stablehlo.round_nearest_even", List.of(text.op("stablehlo.divide", List.of(magnitude, quantum), null, wideType)), null, wideType);
        Value rounded = text.op("stablehlo.multiply", List.of(steps, quantum), null, wideType);

        double overflow = target == DType.F8E4M3FN ? Double.NaN : Double.POSITIVE_INFINITY; // E4M3FN has no infinity
        Value overflows = text.compare(Op.GT, rounded, text.splat(wide, Float8.maxFinite(target), shape));
        Value bounded = text.op("stablehlo.select", List.of(overflows, text.splat(wide, overflow, shape), rounded), null, wideType);
        // The sign bit, not x < 0, so that -0.0 stays -0.0.
        Value signBitSet = text.compare(Op.LT, text.op("stablehlo.bitcast_convert", List.of(w), null, bitsValueType), text.splat(bitsType, 0, shape));
        Value signed = text.op("stablehlo.select", List.of(signBitSet, text.op("stablehlo.negate", List.of(bounded), null, wideType), bounded), null, wideType);
        return text.convert(signed, target);
    }
}
