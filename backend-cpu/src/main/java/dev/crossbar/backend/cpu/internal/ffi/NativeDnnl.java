package dev.crossbar.backend.cpu.internal.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.crossbar.spi.ffi.LibraryUnavailableException;
import dev.crossbar.spi.ffi.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import java.util.Locale;

/**
 * oneDNN 2.x ({@code libdnnl.so.2}, Debian {@code libdnnl2}) through its C API ({@code oneapi/dnnl/dnnl.h}): the engine,
 * memory, matmul primitive and stream functions, each checking its {@code dnnl_status_t}. Descriptors are opaque
 * structs that the library fills; only their sizes are needed here.
 */
final class NativeDnnl {
    /** The soname loaded; oneDNN 3 removed {@code dnnl_matmul_desc_init}, so only version 2 binds. */
    static final String LIBRARY = "libdnnl.so.2";
    /** {@code sizeof(dnnl_memory_desc_t)} in oneDNN 2.6 on x86-64 ({@code dnnl_types.h}; checked with gcc). */
    static final long MEMORY_DESC_BYTES = 696;
    /** {@code sizeof(dnnl_matmul_desc_t)}: kind, four memory descriptors and the accumulator type (checked the same way). */
    static final long MATMUL_DESC_BYTES = 2800;
    /** {@code DNNL_MAX_NDIMS}: the length of {@code dnnl_dims_t}. */
    static final int MAX_DIMS = 12;
    /** {@code dnnl_cpu} of {@code dnnl_engine_kind_t}. */
    private static final int ENGINE_CPU = 1;
    /** {@code dnnl_stream_default_flags} ({@code dnnl_stream_in_order}). */
    private static final int STREAM_DEFAULT_FLAGS = 1;
    /** {@code dnnl_query_impl_info_str} of {@code dnnl_query_t}. */
    private static final int QUERY_IMPL_INFO_STR = 8;
    /** {@code dnnl_query_scratchpad_md} of {@code dnnl_query_t} (checked with gcc). */
    private static final int QUERY_SCRATCHPAD_MD = 136;
    /** {@code dnnl_scratchpad_mode_user} of {@code dnnl_scratchpad_mode_t}. */
    private static final int SCRATCHPAD_MODE_USER = 1;
    /** {@code dnnl_version_t}: three ints, the git hash and two runtime flags. */
    private static final StructLayout VERSION = MemoryLayout.structLayout(JAVA_INT.withName("major"), JAVA_INT.withName("minor"),
            JAVA_INT.withName("patch"), MemoryLayout.paddingLayout(4), ADDRESS.withName("hash"), JAVA_INT.withName("cpu_runtime"),
            JAVA_INT.withName("gpu_runtime"));
    /** {@code dnnl_exec_arg_t}: an argument index and a memory object. */
    static final StructLayout EXEC_ARG = MemoryLayout.structLayout(JAVA_INT.withName("arg"), MemoryLayout.paddingLayout(4), ADDRESS.withName("memory"));

    private final MethodHandle MH$dnnl_version;
    private final MethodHandle MH$dnnl_engine_create;
    private final MethodHandle MH$dnnl_memory_desc_init_by_strides;
    private final MethodHandle MH$dnnl_matmul_desc_init;
    private final MethodHandle MH$dnnl_primitive_attr_create;
    private final MethodHandle MH$dnnl_primitive_attr_set_scratchpad_mode;
    private final MethodHandle MH$dnnl_primitive_attr_destroy;
    private final MethodHandle MH$dnnl_primitive_desc_create;
    private final MethodHandle MH$dnnl_primitive_desc_query_md;
    private final MethodHandle MH$dnnl_memory_desc_get_size;
    private final MethodHandle MH$dnnl_primitive_desc_query;
    private final MethodHandle MH$dnnl_primitive_desc_destroy;
    private final MethodHandle MH$dnnl_primitive_create;
    private final MethodHandle MH$dnnl_stream_create;
    private final MethodHandle MH$dnnl_stream_wait;
    private final MethodHandle MH$dnnl_stream_destroy;
    private final MethodHandle MH$dnnl_memory_create;
    private final MethodHandle MH$dnnl_memory_destroy;
    private final MethodHandle MH$dnnl_memory_set_data_handle;
    private final MethodHandle MH$dnnl_primitive_execute;

    private NativeDnnl(NativeLibrary library) {
        MH$dnnl_version = library.function("dnnl_version", FunctionDescriptor.of(ADDRESS.withTargetLayout(VERSION)));
        MH$dnnl_engine_create = library.function("dnnl_engine_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
        MH$dnnl_memory_desc_init_by_strides = library.function("dnnl_memory_desc_init_by_strides",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        MH$dnnl_matmul_desc_init = library.function("dnnl_matmul_desc_init", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        MH$dnnl_primitive_attr_create = library.function("dnnl_primitive_attr_create", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MH$dnnl_primitive_attr_set_scratchpad_mode = library.function("dnnl_primitive_attr_set_scratchpad_mode",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        MH$dnnl_primitive_attr_destroy = library.function("dnnl_primitive_attr_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MH$dnnl_primitive_desc_create = library.function("dnnl_primitive_desc_create",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        MH$dnnl_primitive_desc_query_md = library.function("dnnl_primitive_desc_query_md", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
        MH$dnnl_memory_desc_get_size = library.function("dnnl_memory_desc_get_size", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        MH$dnnl_primitive_desc_query = library.function("dnnl_primitive_desc_query", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
        MH$dnnl_primitive_desc_destroy = library.function("dnnl_primitive_desc_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MH$dnnl_primitive_create = library.function("dnnl_primitive_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        MH$dnnl_stream_create = library.function("dnnl_stream_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        MH$dnnl_stream_wait = library.function("dnnl_stream_wait", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MH$dnnl_stream_destroy = library.function("dnnl_stream_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MH$dnnl_memory_create = library.function("dnnl_memory_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        MH$dnnl_memory_destroy = library.function("dnnl_memory_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MH$dnnl_memory_set_data_handle = library.function("dnnl_memory_set_data_handle", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        MH$dnnl_primitive_execute = library.function("dnnl_primitive_execute", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
    }

    /** Loads oneDNN 2 and binds its functions; fails when the library is missing or is not version 2. */
    static NativeDnnl open() {
        NativeDnnl dnnl = new NativeDnnl(NativeLibrary.open(LIBRARY, "install oneDNN 2 (Debian 12 and Ubuntu: apt-get install libdnnl2)"));
        int[] version = dnnl.version();
        if (version[0] != 2) {
            throw new LibraryUnavailableException(String.format(Locale.ROOT,
                    "%s reports version %d.%d.%d, but the descriptor sizes bound here are oneDNN 2's", LIBRARY, version[0], version[1], version[2]));
        }
        return dnnl;
    }

    /** Calls {@code dnnl_version}: major, minor, patch. */
    int[] version() {
        MemorySegment version;
        try {
            version = (MemorySegment) MH$dnnl_version.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return new int[] {version.get(JAVA_INT, 0), version.get(JAVA_INT, 4), version.get(JAVA_INT, 8)};
    }

    /** Calls {@code dnnl_engine_create} for CPU engine 0. */
    MemorySegment engineCreate() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment engine = arena.allocate(ADDRESS);
            check("dnnl_engine_create", invoke(MH$dnnl_engine_create, engine, ENGINE_CPU, 0L), "for cpu engine 0");
            return engine.get(ADDRESS, 0);
        }
    }

    /** Calls {@code dnnl_memory_desc_init_by_strides} into {@code desc}, of {@link #MEMORY_DESC_BYTES}; the type is a {@code dnnl_data_type_t}. */
    void memoryDescInitByStrides(MemorySegment desc, long[] dims, int dataType, long[] strides) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dimsArray = arena.allocate(JAVA_LONG, MAX_DIMS);
            MemorySegment stridesArray = arena.allocate(JAVA_LONG, MAX_DIMS);
            MemorySegment.copy(dims, 0, dimsArray, JAVA_LONG, 0, dims.length);
            MemorySegment.copy(strides, 0, stridesArray, JAVA_LONG, 0, strides.length);
            int status;
            try {
                status = (int) MH$dnnl_memory_desc_init_by_strides.invokeExact(desc, dims.length, dimsArray, dataType, stridesArray);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            check("dnnl_memory_desc_init_by_strides", status, String.format(Locale.ROOT, "for dims %s, strides %s and data type %d",
                    Arrays.toString(dims), Arrays.toString(strides), dataType));
        }
    }

    /** Calls {@code dnnl_matmul_desc_init} into {@code desc}, of {@link #MATMUL_DESC_BYTES}, without bias. */
    void matmulDescInit(MemorySegment desc, MemorySegment source, MemorySegment weights, MemorySegment destination) {
        int status;
        try {
            status = (int) MH$dnnl_matmul_desc_init.invokeExact(desc, source, weights, MemorySegment.NULL, destination);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        check("dnnl_matmul_desc_init", status, "");
    }

    /**
     * Calls {@code dnnl_primitive_desc_create} with no hint and attributes that leave the scratchpad to the caller
     * ({@code dnnl_scratchpad_mode_user}): in the default library mode oneDNN 2 (built without
     * {@code DNNL_ENABLE_CONCURRENT_EXEC}, as Debian's is) shares one scratchpad between all primitives, so primitives
     * run from several threads at once, or from a thread other than their creator's, corrupt each other's results.
     * {@code context} names the operation.
     */
    MemorySegment primitiveDescCreate(MemorySegment operation, MemorySegment engine, String context) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attributes = arena.allocate(ADDRESS);
            check("dnnl_primitive_attr_create", invoke(MH$dnnl_primitive_attr_create, attributes), "");
            MemorySegment attr = attributes.get(ADDRESS, 0);
            try {
                int status;
                try {
                    status = (int) MH$dnnl_primitive_attr_set_scratchpad_mode.invokeExact(attr, SCRATCHPAD_MODE_USER);
                } catch (Throwable t) {
                    throw new AssertionError(t);
                }
                check("dnnl_primitive_attr_set_scratchpad_mode", status, "for dnnl_scratchpad_mode_user");
                MemorySegment descriptor = arena.allocate(ADDRESS);
                try {
                    status = (int) MH$dnnl_primitive_desc_create.invokeExact(descriptor, operation, attr, engine, MemorySegment.NULL);
                } catch (Throwable t) {
                    throw new AssertionError(t);
                }
                check("dnnl_primitive_desc_create", status, context);
                return descriptor.get(ADDRESS, 0);
            } finally {
                check("dnnl_primitive_attr_destroy", invoke(MH$dnnl_primitive_attr_destroy, attr), "");
            }
        }
    }

    /**
     * Copies the primitive descriptor's scratchpad memory descriptor ({@code dnnl_query_scratchpad_md}) into
     * {@code desc}, of {@link #MEMORY_DESC_BYTES}, and returns the scratchpad's size in bytes (0 when it needs none).
     */
    long scratchpad(MemorySegment primitiveDesc, MemorySegment desc) {
        MemorySegment queried;
        try {
            queried = (MemorySegment) MH$dnnl_primitive_desc_query_md.invokeExact(primitiveDesc, QUERY_SCRATCHPAD_MD, 0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (queried.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("dnnl_primitive_desc_query_md returned NULL (its error result) for dnnl_query_scratchpad_md of a primitive "
                    + "descriptor created with dnnl_scratchpad_mode_user");
        }
        MemorySegment.copy(queried.reinterpret(MEMORY_DESC_BYTES), 0, desc, 0, MEMORY_DESC_BYTES);
        try {
            return (long) MH$dnnl_memory_desc_get_size.invokeExact(desc);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Calls {@code dnnl_primitive_desc_query} for {@code dnnl_query_impl_info_str}: the implementation's name. */
    String implementation(MemorySegment primitiveDesc) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment text = arena.allocate(ADDRESS);
            int status;
            try {
                status = (int) MH$dnnl_primitive_desc_query.invokeExact(primitiveDesc, QUERY_IMPL_INFO_STR, 0, text);
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
            check("dnnl_primitive_desc_query", status, "for dnnl_query_impl_info_str");
            return text.get(ADDRESS, 0).reinterpret(Long.MAX_VALUE).getString(0);
        }
    }

    /** Calls {@code dnnl_primitive_desc_destroy}. */
    void primitiveDescDestroy(MemorySegment primitiveDesc) {
        check("dnnl_primitive_desc_destroy", invoke(MH$dnnl_primitive_desc_destroy, primitiveDesc), "");
    }

    /** Calls {@code dnnl_primitive_create}. */
    MemorySegment primitiveCreate(MemorySegment primitiveDesc) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment primitive = arena.allocate(ADDRESS);
            check("dnnl_primitive_create", invoke(MH$dnnl_primitive_create, primitive, primitiveDesc), "");
            return primitive.get(ADDRESS, 0);
        }
    }

    /** Calls {@code dnnl_stream_create} with the default (in-order) flags. */
    MemorySegment streamCreate(MemorySegment engine, Arena arena) {
        MemorySegment stream = arena.allocate(ADDRESS);
        int status;
        try {
            status = (int) MH$dnnl_stream_create.invokeExact(stream, engine, STREAM_DEFAULT_FLAGS);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        check("dnnl_stream_create", status, "");
        return stream.get(ADDRESS, 0);
    }

    /** Calls {@code dnnl_stream_wait}. */
    void streamWait(MemorySegment stream) {
        check("dnnl_stream_wait", invoke(MH$dnnl_stream_wait, stream), "");
    }

    /** Calls {@code dnnl_stream_destroy}. */
    void streamDestroy(MemorySegment stream) {
        check("dnnl_stream_destroy", invoke(MH$dnnl_stream_destroy, stream), "");
    }

    /** Calls {@code dnnl_memory_create} over caller-owned data at {@code handle}. */
    MemorySegment memoryCreate(MemorySegment desc, MemorySegment engine, MemorySegment handle, Arena arena) {
        MemorySegment memory = arena.allocate(ADDRESS);
        int status;
        try {
            status = (int) MH$dnnl_memory_create.invokeExact(memory, desc, engine, handle);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        check("dnnl_memory_create", status, "");
        return memory.get(ADDRESS, 0);
    }

    /** Calls {@code dnnl_memory_set_data_handle}: the memory object now describes the data at {@code handle}. */
    void memorySetDataHandle(MemorySegment memory, MemorySegment handle) {
        check("dnnl_memory_set_data_handle", invoke(MH$dnnl_memory_set_data_handle, memory, handle), "");
    }

    /** Calls {@code dnnl_memory_destroy}. */
    void memoryDestroy(MemorySegment memory) {
        check("dnnl_memory_destroy", invoke(MH$dnnl_memory_destroy, memory), "");
    }

    /** Calls {@code dnnl_primitive_execute}; on a CPU engine with an in-order stream it returns when the work is done. */
    void primitiveExecute(MemorySegment primitive, MemorySegment stream, int argumentCount, MemorySegment arguments) {
        int status;
        try {
            status = (int) MH$dnnl_primitive_execute.invokeExact(primitive, stream, argumentCount, arguments);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        check("dnnl_primitive_execute", status, "");
    }

    private static int invoke(MethodHandle handle, MemorySegment pointer) {
        try {
            return (int) handle.invokeExact(pointer);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static int invoke(MethodHandle handle, MemorySegment out, MemorySegment in) {
        try {
            return (int) handle.invokeExact(out, in);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static int invoke(MethodHandle handle, MemorySegment out, int kind, long index) {
        try {
            return (int) handle.invokeExact(out, kind, index);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private static void check(String function, int status, String context) {
        if (status != 0) {
            throw new DnnlException(function, status, context);
        }
    }
}
