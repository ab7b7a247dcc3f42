package dev.crossbar.backend.cuda.internal.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.crossbar.spi.ffi.LibraryUnavailableException;
import dev.crossbar.spi.ffi.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * The CUDA driver library {@code libcuda.so.1}: one method per function, each checking its {@code CUresult}. Handles
 * ({@code CUcontext}, {@code CUstream}, {@code CUevent}, {@code CUmodule}, {@code CUfunction}) are opaque pointers;
 * {@code CUdevice} is an {@code int} and {@code CUdeviceptr} an {@code unsigned long long}, as {@code cuda.h} declares
 * them. Where {@code cuda.h} maps a name to a versioned symbol ({@code cuStreamDestroy} to {@code cuStreamDestroy_v2}),
 * the versioned symbol is bound.
 */
public final class NativeCudaDriver {
    /** The driver library's name, as the NVIDIA driver installs it. */
    public static final String LIBRARY = "libcuda.so.1";
    /** {@code CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK}. */
    public static final int ATTRIBUTE_MAX_THREADS_PER_BLOCK = 1;
    /** {@code CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X}. */
    public static final int ATTRIBUTE_MAX_GRID_DIM_X = 5;
    /** {@code CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT}. */
    public static final int ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
    /** {@code CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR}. */
    public static final int ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR = 39;
    /** {@code CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR}. */
    public static final int ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    /** {@code CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR}. */
    public static final int ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
    /** {@code CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED}: whether {@code cuMemAllocAsync} works on the device. */
    public static final int ATTRIBUTE_MEMORY_POOLS_SUPPORTED = 115;
    /** {@code CU_STREAM_NON_BLOCKING}: the stream does not synchronize with the legacy default stream. */
    public static final int STREAM_NON_BLOCKING = 0x1;
    /** {@code CU_EVENT_DISABLE_TIMING}: the cheapest event, for ordering only. */
    public static final int EVENT_DISABLE_TIMING = 0x2;

    private static final int NAME_BYTES = 256;

    private final MethodHandle MH$cuInit;
    private final MethodHandle MH$cuDriverGetVersion;
    private final MethodHandle MH$cuDeviceGetCount;
    private final MethodHandle MH$cuDeviceGet;
    private final MethodHandle MH$cuDeviceGetName;
    private final MethodHandle MH$cuDeviceGetAttribute;
    private final MethodHandle MH$cuDevicePrimaryCtxRetain;
    private final MethodHandle MH$cuDevicePrimaryCtxRelease_v2;
    private final MethodHandle MH$cuCtxSetCurrent;
    private final MethodHandle MH$cuStreamCreate;
    private final MethodHandle MH$cuStreamSynchronize;
    private final MethodHandle MH$cuStreamQuery;
    private final MethodHandle MH$cuStreamDestroy_v2;
    private final MethodHandle MH$cuStreamWaitEvent;
    private final MethodHandle MH$cuEventCreate;
    private final MethodHandle MH$cuEventRecord;
    private final MethodHandle MH$cuEventSynchronize;
    private final MethodHandle MH$cuEventDestroy_v2;
    private final MethodHandle MH$cuMemAllocAsync;
    private final MethodHandle MH$cuMemAlloc_v2;
    private final MethodHandle MH$cuMemFree_v2;
    private final MethodHandle MH$cuMemFreeAsync;
    private final MethodHandle MH$cuMemsetD8Async;
    private final MethodHandle MH$cuMemcpyHtoDAsync_v2;
    private final MethodHandle MH$cuMemcpyDtoHAsync_v2;
    private final MethodHandle MH$cuMemcpyDtoDAsync_v2;
    private final MethodHandle MH$cuMemcpyPeerAsync;
    private final MethodHandle MH$cuModuleLoadData;
    private final MethodHandle MH$cuModuleGetFunction;
    private final MethodHandle MH$cuModuleUnload;
    private final MethodHandle MH$cuLaunchKernel;

    private NativeCudaDriver(NativeLibrary library) {
        // CUresult cuInit(unsigned int Flags)
        MH$cuInit = bind(library, "cuInit", JAVA_INT);
        // CUresult cuDriverGetVersion(int* driverVersion)
        MH$cuDriverGetVersion = bind(library, "cuDriverGetVersion", ADDRESS);
        // CUresult cuDeviceGetCount(int* count)
        MH$cuDeviceGetCount = bind(library, "cuDeviceGetCount", ADDRESS);
        // CUresult cuDeviceGet(CUdevice* device, int ordinal)
        MH$cuDeviceGet = bind(library, "cuDeviceGet", ADDRESS, JAVA_INT);
        // CUresult cuDeviceGetName(char* name, int len, CUdevice dev)
        MH$cuDeviceGetName = bind(library, "cuDeviceGetName", ADDRESS, JAVA_INT, JAVA_INT);
        // CUresult cuDeviceGetAttribute(int* pi, CUdevice_attribute attrib, CUdevice dev)
        MH$cuDeviceGetAttribute = bind(library, "cuDeviceGetAttribute", ADDRESS, JAVA_INT, JAVA_INT);
        // CUresult cuDevicePrimaryCtxRetain(CUcontext* pctx, CUdevice dev)
        MH$cuDevicePrimaryCtxRetain = bind(library, "cuDevicePrimaryCtxRetain", ADDRESS, JAVA_INT);
        // CUresult cuDevicePrimaryCtxRelease(CUdevice dev), #define'd to the _v2 symbol
        MH$cuDevicePrimaryCtxRelease_v2 = bind(library, "cuDevicePrimaryCtxRelease_v2", JAVA_INT);
        // CUresult cuCtxSetCurrent(CUcontext ctx)
        MH$cuCtxSetCurrent = bind(library, "cuCtxSetCurrent", ADDRESS);
        // CUresult cuStreamCreate(CUstream* phStream, unsigned int Flags)
        MH$cuStreamCreate = bind(library, "cuStreamCreate", ADDRESS, JAVA_INT);
        // CUresult cuStreamSynchronize(CUstream hStream)
        MH$cuStreamSynchronize = bind(library, "cuStreamSynchronize", ADDRESS);
        // CUresult cuStreamQuery(CUstream hStream)
        MH$cuStreamQuery = bind(library, "cuStreamQuery", ADDRESS);
        // CUresult cuStreamDestroy(CUstream hStream), #define'd to the _v2 symbol
        MH$cuStreamDestroy_v2 = bind(library, "cuStreamDestroy_v2", ADDRESS);
        // CUresult cuStreamWaitEvent(CUstream hStream, CUevent hEvent, unsigned int Flags)
        MH$cuStreamWaitEvent = bind(library, "cuStreamWaitEvent", ADDRESS, ADDRESS, JAVA_INT);
        // CUresult cuEventCreate(CUevent* phEvent, unsigned int Flags)
        MH$cuEventCreate = bind(library, "cuEventCreate", ADDRESS, JAVA_INT);
        // CUresult cuEventRecord(CUevent hEvent, CUstream hStream)
        MH$cuEventRecord = bind(library, "cuEventRecord", ADDRESS, ADDRESS);
        // CUresult cuEventSynchronize(CUevent hEvent)
        MH$cuEventSynchronize = bind(library, "cuEventSynchronize", ADDRESS);
        // CUresult cuEventDestroy(CUevent hEvent), #define'd to the _v2 symbol
        MH$cuEventDestroy_v2 = bind(library, "cuEventDestroy_v2", ADDRESS);
        // CUresult cuMemAllocAsync(CUdeviceptr* dptr, size_t bytesize, CUstream hStream)
        MH$cuMemAllocAsync = bind(library, "cuMemAllocAsync", ADDRESS, JAVA_LONG, ADDRESS);
        // CUresult cuMemAlloc(CUdeviceptr* dptr, size_t bytesize), #define'd to the _v2 symbol
        MH$cuMemAlloc_v2 = bind(library, "cuMemAlloc_v2", ADDRESS, JAVA_LONG);
        // CUresult cuMemFree(CUdeviceptr dptr), #define'd to the _v2 symbol
        MH$cuMemFree_v2 = bind(library, "cuMemFree_v2", JAVA_LONG);
        // CUresult cuMemFreeAsync(CUdeviceptr dptr, CUstream hStream)
        MH$cuMemFreeAsync = bind(library, "cuMemFreeAsync", JAVA_LONG, ADDRESS);
        // CUresult cuMemsetD8Async(CUdeviceptr dstDevice, unsigned char uc, size_t N, CUstream hStream)
        MH$cuMemsetD8Async = bind(library, "cuMemsetD8Async", JAVA_LONG, JAVA_BYTE, JAVA_LONG, ADDRESS);
        // CUresult cuMemcpyHtoDAsync(CUdeviceptr dstDevice, const void* srcHost, size_t ByteCount, CUstream hStream)
        MH$cuMemcpyHtoDAsync_v2 = bind(library, "cuMemcpyHtoDAsync_v2", JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS);
        // CUresult cuMemcpyDtoHAsync(void* dstHost, CUdeviceptr srcDevice, size_t ByteCount, CUstream hStream)
        MH$cuMemcpyDtoHAsync_v2 = bind(library, "cuMemcpyDtoHAsync_v2", ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS);
        // CUresult cuMemcpyDtoDAsync(CUdeviceptr dstDevice, CUdeviceptr srcDevice, size_t ByteCount, CUstream hStream)
        MH$cuMemcpyDtoDAsync_v2 = bind(library, "cuMemcpyDtoDAsync_v2", JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS);
        // CUresult cuMemcpyPeerAsync(CUdeviceptr dstDevice, CUcontext dstContext, CUdeviceptr srcDevice,
        //                            CUcontext srcContext, size_t ByteCount, CUstream hStream)
        MH$cuMemcpyPeerAsync = bind(library, "cuMemcpyPeerAsync", JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS);
        // CUresult cuModuleLoadData(CUmodule* module, const void* image)
        MH$cuModuleLoadData = bind(library, "cuModuleLoadData", ADDRESS, ADDRESS);
        // CUresult cuModuleGetFunction(CUfunction* hfunc, CUmodule hmod, const char* name)
        MH$cuModuleGetFunction = bind(library, "cuModuleGetFunction", ADDRESS, ADDRESS, ADDRESS);
        // CUresult cuModuleUnload(CUmodule hmod)
        MH$cuModuleUnload = bind(library, "cuModuleUnload", ADDRESS);
        // CUresult cuLaunchKernel(CUfunction f, unsigned int gridDimX, unsigned int gridDimY, unsigned int gridDimZ,
        //                         unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ,
        //                         unsigned int sharedMemBytes, CUstream hStream, void** kernelParams, void** extra)
        MH$cuLaunchKernel = bind(library, "cuLaunchKernel", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                ADDRESS, ADDRESS, ADDRESS);
    }

    private static MethodHandle bind(NativeLibrary library, String symbol, java.lang.foreign.MemoryLayout... arguments) {
        return library.function(symbol, FunctionDescriptor.of(JAVA_INT, arguments));
    }

    /**
     * Loads the driver library and binds its functions.
     *
     * @return the bound driver
     * @throws LibraryUnavailableException if the library is missing, lacks a function, or native access is denied
     */
    public static NativeCudaDriver open() {
        return new NativeCudaDriver(NativeLibrary.openFirst(List.of(LIBRARY),
                "it comes with the NVIDIA driver, which is not installed here (or not on the loader's path)"));
    }

    /**
     * Calls {@code cuInit}.
     *
     * @param flags 0, the only value CUDA defines
     */
    public void cuInit(int flags) {
        check("cuInit", NativeLibrary.call(() -> (int) MH$cuInit.invokeExact(flags)));
    }

    /**
     * Calls {@code cuDriverGetVersion}, which works before {@code cuInit}.
     *
     * @return the version, 1000 * major + 10 * minor
     */
    public int cuDriverGetVersion() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            check("cuDriverGetVersion", NativeLibrary.call(() -> (int) MH$cuDriverGetVersion.invokeExact(value)));
            return value.get(JAVA_INT, 0);
        }
    }

    /**
     * Calls {@code cuDeviceGetCount}.
     *
     * @return the number of CUDA devices
     */
    public int cuDeviceGetCount() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            check("cuDeviceGetCount", NativeLibrary.call(() -> (int) MH$cuDeviceGetCount.invokeExact(value)));
            return value.get(JAVA_INT, 0);
        }
    }

    /**
     * Calls {@code cuDeviceGet}.
     *
     * @param ordinal the device's index
     * @return the {@code CUdevice}
     */
    public int cuDeviceGet(int ordinal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            check("cuDeviceGet", NativeLibrary.call(() -> (int) MH$cuDeviceGet.invokeExact(value, ordinal)));
            return value.get(JAVA_INT, 0);
        }
    }

    /**
     * Calls {@code cuDeviceGetName}.
     *
     * @param device the {@code CUdevice}
     * @return the product name, such as {@code "NVIDIA H100 80GB HBM3"}
     */
    public String cuDeviceGetName(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocate(NAME_BYTES);
            check("cuDeviceGetName", NativeLibrary.call(() -> (int) MH$cuDeviceGetName.invokeExact(name, NAME_BYTES, device)));
            return name.getString(0);
        }
    }

    /**
     * Calls {@code cuDeviceGetAttribute}.
     *
     * @param attribute a {@code CUdevice_attribute}, such as {@link #ATTRIBUTE_MULTIPROCESSOR_COUNT}
     * @param device the {@code CUdevice}
     * @return the attribute's value
     */
    public int cuDeviceGetAttribute(int attribute, int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            check("cuDeviceGetAttribute", NativeLibrary.call(() -> (int) MH$cuDeviceGetAttribute.invokeExact(value, attribute, device)));
            return value.get(JAVA_INT, 0);
        }
    }

    /**
     * Calls {@code cuDevicePrimaryCtxRetain}.
     *
     * @param device the {@code CUdevice}
     * @return the device's primary {@code CUcontext}
     */
    public MemorySegment cuDevicePrimaryCtxRetain(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment context = arena.allocate(ADDRESS);
            check("cuDevicePrimaryCtxRetain", NativeLibrary.call(() -> (int) MH$cuDevicePrimaryCtxRetain.invokeExact(context, device)));
            return context.get(ADDRESS, 0);
        }
    }

    /**
     * Calls {@code cuDevicePrimaryCtxRelease}.
     *
     * @param device the {@code CUdevice}
     */
    public void cuDevicePrimaryCtxRelease(int device) {
        check("cuDevicePrimaryCtxRelease", NativeLibrary.call(() -> (int) MH$cuDevicePrimaryCtxRelease_v2.invokeExact(device)));
    }

    /**
     * Calls {@code cuCtxSetCurrent}.
     *
     * @param context the {@code CUcontext} to bind to the calling thread
     */
    public void cuCtxSetCurrent(MemorySegment context) {
        check("cuCtxSetCurrent", NativeLibrary.call(() -> (int) MH$cuCtxSetCurrent.invokeExact(context)));
    }

    /**
     * Calls {@code cuStreamCreate}.
     *
     * @param flags {@link #STREAM_NON_BLOCKING} or 0
     * @return the {@code CUstream}
     */
    public MemorySegment cuStreamCreate(int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stream = arena.allocate(ADDRESS);
            check("cuStreamCreate", NativeLibrary.call(() -> (int) MH$cuStreamCreate.invokeExact(stream, flags)));
            return stream.get(ADDRESS, 0);
        }
    }

    /**
     * Calls {@code cuStreamSynchronize}.
     *
     * @param stream the {@code CUstream}
     */
    public void cuStreamSynchronize(MemorySegment stream) {
        check("cuStreamSynchronize", NativeLibrary.call(() -> (int) MH$cuStreamSynchronize.invokeExact(stream)));
    }

    /**
     * Calls {@code cuStreamQuery}.
     *
     * @param stream the {@code CUstream}
     * @return true when the stream has run all its work ({@code CUDA_SUCCESS}), false while it runs
     *     ({@code CUDA_ERROR_NOT_READY})
     */
    public boolean cuStreamQuery(MemorySegment stream) {
        int result = NativeLibrary.call(() -> (int) MH$cuStreamQuery.invokeExact(stream));
        if (result == CuResult.CUDA_ERROR_NOT_READY) {
            return false;
        }
        check("cuStreamQuery", result);
        return true;
    }

    /**
     * Calls {@code cuStreamDestroy}.
     *
     * @param stream the {@code CUstream}
     */
    public void cuStreamDestroy(MemorySegment stream) {
        check("cuStreamDestroy", NativeLibrary.call(() -> (int) MH$cuStreamDestroy_v2.invokeExact(stream)));
    }

    /**
     * Calls {@code cuStreamWaitEvent}: work queued on the stream afterwards waits until the event completes.
     *
     * @param stream the waiting {@code CUstream}
     * @param event the {@code CUevent}
     */
    public void cuStreamWaitEvent(MemorySegment stream, MemorySegment event) {
        check("cuStreamWaitEvent", NativeLibrary.call(() -> (int) MH$cuStreamWaitEvent.invokeExact(stream, event, 0)));
    }

    /**
     * Calls {@code cuEventCreate}.
     *
     * @param flags such as {@link #EVENT_DISABLE_TIMING}
     * @return the {@code CUevent}
     */
    public MemorySegment cuEventCreate(int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = arena.allocate(ADDRESS);
            check("cuEventCreate", NativeLibrary.call(() -> (int) MH$cuEventCreate.invokeExact(event, flags)));
            return event.get(ADDRESS, 0);
        }
    }

    /**
     * Calls {@code cuEventRecord}.
     *
     * @param event the {@code CUevent}
     * @param stream the {@code CUstream} whose queued work it marks
     */
    public void cuEventRecord(MemorySegment event, MemorySegment stream) {
        check("cuEventRecord", NativeLibrary.call(() -> (int) MH$cuEventRecord.invokeExact(event, stream)));
    }

    /**
     * Calls {@code cuEventSynchronize}.
     *
     * @param event the {@code CUevent}
     */
    public void cuEventSynchronize(MemorySegment event) {
        check("cuEventSynchronize", NativeLibrary.call(() -> (int) MH$cuEventSynchronize.invokeExact(event)));
    }

    /**
     * Calls {@code cuEventDestroy}.
     *
     * @param event the {@code CUevent}
     */
    public void cuEventDestroy(MemorySegment event) {
        check("cuEventDestroy", NativeLibrary.call(() -> (int) MH$cuEventDestroy_v2.invokeExact(event)));
    }

    /**
     * Calls {@code cuMemAllocAsync}.
     *
     * @param byteSize bytes, more than 0
     * @param stream the {@code CUstream} the allocation is ordered on
     * @return the {@code CUdeviceptr}
     */
    public long cuMemAllocAsync(long byteSize, MemorySegment stream) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pointer = arena.allocate(JAVA_LONG);
            check("cuMemAllocAsync", NativeLibrary.call(() -> (int) MH$cuMemAllocAsync.invokeExact(pointer, byteSize, stream)));
            return pointer.get(JAVA_LONG, 0);
        }
    }

    /**
     * Calls {@code cuMemFreeAsync}.
     *
     * @param pointer the {@code CUdeviceptr}
     * @param stream the {@code CUstream} the free is ordered on
     */
    public void cuMemFreeAsync(long pointer, MemorySegment stream) {
        check("cuMemFreeAsync", NativeLibrary.call(() -> (int) MH$cuMemFreeAsync.invokeExact(pointer, stream)));
    }

    /**
     * Calls {@code cuMemAlloc}, for devices without memory pools.
     *
     * @param byteSize bytes, more than 0
     * @return the {@code CUdeviceptr}
     */
    public long cuMemAlloc(long byteSize) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pointer = arena.allocate(JAVA_LONG);
            check("cuMemAlloc", NativeLibrary.call(() -> (int) MH$cuMemAlloc_v2.invokeExact(pointer, byteSize)));
            return pointer.get(JAVA_LONG, 0);
        }
    }

    /**
     * Calls {@code cuMemFree}.
     *
     * @param pointer a {@code CUdeviceptr} from {@link #cuMemAlloc}
     */
    public void cuMemFree(long pointer) {
        check("cuMemFree", NativeLibrary.call(() -> (int) MH$cuMemFree_v2.invokeExact(pointer)));
    }

    /**
     * Calls {@code cuMemsetD8Async}.
     *
     * @param pointer the {@code CUdeviceptr}
     * @param value the byte to store
     * @param count bytes
     * @param stream the {@code CUstream}
     */
    public void cuMemsetD8Async(long pointer, byte value, long count, MemorySegment stream) {
        check("cuMemsetD8Async", NativeLibrary.call(() -> (int) MH$cuMemsetD8Async.invokeExact(pointer, value, count, stream)));
    }

    /**
     * Calls {@code cuMemcpyHtoDAsync}.
     *
     * @param destination the {@code CUdeviceptr}
     * @param source host memory, {@code source.byteSize()} bytes are copied
     * @param stream the {@code CUstream}
     */
    public void cuMemcpyHtoDAsync(long destination, MemorySegment source, MemorySegment stream) {
        long count = source.byteSize();
        check("cuMemcpyHtoDAsync", NativeLibrary.call(() -> (int) MH$cuMemcpyHtoDAsync_v2.invokeExact(destination, source, count, stream)));
    }

    /**
     * Calls {@code cuMemcpyDtoHAsync}.
     *
     * @param destination host memory, {@code destination.byteSize()} bytes are written
     * @param source the {@code CUdeviceptr}
     * @param stream the {@code CUstream}
     */
    public void cuMemcpyDtoHAsync(MemorySegment destination, long source, MemorySegment stream) {
        long count = destination.byteSize();
        check("cuMemcpyDtoHAsync", NativeLibrary.call(() -> (int) MH$cuMemcpyDtoHAsync_v2.invokeExact(destination, source, count, stream)));
    }

    /**
     * Calls {@code cuMemcpyDtoDAsync}.
     *
     * @param destination the destination {@code CUdeviceptr}
     * @param source the source {@code CUdeviceptr}
     * @param count bytes
     * @param stream the {@code CUstream}
     */
    public void cuMemcpyDtoDAsync(long destination, long source, long count, MemorySegment stream) {
        check("cuMemcpyDtoDAsync", NativeLibrary.call(() -> (int) MH$cuMemcpyDtoDAsync_v2.invokeExact(destination, source, count, stream)));
    }

    /**
     * Calls {@code cuMemcpyPeerAsync}, a copy between the memory of two contexts.
     *
     * @param destination the destination {@code CUdeviceptr}
     * @param destinationContext its {@code CUcontext}
     * @param source the source {@code CUdeviceptr}
     * @param sourceContext its {@code CUcontext}
     * @param count bytes
     * @param stream the {@code CUstream}
     */
    public void cuMemcpyPeerAsync(long destination, MemorySegment destinationContext, long source, MemorySegment sourceContext, long count,
            MemorySegment stream) {
        check("cuMemcpyPeerAsync", NativeLibrary.call(() -> (int) MH$cuMemcpyPeerAsync.invokeExact(destination, destinationContext, source, sourceContext, count, stream)));
    }

    /**
     * Calls {@code cuModuleLoadData} with PTX text, which the driver compiles for the current context's device.
     *
     * @param ptx the PTX, NUL-terminated
     * @return the {@code CUmodule}
     */
    public MemorySegment cuModuleLoadData(MemorySegment ptx) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment module = arena.allocate(ADDRESS);
            check("cuModuleLoadData", NativeLibrary.call(() -> (int) MH$cuModuleLoadData.invokeExact(module, ptx)));
            return module.get(ADDRESS, 0);
        }
    }

    /**
     * Calls {@code cuModuleGetFunction}.
     *
     * @param module the {@code CUmodule}
     * @param name the kernel's unmangled name
     * @return the {@code CUfunction}
     */
    public MemorySegment cuModuleGetFunction(MemorySegment module, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment function = arena.allocate(ADDRESS);
            MemorySegment symbol = arena.allocateFrom(name);
            check("cuModuleGetFunction", NativeLibrary.call(() -> (int) MH$cuModuleGetFunction.invokeExact(function, module, symbol)));
            return function.get(ADDRESS, 0);
        }
    }

    /**
     * Calls {@code cuModuleUnload}.
     *
     * @param module the {@code CUmodule}
     */
    public void cuModuleUnload(MemorySegment module) {
        check("cuModuleUnload", NativeLibrary.call(() -> (int) MH$cuModuleUnload.invokeExact(module)));
    }

    /**
     * Calls {@code cuLaunchKernel} with a one-dimensional grid and no dynamic shared memory.
     *
     * @param function the {@code CUfunction}
     * @param gridSize blocks
     * @param blockSize threads per block
     * @param stream the {@code CUstream}
     * @param arguments the {@code void**} array of argument addresses
     */
    public void cuLaunchKernel(MemorySegment function, int gridSize, int blockSize, MemorySegment stream, MemorySegment arguments) {
        check("cuLaunchKernel", NativeLibrary.call(() -> (int) MH$cuLaunchKernel.invokeExact(function, gridSize, 1, 1, blockSize, 1, 1, 0, stream, arguments,
                MemorySegment.NULL)));
    }


    private static void check(String function, int result) {
        if (result != CuResult.CUDA_SUCCESS) {
            throw new CudaException(function, result);
        }
    }
}
