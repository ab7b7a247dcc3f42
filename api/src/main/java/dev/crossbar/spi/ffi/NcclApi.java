package dev.crossbar.spi.ffi;

import dev.crossbar.api.DType;
import dev.crossbar.api.distributed.ReduceOp;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Locale;

/**
 * The NCCL API as NVIDIA's NCCL ({@code libnccl.so.2}) and ROCm's RCCL ({@code librccl.so.1}) both export it, with the
 * same symbols, signatures and codes: communicators built from a unique id that rank 0 creates and the runtime hands
 * to every rank, the collectives on device buffers queued on a CUDA or HIP stream, and group calls. Every
 * {@code ncclResult_t} other than success becomes an {@link NcclException} carrying {@code ncclGetErrorString}'s text.
 * The cuda and rocm backends open it from their own library names ({@link #open}); tests may implement it to run
 * collectives without a device.
 */
public interface NcclApi {
    /** {@code NCCL_UNIQUE_ID_BYTES}: the size of an {@code ncclUniqueId}. */
    int UNIQUE_ID_BYTES = 128;

    /** {@code ncclDataType_t} values of {@code nccl.h}. */
    enum DataType {
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
    enum RedOp {
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
    int FIRST_VERSION_WITH_AVG = 21000;

    /**
     * How a Crossbar reduction runs in NCCL: the NCCL reduction, then, for an average on a library without
     * {@code ncclAvg}, a division of the sum by the group size.
     *
     * @param op the NCCL reduction
     * @param divideBySize whether the caller divides the result by the number of ranks
     */
    record Reduction(RedOp op, boolean divideBySize) {
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

    /**
     * Loads an implementation of the NCCL API and binds its functions.
     *
     * @param libraries the sonames to try, such as {@code libnccl.so.2} or {@code librccl.so.1}
     * @param installHint how to install one
     * @return the bound library
     * @throws LibraryUnavailableException if no library loads, one lacks a function, or native access is denied
     */
    static NcclApi open(List<String> libraries, String installHint) {
        return new NcclLibrary(NativeLibrary.openFirst(libraries, installHint));
    }

    /**
     * Calls {@code ncclGetVersion}.
     *
     * @return the version as {@code major.minor.patch}
     */
    default String version() {
        return versionText(versionCode());
    }

    /**
     * Calls {@code ncclGetVersion}.
     *
     * @return the library's {@code NCCL_VERSION_CODE}, such as 21803 for 2.18.3
     */
    int versionCode();

    /**
     * Formats a version code.
     *
     * @param code an {@code NCCL_VERSION_CODE}
     * @return {@code major.minor.patch}
     */
    static String versionText(int code) {
        // NCCL_VERSION(X, Y, Z): X * 1000 + Y * 100 + Z up to 2.8, X * 10000 + Y * 100 + Z from 2.9 on
        return code >= 20900 ? String.format(Locale.ROOT, "%d.%d.%d", code / 10000, code / 100 % 100, code % 100)
                : String.format(Locale.ROOT, "%d.%d.%d", code / 1000, code / 100 % 10, code % 100);
    }

    /**
     * Calls {@code ncclGetUniqueId}, on one rank only.
     *
     * @return the id's {@link #UNIQUE_ID_BYTES} bytes, to hand to every rank
     */
    byte[] getUniqueId();

    /**
     * Calls {@code ncclCommInitRank}; every rank calls it with the same id, each with its own CUDA or HIP device current.
     *
     * @param rankCount the number of ranks
     * @param uniqueId the id from {@link #getUniqueId}
     * @param rank this rank
     * @return the {@code ncclComm_t}
     */
    MemorySegment commInitRank(int rankCount, byte[] uniqueId, int rank);

    /**
     * Calls {@code ncclCommDestroy}.
     *
     * @param communicator the {@code ncclComm_t}
     */
    void commDestroy(MemorySegment communicator);

    /**
     * Calls {@code ncclCommAbort}: frees the communicator and stops the operations it still runs on the device. Other
     * ranks' pending collectives with it then fail or time out.
     *
     * @param communicator the {@code ncclComm_t}, not used afterwards
     */
    void commAbort(MemorySegment communicator);

    /**
     * Calls {@code ncclCommGetAsyncError}: whether the communicator failed after a call returned (a peer vanished, a
     * network error), which its queued collectives would otherwise never report.
     *
     * @param communicator the {@code ncclComm_t}
     * @return the {@code ncclResult_t}: {@link NcclResult#NCCL_SUCCESS}, {@code ncclInProgress} while a non-blocking
     *     call runs, or the error ({@link NcclResult#name} names it)
     */
    int commGetAsyncError(MemorySegment communicator);

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
    void allReduce(long send, long receive, long count, DataType type, RedOp op, MemorySegment communicator, MemorySegment stream);

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
    void allGather(long send, long receive, long sendCount, DataType type, MemorySegment communicator, MemorySegment stream);

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
    void reduceScatter(long send, long receive, long receiveCount, DataType type, RedOp op, MemorySegment communicator, MemorySegment stream);

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
    void broadcast(long send, long receive, long count, DataType type, int root, MemorySegment communicator, MemorySegment stream);

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
    void send(long send, long count, DataType type, int peer, MemorySegment communicator, MemorySegment stream);

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
    void receive(long receive, long count, DataType type, int peer, MemorySegment communicator, MemorySegment stream);

    /** Calls {@code ncclGroupStart}: the calls up to {@link #groupEnd} are launched together (send/recv pairs). */
    void groupStart();

    /** Calls {@code ncclGroupEnd}. */
    void groupEnd();
}
