package dev.crossbar.spi.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import org.junit.jupiter.api.Test;

/** What an NCCL send carries before its data, so that the receiver can allocate the tensor. */
class NcclGroupTest {
    @Test
    void theHeaderCarriesTypeRankAndDims() {
        long[] header = NcclGroup.header(DType.BF16, Shape.of(3, 1, 7));
        assertEquals(NcclGroup.HEADER_LONGS, header.length);
        assertEquals(3, header[1]);
        assertArrayEquals(new long[] {3, 1, 7}, java.util.Arrays.copyOfRange(header, 2, 5));
        for (int i = 5; i < header.length; i++) {
            assertEquals(0, header[i], "unused dims are zero");
        }
        assertEquals(DType.BF16, NcclGroup.headerType(header));
        assertEquals(Shape.of(3, 1, 7), NcclGroup.headerShape(header));
        long[] scalar = NcclGroup.header(DType.I64, Shape.scalar());
        assertEquals(0, scalar[1]);
        assertEquals(DType.I64, NcclGroup.headerType(scalar));
        assertEquals(Shape.scalar(), NcclGroup.headerShape(scalar));
    }

    @Test
    void tooManyDimsAreRejectedWithTheFix() {
        int[] dims = new int[NcclGroup.MAX_SENT_RANK + 1];
        java.util.Arrays.fill(dims, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NcclGroup.header(DType.F32, Shape.of(dims)));
        assertTrue(e.getMessage().contains("reshape"), e.getMessage());
    }
}
