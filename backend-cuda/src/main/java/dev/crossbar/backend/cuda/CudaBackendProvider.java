package dev.crossbar.backend.cuda;

import dev.crossbar.backend.cuda.internal.ffi.NativeCublas;
import dev.crossbar.backend.cuda.internal.ffi.NativeCudaDriver;
import dev.crossbar.backend.cuda.internal.ffi.NativeNccl;
import dev.crossbar.backend.cuda.internal.ffi.NativeNvrtc;
import dev.crossbar.spi.Verification;
import dev.crossbar.spi.codegen.Dialect;
import dev.crossbar.spi.codegen.GpuBackendProvider;
import dev.crossbar.spi.codegen.GpuBlas;
import dev.crossbar.spi.codegen.GpuRuntime;
import dev.crossbar.spi.codegen.KernelCompiler;
import dev.crossbar.spi.ffi.NcclApi;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Provides the CUDA backend: NVIDIA GPUs through the CUDA driver API, generated CUDA C compiled by NVRTC, cuBLAS for
 * floating dot_general and NCCL for collectives. Its probe asks the driver for its version and device count and
 * reports the versions of NVRTC, cuBLAS and NCCL where they are installed.
 */
public final class CudaBackendProvider extends GpuBackendProvider {
    /** Configures the shared GPU backend for CUDA. */
    public CudaBackendProvider() {
        super(new Vendor("cuda", 100, Dialect.CUDA, "cuda.driver", "cuDeviceGetCount"));
    }

    @Override
    protected GpuRuntime openRuntime() {
        return new CudaRuntime(NativeCudaDriver.open());
    }

    @Override
    protected KernelCompiler openCompiler() {
        return new NvrtcCompiler();
    }

    @Override
    protected GpuBlas openBlas() {
        return new CublasGemm(NativeCublas.open());
    }

    @Override
    protected NcclApi openCollectives() {
        return NativeNccl.open();
    }

    @Override
    protected Map<String, Supplier<String>> optionalLibraryVersions() {
        return Map.of("nvrtc", () -> NativeNvrtc.open().nvrtcVersion(), "cublas", () -> NativeCublas.open().version(), "nccl",
                () -> NativeNccl.open().version());
    }

    /** Without a GPU here, every generated kernel is compiled by nvcc and assembled by ptxas; nothing runs. */
    @Override
    public Verification verification() {
        return Verification.ofCells("kernels compiled by nvcc/ptxas for sm_80, sm_90; float dot_general by cuBLAS; not run: no device")
                .withCollectiveNote("the NCCL process group (every collective; a host handshake before each names missing ranks and refuses mismatched calls; a hang after it ends in ncclCommAbort)"
                        + " is compiled; the handshake, the abort and 4 collectives run on a host-memory stand-in of the NCCL API; not run on a device: none here");
    }
}
