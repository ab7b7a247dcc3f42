package dev.crossbar.api;

import java.util.Locale;
import java.util.Set;

/** Thrown when an op is given an element type it does not admit, such as {@code exp} on an integer tensor. */
public class DTypeNotAdmittedException extends CrossbarException {
    /**
     * Creates the error.
     *
     * @param op the op
     * @param given the type given
     * @param admitted the types the op admits
     */
    public DTypeNotAdmittedException(String op, DType given, Set<DType> admitted) {
        super(String.format(Locale.ROOT, "%s does not admit dtype %s; admitted: %s; cast the input first, e.g. t.cast(DType.F32)",
                op, given, admitted));
    }
}
