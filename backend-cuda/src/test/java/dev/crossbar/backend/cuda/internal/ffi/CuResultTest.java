package dev.crossbar.backend.cuda.internal.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CuResultTest {
    @Test
    void namesListedCodes() {
        assertEquals("CUDA_SUCCESS", CuResult.name(0));
        assertEquals("CUDA_ERROR_NO_DEVICE", CuResult.name(100));
        assertEquals("CUDA_ERROR_STUB_LIBRARY", CuResult.name(34));
        assertEquals("CUDA_ERROR_UNKNOWN", CuResult.name(999));
    }

    @Test
    void namesAnUnlistedCodeWithItsNumber() {
        assertEquals("UNKNOWN_CUresult(12345)", CuResult.name(12345));
    }

    @Test
    void exceptionCarriesFunctionNameAndNumber() {
        CudaException e = new CudaException("cuInit", 100);

        assertEquals("cuInit returned CUDA_ERROR_NO_DEVICE (100)", e.getMessage());
        assertEquals("cuInit", e.function());
        assertEquals(100, e.code());
        assertEquals("CUDA_ERROR_NO_DEVICE", e.name());
    }
}
