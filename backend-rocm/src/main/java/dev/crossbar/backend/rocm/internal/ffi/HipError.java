package dev.crossbar.backend.rocm.internal.ffi;

import static java.util.Map.entry;

import dev.crossbar.spi.ffi.StatusNames;
import java.util.Map;

/**
 * The symbolic names of HIP's {@code hipError_t} codes, from {@code hip_runtime_api.h} of ROCm 5.2; where the header
 * gives one code two names, the one {@code hipGetErrorName} returns.
 */
public final class HipError {
    /** The code of success. */
    public static final int HIP_SUCCESS = 0;
    /** The code of a failed allocation. */
    public static final int HIP_ERROR_OUT_OF_MEMORY = 2;
    /** {@code hipErrorNotReady}: queued work has not finished (a query, not a failure). */
    public static final int HIP_ERROR_NOT_READY = 600;

    private static final StatusNames NAMES = StatusNames.of("hipError_t", Map.ofEntries(
            entry(0, "hipSuccess"),
            entry(1, "hipErrorInvalidValue"),
            entry(2, "hipErrorOutOfMemory"),
            entry(3, "hipErrorNotInitialized"),
            entry(4, "hipErrorDeinitialized"),
            entry(5, "hipErrorProfilerDisabled"),
            entry(6, "hipErrorProfilerNotInitialized"),
            entry(7, "hipErrorProfilerAlreadyStarted"),
            entry(8, "hipErrorProfilerAlreadyStopped"),
            entry(9, "hipErrorInvalidConfiguration"),
            entry(12, "hipErrorInvalidPitchValue"),
            entry(13, "hipErrorInvalidSymbol"),
            entry(17, "hipErrorInvalidDevicePointer"),
            entry(21, "hipErrorInvalidMemcpyDirection"),
            entry(35, "hipErrorInsufficientDriver"),
            entry(52, "hipErrorMissingConfiguration"),
            entry(53, "hipErrorPriorLaunchFailure"),
            entry(98, "hipErrorInvalidDeviceFunction"),
            entry(100, "hipErrorNoDevice"),
            entry(101, "hipErrorInvalidDevice"),
            entry(200, "hipErrorInvalidImage"),
            entry(201, "hipErrorInvalidContext"),
            entry(202, "hipErrorContextAlreadyCurrent"),
            entry(205, "hipErrorMapFailed"),
            entry(206, "hipErrorUnmapFailed"),
            entry(207, "hipErrorArrayIsMapped"),
            entry(208, "hipErrorAlreadyMapped"),
            entry(209, "hipErrorNoBinaryForGpu"),
            entry(210, "hipErrorAlreadyAcquired"),
            entry(211, "hipErrorNotMapped"),
            entry(212, "hipErrorNotMappedAsArray"),
            entry(213, "hipErrorNotMappedAsPointer"),
            entry(214, "hipErrorECCNotCorrectable"),
            entry(215, "hipErrorUnsupportedLimit"),
            entry(216, "hipErrorContextAlreadyInUse"),
            entry(217, "hipErrorPeerAccessUnsupported"),
            entry(218, "hipErrorInvalidKernelFile"),
            entry(219, "hipErrorInvalidGraphicsContext"),
            entry(300, "hipErrorInvalidSource"),
            entry(301, "hipErrorFileNotFound"),
            entry(302, "hipErrorSharedObjectSymbolNotFound"),
            entry(303, "hipErrorSharedObjectInitFailed"),
            entry(304, "hipErrorOperatingSystem"),
            entry(400, "hipErrorInvalidHandle"),
            entry(401, "hipErrorIllegalState"),
            entry(500, "hipErrorNotFound"),
            entry(600, "hipErrorNotReady"),
            entry(700, "hipErrorIllegalAddress"),
            entry(701, "hipErrorLaunchOutOfResources"),
            entry(702, "hipErrorLaunchTimeOut"),
            entry(704, "hipErrorPeerAccessAlreadyEnabled"),
            entry(705, "hipErrorPeerAccessNotEnabled"),
            entry(708, "hipErrorSetOnActiveProcess"),
            entry(709, "hipErrorContextIsDestroyed"),
            entry(710, "hipErrorAssert"),
            entry(712, "hipErrorHostMemoryAlreadyRegistered"),
            entry(713, "hipErrorHostMemoryNotRegistered"),
            entry(719, "hipErrorLaunchFailure"),
            entry(720, "hipErrorCooperativeLaunchTooLarge"),
            entry(801, "hipErrorNotSupported"),
            entry(900, "hipErrorStreamCaptureUnsupported"),
            entry(901, "hipErrorStreamCaptureInvalidated"),
            entry(902, "hipErrorStreamCaptureMerge"),
            entry(903, "hipErrorStreamCaptureUnmatched"),
            entry(904, "hipErrorStreamCaptureUnjoined"),
            entry(905, "hipErrorStreamCaptureIsolation"),
            entry(906, "hipErrorStreamCaptureImplicit"),
            entry(907, "hipErrorCapturedEvent"),
            entry(908, "hipErrorStreamCaptureWrongThread"),
            entry(910, "hipErrorGraphExecUpdateFailure"),
            entry(999, "hipErrorUnknown"),
            entry(1052, "hipErrorRuntimeMemory"),
            entry(1053, "hipErrorRuntimeOther")
    ));

    private HipError() {}

    /**
     * Returns the symbolic name of a code.
     *
     * @param code a hipError_t
     * @return its name, such as {@code hipErrorNoDevice}, or {@code UNKNOWN_hipError_t(code)} for a code newer than this table
     */
    public static String name(int code) {
        return NAMES.name(code);
    }
}
