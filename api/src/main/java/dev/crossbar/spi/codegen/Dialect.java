package dev.crossbar.spi.codegen;

/**
 * The C dialects {@link KernelGenerator} writes. Everything that differs between them is spelled here: the kernel and
 * device-function qualifiers, the address space of buffer pointers, the global thread index, math function names
 * and atomics. OpenCL C fits the same shape (a {@code __global} pointer qualifier, {@code get_global_id(0)},
 * overloaded math functions, {@code atomic_cmpxchg}) and is the next constant to add; the generator uses no
 * templates, no references and no headers so that it can.
 */
public enum Dialect {
    /** CUDA C++ as nvcc and NVRTC compile it. */
    CUDA("cuda", "__device__ __forceinline__"),
    /** HIP as hipcc and hiprtc compile it for AMD GPUs. */
    HIP("hip", "__device__ inline");

    private final String dialectName;
    private final String deviceFunction;

    Dialect(String dialectName, String deviceFunction) {
        this.dialectName = dialectName;
        this.deviceFunction = deviceFunction;
    }

    /**
     * Returns the dialect's lower-case name, used in kernel names.
     *
     * @return {@code "cuda"} or {@code "hip"}
     */
    public String dialectName() {
        return dialectName;
    }

    /** The declaration of a kernel entry point, before its name; unmangled so a module lookup finds it by name. */
    String kernelQualifier() {
        return "extern \"C\" __global__ void";
    }

    /** The qualifiers of a helper function callable from kernels. */
    String deviceFunction() {
        return deviceFunction;
    }

    /** The address-space qualifier of a kernel's buffer pointers (empty in CUDA and HIP, {@code __global} in OpenCL). */
    String globalPointer() {
        return "";
    }

    /** The first element this thread handles in a grid-stride loop. */
    String firstIndex() {
        return "(cb_i64)blockIdx.x * blockDim.x + threadIdx.x";
    }

    /** The stride of a grid-stride loop: the number of threads in the grid. */
    String gridSize() {
        return "(cb_i64)blockDim.x * gridDim.x";
    }

    /**
     * The name of a math function for a float or double argument: CUDA and HIP name the float forms with an {@code f}
     * suffix, where OpenCL overloads one name.
     */
    String math(String function, boolean single) {
        return single ? function + "f" : function;
    }

    /** An atomic add of a {@code float}, {@code double}, {@code cb_i32} or {@code cb_u64} value at a pointer. */
    String atomicAdd(String pointer, String value) {
        return "atomicAdd(" + pointer + ", " + value + ")";
    }

    /** An atomic compare-and-swap of a 32-bit word, returning the old value. */
    String atomicCompareAndSwap32(String pointer, String expected, String desired) {
        return "atomicCAS(" + pointer + ", " + expected + ", " + desired + ")";
    }
}
