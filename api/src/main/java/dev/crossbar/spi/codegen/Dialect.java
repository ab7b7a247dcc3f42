package dev.crossbar.spi.codegen;

import dev.crossbar.api.DType;

/**
 * The C dialects {@link KernelGenerator} writes. Everything that differs between them is spelled here: the kernel and
 * device-function qualifiers, the address space of buffer pointers, the global thread index, the 64-bit integer
 * types, math function names and atomics. The generator uses no templates, no references and no headers so that one
 * text serves all three.
 */
public enum Dialect {
    /** CUDA C++ as nvcc and NVRTC compile it. */
    CUDA("cuda", "__device__ __forceinline__"),
    /** HIP as hipcc and hiprtc compile it for AMD GPUs. */
    HIP("hip", "__device__ inline"),
    /**
     * OpenCL C 1.2 as {@code clBuildProgram} compiles it. The device must offer {@code cl_khr_fp64} (double) and
     * {@code cl_khr_int64_base_atomics} (scatter_add on I64 and F64); F32 and F64 atomic adds are compare-and-swap
     * loops, since OpenCL 1.2 has integer atomics only.
     */
    OPENCL("opencl", "static inline");

    private final String dialectName;
    private final String deviceFunction;

    Dialect(String dialectName, String deviceFunction) {
        this.dialectName = dialectName;
        this.deviceFunction = deviceFunction;
    }

    /**
     * Returns the dialect's lower-case name, used in kernel names.
     *
     * @return {@code "cuda"}, {@code "hip"} or {@code "opencl"}
     */
    public String dialectName() {
        return dialectName;
    }

    /** Source lines that must precede everything else, such as OpenCL's extension pragmas. */
    String preamble() {
        return this == OPENCL
                ? "#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable\n"
                : "";
    }

    /** The declaration of a kernel entry point, before its name; unmangled so a module lookup finds it by name. */
    String kernelQualifier() {
        return this == OPENCL ? "__kernel void" : "extern \"C\" __global__ void";
    }

    /** The qualifiers of a helper function callable from kernels. */
    String deviceFunction() {
        return deviceFunction;
    }

    /**
     * The address-space qualifier of a kernel's buffer pointers followed by a space: empty in CUDA and HIP,
     * {@code "__global "} in OpenCL.
     */
    String globalPointer() {
        return this == OPENCL ? "__global " : "";
    }

    /** The C type of a signed 64-bit integer: {@code long} is 64 bits in OpenCL C, {@code long long} in CUDA and HIP. */
    String signed64() {
        return this == OPENCL ? "long" : "long long";
    }

    /** The first element this thread handles in a grid-stride loop. */
    String firstIndex() {
        return this == OPENCL ? "(cb_i64)get_global_id(0)" : "(cb_i64)blockIdx.x * blockDim.x + threadIdx.x";
    }

    /** The stride of a grid-stride loop: the number of threads in the grid. */
    String gridSize() {
        return this == OPENCL ? "(cb_i64)get_global_size(0)" : "(cb_i64)blockDim.x * gridDim.x";
    }

    /**
     * The name of a math function for a float or double argument: CUDA and HIP name the float forms with an {@code f}
     * suffix, where OpenCL overloads one name.
     */
    String math(String function, boolean single) {
        return single && this != OPENCL ? function + "f" : function;
    }

    /**
     * An atomic add at a pointer of a value of the element type: F32, F64 and I32 at a pointer to that type, I64 as
     * {@code cb_u64} at a {@code cb_u64} pointer (two's complement addition is the same).
     */
    String atomicAdd(DType dtype, String pointer, String value) {
        if (this != OPENCL) {
            return "atomicAdd(" + pointer + ", " + value + ")";
        }
        return switch (dtype) {
            case F32 -> "cb_atomic_add_f32(" + pointer + ", " + value + ")";
            case F64 -> "cb_atomic_add_f64(" + pointer + ", " + value + ")";
            case I32 -> "atomic_add(" + pointer + ", " + value + ")";
            case I64 -> "atom_add(" + pointer + ", " + value + ")";
            default -> throw new IllegalArgumentException("no 32- or 64-bit atomic add for " + dtype);
        };
    }

    /** An atomic compare-and-swap of a 32-bit word, returning the old value. */
    String atomicCompareAndSwap32(String pointer, String expected, String desired) {
        return this == OPENCL
                ? "atomic_cmpxchg((volatile __global cb_u32*)" + pointer + ", " + expected + ", " + desired + ")"
                : "atomicCAS(" + pointer + ", " + expected + ", " + desired + ")";
    }
}
