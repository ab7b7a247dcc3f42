package dev.crossbar.backend.rocm;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.api.DType;
import dev.crossbar.api.Device;
import dev.crossbar.backend.rocm.internal.ffi.HipError;
import dev.crossbar.backend.rocm.internal.ffi.HipException;
import dev.crossbar.backend.rocm.internal.ffi.NativeHip;
import dev.crossbar.backend.rocm.internal.ffi.NativeHiprtc;
import dev.crossbar.backend.rocm.internal.ffi.NativeRocblas;
import dev.crossbar.spi.codegen.CompiledModuleCache;
import dev.crossbar.spi.codegen.GeneratedKernel;
import dev.crossbar.spi.codegen.LaunchConfiguration;
import dev.crossbar.spi.codegen.StreamDevice;
import dev.crossbar.spi.codegen.StridedBatchedGemm;
import dev.crossbar.spi.memory.CachingAllocator;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One AMD GPU as the backend uses it: one non-blocking stream that orders all of the backend's work on it, a caching
 * allocator over that stream's memory ({@code hipMallocAsync} where the device has memory pools, else
 * {@code hipMalloc}), loaded kernels and a rocBLAS handle. Every entry point makes the device current on the calling
 * thread first, since HIP's current device is per thread.
 */
final class HipDevice extends StreamDevice {
    private final NativeHip hip;
    private final MemorySegment stream;
    private final CompiledModuleCache modules;
    private final Optional<NativeRocblas> rocblas;
    private final List<MemorySegment> loadedModules = new ArrayList<>();
    private MemorySegment rocblasHandle;

    HipDevice(Device device, NativeHip hip, NativeHiprtc hiprtc, Optional<NativeRocblas> rocblas, Path cacheDirectory) {
        int index = device.index();
        hip.hipSetDevice(index);
        LaunchConfiguration.DeviceLimits limits = new LaunchConfiguration.DeviceLimits(
                hip.hipDeviceGetAttribute(NativeHip.ATTRIBUTE_MAX_THREADS_PER_BLOCK, index),
                hip.hipDeviceGetAttribute(NativeHip.ATTRIBUTE_MAX_GRID_DIM_X, index),
                hip.hipDeviceGetAttribute(NativeHip.ATTRIBUTE_MULTIPROCESSOR_COUNT, index),
                hip.hipDeviceGetAttribute(NativeHip.ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR, index));
        String architecture = hip.gcnArchName(index);
        MemorySegment stream = hip.hipStreamCreateWithFlags(NativeHip.STREAM_NON_BLOCKING);
        boolean pools = hip.hipDeviceGetAttribute(NativeHip.ATTRIBUTE_MEMORY_POOLS_SUPPORTED, index) != 0;
        super(device, limits, new CachingAllocator.DeviceMemory() {
            @Override
            public long allocate(long bytes) {
                return pools ? hip.hipMallocAsync(bytes, stream) : hip.hipMalloc(bytes);
            }

            @Override
            public void free(long address) {
                if (pools) {
                    hip.hipFreeAsync(address, stream);
                } else {
                    hip.hipFree(address);
                }
            }

            @Override
            public boolean isOutOfMemory(RuntimeException failure) {
                return failure instanceof HipException e && e.code() == HipError.HIP_ERROR_OUT_OF_MEMORY;
            }
        });
        this.hip = hip;
        this.stream = stream;
        this.rocblas = rocblas;
        this.modules = new CompiledModuleCache(cacheDirectory, architecture, "co", RocmBackendProvider.CACHE_PROPERTY,
                kernel -> hiprtc.compile(kernel.source(), kernel.entryPoint() + ".hip", List.of("--offload-arch=" + architecture)));
    }

    @Override
    public MemorySegment stream() {
        return stream;
    }

    @Override
    public boolean isIdle() {
        makeCurrent();
        return hip.hipStreamQuery(stream);
    }

    NativeHip hip() {
        return hip;
    }

    /** Makes this device current on the calling thread. */
    @Override
    public void makeCurrent() {
        hip.hipSetDevice(device().index());
    }

    @Override
    protected MemorySegment loadFunction(GeneratedKernel kernel) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment module = hip.hipModuleLoadData(arena.allocateFrom(ValueLayout.JAVA_BYTE, modules.module(kernel)));
            loadedModules.add(module);
            return hip.hipModuleGetFunction(module, kernel.entryPoint());
        }
    }

    @Override
    protected void launchFunction(MemorySegment function, LaunchConfiguration configuration, MemorySegment arguments) {
        hip.hipModuleLaunchKernel(function, configuration.gridSize(), configuration.blockSize(), stream, arguments);
    }

    @Override
    public void zero(long address, long bytes) {
        makeCurrent();
        hip.hipMemsetD8Async(address, (byte) 0, bytes, stream);
    }

    @Override
    public void copyToHost(long address, MemorySegment destination) {
        makeCurrent();
        hip.hipMemcpyDtoHAsync(destination, address, stream);
        hip.hipStreamSynchronize(stream);
    }

    /** rocBLAS's GEMM on this device's stream, when librocblas is installed (Debian 12 ships none). */
    @Override
    public Optional<StridedBatchedGemm> gemm() {
        return rocblas.map(library -> this::rocblasGemm);
    }

    private void rocblasGemm(StridedBatchedGemm.Call call) {
        Rocblas blas = rocblas();
        try (Arena arena = Arena.ofConfined()) {
            int type = rocblasType(call.dtype());
            blas.library().gemmStridedBatched(blas.handle(), new NativeRocblas.GemmShape(call.m(), call.n(), call.k()),
                    StridedBatchedGemm.scalar(arena, call.dtype(), 1), StridedBatchedGemm.scalar(arena, call.dtype(), 0),
                    new NativeRocblas.GemmOperands(call.a(), call.b(), call.c(), type, call.lda(), call.ldb(), call.ldc(), call.strideA(),
                            call.strideB(), call.strideC()),
                    call.batch(), call.dtype() == DType.F64 ? NativeRocblas.DATATYPE_F64 : NativeRocblas.DATATYPE_F32);
        }
    }

    private static int rocblasType(DType dtype) {
        return switch (dtype) {
            case F32 -> NativeRocblas.DATATYPE_F32;
            case F64 -> NativeRocblas.DATATYPE_F64;
            case F16 -> NativeRocblas.DATATYPE_F16;
            case BF16 -> NativeRocblas.DATATYPE_BF16;
            default -> throw new IllegalArgumentException("rocBLAS serves dot_general on f32, f64, f16 and bf16, not " + dtype.shortName());
        };
    }

    /**
     * Returns this device's rocBLAS handle, created on first use and bound to the stream.
     *
     * @return the library and the handle
     */
    synchronized Rocblas rocblas() {
        NativeRocblas library = rocblas.orElseThrow(() -> new CrossbarException("rocBLAS is needed for dot_general on " + device()
                + " and is not installed (librocblas); install ROCm's rocblas package (Debian 12 does not ship it)"));
        makeCurrent();
        if (rocblasHandle == null) {
            rocblasHandle = library.createHandle();
            library.setStream(rocblasHandle, stream);
        }
        return new Rocblas(library, rocblasHandle);
    }

    /**
     * A rocBLAS library and this device's handle.
     *
     * @param library the bound library
     * @param handle the {@code rocblas_handle}
     */
    record Rocblas(NativeRocblas library, MemorySegment handle) {
    }

    /** Waits for the stream, then releases the cache, the modules and the stream. */
    @Override
    public synchronized void close() {
        makeCurrent();
        hip.hipStreamSynchronize(stream);
        if (rocblasHandle != null) {
            rocblas.orElseThrow().destroyHandle(rocblasHandle);
        }
        releaseCache();
        hip.hipStreamSynchronize(stream);
        loadedModules.forEach(hip::hipModuleUnload);
        hip.hipStreamDestroy(stream);
    }
}
