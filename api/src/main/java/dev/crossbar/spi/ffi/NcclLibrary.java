package dev.crossbar.spi.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/** The {@link NcclApi} of a loaded NCCL or RCCL library, bound through FFM; every function checked as {@link NcclApi} says. */
final class NcclLibrary implements NcclApi {
    // typedef struct { char internal[NCCL_UNIQUE_ID_BYTES]; } ncclUniqueId; passed by value to ncclCommInitRank
    private static final StructLayout UNIQUE_ID = MemoryLayout.structLayout(MemoryLayout.sequenceLayout(UNIQUE_ID_BYTES, JAVA_BYTE).withName("internal"));
    private static final long MAX_ERROR_STRING_BYTES = 512;

    private final MethodHandle MH$ncclGetVersion;
    private final MethodHandle MH$ncclGetErrorString;
    private final MethodHandle MH$ncclGetUniqueId;
    private final MethodHandle MH$ncclCommInitRank;
    private final MethodHandle MH$ncclCommDestroy;
    private final MethodHandle MH$ncclCommAbort;
    private final MethodHandle MH$ncclCommGetAsyncError;
    private final MethodHandle MH$ncclAllReduce;
    private final MethodHandle MH$ncclAllGather;
    private final MethodHandle MH$ncclReduceScatter;
    private final MethodHandle MH$ncclBroadcast;
    private final MethodHandle MH$ncclSend;
    private final MethodHandle MH$ncclRecv;
    private final MethodHandle MH$ncclGroupStart;
    private final MethodHandle MH$ncclGroupEnd;

    NcclLibrary(NativeLibrary library) {
        // ncclResult_t ncclGetVersion(int* version)
        MH$ncclGetVersion = bind(library, "ncclGetVersion", ADDRESS);
        // const char* ncclGetErrorString(ncclResult_t result)
        MH$ncclGetErrorString = library.function("ncclGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        // ncclResult_t ncclGetUniqueId(ncclUniqueId* uniqueId)
        MH$ncclGetUniqueId = bind(library, "ncclGetUniqueId", ADDRESS);
        // ncclResult_t ncclCommInitRank(ncclComm_t* comm, int nranks, ncclUniqueId commId, int rank)
        MH$ncclCommInitRank = bind(library, "ncclCommInitRank", ADDRESS, JAVA_INT, UNIQUE_ID, JAVA_INT);
        // ncclResult_t ncclCommDestroy(ncclComm_t comm)
        MH$ncclCommDestroy = bind(library, "ncclCommDestroy", ADDRESS);
        // ncclResult_t ncclCommAbort(ncclComm_t comm)
        MH$ncclCommAbort = bind(library, "ncclCommAbort", ADDRESS);
        // ncclResult_t ncclCommGetAsyncError(ncclComm_t comm, ncclResult_t* asyncError)
        MH$ncclCommGetAsyncError = bind(library, "ncclCommGetAsyncError", ADDRESS, ADDRESS);
        // ncclResult_t ncclAllReduce(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype,
        //                            ncclRedOp_t op, ncclComm_t comm, cudaStream_t stream)
        MH$ncclAllReduce = bind(library, "ncclAllReduce", ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
        // ncclResult_t ncclAllGather(const void* sendbuff, void* recvbuff, size_t sendcount, ncclDataType_t datatype,
        //                            ncclComm_t comm, cudaStream_t stream)
        MH$ncclAllGather = bind(library, "ncclAllGather", ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS);
        // ncclResult_t ncclReduceScatter(const void* sendbuff, void* recvbuff, size_t recvcount, ncclDataType_t datatype,
        //                                ncclRedOp_t op, ncclComm_t comm, cudaStream_t stream)
        MH$ncclReduceScatter = bind(library, "ncclReduceScatter", ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
        // ncclResult_t ncclBroadcast(const void* sendbuff, void* recvbuff, size_t count, ncclDataType_t datatype, int root,
        //                            ncclComm_t comm, cudaStream_t stream)
        MH$ncclBroadcast = bind(library, "ncclBroadcast", ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
        // ncclResult_t ncclSend(const void* sendbuff, size_t count, ncclDataType_t datatype, int peer, ncclComm_t comm,
        //                       cudaStream_t stream)
        MH$ncclSend = bind(library, "ncclSend", ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
        // ncclResult_t ncclRecv(void* recvbuff, size_t count, ncclDataType_t datatype, int peer, ncclComm_t comm,
        //                       cudaStream_t stream)
        MH$ncclRecv = bind(library, "ncclRecv", ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
        // ncclResult_t ncclGroupStart(void)
        MH$ncclGroupStart = bind(library, "ncclGroupStart");
        // ncclResult_t ncclGroupEnd(void)
        MH$ncclGroupEnd = bind(library, "ncclGroupEnd");
    }

    private static MethodHandle bind(NativeLibrary library, String symbol, MemoryLayout... arguments) {
        return library.function(symbol, FunctionDescriptor.of(JAVA_INT, arguments));
    }

    @Override
    public int versionCode() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            check("ncclGetVersion", NativeLibrary.call(() -> (int) MH$ncclGetVersion.invokeExact(value)));
            return value.get(JAVA_INT, 0);
        }
    }

    @Override
    public byte[] getUniqueId() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment id = arena.allocate(UNIQUE_ID);
            check("ncclGetUniqueId", NativeLibrary.call(() -> (int) MH$ncclGetUniqueId.invokeExact(id)));
            return id.toArray(JAVA_BYTE);
        }
    }

    @Override
    public MemorySegment commInitRank(int rankCount, byte[] uniqueId, int rank) {
        if (uniqueId.length != UNIQUE_ID_BYTES) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "an ncclUniqueId has %d bytes, not %d", UNIQUE_ID_BYTES, uniqueId.length));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment communicator = arena.allocate(ADDRESS);
            MemorySegment id = arena.allocate(UNIQUE_ID).copyFrom(MemorySegment.ofArray(uniqueId));
            check("ncclCommInitRank", NativeLibrary.call(() -> (int) MH$ncclCommInitRank.invokeExact(communicator, rankCount, id, rank)));
            return communicator.get(ADDRESS, 0);
        }
    }

    @Override
    public void commDestroy(MemorySegment communicator) {
        check("ncclCommDestroy", NativeLibrary.call(() -> (int) MH$ncclCommDestroy.invokeExact(communicator)));
    }

    @Override
    public void commAbort(MemorySegment communicator) {
        check("ncclCommAbort", NativeLibrary.call(() -> (int) MH$ncclCommAbort.invokeExact(communicator)));
    }

    @Override
    public int commGetAsyncError(MemorySegment communicator) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment result = arena.allocate(JAVA_INT);
            check("ncclCommGetAsyncError", NativeLibrary.call(() -> (int) MH$ncclCommGetAsyncError.invokeExact(communicator, result)));
            return result.get(JAVA_INT, 0);
        }
    }

    @Override
    public void allReduce(long send, long receive, long count, DataType type, RedOp op, MemorySegment communicator, MemorySegment stream) {
        MemorySegment s = MemorySegment.ofAddress(send);
        MemorySegment r = MemorySegment.ofAddress(receive);
        check("ncclAllReduce", NativeLibrary.call(() -> (int) MH$ncclAllReduce.invokeExact(s, r, count, type.code(), op.code(), communicator, stream)));
    }

    @Override
    public void allGather(long send, long receive, long sendCount, DataType type, MemorySegment communicator, MemorySegment stream) {
        MemorySegment s = MemorySegment.ofAddress(send);
        MemorySegment r = MemorySegment.ofAddress(receive);
        check("ncclAllGather", NativeLibrary.call(() -> (int) MH$ncclAllGather.invokeExact(s, r, sendCount, type.code(), communicator, stream)));
    }

    @Override
    public void reduceScatter(long send, long receive, long receiveCount, DataType type, RedOp op, MemorySegment communicator, MemorySegment stream) {
        MemorySegment s = MemorySegment.ofAddress(send);
        MemorySegment r = MemorySegment.ofAddress(receive);
        check("ncclReduceScatter", NativeLibrary.call(() -> (int) MH$ncclReduceScatter.invokeExact(s, r, receiveCount, type.code(), op.code(), communicator, stream)));
    }

    @Override
    public void broadcast(long send, long receive, long count, DataType type, int root, MemorySegment communicator, MemorySegment stream) {
        MemorySegment s = MemorySegment.ofAddress(send);
        MemorySegment r = MemorySegment.ofAddress(receive);
        check("ncclBroadcast", NativeLibrary.call(() -> (int) MH$ncclBroadcast.invokeExact(s, r, count, type.code(), root, communicator, stream)));
    }

    @Override
    public void send(long send, long count, DataType type, int peer, MemorySegment communicator, MemorySegment stream) {
        MemorySegment s = MemorySegment.ofAddress(send);
        check("ncclSend", NativeLibrary.call(() -> (int) MH$ncclSend.invokeExact(s, count, type.code(), peer, communicator, stream)));
    }

    @Override
    public void receive(long receive, long count, DataType type, int peer, MemorySegment communicator, MemorySegment stream) {
        MemorySegment r = MemorySegment.ofAddress(receive);
        check("ncclRecv", NativeLibrary.call(() -> (int) MH$ncclRecv.invokeExact(r, count, type.code(), peer, communicator, stream)));
    }

    @Override
    public void groupStart() {
        check("ncclGroupStart", NativeLibrary.call(() -> (int) MH$ncclGroupStart.invokeExact()));
    }

    @Override
    public void groupEnd() {
        check("ncclGroupEnd", NativeLibrary.call(() -> (int) MH$ncclGroupEnd.invokeExact()));
    }


    private void check(String function, int result) {
        if (result != NcclResult.NCCL_SUCCESS) {
            throw new NcclException(function, result, errorString(result));
        }
    }

    @SuppressWarnings("restricted") // the returned pointer has no size; nccl.h documents it as a NUL-terminated static string
    private String errorString(int result) {
        MemorySegment text;
        try {
            text = (MemorySegment) MH$ncclGetErrorString.invokeExact(result);
        } catch (Throwable t) {
            throw new AssertionError("ncclGetErrorString threw " + t, t);
        }
        return text.equals(MemorySegment.NULL) ? "" : text.reinterpret(MAX_ERROR_STRING_BYTES).getString(0);
    }
}
