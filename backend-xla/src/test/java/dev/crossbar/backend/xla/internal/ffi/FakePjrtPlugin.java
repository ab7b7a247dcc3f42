package dev.crossbar.backend.xla.internal.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The fake PJRT plugin of src/test/c, compiled by gcc into target/fake-pjrt once per variant and JVM, with its test
 * controls bound through FFM.
 */
public final class FakePjrtPlugin {
    static final Path SOURCE_DIRECTORY = Path.of("src/test/c");
    private static final Path BUILD = Path.of("target/fake-pjrt").toAbsolutePath();
    private static final Map<String, FakePjrtPlugin> COMPILED = new ConcurrentHashMap<>();

    private final Path library;
    private final MethodHandle failNext;
    private final MethodHandle liveObjects;
    private final MethodHandle initializeCalls;
    private final MethodHandle delayCompletions;

    private FakePjrtPlugin(Path library, SymbolLookup lookup) {
        this.library = library;
        Linker linker = Linker.nativeLinker();
        this.failNext = linker.downcallHandle(lookup.findOrThrow("fake_pjrt_fail_next"), FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, ADDRESS));
        this.liveObjects = linker.downcallHandle(lookup.findOrThrow("fake_pjrt_live_objects"), FunctionDescriptor.of(JAVA_LONG));
        this.initializeCalls = linker.downcallHandle(lookup.findOrThrow("fake_pjrt_initialize_calls"), FunctionDescriptor.of(JAVA_INT));
        this.delayCompletions = linker.downcallHandle(lookup.findOrThrow("fake_pjrt_delay_completions"), FunctionDescriptor.ofVoid(JAVA_INT));
    }

    /**
     * Compiles (once per JVM) and opens a variant of the fake plugin.
     *
     * @param fileName the library's file name, distinct per variant
     * @param defines the variant's -D options
     * @return the plugin with its controls
     */
    public static FakePjrtPlugin compile(String fileName, String... defines) {
        return COMPILED.computeIfAbsent(fileName, name -> new FakePjrtPlugin(build(name, defines), SymbolLookup.libraryLookup(BUILD.resolve(name), Arena.global())));
    }

    /**
     * Compiles a variant without opening it, for variants that have no test controls (no entry point) or must not be
     * opened before the code under test opens them.
     *
     * @param fileName the library's file name
     * @param defines the variant's -D options
     * @return the library
     */
    public static Path build(String fileName, String... defines) {
        requireGcc();
        Path output = BUILD.resolve(fileName);
        List<String> command = new ArrayList<>(List.of("gcc", "-shared", "-fPIC", "-pthread", "-o", output.toString()));
        command.addAll(List.of(defines));
        command.add(SOURCE_DIRECTORY.resolve("fake_pjrt_plugin.c").toString());
        run(command);
        return output;
    }

    /** Skips the calling test when gcc is missing: it builds the fake plugins and the layout probe. */
    static void requireGcc() {
        assumeTrue(Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "gcc"))), "gcc is not on PATH; it compiles the fake PJRT plugin");
    }

    static String run(List<String> command) {
        try {
            Files.createDirectories(BUILD);
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, process.waitFor(), () -> String.join(" ", command) + " failed:\n" + output);
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Path buildDirectory() {
        return BUILD;
    }

    /**
     * Returns the library's path.
     *
     * @return the absolute path of the compiled plugin
     */
    public Path library() {
        return library;
    }

    /**
     * Makes the next call of a PJRT function fail with an error.
     *
     * @param function the C name, or {@code PJRT_LoadedExecutable_Execute:event} for the next completion event
     * @param code the error code
     * @param message the error message
     */
    public void failNext(String function, PjrtErrorCode code, String message) {
        try (Arena arena = Arena.ofConfined()) {
            failNext.invokeExact(arena.allocateFrom(function), code.ordinal(), arena.allocateFrom(message));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Counts the errors, events, clients, executables and buffers the plugin made and nobody destroyed yet.
     *
     * @return the count
     */
    public long liveObjects() {
        try {
            return (long) liveObjects.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Counts the calls of PJRT_Plugin_Initialize.
     *
     * @return the count
     */
    public int initializeCalls() {
        try {
            return (int) initializeCalls.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Makes execution completion events ready later.
     *
     * @param milliseconds the delay, 0 for none
     */
    public void delayCompletions(int milliseconds) {
        try {
            delayCompletions.invokeExact(milliseconds);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
