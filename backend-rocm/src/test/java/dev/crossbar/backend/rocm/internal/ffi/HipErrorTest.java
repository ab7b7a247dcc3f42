package dev.crossbar.backend.rocm.internal.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HipErrorTest {
    @Test
    void namesListedCodes() {
        assertEquals("hipSuccess", HipError.name(0));
        assertEquals("hipErrorNoDevice", HipError.name(100));
        assertEquals("hipErrorUnknown", HipError.name(999));
    }

    @Test
    void namesAliasedCodesAsHipGetErrorNameDoes() {
        assertEquals("hipErrorOutOfMemory", HipError.name(2));
        assertEquals("hipErrorNotInitialized", HipError.name(3));
        assertEquals("hipErrorMapFailed", HipError.name(205));
        assertEquals("hipErrorInvalidHandle", HipError.name(400));
    }

    @Test
    void namesAnUnlistedCodeWithItsNumber() {
        assertEquals("UNKNOWN_hipError_t(12345)", HipError.name(12345));
    }

    @Test
    void exceptionCarriesFunctionNameAndNumber() {
        HipException e = new HipException("hipGetDeviceCount", 100);

        assertEquals("hipGetDeviceCount returned hipErrorNoDevice (100)", e.getMessage());
        assertEquals("hipErrorNoDevice", e.name());
        assertEquals(100, e.code());
    }
}
