package com.example.opencl.internal.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.crossbar.spi.ffi.LibraryUnavailableException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The bindings against the installed ICD: real error codes come back as exceptions with their symbolic names. */
class NativeOpenClTest {

    @Test
    void errorCodesHaveTheirNamesFromClH() {
        assertEquals("CL_INVALID_VALUE", ClError.name(-30));
        assertEquals("CL_BUILD_PROGRAM_FAILURE", ClError.name(-11));
        assertEquals("CL_INVALID_BUFFER_SIZE", ClError.name(-61));
        assertEquals("CL_PLATFORM_NOT_FOUND_KHR", ClError.name(-1001));
        assertEquals("CL_UNKNOWN_ERROR", ClError.name(-9999));
        assertEquals("clFinish returned CL_INVALID_COMMAND_QUEUE (-36): queue 3", new OpenClException("clFinish", -36, "queue 3").getMessage());
    }

    @Test
    void aZeroSizedBufferIsRefusedWithTheErrorName() {
        NativeOpenCl cl = loadOrSkip();
        MemorySegment device = firstDevice(cl);
        MemorySegment context = cl.createContext(List.of(device));
        try {
            OpenClException e = assertThrows(OpenClException.class, () -> cl.createBuffer(context, 0));
            assertEquals("CL_INVALID_BUFFER_SIZE", e.name());
            assertTrue(e.getMessage().startsWith("clCreateBuffer returned CL_INVALID_BUFFER_SIZE (-61)"), e.getMessage());
        } finally {
            cl.releaseContext(context);
        }
    }

    @Test
    void aFailedBuildCarriesTheCompilerLog() {
        NativeOpenCl cl = loadOrSkip();
        MemorySegment device = firstDevice(cl);
        MemorySegment context = cl.createContext(List.of(device));
        try {
            String source = "__kernel void broken(__global float* x) { x[0] = undeclared_value; }\n";
            OpenClException e = assertThrows(OpenClException.class, () -> cl.buildProgram(context, List.of(device), source, "-cl-std=CL1.2", "broken test kernel"));
            assertEquals(ClError.CL_BUILD_PROGRAM_FAILURE, e.code());
            assertTrue(e.getMessage().contains("broken test kernel") && e.getMessage().contains("undeclared_value"),
                    "the message must name the program and carry the log: " + e.getMessage());
        } finally {
            cl.releaseContext(context);
        }
    }

    private static NativeOpenCl loadOrSkip() {
        try {
            return NativeOpenCl.load();
        } catch (LibraryUnavailableException e) {
            return Assumptions.abort("UNAVAILABLE: " + e.getMessage());
        }
    }

    private static MemorySegment firstDevice(NativeOpenCl cl) {
        List<MemorySegment> platforms = cl.platforms();
        assumeFalse(platforms.isEmpty(), "UNAVAILABLE: clGetPlatformIDs found no OpenCL platform; install an ICD such as Debian's pocl-opencl-icd");
        List<MemorySegment> devices = cl.devices(platforms.getFirst());
        assumeFalse(devices.isEmpty(), "UNAVAILABLE: the first OpenCL platform has no device");
        return devices.getFirst();
    }
}
