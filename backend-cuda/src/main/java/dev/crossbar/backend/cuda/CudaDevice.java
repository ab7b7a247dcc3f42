package dev.crossbar.backend.cuda;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.api.DType;
import dev.crossbar.api.Device;
import dev.crossbar.backend.cuda.internal.ffi.CuResult;
import dev.crossbar.backend.cuda.internal.ffi.CudaException;
import dev.crossbar.backend.cuda.internal.ffi.NativeCublas;
import dev.crossbar.backend.cuda.internal.ffi.NativeCudaDriver;
import dev.crossbar.backend.cuda.internal.ffi.NativeNvrtc;
import dev.crossbar.spi.codegen.CompiledModuleCache;
import dev.crossbar.spi.codegen.GeneratedKernel;
import dev.crossbar.spi.codegen.LaunchConfiguration;
import dev.crossbar.spi.codegen.StreamDevice;
import dev.crossbar.spi.codegen.StridedBatchedGemm;
import dev.crossbar.spi.memory.CachingAllocator;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One GPU as the backend uses it: its primary context, one non-blocking stream that orders all of the backend's work
 * on it, a caching allocator over {@code cuMemAllocAsync} on that stream, loaded kernels and a cuBLAS handle. Every
 * entry point makes the context current on the calling thread first, since CUDA contexts are per thread.
 */
final class CudaDevice extends StreamDevice {
    private final int cuDevice;
    private final NativeCudaDriver driver;
    private final MemorySegment context;
    private final MemorySegment stream;
    private final CompiledModuleCache modules;
    private final Optional<NativeCublas> cublas;
    private final List<MemorySegment> loadedModules = new ArrayList<>();
    private MemorySegment cublasHandle;

    CudaDevice(Device device, NativeCudaDriver driver, Optional<NativeNvrtc> nvrtc, Optional<NativeCublas> cublas, Path cacheDirectory) {
        int cuDevice = driver.cuDeviceGet(device.index());
        if (driver.cuDeviceGetAttribute(NativeCudaDriver.ATTRIBUTE_MEMORY_POOLS_SUPPORTED, cuDevice) == 0) {
            throw new CrossbarException("CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED is 0 on " + device
                    + ": the stream-ordered allocator (cuMemAllocAsync) that Crossbar uses needs CUDA 11.2 or newer on a Pascal or newer GPU");
        }
        LaunchConfiguration.DeviceLimits limits = new LaunchConfiguration.DeviceLimits(
                driver.cuDeviceGetAttribute(NativeCudaDriver.ATTRIBUTE_MAX_THREADS_PER_BLOCK, cuDevice),
                driver.cuDeviceGetAttribute(NativeCudaDriver.ATTRIBUTE_MAX_GRID_DIM_X, cuDevice),
                driver.cuDeviceGetAttribute(NativeCudaDriver.ATTRIBUTE_MULTIPROCESSOR_COUNT, cuDevice),
                driver.cuDeviceGetAttribute(NativeCudaDriver.ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR, cuDevice));
        String architecture = String.format(Locale.ROOT, "compute_%d%d",
                driver.cuDeviceGetAttribute(NativeCudaDriver.ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, cuDevice),
                driver.cuDeviceGetAttribute(NativeCudaDriver.ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, cuDevice));
        MemorySegment context = driver.cuDevicePrimaryCtxRetain(cuDevice);
        driver.cuCtxSetCurrent(context);
        MemorySegment stream = driver.cuStreamCreate(NativeCudaDriver.STREAM_NON_BLOCKING);
        super(device, limits, new CachingAllocator.DeviceMemory() {
            @Override
            public long allocate(long bytes) {
                return driver.cuMemAllocAsync(bytes, stream);
            }

            @Override
            public void free(long address) {
                driver.cuMemFreeAsync(address, stream);
            }

            @Override
            public boolean isOutOfMemory(RuntimeException failure) {
                return failure instanceof CudaException e && e.code() == CuResult.CUDA_ERROR_OUT_OF_MEMORY;
            }
        });
        this.cuDevice = cuDevice;
        this.driver = driver;
        this.context = context;
        this.stream = stream;
        this.cublas = cublas;
        this.modules = new CompiledModuleCache(cacheDirectory, architecture, "ptx", CudaBackendProvider.CACHE_PROPERTY, kernel -> nvrtc
                .orElseThrow(() -> new CrossbarException("NVRTC is needed to compile " + kernel.name() + " for " + device
                        + " and is not installed (libnvrtc); install the CUDA toolkit's cuda-nvrtc package"))
                .compileToPtx(kernel.source(), kernel.entryPoint() + ".cu", List.of("--gpu-architecture=" + architecture))
                .getBytes(StandardCharsets.UTF_8));
    }

    MemorySegment context() {
        return context;
    }

    @Override
    public MemorySegment stream() {
        return stream;
    }

    @Override
    public boolean isIdle() {
        makeCurrent();
        return driver.cuStreamQuery(stream);
    }

    NativeCudaDriver driver() {
        return driver;
    }

    /** Binds this device's context to the calling thread. */
    @Override
    public void makeCurrent() {
        driver.cuCtxSetCurrent(context);
    }

    @Override
    protected MemorySegment loadFunction(GeneratedKernel kernel) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment module = driver.cuModuleLoadData(arena.allocateFrom(new String(modules.module(kernel), StandardCharsets.UTF_8)));
            loadedModules.add(module);
            return driver.cuModuleGetFunction(module, kernel.entryPoint());
        }
    }

    @Override
    protected void launchFunction(MemorySegment function, LaunchConfiguration configuration, MemorySegment arguments) {
        driver.cuLaunchKernel(function, configuration.gridSize(), configuration.blockSize(), stream, arguments);
    }

    @Override
    public void zero(long address, long bytes) {
        makeCurrent();
        driver.cuMemsetD8Async(address, (byte) 0, bytes, stream);
    }

    @Override
    public void copyToHost(long address, MemorySegment destination) {
        makeCurrent();
        driver.cuMemcpyDtoHAsync(destination, address, stream);
        driver.cuStreamSynchronize(stream);
    }

    /**
     * Returns this device's cuBLAS handle, created on first use and bound to the stream.
     *
     * @return the library and the handle
     */
    synchronized Cublas cublas() {
        NativeCublas library = cublas.orElseThrow(() -> new CrossbarException("cuBLAS is needed for dot_general on " + device()
                + " and is not installed (libcublas); install the CUDA toolkit's libcublas package"));
        makeCurrent();
        if (cublasHandle == null) {
            cublasHandle = library.create();
            library.setStream(cublasHandle, stream);
        }
        return new Cublas(library, cublasHandle);
    }

    /** cuBLAS's GEMM on this device's stream, when libcublas is installed. */
    @Override
    public Optional<StridedBatchedGemm> gemm() {
        return cublas.map(library -> this::cublasGemm);
    }

    private void cublasGemm(StridedBatchedGemm.Call call) {
        Cublas blas = cublas();
        try (Arena arena = Arena.ofConfined()) {
            NativeCublas.GemmScalars scalars = new NativeCublas.GemmScalars(StridedBatchedGemm.scalar(arena, call.dtype(), 1),
                    StridedBatchedGemm.scalar(arena, call.dtype(), 0));
            blas.library().gemmStridedBatched(blas.handle(), new NativeCublas.GemmShape(call.m(), call.n(), call.k()), scalars,
                    new NativeCublas.GemmOperands(call.a(), call.b(), call.c(), cublasType(call.dtype()), call.lda(), call.ldb(), call.ldc(),
                            call.strideA(), call.strideB(), call.strideC()),
                    call.batch(), call.dtype() == DType.F64 ? NativeCublas.COMPUTE_64F : NativeCublas.COMPUTE_32F);
        }
    }

    private static int cublasType(DType dtype) {
        return switch (dtype) {
            case F32 -> NativeCublas.CUDA_R_32F;
            case F64 -> NativeCublas.CUDA_R_64F;
            case F16 -> NativeCublas.CUDA_R_16F;
            case BF16 -> NativeCublas.CUDA_R_16BF;
            default -> throw new IllegalArgumentException("cuBLAS serves dot_general on f32, f64, f16 and bf16, not " + dtype.shortName());
        };
    }

    /**
     * A cuBLAS library and this device's handle.
     *
     * @param library the bound library
     * @param handle the {@code cublasHandle_t}
     */
    record Cublas(NativeCublas library, MemorySegment handle) {
    }

    /** Waits for the stream, then releases the cache, the modules, the stream and the context. */
    @Override
    public synchronized void close() {
        makeCurrent();
        driver.cuStreamSynchronize(stream);
        if (cublasHandle != null) {
            cublas.orElseThrow().destroy(cublasHandle);
        }
        releaseCache();
        driver.cuStreamSynchronize(stream);
        loadedModules.forEach(driver::cuModuleUnload);
        driver.cuStreamDestroy(stream);
        driver.cuDevicePrimaryCtxRelease(cuDevice);
    }
}
