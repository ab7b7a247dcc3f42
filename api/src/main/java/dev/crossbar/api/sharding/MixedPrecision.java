package dev.crossbar.api.sharding;

import dev.crossbar.api.DType;
import java.util.Locale;
import java.util.Objects;

/**
 * Mixed-precision training under {@link Fsdp}, as FSDP2's {@code MixedPrecisionPolicy}: parameters are all-gathered
 * and computed with in {@code paramDtype}, gradients are reduce-scattered in {@code reduceDtype}, and the sharded
 * master weights (and so the optimizer) stay in their own type, typically F32. Floating inputs of a sharded unit are
 * cast to {@code paramDtype}; when {@code outputDtype} is set, the unit's floating output is cast to it.
 *
 * @param paramDtype the type of the gathered parameters and of the unit's computation
 * @param reduceDtype the type gradients are reduced in
 * @param outputDtype the type of the unit's output, or null to leave it in {@code paramDtype}
 */
public record MixedPrecision(DType paramDtype, DType reduceDtype, DType outputDtype) {
    /**
     * Checks that the types are floating.
     *
     * @param paramDtype the type of the gathered parameters and of the unit's computation
     * @param reduceDtype the type gradients are reduced in
     * @param outputDtype the type of the unit's output, or null to leave it in {@code paramDtype}
     */
    public MixedPrecision {
        Objects.requireNonNull(paramDtype, "paramDtype is null");
        Objects.requireNonNull(reduceDtype, "reduceDtype is null");
        for (DType t : new DType[] {paramDtype, reduceDtype, outputDtype}) {
            if (t != null && !t.isFloating()) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "MixedPrecision needs floating types, got %s", t));
            }
        }
    }

    /**
     * Computes in {@code paramDtype} and reduces in {@code reduceDtype}, leaving outputs in {@code paramDtype}.
     *
     * @param paramDtype the type of the gathered parameters and of the unit's computation
     * @param reduceDtype the type gradients are reduced in
     */
    public MixedPrecision(DType paramDtype, DType reduceDtype) {
        this(paramDtype, reduceDtype, null);
    }
}
