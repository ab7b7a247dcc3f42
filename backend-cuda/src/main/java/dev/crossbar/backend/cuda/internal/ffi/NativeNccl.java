package dev.crossbar.backend.cuda.internal.ffi;

import dev.crossbar.spi.ffi.LibraryUnavailableException;
import dev.crossbar.spi.ffi.NcclApi;
import java.util.List;

/** NVIDIA's NCCL, opened as the {@link NcclApi} it implements. */
public final class NativeNccl {
    /** The library names tried: the soname of NCCL 2, then the development link. */
    public static final List<String> LIBRARIES = List.of("libnccl.so.2", "libnccl.so");

    private NativeNccl() {
    }

    /**
     * Loads NCCL and binds its functions.
     *
     * @return the bound library
     * @throws LibraryUnavailableException if no NCCL library loads, one lacks a function, or native access is denied
     */
    public static NcclApi open() {
        return NcclApi.open(LIBRARIES, "NCCL is NVIDIA's collectives library (package libnccl2)");
    }
}
