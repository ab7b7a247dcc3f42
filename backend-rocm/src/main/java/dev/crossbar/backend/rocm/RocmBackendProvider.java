package dev.crossbar.backend.rocm;

import dev.crossbar.backend.rocm.internal.ffi.NativeHip;
import dev.crossbar.backend.rocm.internal.ffi.NativeHiprtc;
import dev.crossbar.backend.rocm.internal.ffi.NativeRccl;
import dev.crossbar.backend.rocm.internal.ffi.NativeRocblas;
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
 * Provides the ROCm backend: AMD GPUs through the HIP runtime, generated HIP compiled by hiprtc (which
 * {@code libamdhip64} exports), rocBLAS for floating dot_general and RCCL for collectives. Its probe asks the HIP
 * runtime for its version and device count and reports the versions of rocBLAS and RCCL where they are installed.
 */
public final class RocmBackendProvider extends GpuBackendProvider {
    /** Configures the shared GPU backend for ROCm. */
    public RocmBackendProvider() {
        super(new Vendor("rocm", 90, Dialect.HIP, "hip.runtime", "hipGetDeviceCount"));
    }

    @Override
    protected GpuRuntime openRuntime() {
        return new HipRuntime(NativeHip.open());
    }

    @Override
    protected KernelCompiler openCompiler() {
        return new HiprtcCompiler(NativeHiprtc.open());
    }

    @Override
    protected GpuBlas openBlas() {
        return new RocblasGemm(NativeRocblas.open());
    }

    @Override
    protected NcclApi openCollectives() {
        return NativeRccl.open();
    }

    @Override
    protected Map<String, Supplier<String>> optionalLibraryVersions() {
        return Map.of("rocblas", () -> NativeRocblas.open().version(), "rccl", () -> NativeRccl.open().version());
    }

    /** Without a GPU here, every generated kernel is compiled in-process by hiprtc; none has run on a device. */
    @Override
    public Verification verification() {
        return Verification.ofCells(
                "kernels compiled by hiprtc for gfx90a, gfx908; float dot_general by rocBLAS if installed; not run: no device")
                .withCollectiveNote("the RCCL process group (every collective; a host handshake before each names missing ranks and refuses mismatched calls; a hang after it ends in ncclCommAbort)"
                        + " is compiled; the handshake, the abort and 4 collectives run on a host-memory stand-in of the NCCL API; not run on a device: none here");
    }
}
