package dev.crossbar.backend.rocm.internal.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.crossbar.spi.ffi.LibraryUnavailableException;
import dev.crossbar.spi.ffi.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * hiprtc, HIP's runtime compiler, which ROCm 5 exports from {@code libamdhip64} itself: compiles HIP source to an
 * AMDGPU code object in process. Every {@code hiprtcResult} other than success becomes a {@link HiprtcException}.
 */
public final class NativeHiprtc {
    private final MethodHandle MH$hiprtcCreateProgram;
    private final MethodHandle MH$hiprtcCompileProgram;
    private final MethodHandle MH$hiprtcGetProgramLogSize;
    private final MethodHandle MH$hiprtcGetProgramLog;
    private final MethodHandle MH$hiprtcGetCodeSize;
    private final MethodHandle MH$hiprtcGetCode;
    private final MethodHandle MH$hiprtcDestroyProgram;

    private NativeHiprtc(NativeLibrary library) {
        // hiprtcResult hiprtcCreateProgram(hiprtcProgram* prog, const char* src, const char* name, int numHeaders,
        //                                  const char** headers, const char** includeNames)
        MH$hiprtcCreateProgram = library.function("hiprtcCreateProgram",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        // hiprtcResult hiprtcCompileProgram(hiprtcProgram prog, int numOptions, const char** options)
        MH$hiprtcCompileProgram = library.function("hiprtcCompileProgram",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        // hiprtcResult hiprtcGetProgramLogSize(hiprtcProgram prog, size_t* logSizeRet)
        MH$hiprtcGetProgramLogSize = library.function("hiprtcGetProgramLogSize",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        // hiprtcResult hiprtcGetProgramLog(hiprtcProgram prog, char* log)
        MH$hiprtcGetProgramLog = library.function("hiprtcGetProgramLog",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        // hiprtcResult hiprtcGetCodeSize(hiprtcProgram prog, size_t* codeSizeRet)
        MH$hiprtcGetCodeSize = library.function("hiprtcGetCodeSize",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        // hiprtcResult hiprtcGetCode(hiprtcProgram prog, char* code)
        MH$hiprtcGetCode = library.function("hiprtcGetCode",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        // hiprtcResult hiprtcDestroyProgram(hiprtcProgram* prog)
        MH$hiprtcDestroyProgram = library.function("hiprtcDestroyProgram",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    /**
     * Loads the HIP runtime and binds its hiprtc functions.
     *
     * @return the bound compiler
     * @throws LibraryUnavailableException if no HIP library loads, it lacks hiprtc, or native access is denied
     */
    public static NativeHiprtc open() {
        return new NativeHiprtc(NativeLibrary.openFirst(NativeHip.LIBRARIES,
                "install ROCm's HIP runtime with hiprtc (Debian and Ubuntu: libamdhip64-dev, which brings libhiprtc-builtins5 and comgr)"));
    }

    /**
     * Compiles one program. hiprtc needs the target, such as {@code --offload-arch=gfx90a}, among the options;
     * without it ROCm 5.2 fails with an empty log.
     *
     * @param source the HIP source
     * @param programName the program's name, used in diagnostics
     * @param options compiler options
     * @return the code object
     * @throws HiprtcException if a hiprtc call fails; a compilation error carries the log
     */
    public byte[] compile(String source, String programName, List<String> options) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment program = arena.allocate(ADDRESS);
            check("hiprtcCreateProgram", (int) MH$hiprtcCreateProgram.invokeExact(program, arena.allocateFrom(source), arena.allocateFrom(programName),
                    0, MemorySegment.NULL, MemorySegment.NULL), MemorySegment.NULL);
            MemorySegment handle = program.get(ADDRESS, 0);
            try {
                MemorySegment optionArray = arena.allocate(ADDRESS, Math.max(1, options.size()));
                for (int i = 0; i < options.size(); i++) {
                    optionArray.setAtIndex(ADDRESS, i, arena.allocateFrom(options.get(i)));
                }
                check("hiprtcCompileProgram", (int) MH$hiprtcCompileProgram.invokeExact(handle, options.size(), optionArray), handle);
                MemorySegment size = arena.allocate(JAVA_LONG);
                check("hiprtcGetCodeSize", (int) MH$hiprtcGetCodeSize.invokeExact(handle, size), handle);
                MemorySegment code = arena.allocate(size.get(JAVA_LONG, 0));
                check("hiprtcGetCode", (int) MH$hiprtcGetCode.invokeExact(handle, code), handle);
                return code.toArray(JAVA_BYTE);
            } finally {
                check("hiprtcDestroyProgram", (int) MH$hiprtcDestroyProgram.invokeExact(program), MemorySegment.NULL);
            }
        } catch (HiprtcException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private void check(String function, int result, MemorySegment program) throws Throwable {
        if (result != HiprtcResult.HIPRTC_SUCCESS) {
            throw new HiprtcException(function, result, program.equals(MemorySegment.NULL) ? "" : log(program));
        }
    }

    private String log(MemorySegment program) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(JAVA_LONG);
            if ((int) MH$hiprtcGetProgramLogSize.invokeExact(program, size) != HiprtcResult.HIPRTC_SUCCESS || size.get(JAVA_LONG, 0) <= 1) {
                return "";
            }
            // ROCm 5.2 counts the log without its terminator; one more zeroed byte makes it a C string either way.
            MemorySegment log = arena.allocate(size.get(JAVA_LONG, 0) + 1);
            if ((int) MH$hiprtcGetProgramLog.invokeExact(program, log) != HiprtcResult.HIPRTC_SUCCESS) {
                return "";
            }
            return log.getString(0, StandardCharsets.UTF_8);
        }
    }
}
