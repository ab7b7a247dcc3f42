package dev.crossbar.backend.xla.internal.ffi;

import java.util.Locale;

/** {@code PJRT_Error_Code}: the codes of {@code PJRT_Error}, numbered as absl::StatusCode. */
public enum PjrtErrorCode {
    /** 0: not an error. */
    OK,
    /** 1. */
    CANCELLED,
    /** 2. */
    UNKNOWN,
    /** 3. */
    INVALID_ARGUMENT,
    /** 4. */
    DEADLINE_EXCEEDED,
    /** 5. */
    NOT_FOUND,
    /** 6. */
    ALREADY_EXISTS,
    /** 7. */
    PERMISSION_DENIED,
    /** 8. */
    RESOURCE_EXHAUSTED,
    /** 9. */
    FAILED_PRECONDITION,
    /** 10. */
    ABORTED,
    /** 11. */
    OUT_OF_RANGE,
    /** 12. */
    UNIMPLEMENTED,
    /** 13. */
    INTERNAL,
    /** 14. */
    UNAVAILABLE,
    /** 15. */
    DATA_LOSS,
    /** 16. */
    UNAUTHENTICATED;

    /**
     * Returns the C name and number, as in {@code PJRT_Error_Code_INVALID_ARGUMENT (3)}.
     *
     * @return the symbolic name with the number
     */
    public String symbol() {
        return String.format(Locale.ROOT, "PJRT_Error_Code_%s (%d)", name(), ordinal());
    }

    /**
     * Names a code the way {@link #symbol()} does, including a number outside the enumeration.
     *
     * @param code the C value
     * @return the symbolic name with the number, or {@code PJRT_Error_Code <n> (not in pjrt_c_api.h 0.94)}
     */
    static String describe(int code) {
        return code >= 0 && code < values().length ? values()[code].symbol()
                : String.format(Locale.ROOT, "PJRT_Error_Code %d (not in pjrt_c_api.h 0.94)", code);
    }
}
