package dev.crossbar.spi.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.distributed.ReduceOp;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Crossbar's element types and reductions map to the {@code ncclDataType_t} and {@code ncclRedOp_t} values of nccl.h. */
class NcclApiMappingTest {
    /** nccl.h's ncclDataType_t value and element size for each Crossbar type, written down from the header. */
    private static final Map<DType, int[]> NCCL_TYPE_AND_SIZE = Map.of(
            DType.I8, new int[] {0, 1},
            DType.BOOL, new int[] {1, 1},
            DType.I32, new int[] {2, 4},
            DType.I64, new int[] {4, 8},
            DType.F16, new int[] {6, 2},
            DType.F32, new int[] {7, 4},
            DType.F64, new int[] {8, 8},
            DType.BF16, new int[] {9, 2});

    @Test
    void everyElementTypeTravelsAsTheNcclTypeOfItsSize() {
        assertEquals(DType.values().length - 2, NCCL_TYPE_AND_SIZE.size(), "every type but the two FP8 types");
        for (DType type : NCCL_TYPE_AND_SIZE.keySet()) {
            int[] expected = NCCL_TYPE_AND_SIZE.get(type);
            assertEquals(expected[0], NcclApi.DataType.of(type).code(), type.toString());
            assertEquals(expected[1], type.byteSize(), type + " has the size of its NCCL type");
        }
        assertEquals(NcclApi.DataType.UINT8, NcclApi.DataType.of(DType.BOOL));
        IllegalArgumentException fp8 = assertThrows(IllegalArgumentException.class, () -> NcclApi.DataType.of(DType.F8E5M2));
        assertTrue(fp8.getMessage().contains("F8E5M2") && fp8.getMessage().contains("cast"), fp8.getMessage());
    }

    @Test
    void reductionsMapToNcclsCodesAndAverageFallsBackToSumBeforeNccl210() {
        int nccl218 = 21803;
        assertEquals(new NcclApi.Reduction(NcclApi.RedOp.SUM, false), NcclApi.Reduction.of(ReduceOp.SUM, nccl218));
        assertEquals(new NcclApi.Reduction(NcclApi.RedOp.PROD, false), NcclApi.Reduction.of(ReduceOp.PROD, nccl218));
        assertEquals(new NcclApi.Reduction(NcclApi.RedOp.MAX, false), NcclApi.Reduction.of(ReduceOp.MAX, nccl218));
        assertEquals(new NcclApi.Reduction(NcclApi.RedOp.MIN, false), NcclApi.Reduction.of(ReduceOp.MIN, nccl218));
        assertEquals(new NcclApi.Reduction(NcclApi.RedOp.AVG, false), NcclApi.Reduction.of(ReduceOp.AVG, nccl218));
        assertEquals(new NcclApi.Reduction(NcclApi.RedOp.AVG, false), NcclApi.Reduction.of(ReduceOp.AVG, 21000));
        assertEquals(new NcclApi.Reduction(NcclApi.RedOp.SUM, true), NcclApi.Reduction.of(ReduceOp.AVG, 20907));
        assertEquals(new NcclApi.Reduction(NcclApi.RedOp.SUM, true), NcclApi.Reduction.of(ReduceOp.AVG, 2804));
        // ncclSum 0, ncclProd 1, ncclMax 2, ncclMin 3, ncclAvg 4
        assertEquals(0, NcclApi.RedOp.SUM.code());
        assertEquals(1, NcclApi.RedOp.PROD.code());
        assertEquals(2, NcclApi.RedOp.MAX.code());
        assertEquals(3, NcclApi.RedOp.MIN.code());
        assertEquals(4, NcclApi.RedOp.AVG.code());
    }

    @Test
    void versionCodesOfBothEncodingsFormat() {
        assertEquals("2.8.4", NcclApi.versionText(2804));
        assertEquals("2.9.6", NcclApi.versionText(20906));
        assertEquals("2.18.3", NcclApi.versionText(21803));
    }
}
