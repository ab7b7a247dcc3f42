package dev.crossbar.backend.neuron;

import dev.crossbar.api.DType;
import dev.crossbar.backend.xla.executor.XlaExecutable;
import dev.crossbar.backend.xla.executor.XlaExecutor;
import dev.crossbar.spi.Float8;
import dev.crossbar.spi.graph.ValueType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Puts every module the lazy engine lowers through Neuron's program rules before the runtime compiles it. The rules
 * see the module as written (static shapes, no data-dependent control flow, no F64 tensor among its arguments unless
 * the F64 policy casts it); a module that breaks one is refused with every offending operation named. NeuronCores have
 * no F64, so F64 never reaches the runtime: what the xla lowering and engine put in F64 on their own (F32 sum
 * accumulators, Philox's number mapping, the rank-0 arguments carrying scalars) is computed in F32; an F64 result
 * that converts a value of another type (a tensor read as doubles) returns that value, converted exactly on the host,
 * and any other F64 result is computed in F32 and widened on the host; with
 * {@link NeuronProgramRules.F64Policy#CAST_TO_F32} F64 tensor arguments are narrowed to F32 on the host. The report
 * of the last module compiled names the conversions and the sequence buckets.
 */
final class NeuronExecutor implements XlaExecutor {
    /** An F64 literal as the xla lowering writes it: the raw bits in 16 hexadecimal digits. */
    private static final Pattern F64_LITERAL = Pattern.compile("dense<0x([0-9A-Fa-f]{16})>");
    /** The F64 element type, in {@code tensor<f64>} or after a dimension as in {@code tensor<4x7xf64>}. */
    private static final Pattern F64_TYPE = Pattern.compile("(?<=[<x])f64(?=>)");
    /** A one-operand op line: value, op, operand, operand type, operand element type, result type. */
    private static final Pattern UNARY_DEFINITION = Pattern.compile(
            "\\s*(%\\w+) = \"stablehlo\\.(\\w+)\"\\((%\\w+)\\) : \\((tensor<(?:[0-9]+x)*([a-z0-9]+)>)\\) -> tensor<[^>]*>");
    private static final Pattern RETURN = Pattern.compile("(\\s*)\"func\\.return\"\\(([^)]*)\\) : \\(([^)]*)\\) -> \\(\\)");
    private static final Pattern SIGNATURE_RESULTS = Pattern.compile("(func\\.func public @main\\(.*\\) -> \\()([^)]*)(\\) \\{)");

    private final XlaExecutor runtime;
    private final NeuronProgramRules rules;
    private long modules;
    private NeuronProgramRules.Report lastReport;

    /**
     * Checks modules with rules and compiles them with a runtime.
     *
     * @param runtime the Neuron PJRT plugin, or XLA:CPU for verification; closed with this executor
     * @param rules the rules
     */
    NeuronExecutor(XlaExecutor runtime, NeuronProgramRules rules) {
        this.runtime = runtime;
        this.rules = rules;
    }

    @Override
    public String platform() {
        return runtime.platform() + " under Neuron program rules";
    }

    /** As many replicas as the runtime runs: one, on the PJRT plugin's first NeuronCore or on XLA:CPU. */
    @Override
    public int replicas() {
        return runtime.replicas();
    }

    @Override
    public XlaExecutable compile(String stableHlo, List<ValueType> parameters, List<ValueType> results) {
        String name = String.format(Locale.ROOT, "module %d", ++modules);
        List<ValueType> deviceResults = new ArrayList<>(results);
        String widenedOnHost = returnSourcesOfF64Results(stableHlo, deviceResults);
        Matcher literals = F64_LITERAL.matcher(widenedOnHost);
        String withoutF64 = F64_TYPE.matcher(literals.replaceAll(m -> f32Literal(m.group(1)))).replaceAll("f32");
        // Rank-0 F64 arguments are the engine's scalars (fill values, optimizer coefficients), never tensor data, whose
        // buffers are passed as rank-1 arguments.
        List<ValueType> checked = parameters.stream().map(t -> isEngineScalar(t) ? withoutF64(t) : t).toList();
        NeuronProgramRules.Report report = rules.check(NeuronProgram.ofStableHlo(name, withoutF64, checked,
                deviceResults.stream().map(NeuronExecutor::withoutF64).toList()));
        List<String> conversions = new ArrayList<>(report.conversions());
        long widened = IntStream.range(0, results.size()).filter(i -> results.get(i).dtype() == DType.F64 && deviceResults.get(i).dtype() != DType.F64).count();
        long narrowed = deviceResults.stream().filter(t -> t.dtype() == DType.F64).count();
        long scalars = parameters.stream().filter(NeuronExecutor::isEngineScalar).count();
        List<NeuronProgram.Operation> operations = NeuronProgram.ofStableHlo(name, widenedOnHost, List.of(), List.of()).operations();
        long internal = operations.stream().filter(o -> o.dtype() == DType.F64).count();
        if (widened > 0) {
            conversions.add(String.format(Locale.ROOT, "%d F64 results converted from their source type on the host", widened));
        }
        if (narrowed > 0) {
            conversions.add(String.format(Locale.ROOT, "%d F64 results computed as F32 and widened on the host", narrowed));
        }
        if (scalars > 0) {
            conversions.add(String.format(Locale.ROOT, "%d scalar arguments the xla engine passes as F64 passed as F32", scalars));
        }
        if (internal > 0) {
            conversions.add(String.format(Locale.ROOT, "%d of %d operations written in F64 computed as F32 (the xla lowering writes F32 sum"
                    + " accumulators and Philox's number mapping in F64)", internal, operations.size()));
        }
        lastReport = new NeuronProgramRules.Report(report.computeType(), report.buckets(), List.copyOf(conversions));
        List<ValueType> runtimeResults = deviceResults.stream().map(NeuronExecutor::withoutF64).toList();
        XlaExecutable executable = runtime.compile(withoutF64, parameters.stream().map(NeuronExecutor::withoutF64).toList(), runtimeResults);
        boolean converts = Stream.concat(parameters.stream(), results.stream()).anyMatch(t -> t.dtype() == DType.F64);
        return converts ? new HostConversion(executable, parameters, results, runtimeResults) : executable;
    }

    /**
     * Makes each F64 result that is a conversion from another type (reading a tensor as doubles), possibly reshaped,
     * return the converted value reshaped instead, so the host converts it exactly; updates its type in
     * {@code results}.
     */
    private static String returnSourcesOfF64Results(String module, List<ValueType> results) {
        if (results.stream().noneMatch(t -> t.dtype() == DType.F64)) {
            return module;
        }
        Map<String, Matcher> definitions = new HashMap<>();
        String[] lines = module.split("\n", -1);
        int returnLine = -1;
        for (int i = 0; i < lines.length; i++) {
            Matcher definition = UNARY_DEFINITION.matcher(lines[i]);
            if (definition.matches()) {
                definitions.put(definition.group(1), definition);
            } else if (RETURN.matcher(lines[i]).matches()) {
                returnLine = i;
            }
        }
        Matcher returned = RETURN.matcher(returnLine < 0 ? "" : lines[returnLine]);
        if (!returned.matches()) {
            return module;
        }
        List<String> names = new ArrayList<>(List.of(returned.group(2).split(", ")));
        List<String> types = new ArrayList<>(List.of(returned.group(3).split(", ")));
        StringBuilder reshapes = new StringBuilder();
        for (int i = 0; i < results.size(); i++) {
            Optional<Matcher> source = convertedSource(definitions, names.get(i));
            if (results.get(i).dtype() != DType.F64 || source.isEmpty()) {
                continue;
            }
            Matcher convert = source.get();
            String element = convert.group(5);
            ValueType sourceType = new ValueType(NeuronProgram.elementType(element), results.get(i).shape());
            String type = "tensor<" + Arrays.stream(results.get(i).shape().dims()).mapToObj(d -> d + "x").collect(Collectors.joining()) + element + ">";
            String result = "%neuron_result" + i;
            reshapes.append(returned.group(1)).append(result).append(" = \"stablehlo.reshape\"(").append(convert.group(3)).append(") : (")
                    .append(convert.group(4)).append(") -> ").append(type).append('\n');
            names.set(i, result);
            types.set(i, type);
            results.set(i, sourceType);
        }
        String allTypes = String.join(", ", types);
        lines[returnLine] = reshapes + returned.group(1) + "\"func.return\"(" + String.join(", ", names) + ") : (" + allTypes + ") -> ()";
        String body = String.join("\n", lines);
        Matcher signature = SIGNATURE_RESULTS.matcher(body);
        return signature.find() ? signature.replaceFirst(Matcher.quoteReplacement(signature.group(1) + allTypes + signature.group(3))) : body;
    }

    /** Follows reshapes back from a value to a {@code convert} whose operand is not F64. */
    private static Optional<Matcher> convertedSource(Map<String, Matcher> definitions, String value) {
        Matcher definition = definitions.get(value);
        while (definition != null && definition.group(2).equals("reshape")) {
            definition = definitions.get(definition.group(3));
        }
        return Optional.ofNullable(definition).filter(d -> d.group(2).equals("convert") && !d.group(5).equals("f64"));
    }

    /**
     * Returns what checking the last module found.
     *
     * @return the report, empty before the first module
     */
    Optional<NeuronProgramRules.Report> lastReport() {
        return Optional.ofNullable(lastReport);
    }

    @Override
    public void close() {
        runtime.close();
    }

    private static String f32Literal(String f64Bits) {
        float value = (float) Double.longBitsToDouble(Long.parseUnsignedLong(f64Bits, 16));
        return String.format(Locale.ROOT, "dense<0x%08X>", Float.floatToRawIntBits(value));
    }

    private static boolean isEngineScalar(ValueType type) {
        return type.dtype() == DType.F64 && type.shape().rank() == 0;
    }

    private static ValueType withoutF64(ValueType type) {
        return type.dtype() == DType.F64 ? new ValueType(DType.F32, type.shape()) : type;
    }

    /**
     * Runs a module whose F64 arguments became F32, narrowed on the host, and whose F64 results come back in another
     * type, widened on the host.
     */
    private record HostConversion(XlaExecutable executable, List<ValueType> parameters, List<ValueType> results, List<ValueType> deviceResults)
            implements XlaExecutable {
        @Override
        public List<MemorySegment> execute(List<MemorySegment> arguments) {
            List<MemorySegment> converted = new ArrayList<>();
            for (int i = 0; i < arguments.size(); i++) {
                converted.add(parameters.get(i).dtype() == DType.F64 ? narrow(arguments.get(i)) : arguments.get(i));
            }
            List<MemorySegment> values = new ArrayList<>(executable.execute(converted));
            for (int i = 0; i < values.size(); i++) {
                if (results.get(i).dtype() == DType.F64) {
                    values.set(i, widen(values.get(i), deviceResults.get(i).dtype()));
                }
            }
            return values;
        }

        private static MemorySegment narrow(MemorySegment doubles) {
            long count = doubles.byteSize() / Double.BYTES;
            MemorySegment floats = Arena.ofAuto().allocate(count * Float.BYTES, 8);
            for (long i = 0; i < count; i++) {
                floats.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) doubles.getAtIndex(ValueLayout.JAVA_DOUBLE, i));
            }
            return floats;
        }

        private static MemorySegment widen(MemorySegment values, DType type) {
            long count = values.byteSize() / type.byteSize();
            MemorySegment doubles = Arena.ofAuto().allocate(count * Double.BYTES, 8);
            for (long i = 0; i < count; i++) {
                doubles.setAtIndex(ValueLayout.JAVA_DOUBLE, i, switch (type) {
                    case F32 -> values.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                    case F16 -> Float.float16ToFloat(values.getAtIndex(ValueLayout.JAVA_SHORT, i));
                    case BF16 -> Float.intBitsToFloat(values.getAtIndex(ValueLayout.JAVA_SHORT, i) << 16);
                    case I8 -> values.get(ValueLayout.JAVA_BYTE, i);
                    case BOOL -> values.get(ValueLayout.JAVA_BYTE, i) != 0 ? 1 : 0;
                    case I32 -> values.getAtIndex(ValueLayout.JAVA_INT, i);
                    case I64 -> values.getAtIndex(ValueLayout.JAVA_LONG, i);
                    case F64 -> values.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
                    case F8E4M3FN, F8E5M2 -> Float8.decode(type, values.get(ValueLayout.JAVA_BYTE, i));
                });
            }
            return doubles;
        }

        @Override
        public void close() {
            executable.close();
        }
    }
}
