package dev.crossbar.runtime.internal.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Locale;

/**
 * Open MPI's C library {@code libmpi.so.40}, bound through FFM: one method per MPI function, each turning a return
 * code other than {@code MPI_SUCCESS} into an {@link MpiException} (the communicators use {@code MPI_ERRORS_RETURN}).
 * Handles ({@code MPI_Comm}, {@code MPI_Datatype}, {@code MPI_Op}, {@code MPI_Request}, {@code MPI_Group}) are pointers
 * in Open MPI; the predefined ones are the addresses of the {@code ompi_mpi_*} symbols that {@code mpi.h}'s macros
 * name. MPI runs at {@code MPI_THREAD_MULTIPLE}; the caller decides which calls may run concurrently.
 */
final class NativeMpi {
    static final String LIBRARY = "libmpi.so.40";

    /** {@code MPI_THREAD_MULTIPLE} of mpi.h's thread-level enum (SINGLE, FUNNELED, SERIALIZED, MULTIPLE). */
    static final int MPI_THREAD_MULTIPLE = 3;
    static final int MPI_SUCCESS = 0;
    /** {@code MPI_MAX_ERROR_STRING} (OPAL_MAX_ERROR_STRING) is 256 in Open MPI 4. */
    private static final int MAX_ERROR_STRING = 256;
    /** {@code struct ompi_status_public_t}: MPI_SOURCE, MPI_TAG, MPI_ERROR, _cancelled (ints), _ucount (size_t). */
    static final long STATUS_BYTES = 24;
    static final long STATUS_ERROR_OFFSET = 8;

    // Predefined handles: addresses of ompi_mpi_* symbols.
    final MemorySegment commWorld;
    final MemorySegment errorsReturn;
    final MemorySegment int8;
    final MemorySegment uint8;
    final MemorySegment uint16;
    final MemorySegment int32;
    final MemorySegment int64;
    final MemorySegment floatType;
    final MemorySegment doubleType;
    final MemorySegment opSum;
    final MemorySegment opProd;
    final MemorySegment opMax;
    final MemorySegment opMin;

    private final MethodHandle MH$MPI_Initialized;
    private final MethodHandle MH$MPI_Init_thread;
    private final MethodHandle MH$MPI_Finalize;
    private final MethodHandle MH$MPI_Comm_rank;
    private final MethodHandle MH$MPI_Comm_size;
    private final MethodHandle MH$MPI_Comm_dup;
    private final MethodHandle MH$MPI_Comm_set_errhandler;
    private final MethodHandle MH$MPI_Comm_group;
    private final MethodHandle MH$MPI_Group_incl;
    private final MethodHandle MH$MPI_Group_free;
    private final MethodHandle MH$MPI_Comm_create_group;
    private final MethodHandle MH$MPI_Iallreduce;
    private final MethodHandle MH$MPI_Iallgather;
    private final MethodHandle MH$MPI_Ireduce_scatter;
    private final MethodHandle MH$MPI_Ireduce_scatter_block;
    private final MethodHandle MH$MPI_Ibcast;
    private final MethodHandle MH$MPI_Ialltoall;
    private final MethodHandle MH$MPI_Ialltoallv;
    private final MethodHandle MH$MPI_Isend;
    private final MethodHandle MH$MPI_Irecv;
    private final MethodHandle MH$MPI_Test;
    private final MethodHandle MH$MPI_Cancel;
    private final MethodHandle MH$MPI_Request_free;
    private final MethodHandle MH$MPI_Op_create;
    private final MethodHandle MH$MPI_Error_string;
    private final MethodHandle MH$MPI_Error_class;
    private final MethodHandle MH$MPI_Get_library_version;
    private final Linker linker = Linker.nativeLinker();

    private NativeMpi(SymbolLookup library) {
        commWorld = symbol(library, "ompi_mpi_comm_world");
        errorsReturn = symbol(library, "ompi_mpi_errors_return");
        int8 = symbol(library, "ompi_mpi_int8_t");
        uint8 = symbol(library, "ompi_mpi_uint8_t");
        uint16 = symbol(library, "ompi_mpi_uint16_t");
        int32 = symbol(library, "ompi_mpi_int32_t");
        int64 = symbol(library, "ompi_mpi_int64_t");
        floatType = symbol(library, "ompi_mpi_float");
        doubleType = symbol(library, "ompi_mpi_double");
        opSum = symbol(library, "ompi_mpi_op_sum");
        opProd = symbol(library, "ompi_mpi_op_prod");
        opMax = symbol(library, "ompi_mpi_op_max");
        opMin = symbol(library, "ompi_mpi_op_min");
        MH$MPI_Initialized = downcall(library, "MPI_Initialized", ADDRESS);
        MH$MPI_Init_thread = downcall(library, "MPI_Init_thread", ADDRESS, ADDRESS, JAVA_INT, ADDRESS);
        MH$MPI_Finalize = downcall(library, "MPI_Finalize");
        MH$MPI_Comm_rank = downcall(library, "MPI_Comm_rank", ADDRESS, ADDRESS);
        MH$MPI_Comm_size = downcall(library, "MPI_Comm_size", ADDRESS, ADDRESS);
        MH$MPI_Comm_dup = downcall(library, "MPI_Comm_dup", ADDRESS, ADDRESS);
        MH$MPI_Comm_set_errhandler = downcall(library, "MPI_Comm_set_errhandler", ADDRESS, ADDRESS);
        MH$MPI_Comm_group = downcall(library, "MPI_Comm_group", ADDRESS, ADDRESS);
        MH$MPI_Group_incl = downcall(library, "MPI_Group_incl", ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        MH$MPI_Group_free = downcall(library, "MPI_Group_free", ADDRESS);
        MH$MPI_Comm_create_group = downcall(library, "MPI_Comm_create_group", ADDRESS, ADDRESS, JAVA_INT, ADDRESS);
        MH$MPI_Iallreduce = downcall(library, "MPI_Iallreduce", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        MH$MPI_Iallgather = downcall(library, "MPI_Iallgather", ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        MH$MPI_Ireduce_scatter = downcall(library, "MPI_Ireduce_scatter", ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        MH$MPI_Ireduce_scatter_block = downcall(library, "MPI_Ireduce_scatter_block", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        MH$MPI_Ibcast = downcall(library, "MPI_Ibcast", ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        MH$MPI_Ialltoall = downcall(library, "MPI_Ialltoall", ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        MH$MPI_Ialltoallv = downcall(library, "MPI_Ialltoallv", ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        MH$MPI_Isend = downcall(library, "MPI_Isend", ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
        MH$MPI_Irecv = downcall(library, "MPI_Irecv", ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
        MH$MPI_Test = downcall(library, "MPI_Test", ADDRESS, ADDRESS, ADDRESS);
        MH$MPI_Cancel = downcall(library, "MPI_Cancel", ADDRESS);
        MH$MPI_Request_free = downcall(library, "MPI_Request_free", ADDRESS);
        MH$MPI_Op_create = downcall(library, "MPI_Op_create", ADDRESS, JAVA_INT, ADDRESS);
        MH$MPI_Error_string = downcall(library, "MPI_Error_string", JAVA_INT, ADDRESS, ADDRESS);
        MH$MPI_Error_class = downcall(library, "MPI_Error_class", JAVA_INT, ADDRESS);
        MH$MPI_Get_library_version = downcall(library, "MPI_Get_library_version", ADDRESS, ADDRESS);
    }

    /**
     * Loads {@code libmpi.so.40} into the global arena (it stays loaded for the life of the process).
     *
     * @return the bound library
     * @throws MpiException if the library is missing or native access is denied, saying what to install or allow
     */
    static NativeMpi load() {
        SymbolLookup library;
        try {
            library = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new MpiException(String.format(Locale.ROOT,
                    "%s not found: %s; install Open MPI (Debian and Ubuntu: apt-get install openmpi-bin libopenmpi-dev)", LIBRARY, e.getMessage()), e);
        } catch (IllegalCallerException e) {
            throw new MpiException("Native access is denied to the Crossbar runtime; run java with --enable-native-access=dev.crossbar.runtime"
                    + " (or ALL-UNNAMED on the class path)", e);
        }
        return new NativeMpi(library);
    }

    private static MemorySegment symbol(SymbolLookup library, String name) {
        return library.find(name).orElseThrow(() -> new MpiException(String.format(Locale.ROOT,
                "%s has no symbol %s; Crossbar binds Open MPI 4 or newer", LIBRARY, name), null));
    }

    private MethodHandle downcall(SymbolLookup library, String name, java.lang.foreign.MemoryLayout... arguments) {
        return linker.downcallHandle(symbol(library, name), FunctionDescriptor.of(JAVA_INT, arguments));
    }

    // ---------------------------------------------------------------- initialization

    boolean initialized() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment flag = arena.allocate(JAVA_INT);
            check("MPI_Initialized", invoke(() -> (int) MH$MPI_Initialized.invokeExact(flag)));
            return flag.get(JAVA_INT, 0) != 0;
        }
    }

    /** Calls {@code MPI_Init_thread(NULL, NULL, required, &provided)} and returns the level provided. */
    int initThread(int required) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment provided = arena.allocate(JAVA_INT);
            check("MPI_Init_thread", invoke(() -> (int) MH$MPI_Init_thread.invokeExact(MemorySegment.NULL, MemorySegment.NULL, required, provided)));
            return provided.get(JAVA_INT, 0);
        }
    }

    void finalizeMpi() {
        check("MPI_Finalize", invoke(() -> (int) MH$MPI_Finalize.invokeExact()));
    }

    String libraryVersion() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment text = arena.allocate(4096);
            MemorySegment length = arena.allocate(JAVA_INT);
            check("MPI_Get_library_version", invoke(() -> (int) MH$MPI_Get_library_version.invokeExact(text, length)));
            return text.getString(0).strip();
        }
    }

    // ---------------------------------------------------------------- communicators and groups

    int commRank(MemorySegment comm) {
        return readInt("MPI_Comm_rank", MH$MPI_Comm_rank, comm);
    }

    int commSize(MemorySegment comm) {
        return readInt("MPI_Comm_size", MH$MPI_Comm_size, comm);
    }

    MemorySegment commDup(MemorySegment comm) {
        return readHandle("MPI_Comm_dup", MH$MPI_Comm_dup, comm);
    }

    void commSetErrorsReturn(MemorySegment comm) {
        check("MPI_Comm_set_errhandler", invoke(() -> (int) MH$MPI_Comm_set_errhandler.invokeExact(comm, errorsReturn)));
    }

    /** A communicator of the given ranks of {@code parent}; only those ranks call it ({@code MPI_Comm_create_group}). */
    MemorySegment commCreateGroup(MemorySegment parent, int[] ranks, int tag) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment parentGroup = arena.allocate(ADDRESS);
            check("MPI_Comm_group", invoke(() -> (int) MH$MPI_Comm_group.invokeExact(parent, parentGroup)));
            MemorySegment members = arena.allocateFrom(JAVA_INT, ranks);
            MemorySegment group = arena.allocate(ADDRESS);
            MemorySegment parentHandle = parentGroup.get(ADDRESS, 0);
            check("MPI_Group_incl", invoke(() -> (int) MH$MPI_Group_incl.invokeExact(parentHandle, ranks.length, members, group)));
            MemorySegment comm = arena.allocate(ADDRESS);
            MemorySegment groupHandle = group.get(ADDRESS, 0);
            check("MPI_Comm_create_group", invoke(() -> (int) MH$MPI_Comm_create_group.invokeExact(parent, groupHandle, tag, comm)));
            check("MPI_Group_free", invoke(() -> (int) MH$MPI_Group_free.invokeExact(group)));
            check("MPI_Group_free", invoke(() -> (int) MH$MPI_Group_free.invokeExact(parentGroup)));
            return comm.get(ADDRESS, 0);
        }
    }

    // ---------------------------------------------------------------- non-blocking operations; request is an MPI_Request*

    void iallreduce(MemorySegment send, MemorySegment recv, int count, MemorySegment type, MemorySegment op, MemorySegment comm, MemorySegment request) {
        check("MPI_Iallreduce", invoke(() -> (int) MH$MPI_Iallreduce.invokeExact(send, recv, count, type, op, comm, request)));
    }

    void iallgather(MemorySegment send, int count, MemorySegment type, MemorySegment recv, MemorySegment comm, MemorySegment request) {
        check("MPI_Iallgather", invoke(() -> (int) MH$MPI_Iallgather.invokeExact(send, count, type, recv, count, type, comm, request)));
    }

    void ireduceScatter(MemorySegment send, MemorySegment recv, MemorySegment counts, MemorySegment type, MemorySegment op, MemorySegment comm,
            MemorySegment request) {
        check("MPI_Ireduce_scatter", invoke(() -> (int) MH$MPI_Ireduce_scatter.invokeExact(send, recv, counts, type, op, comm, request)));
    }

    void ireduceScatterBlock(MemorySegment send, MemorySegment recv, int count, MemorySegment type, MemorySegment op, MemorySegment comm,
            MemorySegment request) {
        check("MPI_Ireduce_scatter_block", invoke(() -> (int) MH$MPI_Ireduce_scatter_block.invokeExact(send, recv, count, type, op, comm, request)));
    }

    void ibcast(MemorySegment buffer, int count, MemorySegment type, int root, MemorySegment comm, MemorySegment request) {
        check("MPI_Ibcast", invoke(() -> (int) MH$MPI_Ibcast.invokeExact(buffer, count, type, root, comm, request)));
    }

    void ialltoall(MemorySegment send, int count, MemorySegment type, MemorySegment recv, MemorySegment comm, MemorySegment request) {
        check("MPI_Ialltoall", invoke(() -> (int) MH$MPI_Ialltoall.invokeExact(send, count, type, recv, count, type, comm, request)));
    }

    void ialltoallv(MemorySegment send, MemorySegment sendCounts, MemorySegment sendOffsets, MemorySegment type, MemorySegment recv,
            MemorySegment recvCounts, MemorySegment recvOffsets, MemorySegment comm, MemorySegment request) {
        check("MPI_Ialltoallv", invoke(() -> (int) MH$MPI_Ialltoallv.invokeExact(send, sendCounts, sendOffsets, type, recv, recvCounts, recvOffsets, type,
                comm, request)));
    }

    void isend(MemorySegment buffer, int count, MemorySegment type, int destination, int tag, MemorySegment comm, MemorySegment request) {
        check("MPI_Isend", invoke(() -> (int) MH$MPI_Isend.invokeExact(buffer, count, type, destination, tag, comm, request)));
    }

    void irecv(MemorySegment buffer, int count, MemorySegment type, int source, int tag, MemorySegment comm, MemorySegment request) {
        check("MPI_Irecv", invoke(() -> (int) MH$MPI_Irecv.invokeExact(buffer, count, type, source, tag, comm, request)));
    }

    /**
     * Calls {@code MPI_Test}; a completed request is freed by MPI (set to {@code MPI_REQUEST_NULL}).
     *
     * @param request the {@code MPI_Request*}
     * @param flag scratch int
     * @param status scratch {@code MPI_Status} ({@link #STATUS_BYTES})
     * @return true when the operation completed
     */
    boolean test(MemorySegment request, MemorySegment flag, MemorySegment status) {
        int code = invoke(() -> (int) MH$MPI_Test.invokeExact(request, flag, status));
        if (code != MPI_SUCCESS) {
            // MPI_ERR_IN_STATUS is not returned by MPI_Test; the status' error is the operation's.
            throw error("MPI_Test", code);
        }
        return flag.get(JAVA_INT, 0) != 0;
    }

    void cancel(MemorySegment request) {
        check("MPI_Cancel", invoke(() -> (int) MH$MPI_Cancel.invokeExact(request)));
    }

    void requestFree(MemorySegment request) {
        check("MPI_Request_free", invoke(() -> (int) MH$MPI_Request_free.invokeExact(request)));
    }

    /** Creates a commutative user-defined operation from an upcall stub of {@code void f(void*, void*, int*, MPI_Datatype*)}. */
    MemorySegment opCreate(MemorySegment function) {
        return readHandle("MPI_Op_create", MH$MPI_Op_create, function, 1);
    }

    /** The upcall stub of a user-defined reduction, allocated in the global arena. */
    MemorySegment userFunction(MethodHandle target) {
        return linker.upcallStub(target, FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS, ADDRESS), Arena.global());
    }

    // ---------------------------------------------------------------- errors

    void check(String function, int code) {
        if (code != MPI_SUCCESS) {
            throw error(function, code);
        }
    }

    /** The exception for an error code, with its class name and {@code MPI_Error_string}. */
    MpiException error(String function, int code) {
        String text;
        int errorClass;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(JAVA_BYTE, MAX_ERROR_STRING + 1);
            MemorySegment length = arena.allocate(JAVA_INT);
            int stringCode = invoke(() -> (int) MH$MPI_Error_string.invokeExact(code, buffer, length));
            text = stringCode == MPI_SUCCESS ? buffer.getString(0) : "no description (MPI_Error_string returned " + stringCode + ")";
            MemorySegment cls = arena.allocate(JAVA_INT);
            int classCode = invoke(() -> (int) MH$MPI_Error_class.invokeExact(code, cls));
            errorClass = classCode == MPI_SUCCESS ? cls.get(JAVA_INT, 0) : -1;
        }
        return new MpiException(function, code, errorClass, text);
    }

    private int readInt(String function, MethodHandle handle, MemorySegment comm) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            check(function, invoke(() -> (int) handle.invokeExact(comm, value)));
            return value.get(JAVA_INT, 0);
        }
    }

    private MemorySegment readHandle(String function, MethodHandle handle, MemorySegment comm) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ADDRESS);
            check(function, invoke(() -> (int) handle.invokeExact(comm, value)));
            return value.get(ADDRESS, 0);
        }
    }

    private MemorySegment readHandle(String function, MethodHandle handle, MemorySegment argument, int flag) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ADDRESS);
            check(function, invoke(() -> (int) handle.invokeExact(argument, flag, value)));
            return value.get(ADDRESS, 0);
        }
    }

    @FunctionalInterface
    private interface NativeCall {
        int call() throws Throwable;
    }

    private static int invoke(NativeCall call) {
        try {
            return call.call();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("a downcall threw " + t, t);
        }
    }

    /** A method handle of a static method of {@code owner} with the user-function signature, for {@link #userFunction}. */
    static MethodHandle userFunctionTarget(Class<?> owner, String name) {
        try {
            return MethodHandles.lookup().findStatic(owner, name, MethodType.methodType(void.class, MemorySegment.class, MemorySegment.class,
                    MemorySegment.class, MemorySegment.class));
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
