package dev.crossbar.backend.xla.pjrt;

import java.io.ByteArrayOutputStream;
import java.util.Locale;

/**
 * The compile options Crossbar passes to {@code PJRT_Client_Compile}: how many replicas and partitions the program
 * runs as. They are serialized as the smallest {@code xla.CompileOptionsProto} (openxla's
 * {@code xla/pjrt/proto/compile_options.proto}) that XLA reads correctly: field 3, {@code executable_build_options},
 * holding {@code device_ordinal} (1) = -1 (not set), {@code num_replicas} (4) and {@code num_partitions} (5). Every
 * other field keeps its proto3 default; without the two counts XLA would read zero replicas.
 *
 * @param numReplicas replicas of the program (data-parallel copies), at least 1
 * @param numPartitions partitions of each replica (SPMD shards), at least 1
 */
public record CompileOptions(int numReplicas, int numPartitions) {
    /** One replica of one partition: a program for one device. */
    public static final CompileOptions SINGLE_DEVICE = new CompileOptions(1, 1);

    private static final int EXECUTABLE_BUILD_OPTIONS = 3;
    private static final int DEVICE_ORDINAL = 1;
    private static final int NUM_REPLICAS = 4;
    private static final int NUM_PARTITIONS = 5;
    private static final int VARINT = 0;
    private static final int LENGTH_DELIMITED = 2;

    /** Checks the counts. */
    public CompileOptions {
        if (numReplicas < 1 || numPartitions < 1) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "a PJRT program runs as at least 1 replica of 1 partition, not %d replicas of %d partitions", numReplicas, numPartitions));
        }
    }

    /**
     * Returns the number of devices the program runs on.
     *
     * @return replicas times partitions
     */
    public int deviceCount() {
        return Math.multiplyExact(numReplicas, numPartitions);
    }

    /**
     * Serializes these options as an {@code xla.CompileOptionsProto} in protobuf's wire format.
     *
     * @return the bytes for {@code PJRT_Client_Compile_Args.compile_options}
     */
    public byte[] toProto() {
        ByteArrayOutputStream buildOptions = new ByteArrayOutputStream();
        writeVarintField(buildOptions, DEVICE_ORDINAL, -1);
        writeVarintField(buildOptions, NUM_REPLICAS, numReplicas);
        writeVarintField(buildOptions, NUM_PARTITIONS, numPartitions);
        ByteArrayOutputStream options = new ByteArrayOutputStream();
        writeVarint(options, (EXECUTABLE_BUILD_OPTIONS << 3) | LENGTH_DELIMITED);
        writeVarint(options, buildOptions.size());
        options.writeBytes(buildOptions.toByteArray());
        return options.toByteArray();
    }

    private static void writeVarintField(ByteArrayOutputStream out, int field, long value) {
        writeVarint(out, ((long) field << 3) | VARINT);
        writeVarint(out, value);
    }

    /** Writes a base-128 varint; a negative int64 takes ten bytes, as protobuf encodes it. */
    private static void writeVarint(ByteArrayOutputStream out, long value) {
        long rest = value;
        while ((rest & ~0x7FL) != 0) {
            out.write((int) ((rest & 0x7F) | 0x80));
            rest >>>= 7;
        }
        out.write((int) rest);
    }
}
