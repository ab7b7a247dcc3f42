package dev.crossbar.backend.cuda.internal.ffi;

import dev.crossbar.spi.ffi.StatusNames;
import java.util.List;

/** The symbolic names of NVRTC's {@code nvrtcResult} codes, as {@code nvrtc.h} of CUDA 13 lists them (0 to 18). */
public final class NvrtcResult {
    /** The code of success. */
    public static final int NVRTC_SUCCESS = 0;

    private static final StatusNames NAMES = StatusNames.numbered("nvrtcResult", List.of(
            "NVRTC_SUCCESS",
            "NVRTC_ERROR_OUT_OF_MEMORY",
            "NVRTC_ERROR_PROGRAM_CREATION_FAILURE",
            "NVRTC_ERROR_INVALID_INPUT",
            "NVRTC_ERROR_INVALID_PROGRAM",
            "NVRTC_ERROR_INVALID_OPTION",
            "NVRTC_ERROR_COMPILATION",
            "NVRTC_ERROR_BUILTIN_OPERATION_FAILURE",
            "NVRTC_ERROR_NO_NAME_EXPRESSIONS_AFTER_COMPILATION",
            "NVRTC_ERROR_NO_LOWERED_NAMES_BEFORE_COMPILATION",
            "NVRTC_ERROR_NAME_EXPRESSION_NOT_VALID",
            "NVRTC_ERROR_INTERNAL_ERROR",
            "NVRTC_ERROR_TIME_FILE_WRITE_FAILED",
            "NVRTC_ERROR_NO_PCH_CREATE_ATTEMPTED",
            "NVRTC_ERROR_PCH_CREATE_HEAP_EXHAUSTED",
            "NVRTC_ERROR_PCH_CREATE",
            "NVRTC_ERROR_CANCELLED",
            "NVRTC_ERROR_TIME_TRACE_FILE_WRITE_FAILED",
            "NVRTC_ERROR_BUSY"));

    private NvrtcResult() {
    }

    /**
     * Returns the symbolic name of a code.
     *
     * @param code an nvrtcResult
     * @return its name, or {@code UNKNOWN_nvrtcResult(code)} for a code newer than this table
     */
    public static String name(int code) {
        return NAMES.name(code);
    }
}
