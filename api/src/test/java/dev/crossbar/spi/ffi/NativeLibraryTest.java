package dev.crossbar.spi.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.util.List;
import org.junit.jupiter.api.Test;

class NativeLibraryTest {
    /** The C library every Linux JVM runs on. */
    private static final String LIBC = "libc.so.6";

    @Test
    void bindsAFunctionThatRuns() throws Throwable {
        NativeLibrary libc = NativeLibrary.open(LIBC, "the C library is part of every Linux system");
        MethodHandle strlen = libc.function("strlen", FunctionDescriptor.of(JAVA_LONG, ADDRESS));

        try (Arena arena = Arena.ofConfined()) {
            assertEquals(8L, (long) strlen.invokeExact(arena.allocateFrom("crossbar")));
        }
        assertEquals(LIBC, libc.name());
    }

    @Test
    void opensTheFirstCandidateThatLoads() {
        assertEquals(LIBC, NativeLibrary.openFirst(List.of("libcrossbar-absent.so.9", LIBC), "install it").name());
    }

    @Test
    void aMissingLibraryNamesItsLoaderErrorAndTheFix() {
        LibraryUnavailableException e = assertThrows(LibraryUnavailableException.class,
                () -> NativeLibrary.open("libcrossbar-absent.so.9", "install crossbar-absent (apt-get install libcrossbar-absent9)"));

        assertEquals("libcrossbar-absent.so.9 could not be loaded (Cannot open library: libcrossbar-absent.so.9);"
                + " install crossbar-absent (apt-get install libcrossbar-absent9)", e.getMessage());
    }

    @Test
    void noCandidateLoadingNamesEveryOne() {
        LibraryUnavailableException e = assertThrows(LibraryUnavailableException.class,
                () -> NativeLibrary.openFirst(List.of("libabsent-a.so.1", "libabsent-b.so"), "install absent"));

        assertEquals("none of libabsent-a.so.1, libabsent-b.so could be loaded (Cannot open library: libabsent-a.so.1;"
                + " Cannot open library: libabsent-b.so); install absent", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NativeLibrary.openFirst(List.of(), "install"));
    }

    @Test
    void aMissingSymbolNamesTheLibrary() {
        NativeLibrary libc = NativeLibrary.open(LIBC, "the C library is part of every Linux system");

        LibraryUnavailableException e = assertThrows(LibraryUnavailableException.class,
                () -> libc.function("crossbar_absent_function", FunctionDescriptor.ofVoid()));
        assertEquals("libc.so.6 does not export crossbar_absent_function; it is not the expected library or is older than Crossbar supports", e.getMessage());
    }

    @Test
    void theNativeAccessFlagNamesThisModule() {
        Module module = NativeLibrary.class.getModule();
        assertEquals("--enable-native-access=" + (module.isNamed() ? "dev.crossbar.api" : "ALL-UNNAMED"), NativeLibrary.nativeAccessFlag());
    }

    @Test
    void aThrowingDowncallIsABug() {
        assertEquals(7, NativeLibrary.call(() -> 7));
        AssertionError e = assertThrows(AssertionError.class, () -> NativeLibrary.call(() -> {
            throw new ClassCastException("int cannot be cast");
        }));
        assertTrue(e.getMessage().startsWith("a downcall threw java.lang.ClassCastException"), e.getMessage());
    }
}
