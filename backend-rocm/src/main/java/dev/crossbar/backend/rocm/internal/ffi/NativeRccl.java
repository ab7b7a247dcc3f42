package dev.crossbar.backend.rocm.internal.ffi;

import dev.crossbar.spi.ffi.LibraryUnavailableException;
import dev.crossbar.spi.ffi.NcclApi;
import java.util.List;

/** ROCm's RCCL, opened as the {@link NcclApi} it implements with NCCL's symbols, signatures and codes. */
public final class NativeRccl {
    /** The library names tried: the soname of RCCL 2 (ROCm 5 and 6), then the development link. */
    public static final List<String> LIBRARIES = List.of("librccl.so.1", "librccl.so");

    private NativeRccl() {
    }

    /**
     * Loads RCCL and binds its functions.
     *
     * @return the bound library
     * @throws LibraryUnavailableException if no RCCL library loads, one lacks a function, or native access is denied
     */
    public static NcclApi open() {
        return NcclApi.open(LIBRARIES, "RCCL is ROCm's collectives library (ROCm package rccl; Debian 12 does not ship it)");
    }
}
