package dev.crossbar.backend.rocm.internal.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

/** The HIP runtime library {@code libamdhip64}: one method per function, each checking its {@code hipError_t}. */
public final class NativeHip {
    /** The library names tried: the development link first, then the sonames of ROCm 5 and 6. */
    public static final List<String> LIBRARIES = List.of("libamdhip64.so", "libamdhip64.so.5", "libamdhip64.so.6");

    private final MethodHandle MH$hipRuntimeGetVersion;
    private final MethodHandle MH$hipGetDeviceCount;

    private NativeHip(SymbolLookup library) {
        MH$hipRuntimeGetVersion = NativeLibrary.downcall(library, "libamdhip64", "hipRuntimeGetVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MH$hipGetDeviceCount = NativeLibrary.downcall(library, "libamdhip64", "hipGetDeviceCount", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    /**
     * Loads the HIP runtime and binds its functions.
     *
     * @return the bound runtime
     * @throws LibraryUnavailableException if no HIP library loads, one lacks a function, or native access is denied
     */
    public static NativeHip open() {
        return new NativeHip(NativeLibrary.open(LIBRARIES, "install ROCm's HIP runtime (Debian and Ubuntu: libamdhip64-5; ROCm: hip-runtime-amd)"));
    }

    /**
     * Calls {@code hipRuntimeGetVersion}.
     *
     * @return the version, 10000000 * major + 100000 * minor + patch
     * @throws HipException if it fails
     */
    public int hipRuntimeGetVersion() {
        return readInt("hipRuntimeGetVersion", MH$hipRuntimeGetVersion);
    }

    /**
     * Calls {@code hipGetDeviceCount}.
     *
     * @return the number of HIP devices
     * @throws HipException if it fails, with {@code hipErrorNoDevice} when there is none
     */
    public int hipGetDeviceCount() {
        return readInt("hipGetDeviceCount", MH$hipGetDeviceCount);
    }

    private static int readInt(String function, MethodHandle handle) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            int result;
            try {
                result = (int) handle.invokeExact(value);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            if (result != HipError.HIP_SUCCESS) {
                throw new HipException(function, result);
            }
            return value.get(JAVA_INT, 0);
        }
    }
}
