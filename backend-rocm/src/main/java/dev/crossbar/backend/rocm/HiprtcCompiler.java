package dev.crossbar.backend.rocm;

import dev.crossbar.backend.rocm.internal.ffi.NativeHiprtc;
import dev.crossbar.spi.codegen.GeneratedKernel;
import dev.crossbar.spi.codegen.KernelCompiler;
import java.util.List;

/** hiprtc, compiling generated HIP source to an AMDGPU code object for a device's processor ({@code --offload-arch}). */
final class HiprtcCompiler implements KernelCompiler {
    private final NativeHiprtc hiprtc;

    HiprtcCompiler(NativeHiprtc hiprtc) {
        this.hiprtc = hiprtc;
    }

    @Override
    public String moduleExtension() {
        return "co";
    }

    @Override
    public byte[] compile(GeneratedKernel kernel, String architecture) {
        return hiprtc.compile(kernel.source(), kernel.entryPoint() + ".hip", List.of("--offload-arch=" + architecture));
    }
}
