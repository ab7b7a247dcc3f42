package dev.crossbar.spi.ffi;

import java.util.List;

/** The symbolic names of NCCL's {@code ncclResult_t} codes, as {@code nccl.h} of NCCL 2.30 lists them (0 to 8) and RCCL's {@code rccl.h} takes them. */
public final class NcclResult {
    /** The code of success. */
    public static final int NCCL_SUCCESS = 0;
    /** The code of {@code ncclInProgress}: a non-blocking operation has not finished. */
    public static final int NCCL_IN_PROGRESS = 7;

    private static final StatusNames NAMES = StatusNames.numbered("ncclResult_t", List.of(
            "ncclSuccess",
            "ncclUnhandledCudaError",
            "ncclSystemError",
            "ncclInternalError",
            "ncclInvalidArgument",
            "ncclInvalidUsage",
            "ncclRemoteError",
            "ncclInProgress",
            "ncclTimeout"));

    private NcclResult() {
    }

    /**
     * Returns the symbolic name of a code.
     *
     * @param code an ncclResult_t
     * @return its name, or {@code UNKNOWN_ncclResult_t(code)} for a code newer than this table
     */
    public static String name(int code) {
        return NAMES.name(code);
    }
}
