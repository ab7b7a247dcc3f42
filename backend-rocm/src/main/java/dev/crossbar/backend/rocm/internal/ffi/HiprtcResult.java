package dev.crossbar.backend.rocm.internal.ffi;

import dev.crossbar.spi.ffi.StatusNames;
import java.util.List;

/** The symbolic names of {@code hiprtcResult} codes, from {@code hiprtc.h} of ROCm 5.2. */
public final class HiprtcResult {
    /** The code of success. */
    public static final int HIPRTC_SUCCESS = 0;

    private static final StatusNames NAMES = StatusNames.numbered("hiprtcResult", List.of(
            "HIPRTC_SUCCESS",
            "HIPRTC_ERROR_OUT_OF_MEMORY",
            "HIPRTC_ERROR_PROGRAM_CREATION_FAILURE",
            "HIPRTC_ERROR_INVALID_INPUT",
            "HIPRTC_ERROR_INVALID_PROGRAM",
            "HIPRTC_ERROR_INVALID_OPTION",
            "HIPRTC_ERROR_COMPILATION",
            "HIPRTC_ERROR_BUILTIN_OPERATION_FAILURE",
            "HIPRTC_ERROR_NO_NAME_EXPRESSIONS_AFTER_COMPILATION",
            "HIPRTC_ERROR_NO_LOWERED_NAMES_BEFORE_COMPILATION",
            "HIPRTC_ERROR_NAME_EXPRESSION_NOT_VALID",
            "HIPRTC_ERROR_INTERNAL_ERROR"));

    private HiprtcResult() {
    }

    /**
     * Returns the name of a code.
     *
     * @param code a hiprtcResult
     * @return its name, or {@code UNKNOWN_hiprtcResult(code)} for codes the header does not list
     */
    public static String name(int code) {
        return NAMES.name(code);
    }
}
