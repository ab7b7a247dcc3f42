package dev.crossbar.backend.xla.internal.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checks made while loading a plugin, and the calls the public client cannot reach with bad arguments. */
class NativePjrtTest {

    @Test
    void aPluginOfAnotherMajorVersionIsRefusedWithBothVersions() {
        Path library = FakePjrtPlugin.build("major_1_pjrt_plugin.so", "-DFAKE_PJRT_MAJOR=1", "-DFAKE_PJRT_MINOR=2");

        var e = assertThrows(PjrtPluginException.class, () -> NativePjrt.load(library));

        assertEquals("PJRT plugin " + library + " implements PJRT C API 1.2, but Crossbar's PJRT client needs 0.33 or a later 0.x (the major"
                + " version must match, the minor must be at least 33); use a plugin built against a PJRT C API 0.x header", e.getMessage());
    }

    @Test
    void aPluginOlderThanTheOldestCheckedLayoutIsRefused() {
        Path library = FakePjrtPlugin.build("minor_20_pjrt_plugin.so", "-DFAKE_PJRT_MINOR=20");

        var e = assertThrows(PjrtPluginException.class, () -> NativePjrt.load(library));

        assertEquals("PJRT plugin " + library + " implements PJRT C API 0.20, but Crossbar's PJRT client needs 0.33 or a later 0.x (the major"
                + " version must match, the minor must be at least 33); use a plugin built against a PJRT C API 0.x header", e.getMessage());
    }

    @Test
    void aTruncatedFunctionTableIsRefusedWithTheSizeItNeeds() {
        Path library = FakePjrtPlugin.build("truncated_pjrt_plugin.so", "-DFAKE_PJRT_API_SIZE=208");

        var e = assertThrows(PjrtPluginException.class, () -> NativePjrt.load(library));

        assertEquals("PJRT plugin " + library + " (API 0.54) reports PJRT_Api.struct_size 208, smaller than the 608 bytes that reach"
                + " PJRT_Buffer_ToHostBuffer, the last PJRT function Crossbar calls; the plugin's function table is truncated or its version is"
                + " misreported", e.getMessage());
    }

    @Test
    void aFunctionThePluginLeavesNullIsNamed() {
        Path library = FakePjrtPlugin.build("no_compile_pjrt_plugin.so", "-DFAKE_PJRT_WITHOUT_COMPILE");
        NativePjrt plugin = NativePjrt.load(library);
        var client = plugin.clientCreate(Map.of());
        try {
            var e = assertThrows(PjrtPluginException.class, () -> plugin.compile(client, "mlir", new byte[0], new byte[0]));

            assertEquals("PJRT plugin " + library + " (API 0.54) leaves PJRT_Client_Compile NULL in its PJRT_Api: it does not implement what"
                    + " Crossbar asked of it", e.getMessage());
        } finally {
            plugin.clientDestroy(client);
        }
    }

    @Test
    void aFailingInitializeIsThrownAndTheNextLoadTriesAgain() throws Throwable {
        Path library = FakePjrtPlugin.build("failing_initialize_pjrt_plugin.so");
        try (Arena arena = Arena.ofConfined()) {
            // Open the library first to reach its test control; NativePjrt's own dlopen then finds the same instance.
            MethodHandle failNext = Linker.nativeLinker().downcallHandle(SymbolLookup.libraryLookup(library, arena).findOrThrow("fake_pjrt_fail_next"),
                    FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS));
            failNext.invokeExact(arena.allocateFrom("PJRT_Plugin_Initialize"), PjrtErrorCode.FAILED_PRECONDITION.ordinal(),
                    arena.allocateFrom("no Neuron devices are visible"));

            var e = assertThrows(PjrtException.class, () -> NativePjrt.load(library));

            assertEquals("PJRT_Plugin_Initialize failed with PJRT_Error_Code_FAILED_PRECONDITION (9): no Neuron devices are visible (PJRT plugin "
                    + library + ")", e.getMessage());
            assertEquals(library, NativePjrt.load(library).library());
        }
    }

    @Test
    void aProgramFormatThePluginDoesNotReadIsAnInvalidArgument() {
        FakePjrtPlugin fake = FakePjrtPlugin.compile("fake_pjrt_plugin.so");
        NativePjrt plugin = NativePjrt.load(fake.library());
        long before = fake.liveObjects();
        var client = plugin.clientCreate(Map.of());
        try {
            var e = assertThrows(PjrtException.class, () -> plugin.compile(client, "hlo", "HloModule m".getBytes(StandardCharsets.UTF_8),
                    new byte[0]));

            assertEquals("PJRT_Client_Compile failed with PJRT_Error_Code_INVALID_ARGUMENT (3): program format 'hlo' is not supported; use mlir"
                    + " (PJRT plugin " + fake.library() + ")", e.getMessage());
        } finally {
            plugin.clientDestroy(client);
        }
        assertEquals(before, fake.liveObjects(), "the PJRT_Error was destroyed");
    }

    @Test
    void errorCodesHaveTheirCNames() {
        assertEquals("PJRT_Error_Code_UNAUTHENTICATED (16)", PjrtErrorCode.UNAUTHENTICATED.symbol());
        assertEquals("PJRT_Error_Code 99 (not in pjrt_c_api.h 0.94)", PjrtErrorCode.describe(99));
    }
}
