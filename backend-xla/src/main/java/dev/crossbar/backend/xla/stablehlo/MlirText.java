package dev.crossbar.backend.xla.stablehlo;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.spi.Float8;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.graph.ValueType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.stream.Collectors;

/** Writes StableHLO ops in MLIR's generic syntax, numbering SSA values, with regions for reduce and scatter. */
final class MlirText {
    private StringBuilder body = new StringBuilder();
    private String indent = "    ";
    private int next;

    String body() {
        return body.toString();
    }

    static String type(ValueType type) {
        return type(type.shape(), element(type.dtype()));
    }

    /** A tensor type with an element type given by its MLIR name, such as {@code ui8}, which no {@link DType} names. */
    static String type(Shape shape, String element) {
        StringBuilder s = new StringBuilder("tensor<");
        for (int d : shape.dims()) {
            s.append(d).append('x');
        }
        return s.append(element).append('>').toString();
    }

    static String element(DType dtype) {
        return switch (dtype) {
            case F32 -> "f32";
            case F64 -> "f64";
            case F16 -> "f16";
            case BF16 -> "bf16";
            case I8 -> "i8";
            case I32 -> "i32";
            case I64 -> "i64";
            case BOOL -> "i1";
            case F8E4M3FN -> "f8E4M3FN";
            case F8E5M2 -> "f8E5M2";
        };
    }

    static String array(int[] values) {
        return values.length == 0 ? "array<i64>" : "array<i64: " + Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining(", ")) + ">";
    }

    static String array(List<Integer> values) {
        return array(values.stream().mapToInt(Integer::intValue).toArray());
    }

    private static String types(List<Value> values) {
        return values.stream().map(v -> type(v.type())).collect(Collectors.joining(", "));
    }

    private static String names(List<Value> values) {
        return values.stream().map(Value::name).collect(Collectors.joining(", "));
    }

    /** Writes {@code %n = "name"(operands) {attributes} : (operand types) -> result type}. */
    Value op(String name, List<Value> operands, String attributes, ValueType result) {
        Value v = new Value("%" + next++, result);
        body.append(indent).append(v.name()).append(" = \"").append(name).append("\"(").append(names(operands)).append(')');
        if (attributes != null) {
            body.append(" {").append(attributes).append('}');
        }
        body.append(" : (").append(types(operands)).append(") -> ").append(type(result)).append('\n');
        return v;
    }

    /** A rank-0 constant. */
    Value constant(DType dtype, double value) {
        ValueType t = ValueType.scalar(dtype);
        return op("stablehlo.constant", List.of(), "value = dense<" + literal(dtype, value) + "> : " + type(t), t);
    }

    /** A rank-0 I64 constant given exactly. */
    Value constant(long value) {
        ValueType t = ValueType.scalar(DType.I64);
        return op("stablehlo.constant", List.of(), "value = dense<" + value + "> : " + type(t), t);
    }

    /** The identity of maximum: negative infinity, or the type's smallest integer. */
    Value lowest(DType dtype) {
        return switch (dtype) {
            case I8 -> constant(dtype, Byte.MIN_VALUE);
            case I32 -> constant(dtype, Integer.MIN_VALUE);
            case I64 -> constant(Long.MIN_VALUE);
            case BOOL -> constant(dtype, 0);
            default -> constant(dtype, Double.NEGATIVE_INFINITY);
        };
    }

    /** The identity of minimum. */
    Value highest(DType dtype) {
        return switch (dtype) {
            case I8 -> constant(dtype, Byte.MAX_VALUE);
            case I32 -> constant(dtype, Integer.MAX_VALUE);
            case I64 -> constant(Long.MAX_VALUE);
            case BOOL -> constant(dtype, 1);
            default -> constant(dtype, Double.POSITIVE_INFINITY);
        };
    }

    private static String literal(DType dtype, double value) {
        return switch (dtype) {
            case F64 -> String.format(Locale.ROOT, "0x%016X", Double.doubleToRawLongBits(value));
            case F32 -> String.format(Locale.ROOT, "0x%08X", Float.floatToRawIntBits((float) value));
            case F16 -> String.format(Locale.ROOT, "0x%04X", Float.floatToFloat16((float) value) & 0xFFFF);
            case BF16 -> String.format(Locale.ROOT, "0x%04X", Float.floatToRawIntBits((float) value) >>> 16);
            case BOOL -> value != 0 ? "true" : "false";
            case I8, I32, I64 -> Long.toString((long) value);
            case F8E4M3FN, F8E5M2 -> String.format(Locale.ROOT, "0x%02X", Float8.encode(dtype, value) & 0xFF);
        };
    }

    Value convert(Value x, DType dtype) {
        return x.type().dtype() == dtype ? x : op("stablehlo.convert", List.of(x), null, new ValueType(dtype, x.type().shape()));
    }

    Value reshape(Value x, Shape shape) {
        return x.type().shape().equals(shape) ? x : op("stablehlo.reshape", List.of(x), null, new ValueType(x.type().dtype(), shape));
    }

    Value broadcast(Value x, Shape shape, int[] dimensions) {
        if (x.type().shape().equals(shape)) {
            return x;
        }
        return op("stablehlo.broadcast_in_dim", List.of(x), "broadcast_dimensions = " + array(dimensions), new ValueType(x.type().dtype(), shape));
    }

    /** A scalar constant repeated to {@code shape}. */
    Value splat(DType dtype, double value, Shape shape) {
        return broadcast(dtype == DType.I64 ? constant((long) value) : constant(dtype, value), shape, new int[0]);
    }

    Value compare(Op op, Value a, Value b) {
        String direction = switch (op) {
            case EQ -> "EQ";
            case NE -> "NE";
            case LT -> "LT";
            case LE -> "LE";
            case GT -> "GT";
            case GE -> "GE";
            default -> throw new IllegalArgumentException("not a comparison: " + op);
        };
        DType dtype = a.type().dtype();
        String kind = dtype.isFloating() ? "FLOAT" : dtype == DType.BOOL ? "UNSIGNED" : "SIGNED";
        return op("stablehlo.compare", List.of(a, b), "comparison_direction = #stablehlo<comparison_direction " + direction + ">, compare_type = #stablehlo<comparison_type "
                + kind + ">", new ValueType(DType.BOOL, a.type().shape()));
    }

    /**
     * {@code stablehlo.maximum} or {@code minimum} with NaN winning explicitly: XLA:CPU's fast min/max (on by default in
     * TensorFlow) returns the other operand when the second one is NaN.
     */
    Value extremum(String name, Value a, Value b) {
        Value plain = op(name, List.of(a, b), null, a.type());
        if (!a.type().dtype().isFloating()) {
            return plain;
        }
        Value withB = op("stablehlo.select", List.of(compare(Op.NE, b, b), b, plain), null, a.type());
        return op("stablehlo.select", List.of(compare(Op.NE, a, a), a, withB), null, a.type());
    }

    Value and(Value a, Value b) {
        return op("stablehlo.and", List.of(a, b), null, a.type());
    }

    Value or(Value a, Value b) {
        return op("stablehlo.or", List.of(a, b), null, a.type());
    }

    Value not(Value a) {
        return op("stablehlo.not", List.of(a), null, a.type());
    }

    Value reduce(List<Value> inputs, List<Value> inits, int[] axes, BiFunction<List<Value>, List<Value>, List<Value>> combine) {
        return reduce(inputs, inits, axes, combine, 0);
    }

    /**
     * Writes a reduction over {@code axes}; the region gets one scalar per input as accumulator and as element.
     *
     * @return result number {@code result}
     */
    Value reduce(List<Value> inputs, List<Value> inits, int[] axes, BiFunction<List<Value>, List<Value>, List<Value>> combine, int result) {
        int[] kept = java.util.stream.IntStream.range(0, inputs.getFirst().type().shape().rank()).filter(i -> Arrays.stream(axes).noneMatch(a -> a == i)).toArray();
        Shape reducedShape = Shape.of(Arrays.stream(kept).map(inputs.getFirst().type().shape()::dim).toArray());
        List<ValueType> resultTypes = inputs.stream().map(v -> new ValueType(v.type().dtype(), reducedShape)).toList();
        String region = region(inits.stream().map(Value::type).toList(), combine);
        List<Value> operands = new ArrayList<>(inputs);
        operands.addAll(inits);
        return multiResult("stablehlo.reduce", operands, region, "dimensions = " + array(axes), resultTypes, result);
    }

    /** Writes a scatter whose region adds. */
    Value scatter(Value base, Value indices, Value updates, String attributes) {
        String region = region(List.of(ValueType.scalar(base.type().dtype())),
                (lhs, rhs) -> List.of(op("stablehlo.add", List.of(lhs.getFirst(), rhs.getFirst()), null, lhs.getFirst().type())));
        return multiResult("stablehlo.scatter", List.of(base, indices, updates), region, attributes, List.of(base.type()), 0);
    }

    /** Writes a collective whose region combines two scalars of {@code x}'s element type (all_reduce, reduce_scatter). */
    Value withCombiner(String name, Value x, String attributes, ValueType result, BinaryOperator<Value> combine) {
        String region = region(List.of(ValueType.scalar(x.type().dtype())), (lhs, rhs) -> List.of(combine.apply(lhs.getFirst(), rhs.getFirst())));
        return multiResult(name, List.of(x), region, attributes, List.of(result), 0);
    }

    private String region(List<ValueType> scalars, BiFunction<List<Value>, List<Value>, List<Value>> combine) {
        StringBuilder outer = body;
        String outerIndent = indent;
        body = new StringBuilder();
        indent = outerIndent + "    ";
        List<Value> lhs = new ArrayList<>();
        List<Value> rhs = new ArrayList<>();
        for (ValueType t : scalars) {
            lhs.add(new Value("%" + next++, t));
        }
        for (ValueType t : scalars) {
            rhs.add(new Value("%" + next++, t));
        }
        List<Value> out = combine.apply(lhs, rhs);
        body.append(indent).append("\"stablehlo.return\"(").append(names(out)).append(") : (").append(types(out)).append(") -> ()\n");
        List<Value> arguments = new ArrayList<>(lhs);
        arguments.addAll(rhs);
        String header = outerIndent + "  ^bb0(" + arguments.stream().map(v -> v.name() + ": " + type(v.type())).collect(Collectors.joining(", ")) + "):\n";
        String text = "({\n" + header + body + outerIndent + "})";
        body = outer;
        indent = outerIndent;
        return text;
    }

    private Value multiResult(String name, List<Value> operands, String region, String attributes, List<ValueType> results, int result) {
        String base = "%" + next++;
        String declared = results.size() == 1 ? base : base + ":" + results.size();
        String resultTypes = results.size() == 1 ? type(results.getFirst()) : "(" + results.stream().map(MlirText::type).collect(Collectors.joining(", ")) + ")";
        body.append(indent).append(declared).append(" = \"").append(name).append("\"(").append(names(operands)).append(") ").append(region)
                .append(" {").append(attributes).append("} : (").append(types(operands)).append(") -> ").append(resultTypes).append('\n');
        return new Value(results.size() == 1 ? base : base + "#" + result, results.get(result));
    }
}
