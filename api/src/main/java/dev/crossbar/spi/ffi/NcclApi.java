package dev.crossbar.spi.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.crossbar.api.DType;
import dev.crossbar.api.distributed.ReduceOp;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Locale;

/**
 * The NCCL API as NVIDIA's NCCL ({@code libnccl.so.2}) and ROCm's RCCL ({@code librccl.so.1}) both export it, with the
 * same symbols, signatures and codes: communicators built from a unique id that rank 0 creates and the runtime hands
 * to every rank, the collectives on device buffers queued on a CUDA or HIP stream, and group calls. Every
 * {@code ncclResult_t} other than success becomes an {@link NcclException} carrying {@code ncclGetErrorString}'s text.
 * The cuda and rocm backends open it from their own library names.
 */
public final class NcclApi {
    /** {@code NCCL_UNIQUE_ID_BYTES}: the size of an {@code ncclUniqueId}. */
    public static final int UNIQUE_ID_BYTES = 128;

    /** {@code ncclDataType_t} values of {@code nccl.h}. */
    public enum DataType {
        /** {@code ncclInt8}. */
        INT8(0),
        /** {@code ncclUint8}, which carries {@link DType#BOOL}'s bytes (0 or 1). */
        UINT8(1),
        /** {@code ncclInt32}. */
        INT32(2),
        /** {@code ncclInt64}. */
        INT64(4),
        /** {@code ncclFloat16}. */
        FLOAT16(6),
        /** {@code ncclFloat32}. */
        FLOAT32(7),
        /** {@code ncclFloat64}. */
        FLOAT64(8),
        /** {@code ncclBfloat16}. */
        BFLOAT16(9);

        private final int code;

        DataType(int code) {
            this.code = code;
        }

        /**
         * Returns the value {@code nccl.h} gives the type.
         *
         * @return the {@code ncclDataType_t}
         */
        public int code() {
            return code;
        }

        /**
         * Returns the NCCL type that carries a Crossbar element type unchanged.
         *
         * @param type the element type
         * @return its NCCL type; {@link DType#BOOL} travels as {@link #UINT8}
         * @throws IllegalArgumentException for the FP8 storage types, which Crossbar's collectives do not carry
         */
        public static DataType of(DType type) {
            return switch (type) {
                case F32 -> FLOAT32;
                case F64 -> FLOAT64;
                case F16 -> FLOAT16;
                case BF16 -> BFLOAT16;
                case I8 -> INT8;
                case I32 -> INT32;
                case I64 -> INT64;
                case BOOL -> UINT8;
                case F8E4M3FN, F8E5M2 -> throw new IllegalArgumentException(
                        "Collectives do not carry " + type + " (a storage type); cast the tensor to BF16, F16 or F32 first");
            };
        }
    }

    /** {@code ncclRedOp_t} values of {@code nccl.h}. */
    public enum RedOp {
        /** {@code ncclSum}. */
        SUM(0),
        /** {@code ncclProd}. */
        PROD(1),
        /** {@code ncclMax}. */
        MAX(2),
        /** {@code ncclMin}. */
        MIN(3),
        /** {@code ncclAvg}. */
        AVG(4);

        private final int code;

        RedOp(int code) {
            this.code = code;
        }

        /**
         * Returns the value {@code nccl.h} gives the reduction.
         *
         * @return the {@code ncclRedOp_t}
         */
        public int code() {
            return code;
        }
    }

    /** {@code NCCL_VERSION(2, 10, 0)}: the first version with {@code ncclAvg}. */
    public static final int FIRST_VERSION_WITH_AVG = 21000;

    /**
     * How a Crossbar reduction runs in NCCL: the NCCL reduction, then, for an average on a library without
     * {@code ncclAvg}, a division of the sum by the group size.
     *
     * @param op the NCCL reduction
     * @param divideBySize whether the caller divides the result by the number of ranks
     */
    public record Reduction(RedOp op, boolean divideBySize) {
        /**
         * Maps a Crossbar reduction for a library version.
         *
         * @param op the reduction
         * @param versionCode the library's {@link #versionCode()}
         * @return {@link RedOp#AVG} from NCCL 2.10 on, {@link RedOp#SUM} then a division before
         */
        public static Reduction of(ReduceOp op, int versionCode) {
            return switch (op) {
                case SUM -> new Reduction(RedOp.SUM, false);
                case PROD -> new Reduction(RedOp.PROD, false);
                case MAX -> new Reduction(RedOp.MAX, false);
                case MIN -> new Reduction(RedOp.MIN, false);
                case AVG -> versionCode >= FIRST_VERSION_WITH_AVG ? new Reduction(RedOp.AVG, false) : new Reduction(RedOp.SUM, true);
            };
        }
    }

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

    private NcclApi(NativeLibrary library) {
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

    /**
     * Loads an implementation of the NCCL API and binds its functions.
     *
     * @param libraries the sonames to try, such as {@code libnccl.so.2} or {@code librccl.so.1}
     * @param installHint how to install one
     * @return the bound library
     * @throws LibraryUnavailableException if no library loads, one lacks a function, or native access is denied
     */
    public static NcclApi open(List<String> libraries, String installHint) {
        return new NcclApi(NativeLibrary.openFirst(libraries, installHint));
    }

    /**
     * Calls {@code ncclGetVersion}.
     *
     * @return the version as {@code major.minor.patch}
     */
    public String version() {
        return versionText(versionCode());
    }

    /**
     * Calls {@code ncclGetVersion}.
     *
     * @return the library's {@code NCCL_VERSION_CODE}, such as 21803 for 2.18.3
     */
    public int versionCode() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            check("ncclGetVersion", NativeLibrary.call(() -> (int) MH$ncclGetVersion.invokeExact(value)));
            return value.get(JAVA_INT, 0);
        }
    }

    /**
     * Formats a version code.
     *
     * @param code an {@code NCCL_VERSION_CODE}
     * @return {@code major.minor.patch}
     */
    public static String versionText(int code) {
        // NCCL_VERSION(X, Y, Z): X * 1000 + Y * 100 + Z up to 2.8, X * 10000 + Y * 100 + Z from 2.9 on
        return code >= 20900 ? String.format(Locale.ROOT, "%d.%d.%d", code / 10000, code / 100 % 100, code % 100)
                : String.format(Locale.ROOT, "%d.%d.%d", code / 1000, code / 100 % 10, code % 100);
    }

    /**
     * Calls {@code ncclGetUniqueId}, on one rank only.
     *
     * @return the id's {@link #UNIQUE_ID_BYTES} bytes, to hand to every rank
     */
    public byte[] getUniqueId() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment id = arena.allocate(UNIQUE_ID);
            check("ncclGetUniqueId", NativeLibrary.call(() -> (int) MH$ncclGetUniqueId.invokeExact(id)));
            return id.toArray(JAVA_BYTE);
        }
    }

    /**
     * Calls {@code ncclCommInitRank}; every rank calls it with the same id, each with its own CUDA or HIP device current.
     *
     * @param rankCount the number of ranks
     * @param uniqueId the id from {@link #getUniqueId}
     * @param rank this rank
     * @return the {@code ncclComm_t}
     */
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

    /**
     * Calls {@code ncclCommDestroy}.
     *
     * @param communicator the {@code ncclComm_t}
     */
    public void commDestroy(MemorySegment communicator) {
        check("ncclCommDestroy", NativeLibrary.call(() -> (int) MH$ncclCommDestroy.invokeExact(communicator)));
    }

    /**
     * Calls {@code ncclCommAbort}: frees the communicator and stops the operations it still runs on the device. Other
     * ranks' pending collectives with it then fail or time out.
     *
     * @param communicator the {@code ncclComm_t}, not used afterwards
     */
    public void commAbort(MemorySegment communicator) {
        check("ncclCommAbort", NativeLibrary.call(() -> (int) MH$ncclCommAbort.invokeExact(communicator)));
    }

    /**
     * Calls {@code ncclCommGetAsyncError}: whether the communicator failed after a call returned (a peer vanished, a
     * network error), which its queued collectives would otherwise never report.
     *
     * @param communicator the {@code ncclComm_t}
     * @return the {@code ncclResult_t}: {@link NcclResult#NCCL_SUCCESS}, {@code ncclInProgress} while a non-blocking
     *     call runs, or the error ({@link NcclResult#name} names it)
     */
    public int commGetAsyncError(MemorySegment communicator) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment result = arena.allocate(JAVA_INT);
            check("ncclCommGetAsyncError", NativeLibrary.call(() -> (int) MH$ncclCommGetAsyncError.invokeExact(communicator, result)));
            return result.get(JAVA_INT, 0);
        }
    }

    /**
     * Queues {@code ncclAllReduce}.
     *
     * @param send the device buffer sent
     * @param receive the device buffer receiving the result, may equal {@code send}
     * @param count elements
     * @param type the element type
     * @param op the reduction
     * @param communicator the {@code ncclComm_t}
     * @param stream the {@code CUstream} or {@code hipStream_t}
     */
    public void allReduce(long send, long receive, long count, DataType type, RedOp op, MemorySegment communicator, MemorySegment stream) {
        MemorySegment s = MemorySegment.ofAddress(send);
        MemorySegment r = MemorySegment.ofAddress(receive);
        check("ncclAllReduce", NativeLibrary.call(() -> (int) MH$ncclAllReduce.invokeExact(s, r, count, type.code, op.code, communicator, stream)));
    }

    /**
     * Queues {@code ncclAllGather}.
     *
     * @param send the device buffer of {@code sendCount} elements
     * @param receive the device buffer of {@code sendCount} times the rank count
     * @param sendCount elements each rank contributes
     * @param type the element type
     * @param communicator the {@code ncclComm_t}
     * @param stream the {@code CUstream} or {@code hipStream_t}
     */
    public void allGather(long send, long receive, long sendCount, DataType type, MemorySegment communicator, MemorySegment stream) {
        MemorySegment s = MemorySegment.ofAddress(send);
        MemorySegment r = MemorySegment.ofAddress(receive);
        check("ncclAllGather", NativeLibrary.call(() -> (int) MH$ncclAllGather.invokeExact(s, r, sendCount, type.code, communicator, stream)));
    }

    /**
     * Queues {@code ncclReduceScatter}.
     *
     * @param send the device buffer of {@code receiveCount} times the rank count
     * @param receive the device buffer of {@code receiveCount} elements
     * @param receiveCount elements each rank receives
     * @param type the element type
     * @param op the reduction
     * @param communicator the {@code ncclComm_t}
     * @param stream the {@code CUstream} or {@code hipStream_t}
     */
    public void reduceScatter(long send, long receive, long receiveCount, DataType type, RedOp op, MemorySegment communicator, MemorySegment stream) {
        MemorySegment s = MemorySegment.ofAddress(send);
        MemorySegment r = MemorySegment.ofAddress(receive);
        check("ncclReduceScatter", NativeLibrary.call(() -> (int) MH$ncclReduceScatter.invokeExact(s, r, receiveCount, type.code, op.code, communicator, stream)));
    }

    /**
     * Queues {@code ncclBroadcast}.
     *
     * @param send the root's device buffer
     * @param receive every rank's device buffer
     * @param count elements
     * @param type the element type
     * @param root the sending rank
     * @param communicator the {@code ncclComm_t}
     * @param stream the {@code CUstream} or {@code hipStream_t}
     */
    public void broadcast(long send, long receive, long count, DataType type, int root, MemorySegment communicator, MemorySegment stream) {
        MemorySegment s = MemorySegment.ofAddress(send);
        MemorySegment r = MemorySegment.ofAddress(receive);
        check("ncclBroadcast", NativeLibrary.call(() -> (int) MH$ncclBroadcast.invokeExact(s, r, count, type.code, root, communicator, stream)));
    }

    /**
     * Queues {@code ncclSend}.
     *
     * @param send the device buffer
     * @param count elements
     * @param type the element type
     * @param peer the receiving rank
     * @param communicator the {@code ncclComm_t}
     * @param stream the {@code CUstream} or {@code hipStream_t}
     */
    public void send(long send, long count, DataType type, int peer, MemorySegment communicator, MemorySegment stream) {
        MemorySegment s = MemorySegment.ofAddress(send);
        check("ncclSend", NativeLibrary.call(() -> (int) MH$ncclSend.invokeExact(s, count, type.code, peer, communicator, stream)));
    }

    /**
     * Queues {@code ncclRecv}.
     *
     * @param receive the device buffer
     * @param count elements
     * @param type the element type
     * @param peer the sending rank
     * @param communicator the {@code ncclComm_t}
     * @param stream the {@code CUstream} or {@code hipStream_t}
     */
    public void receive(long receive, long count, DataType type, int peer, MemorySegment communicator, MemorySegment stream) {
        MemorySegment r = MemorySegment.ofAddress(receive);
        check("ncclRecv", NativeLibrary.call(() -> (int) MH$ncclRecv.invokeExact(r, count, type.code, peer, communicator, stream)));
    }

    /** Calls {@code ncclGroupStart}: the calls up to {@link #groupEnd} are launched together (send/recv pairs). */
    public void groupStart() {
        check("ncclGroupStart", NativeLibrary.call(() -> (int) MH$ncclGroupStart.invokeExact()));
    }

    /** Calls {@code ncclGroupEnd}. */
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
