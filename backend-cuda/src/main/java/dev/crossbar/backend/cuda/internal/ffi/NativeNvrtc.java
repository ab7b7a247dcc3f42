package dev.crossbar.backend.cuda.internal.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Locale;

/** The CUDA runtime compiler library {@code libnvrtc}: one method per function, each checking its {@code nvrtcResult}. */
public final class NativeNvrtc {
    /** The library names tried, newest CUDA major version first; the unversioned name is the toolkit's development link. */
    public static final List<String> LIBRARIES = List.of("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so");

    private static final int NVRTC_SUCCESS = 0;
    // nvrtcGetErrorString returns a static string; this bounds the read of it.
    private static final long MAX_ERROR_NAME_BYTES = 256;

    private final MethodHandle MH$nvrtcVersion;
    private final MethodHandle MH$nvrtcGetErrorString;

    private NativeNvrtc(SymbolLookup library) {
        MH$nvrtcVersion = NativeLibrary.downcall(library, "libnvrtc", "nvrtcVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        MH$nvrtcGetErrorString = NativeLibrary.downcall(library, "libnvrtc", "nvrtcGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    /**
     * Loads NVRTC and binds its functions.
     *
     * @return the bound library
     * @throws LibraryUnavailableException if no NVRTC library loads, one lacks a function, or native access is denied
     */
    public static NativeNvrtc open() {
        return new NativeNvrtc(NativeLibrary.open(LIBRARIES, "NVRTC comes with the CUDA toolkit (package cuda-nvrtc)"));
    }

    /**
     * Calls {@code nvrtcVersion}.
     *
     * @return the version as {@code major.minor}
     * @throws NvrtcException if it fails
     */
    public String nvrtcVersion() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment major = arena.allocate(JAVA_INT);
            MemorySegment minor = arena.allocate(JAVA_INT);
            int result;
            try {
                result = (int) MH$nvrtcVersion.invokeExact(major, minor);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            check("nvrtcVersion", result);
            return String.format(Locale.ROOT, "%d.%d", major.get(JAVA_INT, 0), minor.get(JAVA_INT, 0));
        }
    }

    private void check(String function, int result) {
        if (result != NVRTC_SUCCESS) {
            throw new NvrtcException(function, result, nvrtcGetErrorString(result));
        }
    }

    @SuppressWarnings("restricted") // the returned pointer has no size; NVRTC documents it as a NUL-terminated static string
    private String nvrtcGetErrorString(int result) {
        MemorySegment name;
        try {
            name = (MemorySegment) MH$nvrtcGetErrorString.invokeExact(result);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return name.reinterpret(MAX_ERROR_NAME_BYTES).getString(0);
    }
}
