package dev.crossbar.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code crossbar doctor} from target/lib in a child JVM, on the module path and on the classpath, as users do:
 * both must discover every backend the distribution ships.
 */
class CommandLineDiscoveryTest {
    private static final Path LIB = Path.of(System.getProperty("distribution.lib", "target/lib"));
    private static final List<String> BACKENDS = List.of("cpu", "cuda", "rocm", "xla", "neuron", "opencl");
    private static final String MAIN = "dev.crossbar.runtime.cli.CrossbarCli";
    /** The flag the crossbar script passes: on the module path the backends that use FFM are named modules. */
    private static final String MODULE_PATH_NATIVE_ACCESS =
            "--enable-native-access=ALL-UNNAMED,dev.crossbar.api,dev.crossbar.backend.cpu,dev.crossbar.backend.cuda,dev.crossbar.backend.rocm,dev.crossbar.backend.xla,dev.crossbar.backend.neuron,com.example.opencl";

    /**
     * The JVM's notice whenever an incubator module is resolved: the cpu backend's module requires the Vector API
     * (jdk.incubator.vector), so the module path always prints it, and no flag silences it.
     */
    private static final String INCUBATOR_NOTICE = "WARNING: Using incubator modules: jdk.incubator.vector";

    private record Result(int status, String out, String err) {
    }

    private static Result java(List<String> arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        // The JVM running this test is the build's JDK 25, whatever JDK runs Maven.
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        String out = read(process.getInputStream());
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "timed out: " + command);
        return new Result(process.exitValue(), out, err.join());
    }

    private static String read(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertEveryBackendListed(Result result) {
        String report = "exit " + result.status() + "\nstdout:\n" + result.out() + "\nstderr:\n" + result.err();
        assertEquals(0, result.status(), report);
        for (String backend : BACKENDS) {
            assertTrue(result.out().lines().anyMatch(line -> line.startsWith(backend + " ")), backend + " missing from\n" + report);
        }
        assertTrue(result.out().lines().anyMatch(line -> line.matches("cpu +yes .*")), report);
        assertTrue(result.out().contains("Selected backend: "), report);
        assertFalse(result.err().contains("sun.misc.Unsafe"), report);
        assertFalse(result.err().lines().filter(line -> !line.equals(INCUBATOR_NOTICE)).anyMatch(line -> line.contains("WARNING")), report);
        assertTrue(result.err().contains("INFO  BackendRegistry - Backend cpu: available"), "logback.xml not picked up\n" + report);
    }

    @Test
    void doctorOnTheModulePath() throws Exception {
        assertTrue(Files.isDirectory(LIB), LIB + " is missing; run mvn package");
        assertEveryBackendListed(java(List.of(MODULE_PATH_NATIVE_ACCESS, "-p", LIB.toString(), "-m", "dev.crossbar.runtime/" + MAIN, "doctor")));
    }

    @Test
    void doctorOnTheClasspath() throws Exception {
        assertEveryBackendListed(java(List.of("--enable-native-access=ALL-UNNAMED", "-cp", LIB.resolve("*").toString(), MAIN, "doctor")));
    }
}
