package dev.crossbar.backend.neuron;

import dev.crossbar.api.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * The rules Neuron imposes on programs, checked before a program is handed to the Neuron compiler so that the user gets
 * one message naming every offending operation instead of a compiler failure minutes later:
 * <ul>
 *   <li>static shapes only: a dynamic dimension is an error; variable sequence lengths are padded to
 *       {@link SequenceBuckets}, which the report names;
 *   <li>no F64: an error, or with {@link F64Policy#CAST_TO_F32} a conversion the report lists;
 *   <li>F32 matrix products compute in the compute type, BF16 unless chosen otherwise, as the Neuron compiler's default
 *       {@code --auto-cast matmult} does: operands rounded to BF16, products accumulated in FP32 (Trainium's matrix
 *       engines run BF16 at full rate and FP32 at a quarter of it: 190 against 47.5 TFLOPS per chip in the Trainium
 *       architecture page of the AWS Neuron documentation); every other operation computes in its own type;
 *   <li>no data-dependent control flow: loops and branches must be decided when the program is compiled.
 * </ul>
 */
final class NeuronProgramRules {
    /** The operation the compute type applies to, named as in the graph IR and in StableHLO. */
    private static final String MATRIX_PRODUCT = "dot_general";
    static final String COMPUTE_TYPE_PROPERTY = "crossbar.neuron.compute.type";
    static final String F64_PROPERTY = "crossbar.neuron.f64";

    /** What to do with F64 operations. */
    enum F64Policy {
        /** Refuse the program, naming each F64 operation. */
        REJECT,
        /** Compute F64 operations in F32, listing each conversion in the report. */
        CAST_TO_F32
    }

    private final F64Policy f64Policy;
    private final DType computeType;
    private final SequenceBuckets buckets;

    /**
     * Rules with a policy for F64, a compute type for floating point, and the sequence buckets programs are compiled for.
     *
     * @throws NeuronConfigurationException if the compute type is not a floating type Neuron computes in
     */
    NeuronProgramRules(F64Policy f64Policy, DType computeType, SequenceBuckets buckets) {
        if (computeType != DType.BF16 && computeType != DType.F16 && computeType != DType.F32) {
            throw new NeuronConfigurationException(String.format(Locale.ROOT,
                    "compute type %s is not one Neuron computes in; use BF16 (the default), F16 or F32", computeType));
        }
        this.f64Policy = f64Policy;
        this.computeType = computeType;
        this.buckets = buckets;
    }

    /** The defaults: F64 refused, BF16 matrix products, power-of-two sequence buckets from 128 to 8192. */
    static NeuronProgramRules defaults() {
        return new NeuronProgramRules(F64Policy.REJECT, DType.BF16, SequenceBuckets.powersOfTwo(128, 8192));
    }

    /**
     * Reads the rules from settings: {@code crossbar.neuron.compute.type} ({@code bf16}, the default, {@code f16} or
     * {@code f32}: the type F32 matrix products compute in) and {@code crossbar.neuron.f64} ({@code reject}, the
     * default, or {@code cast-to-f32}); sequence buckets are the powers of two from 128 to 8192.
     *
     * @param setting the settings, by key
     * @return the rules
     * @throws NeuronConfigurationException naming a setting whose value is not one of those
     */
    static NeuronProgramRules fromSettings(Function<String, Optional<String>> setting) {
        String compute = setting.apply(COMPUTE_TYPE_PROPERTY).map(String::strip).orElse("bf16");
        DType computeType = Arrays.stream(DType.values()).filter(d -> d.shortName().equalsIgnoreCase(compute)).findFirst()
                .orElseThrow(() -> new NeuronConfigurationException(String.format(Locale.ROOT, "%s=%s is not a type; use bf16 (the default), f16 or f32",
                        COMPUTE_TYPE_PROPERTY, compute)));
        String f64 = setting.apply(F64_PROPERTY).map(String::strip).orElse("reject");
        F64Policy policy = switch (f64) {
            case "reject" -> F64Policy.REJECT;
            case "cast-to-f32" -> F64Policy.CAST_TO_F32;
            default -> throw new NeuronConfigurationException(String.format(Locale.ROOT, "%s=%s is not a policy; use reject (the default) or cast-to-f32",
                    F64_PROPERTY, f64));
        };
        return new NeuronProgramRules(policy, computeType, SequenceBuckets.powersOfTwo(128, 8192));
    }

    /** The type F32 matrix products compute in. */
    DType computeType() {
        return computeType;
    }

    /** Describes the rules in one line, for doctor. */
    String describe() {
        return String.format(Locale.ROOT, "static shapes (%s), F64 %s, F32 matrix products in %s, no data-dependent control flow", buckets,
                f64Policy == F64Policy.REJECT ? "refused" : "computed as F32", computeType);
    }

    /**
     * What checking a program found acceptable and what it changes.
     *
     * @param computeType the type floating-point operations compute in
     * @param buckets the sequence lengths the program is compiled for
     * @param conversions each change made to fit Neuron, one line per operation
     */
    record Report(DType computeType, SequenceBuckets buckets, List<String> conversions) {}

    /**
     * Checks a program.
     *
     * @return the report when every rule holds
     * @throws NeuronConfigurationException naming the program and every operation that breaks a rule, with the fix
     */
    Report check(NeuronProgram program) {
        List<String> violations = new ArrayList<>();
        List<String> conversions = new ArrayList<>();
        List<NeuronProgram.Operation> operations = program.operations();
        for (int i = 0; i < operations.size(); i++) {
            NeuronProgram.Operation operation = operations.get(i);
            String what = operation.describe(i);
            if (operation.hasDynamicShape()) {
                violations.add(what + " has a data-dependent dimension; Neuron compiles static shapes only: pad variable sequence"
                        + " lengths to the " + buckets);
            }
            if (operation.controlFlow() == NeuronProgram.ControlFlow.DATA_DEPENDENT) {
                violations.add(what + " loops or branches on tensor values; Neuron needs control flow decided at compile time:"
                        + " unroll the loop, give it a constant trip count, or compute both branches and select");
            }
            if (operation.dtype() == DType.F64) {
                if (f64Policy == F64Policy.REJECT) {
                    violations.add(what + " computes in F64, which Neuron does not support; use F32, or opt in to computing F64 in F32");
                } else {
                    conversions.add(what + ": F64 computed as F32");
                }
            }
            DType floating = operation.dtype() == DType.F64 ? DType.F32 : operation.dtype();
            if (operation.op().equals(MATRIX_PRODUCT) && floating == DType.F32 && computeType != DType.F32) {
                conversions.add(what + ": F32 computed in " + computeType);
            }
        }
        if (!violations.isEmpty()) {
            throw new NeuronConfigurationException(String.format(Locale.ROOT, "program '%s' breaks %d Neuron rule(s):%n  %s",
                    program.name(), violations.size(), String.join(System.lineSeparator() + "  ", violations)));
        }
        return new Report(computeType, buckets, List.copyOf(conversions));
    }
}
