package dev.crossbar.backend.rocm.internal.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.crossbar.spi.ffi.LibraryUnavailableException;
import dev.crossbar.spi.ffi.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * The HIP runtime library {@code libamdhip64}: one method per function, each checking its {@code hipError_t}. The
 * current device is per host thread ({@link #hipSetDevice}); handles ({@code hipStream_t}, {@code hipEvent_t},
 * {@code hipModule_t}, {@code hipFunction_t}) are opaque pointers and device memory travels as addresses.
 */
public final class NativeHip {
    /** The library names tried: the development link first, then the sonames of ROCm 5 and 6. */
    public static final List<String> LIBRARIES = List.of("libamdhip64.so", "libamdhip64.so.5", "libamdhip64.so.6");
    /** {@code hipDeviceAttributeMaxGridDimX} (enum hipDeviceAttribute_t of ROCm 5.2). */
    public static final int ATTRIBUTE_MAX_GRID_DIM_X = 29;
    /** {@code hipDeviceAttributeMaxThreadsPerBlock}. */
    public static final int ATTRIBUTE_MAX_THREADS_PER_BLOCK = 56;
    /** {@code hipDeviceAttributeMaxThreadsPerMultiProcessor}. */
    public static final int ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR = 57;
    /** {@code hipDeviceAttributeMultiprocessorCount}. */
    public static final int ATTRIBUTE_MULTIPROCESSOR_COUNT = 63;
    /** {@code hipDeviceAttributeMemoryPoolsSupported}: whether {@code hipMallocAsync} works on the device. */
    public static final int ATTRIBUTE_MEMORY_POOLS_SUPPORTED = 88;
    /** {@code hipStreamNonBlocking}. */
    public static final int STREAM_NON_BLOCKING = 0x1;
    /** {@code hipEventDisableTiming}. */
    public static final int EVENT_DISABLE_TIMING = 0x2;
    /** {@code sizeof(hipDeviceProp_t)} of ROCm 5.2, which the unversioned {@code hipGetDeviceProperties} fills. */
    public static final long DEVICE_PROPERTIES_BYTES = 792;
    /** {@code offsetof(hipDeviceProp_t, gcnArchName)}, a {@code char[256]}, in that layout. */
    public static final long GCN_ARCH_NAME_OFFSET = 396;

    private static final int NAME_BYTES = 256;

    private final MethodHandle MH$hipInit;
    private final MethodHandle MH$hipRuntimeGetVersion;
    private final MethodHandle MH$hipGetDeviceCount;
    private final MethodHandle MH$hipSetDevice;
    private final MethodHandle MH$hipDeviceGetName;
    private final MethodHandle MH$hipDeviceGetAttribute;
    private final MethodHandle MH$hipGetDeviceProperties;
    private final MethodHandle MH$hipStreamCreateWithFlags;
    private final MethodHandle MH$hipStreamSynchronize;
    private final MethodHandle MH$hipStreamQuery;
    private final MethodHandle MH$hipStreamDestroy;
    private final MethodHandle MH$hipStreamWaitEvent;
    private final MethodHandle MH$hipEventCreateWithFlags;
    private final MethodHandle MH$hipEventRecord;
    private final MethodHandle MH$hipEventDestroy;
    private final MethodHandle MH$hipMallocAsync;
    private final MethodHandle MH$hipFreeAsync;
    private final MethodHandle MH$hipMalloc;
    private final MethodHandle MH$hipFree;
    private final MethodHandle MH$hipMemsetD8Async;
    private final MethodHandle MH$hipMemcpyHtoDAsync;
    private final MethodHandle MH$hipMemcpyDtoHAsync;
    private final MethodHandle MH$hipMemcpyDtoDAsync;
    private final MethodHandle MH$hipMemcpyPeerAsync;
    private final MethodHandle MH$hipModuleLoadData;
    private final MethodHandle MH$hipModuleGetFunction;
    private final MethodHandle MH$hipModuleUnload;
    private final MethodHandle MH$hipModuleLaunchKernel;

    private NativeHip(NativeLibrary library) {
        // hipError_t hipInit(unsigned int flags)
        MH$hipInit = bind(library, "hipInit", JAVA_INT);
        // hipError_t hipRuntimeGetVersion(int* runtimeVersion)
        MH$hipRuntimeGetVersion = bind(library, "hipRuntimeGetVersion", ADDRESS);
        // hipError_t hipGetDeviceCount(int* count)
        MH$hipGetDeviceCount = bind(library, "hipGetDeviceCount", ADDRESS);
        // hipError_t hipSetDevice(int deviceId)
        MH$hipSetDevice = bind(library, "hipSetDevice", JAVA_INT);
        // hipError_t hipDeviceGetName(char* name, int len, hipDevice_t device)
        MH$hipDeviceGetName = bind(library, "hipDeviceGetName", ADDRESS, JAVA_INT, JAVA_INT);
        // hipError_t hipDeviceGetAttribute(int* pi, hipDeviceAttribute_t attr, int deviceId)
        MH$hipDeviceGetAttribute = bind(library, "hipDeviceGetAttribute", ADDRESS, JAVA_INT, JAVA_INT);
        // hipError_t hipGetDeviceProperties(hipDeviceProp_t* prop, int deviceId)
        MH$hipGetDeviceProperties = bind(library, "hipGetDeviceProperties", ADDRESS, JAVA_INT);
        // hipError_t hipStreamCreateWithFlags(hipStream_t* stream, unsigned int flags)
        MH$hipStreamCreateWithFlags = bind(library, "hipStreamCreateWithFlags", ADDRESS, JAVA_INT);
        // hipError_t hipStreamSynchronize(hipStream_t stream)
        MH$hipStreamSynchronize = bind(library, "hipStreamSynchronize", ADDRESS);
        // hipError_t hipStreamQuery(hipStream_t stream)
        MH$hipStreamQuery = bind(library, "hipStreamQuery", ADDRESS);
        // hipError_t hipStreamDestroy(hipStream_t stream)
        MH$hipStreamDestroy = bind(library, "hipStreamDestroy", ADDRESS);
        // hipError_t hipStreamWaitEvent(hipStream_t stream, hipEvent_t event, unsigned int flags)
        MH$hipStreamWaitEvent = bind(library, "hipStreamWaitEvent", ADDRESS, ADDRESS, JAVA_INT);
        // hipError_t hipEventCreateWithFlags(hipEvent_t* event, unsigned flags)
        MH$hipEventCreateWithFlags = bind(library, "hipEventCreateWithFlags", ADDRESS, JAVA_INT);
        // hipError_t hipEventRecord(hipEvent_t event, hipStream_t stream)
        MH$hipEventRecord = bind(library, "hipEventRecord", ADDRESS, ADDRESS);
        // hipError_t hipEventDestroy(hipEvent_t event)
        MH$hipEventDestroy = bind(library, "hipEventDestroy", ADDRESS);
        // hipError_t hipMallocAsync(void** dev_ptr, size_t size, hipStream_t stream)
        MH$hipMallocAsync = bind(library, "hipMallocAsync", ADDRESS, JAVA_LONG, ADDRESS);
        // hipError_t hipFreeAsync(void* dev_ptr, hipStream_t stream)
        MH$hipFreeAsync = bind(library, "hipFreeAsync", ADDRESS, ADDRESS);
        // hipError_t hipMalloc(void** ptr, size_t size)
        MH$hipMalloc = bind(library, "hipMalloc", ADDRESS, JAVA_LONG);
        // hipError_t hipFree(void* ptr)
        MH$hipFree = bind(library, "hipFree", ADDRESS);
        // hipError_t hipMemsetD8Async(hipDeviceptr_t dest, unsigned char value, size_t count, hipStream_t stream)
        MH$hipMemsetD8Async = bind(library, "hipMemsetD8Async", ADDRESS, JAVA_BYTE, JAVA_LONG, ADDRESS);
        // hipError_t hipMemcpyHtoDAsync(hipDeviceptr_t dst, void* src, size_t sizeBytes, hipStream_t stream)
        MH$hipMemcpyHtoDAsync = bind(library, "hipMemcpyHtoDAsync", ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
        // hipError_t hipMemcpyDtoHAsync(void* dst, hipDeviceptr_t src, size_t sizeBytes, hipStream_t stream)
        MH$hipMemcpyDtoHAsync = bind(library, "hipMemcpyDtoHAsync", ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
        // hipError_t hipMemcpyDtoDAsync(hipDeviceptr_t dst, hipDeviceptr_t src, size_t sizeBytes, hipStream_t stream)
        MH$hipMemcpyDtoDAsync = bind(library, "hipMemcpyDtoDAsync", ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
        // hipError_t hipMemcpyPeerAsync(void* dst, int dstDeviceId, const void* src, int srcDevice, size_t sizeBytes,
        //                               hipStream_t stream)
        MH$hipMemcpyPeerAsync = bind(library, "hipMemcpyPeerAsync", ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS);
        // hipError_t hipModuleLoadData(hipModule_t* module, const void* image)
        MH$hipModuleLoadData = bind(library, "hipModuleLoadData", ADDRESS, ADDRESS);
        // hipError_t hipModuleGetFunction(hipFunction_t* function, hipModule_t module, const char* kname)
        MH$hipModuleGetFunction = bind(library, "hipModuleGetFunction", ADDRESS, ADDRESS, ADDRESS);
        // hipError_t hipModuleUnload(hipModule_t module)
        MH$hipModuleUnload = bind(library, "hipModuleUnload", ADDRESS);
        // hipError_t hipModuleLaunchKernel(hipFunction_t f, unsigned int gridDimX, unsigned int gridDimY,
        //     unsigned int gridDimZ, unsigned int blockDimX, unsigned int blockDimY, unsigned int blockDimZ,
        //     unsigned int sharedMemBytes, hipStream_t stream, void** kernelParams, void** extra)
        MH$hipModuleLaunchKernel = bind(library, "hipModuleLaunchKernel", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    }

    private static MethodHandle bind(NativeLibrary library, String symbol, MemoryLayout... arguments) {
        return library.function(symbol, FunctionDescriptor.of(JAVA_INT, arguments));
    }

    /**
     * Loads the HIP runtime and binds its functions.
     *
     * @return the bound runtime
     * @throws LibraryUnavailableException if no HIP library loads, one lacks a function, or native access is denied
     */
    public static NativeHip open() {
        return new NativeHip(NativeLibrary.openFirst(LIBRARIES, "install ROCm's HIP runtime (Debian and Ubuntu: libamdhip64-5; ROCm: hip-runtime-amd)"));
    }

    /**
     * Calls {@code hipInit}.
     *
     * @param flags 0
     */
    public void hipInit(int flags) {
        check("hipInit", NativeLibrary.call(() -> (int) MH$hipInit.invokeExact(flags)));
    }

    /**
     * Calls {@code hipRuntimeGetVersion}.
     *
     * @return the version, 10000000 * major + 100000 * minor + patch
     */
    public int hipRuntimeGetVersion() {
        return readInt("hipRuntimeGetVersion", MH$hipRuntimeGetVersion);
    }

    /**
     * Calls {@code hipGetDeviceCount}.
     *
     * @return the number of HIP devices
     * @throws HipException with {@code hipErrorNoDevice} when there is none
     */
    public int hipGetDeviceCount() {
        return readInt("hipGetDeviceCount", MH$hipGetDeviceCount);
    }

    /**
     * Calls {@code hipSetDevice}, which makes a device current on the calling thread.
     *
     * @param device the device's index
     */
    public void hipSetDevice(int device) {
        check("hipSetDevice", NativeLibrary.call(() -> (int) MH$hipSetDevice.invokeExact(device)));
    }

    /**
     * Calls {@code hipDeviceGetName}.
     *
     * @param device the device's index
     * @return the product name
     */
    public String hipDeviceGetName(int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocate(NAME_BYTES);
            check("hipDeviceGetName", NativeLibrary.call(() -> (int) MH$hipDeviceGetName.invokeExact(name, NAME_BYTES, device)));
            return name.getString(0);
        }
    }

    /**
     * Calls {@code hipDeviceGetAttribute}.
     *
     * @param attribute a {@code hipDeviceAttribute_t}, such as {@link #ATTRIBUTE_MULTIPROCESSOR_COUNT}
     * @param device the device's index
     * @return the value
     */
    public int hipDeviceGetAttribute(int attribute, int device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            check("hipDeviceGetAttribute", NativeLibrary.call(() -> (int) MH$hipDeviceGetAttribute.invokeExact(value, attribute, device)));
            return value.get(JAVA_INT, 0);
        }
    }

    /**
     * Calls {@code hipGetDeviceProperties} and returns the {@code gcnArchName} field, the name hiprtc takes as
     * {@code --offload-arch}.
     *
     * @param device the device's index
     * @return the processor and its features, such as {@code gfx90a:sramecc+:xnack-}
     */
    public String gcnArchName(int device) {
        try (Arena arena = Arena.ofConfined()) {
            // Twice the 5.2 size: newer runtimes that export this symbol for old binaries write the same layout.
            MemorySegment properties = arena.allocate(2 * DEVICE_PROPERTIES_BYTES, 8);
            check("hipGetDeviceProperties", NativeLibrary.call(() -> (int) MH$hipGetDeviceProperties.invokeExact(properties, device)));
            return properties.asSlice(GCN_ARCH_NAME_OFFSET, NAME_BYTES).getString(0);
        }
    }

    /**
     * Calls {@code hipStreamCreateWithFlags}.
     *
     * @param flags {@link #STREAM_NON_BLOCKING} or 0
     * @return the {@code hipStream_t}
     */
    public MemorySegment hipStreamCreateWithFlags(int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stream = arena.allocate(ADDRESS);
            check("hipStreamCreateWithFlags", NativeLibrary.call(() -> (int) MH$hipStreamCreateWithFlags.invokeExact(stream, flags)));
            return stream.get(ADDRESS, 0);
        }
    }

    /**
     * Calls {@code hipStreamSynchronize}.
     *
     * @param stream the {@code hipStream_t}
     */
    public void hipStreamSynchronize(MemorySegment stream) {
        check("hipStreamSynchronize", NativeLibrary.call(() -> (int) MH$hipStreamSynchronize.invokeExact(stream)));
    }

    /**
     * Calls {@code hipStreamQuery}.
     *
     * @param stream the {@code hipStream_t}
     * @return true when the stream has run all its work ({@code hipSuccess}), false while it runs
     *     ({@code hipErrorNotReady})
     */
    public boolean hipStreamQuery(MemorySegment stream) {
        int result = NativeLibrary.call(() -> (int) MH$hipStreamQuery.invokeExact(stream));
        if (result == HipError.HIP_ERROR_NOT_READY) {
            return false;
        }
        check("hipStreamQuery", result);
        return true;
    }

    /**
     * Calls {@code hipStreamDestroy}.
     *
     * @param stream the {@code hipStream_t}
     */
    public void hipStreamDestroy(MemorySegment stream) {
        check("hipStreamDestroy", NativeLibrary.call(() -> (int) MH$hipStreamDestroy.invokeExact(stream)));
    }

    /**
     * Calls {@code hipStreamWaitEvent}.
     *
     * @param stream the waiting {@code hipStream_t}
     * @param event the {@code hipEvent_t}
     */
    public void hipStreamWaitEvent(MemorySegment stream, MemorySegment event) {
        check("hipStreamWaitEvent", NativeLibrary.call(() -> (int) MH$hipStreamWaitEvent.invokeExact(stream, event, 0)));
    }

    /**
     * Calls {@code hipEventCreateWithFlags}.
     *
     * @param flags such as {@link #EVENT_DISABLE_TIMING}
     * @return the {@code hipEvent_t}
     */
    public MemorySegment hipEventCreateWithFlags(int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = arena.allocate(ADDRESS);
            check("hipEventCreateWithFlags", NativeLibrary.call(() -> (int) MH$hipEventCreateWithFlags.invokeExact(event, flags)));
            return event.get(ADDRESS, 0);
        }
    }

    /**
     * Calls {@code hipEventRecord}.
     *
     * @param event the {@code hipEvent_t}
     * @param stream the {@code hipStream_t}
     */
    public void hipEventRecord(MemorySegment event, MemorySegment stream) {
        check("hipEventRecord", NativeLibrary.call(() -> (int) MH$hipEventRecord.invokeExact(event, stream)));
    }

    /**
     * Calls {@code hipEventDestroy}.
     *
     * @param event the {@code hipEvent_t}
     */
    public void hipEventDestroy(MemorySegment event) {
        check("hipEventDestroy", NativeLibrary.call(() -> (int) MH$hipEventDestroy.invokeExact(event)));
    }

    /**
     * Calls {@code hipMallocAsync}.
     *
     * @param bytes more than 0
     * @param stream the {@code hipStream_t}
     * @return the device address
     */
    public long hipMallocAsync(long bytes, MemorySegment stream) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pointer = arena.allocate(ADDRESS);
            check("hipMallocAsync", NativeLibrary.call(() -> (int) MH$hipMallocAsync.invokeExact(pointer, bytes, stream)));
            return pointer.get(ADDRESS, 0).address();
        }
    }

    /**
     * Calls {@code hipFreeAsync}.
     *
     * @param address the device address
     * @param stream the {@code hipStream_t}
     */
    public void hipFreeAsync(long address, MemorySegment stream) {
        MemorySegment pointer = MemorySegment.ofAddress(address);
        check("hipFreeAsync", NativeLibrary.call(() -> (int) MH$hipFreeAsync.invokeExact(pointer, stream)));
    }

    /**
     * Calls {@code hipMalloc}.
     *
     * @param bytes more than 0
     * @return the device address
     */
    public long hipMalloc(long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pointer = arena.allocate(ADDRESS);
            check("hipMalloc", NativeLibrary.call(() -> (int) MH$hipMalloc.invokeExact(pointer, bytes)));
            return pointer.get(ADDRESS, 0).address();
        }
    }

    /**
     * Calls {@code hipFree}, which waits for the device.
     *
     * @param address the device address
     */
    public void hipFree(long address) {
        MemorySegment pointer = MemorySegment.ofAddress(address);
        check("hipFree", NativeLibrary.call(() -> (int) MH$hipFree.invokeExact(pointer)));
    }

    /**
     * Calls {@code hipMemsetD8Async}.
     *
     * @param address the device address
     * @param value the byte
     * @param count bytes
     * @param stream the {@code hipStream_t}
     */
    public void hipMemsetD8Async(long address, byte value, long count, MemorySegment stream) {
        MemorySegment pointer = MemorySegment.ofAddress(address);
        check("hipMemsetD8Async", NativeLibrary.call(() -> (int) MH$hipMemsetD8Async.invokeExact(pointer, value, count, stream)));
    }

    /**
     * Calls {@code hipMemcpyHtoDAsync}.
     *
     * @param destination the device address
     * @param source host memory, {@code source.byteSize()} bytes are copied
     * @param stream the {@code hipStream_t}
     */
    public void hipMemcpyHtoDAsync(long destination, MemorySegment source, MemorySegment stream) {
        MemorySegment to = MemorySegment.ofAddress(destination);
        long count = source.byteSize();
        check("hipMemcpyHtoDAsync", NativeLibrary.call(() -> (int) MH$hipMemcpyHtoDAsync.invokeExact(to, source, count, stream)));
    }

    /**
     * Calls {@code hipMemcpyDtoHAsync}.
     *
     * @param destination host memory, {@code destination.byteSize()} bytes are written
     * @param source the device address
     * @param stream the {@code hipStream_t}
     */
    public void hipMemcpyDtoHAsync(MemorySegment destination, long source, MemorySegment stream) {
        MemorySegment from = MemorySegment.ofAddress(source);
        long count = destination.byteSize();
        check("hipMemcpyDtoHAsync", NativeLibrary.call(() -> (int) MH$hipMemcpyDtoHAsync.invokeExact(destination, from, count, stream)));
    }

    /**
     * Calls {@code hipMemcpyDtoDAsync}.
     *
     * @param destination the destination address
     * @param source the source address
     * @param count bytes
     * @param stream the {@code hipStream_t}
     */
    public void hipMemcpyDtoDAsync(long destination, long source, long count, MemorySegment stream) {
        MemorySegment to = MemorySegment.ofAddress(destination);
        MemorySegment from = MemorySegment.ofAddress(source);
        check("hipMemcpyDtoDAsync", NativeLibrary.call(() -> (int) MH$hipMemcpyDtoDAsync.invokeExact(to, from, count, stream)));
    }

    /**
     * Calls {@code hipMemcpyPeerAsync}.
     *
     * @param destination the destination address
     * @param destinationDevice its device
     * @param source the source address
     * @param sourceDevice its device
     * @param count bytes
     * @param stream the {@code hipStream_t}
     */
    public void hipMemcpyPeerAsync(long destination, int destinationDevice, long source, int sourceDevice, long count, MemorySegment stream) {
        MemorySegment to = MemorySegment.ofAddress(destination);
        MemorySegment from = MemorySegment.ofAddress(source);
        check("hipMemcpyPeerAsync", NativeLibrary.call(() -> (int) MH$hipMemcpyPeerAsync.invokeExact(to, destinationDevice, from, sourceDevice, count, stream)));
    }

    /**
     * Calls {@code hipModuleLoadData} with an AMDGPU code object.
     *
     * @param image the code object
     * @return the {@code hipModule_t}
     */
    public MemorySegment hipModuleLoadData(MemorySegment image) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment module = arena.allocate(ADDRESS);
            check("hipModuleLoadData", NativeLibrary.call(() -> (int) MH$hipModuleLoadData.invokeExact(module, image)));
            return module.get(ADDRESS, 0);
        }
    }

    /**
     * Calls {@code hipModuleGetFunction}.
     *
     * @param module the {@code hipModule_t}
     * @param name the kernel's unmangled name
     * @return the {@code hipFunction_t}
     */
    public MemorySegment hipModuleGetFunction(MemorySegment module, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment function = arena.allocate(ADDRESS);
            MemorySegment symbol = arena.allocateFrom(name);
            check("hipModuleGetFunction", NativeLibrary.call(() -> (int) MH$hipModuleGetFunction.invokeExact(function, module, symbol)));
            return function.get(ADDRESS, 0);
        }
    }

    /**
     * Calls {@code hipModuleUnload}.
     *
     * @param module the {@code hipModule_t}
     */
    public void hipModuleUnload(MemorySegment module) {
        check("hipModuleUnload", NativeLibrary.call(() -> (int) MH$hipModuleUnload.invokeExact(module)));
    }

    /**
     * Calls {@code hipModuleLaunchKernel} with a one-dimensional grid and no dynamic shared memory.
     *
     * @param function the {@code hipFunction_t}
     * @param gridSize blocks
     * @param blockSize threads per block
     * @param stream the {@code hipStream_t}
     * @param arguments the {@code void**} array of argument addresses
     */
    public void hipModuleLaunchKernel(MemorySegment function, int gridSize, int blockSize, MemorySegment stream, MemorySegment arguments) {
        check("hipModuleLaunchKernel", NativeLibrary.call(() -> (int) MH$hipModuleLaunchKernel.invokeExact(function, gridSize, 1, 1, blockSize, 1, 1, 0, stream,
                arguments, MemorySegment.NULL)));
    }

    private static int readInt(String function, MethodHandle handle) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            check(function, NativeLibrary.call(() -> (int) handle.invokeExact(value)));
            return value.get(JAVA_INT, 0);
        }
    }


    private static void check(String function, int result) {
        if (result != HipError.HIP_SUCCESS) {
            throw new HipException(function, result);
        }
    }
}
