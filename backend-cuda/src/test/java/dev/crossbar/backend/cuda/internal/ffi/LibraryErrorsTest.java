package dev.crossbar.backend.cuda.internal.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.spi.ffi.LibraryUnavailableException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Every return code of NVRTC and cuBLAS gets its symbolic name, and a missing library a typed error naming it. */
class LibraryErrorsTest {
    @Test
    void namesEveryNvrtcResult() {
        assertEquals("NVRTC_SUCCESS", NvrtcResult.name(0));
        assertEquals("NVRTC_ERROR_COMPILATION", NvrtcResult.name(6));
        assertEquals("NVRTC_ERROR_CANCELLED", NvrtcResult.name(16));
        assertEquals("NVRTC_ERROR_BUSY", NvrtcResult.name(18));
        assertEquals("UNKNOWN_nvrtcResult(19)", NvrtcResult.name(19));
        assertEquals("UNKNOWN_nvrtcResult(-1)", NvrtcResult.name(-1));
    }

    @Test
    void namesEveryCublasStatus() {
        assertEquals("CUBLAS_STATUS_SUCCESS", CublasStatus.name(0));
        assertEquals("CUBLAS_STATUS_NOT_INITIALIZED", CublasStatus.name(1));
        assertEquals("CUBLAS_STATUS_ALLOC_FAILED", CublasStatus.name(3));
        assertEquals("CUBLAS_STATUS_INVALID_VALUE", CublasStatus.name(7));
        assertEquals("CUBLAS_STATUS_ARCH_MISMATCH", CublasStatus.name(8));
        assertEquals("CUBLAS_STATUS_MAPPING_ERROR", CublasStatus.name(11));
        assertEquals("CUBLAS_STATUS_EXECUTION_FAILED", CublasStatus.name(13));
        assertEquals("CUBLAS_STATUS_INTERNAL_ERROR", CublasStatus.name(14));
        assertEquals("CUBLAS_STATUS_NOT_SUPPORTED", CublasStatus.name(15));
        assertEquals("CUBLAS_STATUS_LICENSE_ERROR", CublasStatus.name(16));
        assertEquals("UNKNOWN_cublasStatus_t(2)", CublasStatus.name(2), "cublas_api.h leaves 2 unassigned");
    }

    @Test
    void exceptionsCarryFunctionNameAndNumber() {
        assertEquals("nvrtcCompileProgram returned NVRTC_ERROR_COMPILATION (6):\nkernel.cu(3): error: identifier \"x\" is undefined",
                new NvrtcException("nvrtcCompileProgram", 6, "kernel.cu(3): error: identifier \"x\" is undefined").getMessage());
        CublasException cublas = new CublasException("cublasGemmEx", 15, "");
        assertEquals("cublasGemmEx returned CUBLAS_STATUS_NOT_SUPPORTED (15)", cublas.getMessage());
        assertEquals("CUBLAS_STATUS_NOT_SUPPORTED", cublas.name());
    }

    @Test
    void aMissingCublasIsATypedErrorNamingTheLibraries() {
        LibraryUnavailableException e = missing("cuBLAS", NativeCublas::open);
        assertEquals("none of libcublas.so.13, libcublas.so.12, libcublas.so.11, libcublas.so could be loaded (Cannot open library: libcublas.so.13;"
                + " Cannot open library: libcublas.so.12; Cannot open library: libcublas.so.11; Cannot open library: libcublas.so);"
                + " cuBLAS comes with the CUDA toolkit (package libcublas)", e.getMessage());
    }

    @Test
    void aMissingNcclIsATypedErrorNamingTheLibraries() {
        LibraryUnavailableException e = missing("NCCL", NativeNccl::open);
        assertEquals("none of libnccl.so.2, libnccl.so could be loaded (Cannot open library: libnccl.so.2; Cannot open library: libnccl.so);"
                + " NCCL is NVIDIA's collectives library (package libnccl2)", e.getMessage());
    }

    @Test
    void aMissingNvrtcIsATypedError() {
        LibraryUnavailableException e = missing("NVRTC", NativeNvrtc::open);
        assertEquals(true, e.getMessage().endsWith("NVRTC comes with the CUDA toolkit (package cuda-nvrtc)"), e.getMessage());
    }

    private static LibraryUnavailableException missing(String library, Supplier<?> open) {
        LibraryUnavailableException[] failure = new LibraryUnavailableException[1];
        try {
            open.get();
        } catch (LibraryUnavailableException e) {
            failure[0] = e;
        }
        assumeTrue(failure[0] != null, library + " is installed here; this test covers machines without it");
        return assertThrows(LibraryUnavailableException.class, open::get);
    }
}
