package dev.crossbar.spi.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Every {@code ncclResult_t} of the NCCL API (NCCL and RCCL alike) gets its symbolic name. */
class NcclResultTest {
    @Test
    void namesEveryNcclResult() {
        List<String> names = List.of("ncclSuccess", "ncclUnhandledCudaError", "ncclSystemError", "ncclInternalError", "ncclInvalidArgument",
                "ncclInvalidUsage", "ncclRemoteError", "ncclInProgress", "ncclTimeout");
        for (int code = 0; code < names.size(); code++) {
            assertEquals(names.get(code), NcclResult.name(code));
        }
        assertEquals("UNKNOWN_ncclResult_t(9)", NcclResult.name(9));
        assertEquals("UNKNOWN_ncclResult_t(-2)", NcclResult.name(-2));
    }

    @Test
    void exceptionsCarryFunctionNameAndNumber() {
        NcclException nccl = new NcclException("ncclCommInitRank", 2, "unhandled system error");
        assertEquals("ncclCommInitRank returned ncclSystemError (2): unhandled system error", nccl.getMessage());
        assertEquals(2, nccl.code());
        assertEquals("ncclSystemError", nccl.name());
        assertEquals("ncclAllReduce returned ncclInvalidArgument (4)", new NcclException("ncclAllReduce", 4, " ").getMessage());
    }
}
