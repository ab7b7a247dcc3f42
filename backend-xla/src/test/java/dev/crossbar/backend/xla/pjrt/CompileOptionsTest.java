package dev.crossbar.backend.xla.pjrt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CompileOptionsTest {

    /**
     * Worked out by hand from protobuf's wire format: 1a = field 3, length-delimited; 0f = 15 bytes; 08 = field 1 varint
     * followed by -1 as ten bytes; 20 = field 4 varint; 28 = field 5 varint.
     */
    @Test
    void serializesTheBuildOptionsAsACompileOptionsProto() {
        assertArrayEquals(HexFormat.of().parseHex("1a0f08ffffffffffffffffff01200128 01".replace(" ", "")), CompileOptions.SINGLE_DEVICE.toProto());
        assertArrayEquals(HexFormat.of().parseHex("1a1008ffffffffffffffffff01208001 2804".replace(" ", "")), new CompileOptions(128, 4).toProto());
    }

    @Test
    void countsBelowOneAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new CompileOptions(0, 2));

        assertEquals("a PJRT program runs as at least 1 replica of 1 partition, not 0 replicas of 2 partitions", e.getMessage());
        assertEquals(8, new CompileOptions(2, 4).deviceCount());
    }
}
