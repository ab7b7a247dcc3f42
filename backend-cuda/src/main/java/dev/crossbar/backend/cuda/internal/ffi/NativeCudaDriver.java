package dev.crossbar.backend.cuda.internal.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

/** The CUDA driver library {@code libcuda.so.1}: one method per function, each checking its {@code CUresult}. */
public final class NativeCudaDriver {
    /** The driver library's name, as the NVIDIA driver installs it. */
    public static final String LIBRARY = "libcuda.so.1";

    private final MethodHandle MH$cuInit;
    private final MethodHandle MH$cuDriverGetVersion;
    private final MethodHandle MH$cuDeviceGetCount;

    private NativeCudaDriver(SymbolLookup library) {
        MH$cuInit = NativeLibrary.downcall(library, LIBRARY, "cuInit", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        MH$cuDriverGetVersion = NativeLibrary.downcall(library, LIBRARY, "cuDriverGetVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MH$cuDeviceGetCount = NativeLibrary.downcall(library, LIBRARY, "cuDeviceGetCount", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    /**
     * Loads the driver library and binds its functions.
     *
     * @return the bound driver
     * @throws LibraryUnavailableException if the library is missing, lacks a function, or native access is denied
     */
    public static NativeCudaDriver open() {
        return new NativeCudaDriver(NativeLibrary.open(List.of(LIBRARY),
                "it comes with the NVIDIA driver, which is not installed here (or not on the loader's path)"));
    }

    /**
     * Calls {@code cuInit}.
     *
     * @param flags 0, the only value CUDA defines
     * @throws CudaException if it fails
     */
    public void cuInit(int flags) {
        int result;
        try {
            result = (int) MH$cuInit.invokeExact(flags);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        check("cuInit", result);
    }

    /**
     * Calls {@code cuDriverGetVersion}, which works before {@code cuInit}.
     *
     * @return the version, 1000 * major + 10 * minor
     * @throws CudaException if it fails
     */
    public int cuDriverGetVersion() {
        return readInt("cuDriverGetVersion", MH$cuDriverGetVersion);
    }

    /**
     * Calls {@code cuDeviceGetCount}.
     *
     * @return the number of CUDA devices
     * @throws CudaException if it fails
     */
    public int cuDeviceGetCount() {
        return readInt("cuDeviceGetCount", MH$cuDeviceGetCount);
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
            check(function, result);
            return value.get(JAVA_INT, 0);
        }
    }

    private static void check(String function, int result) {
        if (result != CuResult.CUDA_SUCCESS) {
            throw new CudaException(function, result);
        }
    }
}
