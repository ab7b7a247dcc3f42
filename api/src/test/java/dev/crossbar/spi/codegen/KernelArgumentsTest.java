package dev.crossbar.spi.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.spi.Op;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;

class KernelArgumentsTest {
    private final KernelGenerator generator = new KernelGenerator(Dialect.CUDA);

    @Test
    void packsEachParameterInOrderBehindAnAddressArray() {
        GeneratedKernel add = generator.binary(Op.ADD, DType.F32);
        try (Arena arena = Arena.ofConfined()) {
            KernelArguments arguments = new KernelArguments(add, arena)
                    .i64(6)
                    .dims(new ShapeDescriptor(new long[] {2, 3}))
                    .pointer(0x7000_0000_1000L)
                    .layout(new LayoutDescriptor(0, new long[] {3, 1}))
                    .pointer(0x7000_0000_2000L)
                    .layout(new LayoutDescriptor(5, new long[] {0, 1}))
                    .pointer(0x7000_0000_3000L)
                    .layout(new LayoutDescriptor(0, new long[] {1, 0}));
            MemorySegment array = arguments.addressArray();
            List<MemorySegment> values = arguments.values();

            assertEquals(8 * add.parameters().size(), array.byteSize());
            for (int i = 0; i < values.size(); i++) {
                assertEquals(values.get(i).address(), array.getAtIndex(ValueLayout.ADDRESS, i).address(), "address of argument " + i);
            }
            assertEquals(6L, values.get(0).get(ValueLayout.JAVA_LONG, 0));
            MemorySegment dims = values.get(1);
            assertEquals(2L, dims.get(ValueLayout.JAVA_LONG, 0), "rank");
            assertEquals(2L, dims.get(ValueLayout.JAVA_LONG, 8));
            assertEquals(3L, dims.get(ValueLayout.JAVA_LONG, 16));
            assertEquals(1L, dims.get(ValueLayout.JAVA_LONG, 24), "unused sizes are 1");
            assertEquals(0x7000_0000_2000L, values.get(4).get(ValueLayout.JAVA_LONG, 0));
            MemorySegment aLayout = values.get(5);
            assertEquals(5L, aLayout.get(ValueLayout.JAVA_LONG, 0), "offset");
            assertEquals(0L, aLayout.get(ValueLayout.JAVA_LONG, 8), "broadcast stride");
            assertEquals(1L, aLayout.get(ValueLayout.JAVA_LONG, 16));
            assertEquals(0L, aLayout.get(ValueLayout.JAVA_LONG, 24), "unused strides are 0");
        }
    }

    @Test
    void valuesAreEightByteAligned() {
        GeneratedKernel fill = generator.fill(DType.F16);
        try (Arena arena = Arena.ofConfined()) {
            List<MemorySegment> values = new KernelArguments(fill, arena).i64(1).dims(new ShapeDescriptor(new long[] {1})).pointer(8)
                    .layout(new LayoutDescriptor(0, new long[] {1})).f64(-2.5).values();

            assertEquals(5, values.size());
            values.forEach(v -> assertEquals(0, v.address() % 8, "address of " + v));
            assertEquals(-2.5, values.get(4).get(ValueLayout.JAVA_DOUBLE, 0));
        }
    }

    @Test
    void rejectsAValueOfTheWrongKindNamingTheParameter() {
        GeneratedKernel add = generator.binary(Op.ADD, DType.F32);
        try (Arena arena = Arena.ofConfined()) {
            KernelArguments arguments = new KernelArguments(add, arena).i64(6);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> arguments.pointer(0));

            assertEquals("argument 1 of cb_add_f32 is 'dims', a DIMS, not a POINTER", e.getMessage());
        }
    }

    @Test
    void rejectsMissingAndExtraValues() {
        GeneratedKernel iota = generator.iota(DType.I32);
        try (Arena arena = Arena.ofConfined()) {
            KernelArguments arguments = new KernelArguments(iota, arena).i64(4).dims(new ShapeDescriptor(new long[] {4})).pointer(16);
            IllegalStateException missing = assertThrows(IllegalStateException.class, arguments::addressArray);
            assertTrue(missing.getMessage().contains("takes 5 arguments but only 3 were given; the next is 'out_layout'"), missing.getMessage());

            arguments.layout(new LayoutDescriptor(0, new long[] {1})).i64(0);
            IllegalStateException extra = assertThrows(IllegalStateException.class, () -> arguments.i64(1));
            assertEquals("cb_iota_i32 takes 5 arguments; a I64 is one too many", extra.getMessage());
        }
    }
}
