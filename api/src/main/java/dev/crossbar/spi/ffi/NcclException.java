package dev.crossbar.spi.ffi;

/** An NCCL or RCCL function that returned a {@code ncclResult_t} other than success. */
public final class NcclException extends NativeCallException {
    /**
     * Creates the error.
     *
     * @param function the function, such as {@code ncclAllReduce}
     * @param code the ncclResult_t it returned
     * @param detail what the library says about the failure, empty when it says nothing more than the code
     */
    public NcclException(String function, int code, String detail) {
        super(function, code, NcclResult.name(code), detail(detail));
    }
}
