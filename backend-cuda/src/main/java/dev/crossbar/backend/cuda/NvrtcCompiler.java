package dev.crossbar.backend.cuda;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.backend.cuda.internal.ffi.NativeNvrtc;
import dev.crossbar.spi.codegen.GeneratedKernel;
import dev.crossbar.spi.codegen.KernelCompiler;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * NVRTC, compiling generated CUDA C to PTX for a device's compute capability. The library is optional for the backend
 * (the toolkit installs it, the driver does not): it is opened on the first compilation, and its absence fails that
 * compilation naming the package to install.
 */
final class NvrtcCompiler implements KernelCompiler {
    private NativeNvrtc nvrtc;

    @Override
    public String moduleExtension() {
        return "ptx";
    }

    @Override
    public byte[] compile(GeneratedKernel kernel, String architecture) {
        return nvrtc(kernel, architecture).compileToPtx(kernel.source(), kernel.entryPoint() + ".cu", List.of("--gpu-architecture=" + architecture))
                .getBytes(StandardCharsets.UTF_8);
    }

    private synchronized NativeNvrtc nvrtc(GeneratedKernel kernel, String architecture) {
        if (nvrtc == null) {
            try {
                nvrtc = NativeNvrtc.open();
            } catch (CrossbarException e) {
                throw new CrossbarException("NVRTC is needed to compile " + kernel.name() + " for " + architecture
                        + " and is not installed (libnvrtc); install the CUDA toolkit's cuda-nvrtc package", e);
            }
        }
        return nvrtc;
    }
}
