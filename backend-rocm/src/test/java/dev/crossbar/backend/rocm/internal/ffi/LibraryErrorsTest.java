package dev.crossbar.backend.rocm.internal.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.spi.ffi.LibraryUnavailableException;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Every return code of rocBLAS gets its symbolic name, and a missing library a typed error naming it. */
class LibraryErrorsTest {
    @Test
    void namesEveryRocblasStatus() {
        List<String> names = List.of("rocblas_status_success", "rocblas_status_invalid_handle", "rocblas_status_not_implemented",
                "rocblas_status_invalid_pointer", "rocblas_status_invalid_size", "rocblas_status_memory_error", "rocblas_status_internal_error",
                "rocblas_status_perf_degraded", "rocblas_status_size_query_mismatch", "rocblas_status_size_increased", "rocblas_status_size_unchanged",
                "rocblas_status_invalid_value", "rocblas_status_continue", "rocblas_status_check_numerics_fail", "rocblas_status_excluded_from_build",
                "rocblas_status_arch_mismatch");
        for (int code = 0; code < names.size(); code++) {
            assertEquals(names.get(code), RocblasStatus.name(code));
        }
        assertEquals("UNKNOWN_rocblas_status(16)", RocblasStatus.name(16));
    }

    @Test
    void exceptionsCarryFunctionNameAndNumber() {
        RocblasException rocblas = new RocblasException("rocblas_gemm_strided_batched_ex", 15, "");
        assertEquals("rocblas_gemm_strided_batched_ex returned rocblas_status_arch_mismatch (15)", rocblas.getMessage());
        assertEquals("rocblas_status_arch_mismatch", rocblas.name());
    }

    @Test
    void aMissingRocblasIsATypedErrorNamingTheLibraries() {
        LibraryUnavailableException e = missing("rocBLAS", NativeRocblas::open);
        assertEquals("none of librocblas.so.4, librocblas.so.3, librocblas.so.0, librocblas.so could be loaded (Cannot open library: librocblas.so.4;"
                + " Cannot open library: librocblas.so.3; Cannot open library: librocblas.so.0; Cannot open library: librocblas.so);"
                + " rocBLAS comes with ROCm (package rocblas; Debian 12 does not ship it)", e.getMessage());
    }

    @Test
    void aMissingRcclIsATypedErrorNamingTheLibraries() {
        LibraryUnavailableException e = missing("RCCL", NativeRccl::open);
        assertEquals("none of librccl.so.1, librccl.so could be loaded (Cannot open library: librccl.so.1; Cannot open library: librccl.so);"
                + " RCCL is ROCm's collectives library (ROCm package rccl; Debian 12 does not ship it)", e.getMessage());
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
