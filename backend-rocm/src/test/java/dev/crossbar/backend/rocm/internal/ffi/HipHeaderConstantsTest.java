package dev.crossbar.backend.rocm.internal.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The enum values and the struct offset {@link NativeHip} uses are the installed {@code hip_runtime_api.h}'s: a C++
 * program compiled by g++ against the header prints them. (hipDeviceAttribute_t is a dense enum, so one added member
 * shifts every later value.)
 */
class HipHeaderConstantsTest {
    private static final Path HEADER = Path.of("/usr/include/hip/hip_runtime_api.h");

    @TempDir
    Path work;

    @Test
    void bindingConstantsMatchTheHeader() throws IOException, InterruptedException {
        assumeTrue(Files.exists(HEADER), HEADER + " is missing; install libamdhip64-dev");
        assumeTrue(onPath("g++"), "g++ is not on PATH; install g++");
        Path source = work.resolve("constants.cpp");
        Files.writeString(source, """
                #include <hip/hip_runtime_api.h>
                #include <stddef.h>
                #include <stdio.h>
                int main() {
                    printf("%d %d %d %d %d %d %d %zu %zu\\n", hipDeviceAttributeMaxGridDimX, hipDeviceAttributeMaxThreadsPerBlock,
                        hipDeviceAttributeMaxThreadsPerMultiProcessor, hipDeviceAttributeMultiprocessorCount,
                        hipDeviceAttributeMemoryPoolsSupported, hipStreamNonBlocking, hipEventDisableTiming,
                        sizeof(hipDeviceProp_t), offsetof(hipDeviceProp_t, gcnArchName));
                    return 0;
                }
                """);
        Path program = work.resolve("constants");
        run(List.of("g++", "-D__HIP_PLATFORM_AMD__", source.toString(), "-o", program.toString()));
        String printed = run(List.of(program.toString())).strip();

        String expected = String.join(" ", String.valueOf(NativeHip.ATTRIBUTE_MAX_GRID_DIM_X), String.valueOf(NativeHip.ATTRIBUTE_MAX_THREADS_PER_BLOCK),
                String.valueOf(NativeHip.ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR), String.valueOf(NativeHip.ATTRIBUTE_MULTIPROCESSOR_COUNT),
                String.valueOf(NativeHip.ATTRIBUTE_MEMORY_POOLS_SUPPORTED), String.valueOf(NativeHip.STREAM_NON_BLOCKING),
                String.valueOf(NativeHip.EVENT_DISABLE_TIMING), String.valueOf(NativeHip.DEVICE_PROPERTIES_BYTES),
                String.valueOf(NativeHip.GCN_ARCH_NAME_OFFSET));
        assertEquals(expected, printed);
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), String.join(" ", command) + " failed:\n" + output);
        return output;
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(directory -> !directory.isEmpty() && Files.isExecutable(Path.of(directory, tool)));
    }
}
