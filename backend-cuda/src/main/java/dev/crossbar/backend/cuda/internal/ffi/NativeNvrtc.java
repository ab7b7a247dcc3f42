package dev.crossbar.backend.cuda.internal.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.crossbar.spi.ffi.LibraryUnavailableException;
import dev.crossbar.spi.ffi.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * The CUDA runtime compiler library {@code libnvrtc}: compiles CUDA C++ source to PTX in process. Every
 * {@code nvrtcResult} other than success becomes an {@link NvrtcException}, which carries the program log.
 */
public final class NativeNvrtc {
    /** The library names tried, newest CUDA major version first; the unversioned name is the toolkit's development link. */
    public static final List<String> LIBRARIES = List.of("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so");

    private final MethodHandle MH$nvrtcVersion;
    private final MethodHandle MH$nvrtcCreateProgram;
    private final MethodHandle MH$nvrtcCompileProgram;
    private final MethodHandle MH$nvrtcGetPTXSize;
    private final MethodHandle MH$nvrtcGetPTX;
    private final MethodHandle MH$nvrtcGetProgramLogSize;
    private final MethodHandle MH$nvrtcGetProgramLog;
    private final MethodHandle MH$nvrtcDestroyProgram;

    private NativeNvrtc(NativeLibrary library) {
        // nvrtcResult nvrtcVersion(int* major, int* minor)
        MH$nvrtcVersion = bind(library, "nvrtcVersion", ADDRESS, ADDRESS);
        // nvrtcResult nvrtcCreateProgram(nvrtcProgram* prog, const char* src, const char* name, int numHeaders,
        //                                const char* const* headers, const char* const* includeNames)
        MH$nvrtcCreateProgram = bind(library, "nvrtcCreateProgram", ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        // nvrtcResult nvrtcCompileProgram(nvrtcProgram prog, int numOptions, const char* const* options)
        MH$nvrtcCompileProgram = bind(library, "nvrtcCompileProgram", ADDRESS, JAVA_INT, ADDRESS);
        // nvrtcResult nvrtcGetPTXSize(nvrtcProgram prog, size_t* ptxSizeRet)
        MH$nvrtcGetPTXSize = bind(library, "nvrtcGetPTXSize", ADDRESS, ADDRESS);
        // nvrtcResult nvrtcGetPTX(nvrtcProgram prog, char* ptx)
        MH$nvrtcGetPTX = bind(library, "nvrtcGetPTX", ADDRESS, ADDRESS);
        // nvrtcResult nvrtcGetProgramLogSize(nvrtcProgram prog, size_t* logSizeRet)
        MH$nvrtcGetProgramLogSize = bind(library, "nvrtcGetProgramLogSize", ADDRESS, ADDRESS);
        // nvrtcResult nvrtcGetProgramLog(nvrtcProgram prog, char* log)
        MH$nvrtcGetProgramLog = bind(library, "nvrtcGetProgramLog", ADDRESS, ADDRESS);
        // nvrtcResult nvrtcDestroyProgram(nvrtcProgram* prog)
        MH$nvrtcDestroyProgram = bind(library, "nvrtcDestroyProgram", ADDRESS);
    }

    private static MethodHandle bind(NativeLibrary library, String symbol, MemoryLayout... arguments) {
        return library.function(symbol, FunctionDescriptor.of(JAVA_INT, arguments));
    }

    /**
     * Loads NVRTC and binds its functions.
     *
     * @return the bound library
     * @throws LibraryUnavailableException if no NVRTC library loads, one lacks a function, or native access is denied
     */
    public static NativeNvrtc open() {
        return new NativeNvrtc(NativeLibrary.openFirst(LIBRARIES, "NVRTC comes with the CUDA toolkit (package cuda-nvrtc)"));
    }

    /**
     * Calls {@code nvrtcVersion}.
     *
     * @return the version as {@code major.minor}
     * @throws NvrtcException if it fails
     */
    public String nvrtcVersion() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment major = arena.allocate(JAVA_INT);
            MemorySegment minor = arena.allocate(JAVA_INT);
            check("nvrtcVersion", NativeLibrary.call(() -> (int) MH$nvrtcVersion.invokeExact(major, minor)), MemorySegment.NULL);
            return String.format(Locale.ROOT, "%d.%d", major.get(JAVA_INT, 0), minor.get(JAVA_INT, 0));
        }
    }

    /**
     * Compiles one program to PTX.
     *
     * @param source the CUDA C++ source
     * @param programName the program's name, used in diagnostics
     * @param options compiler options, such as {@code --gpu-architecture=compute_90}
     * @return the PTX text
     * @throws NvrtcException if a call fails; a compilation error carries the log
     */
    public String compileToPtx(String source, String programName, List<String> options) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment program = arena.allocate(ADDRESS);
            MemorySegment text = arena.allocateFrom(source);
            MemorySegment name = arena.allocateFrom(programName);
            check("nvrtcCreateProgram", NativeLibrary.call(() -> (int) MH$nvrtcCreateProgram.invokeExact(program, text, name, 0, MemorySegment.NULL,
                    MemorySegment.NULL)), MemorySegment.NULL);
            MemorySegment handle = program.get(ADDRESS, 0);
            try {
                MemorySegment optionArray = arena.allocate(ADDRESS, Math.max(1, options.size()));
                for (int i = 0; i < options.size(); i++) {
                    optionArray.setAtIndex(ADDRESS, i, arena.allocateFrom(options.get(i)));
                }
                int optionCount = options.size();
                check("nvrtcCompileProgram", NativeLibrary.call(() -> (int) MH$nvrtcCompileProgram.invokeExact(handle, optionCount, optionArray)), handle);
                MemorySegment size = arena.allocate(JAVA_LONG);
                check("nvrtcGetPTXSize", NativeLibrary.call(() -> (int) MH$nvrtcGetPTXSize.invokeExact(handle, size)), handle);
                MemorySegment ptx = arena.allocate(size.get(JAVA_LONG, 0) + 1);
                check("nvrtcGetPTX", NativeLibrary.call(() -> (int) MH$nvrtcGetPTX.invokeExact(handle, ptx)), handle);
                return ptx.getString(0, StandardCharsets.UTF_8);
            } finally {
                check("nvrtcDestroyProgram", NativeLibrary.call(() -> (int) MH$nvrtcDestroyProgram.invokeExact(program)), MemorySegment.NULL);
            }
        }
    }

    private void check(String function, int result, MemorySegment program) {
        if (result != NvrtcResult.NVRTC_SUCCESS) {
            throw new NvrtcException(function, result, program.equals(MemorySegment.NULL) ? "" : log(program));
        }
    }

    private String log(MemorySegment program) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(JAVA_LONG);
            if (NativeLibrary.call(() -> (int) MH$nvrtcGetProgramLogSize.invokeExact(program, size)) != NvrtcResult.NVRTC_SUCCESS || size.get(JAVA_LONG, 0) <= 1) {
                return "";
            }
            MemorySegment log = arena.allocate(size.get(JAVA_LONG, 0) + 1);
            if (NativeLibrary.call(() -> (int) MH$nvrtcGetProgramLog.invokeExact(program, log)) != NvrtcResult.NVRTC_SUCCESS) {
                return "";
            }
            return log.getString(0, StandardCharsets.UTF_8);
        }
    }

}
